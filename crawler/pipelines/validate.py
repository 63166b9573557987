"""Second pipeline: check every item against the article schema; reject the ones that fail.

A rejected item is dropped with its URL and reasons written to the rejects file (see
:mod:`crawler.pipelines.outputs`) and counted in ``articles/rejected/<reason>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from scrapy.exceptions import DropItem

from crawler.pipelines.outputs import JsonLinesWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def _schema() -> dict[str, Any]:
    text = resources.files("crawler").joinpath("schema/article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def article_validator() -> Draft202012Validator:
    """The compiled validator of the packaged article schema (built once)."""
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


_PLAIN_TYPES = (str, int, float, bool, type(None))
_NOT_SPLIT = ("$ref", "$dynamicRef", "unevaluated", "prefixItems", "$anchor", "$dynamicAnchor")


@cache
def _split_validator() -> Callable[[dict[str, Any]], bool]:
    """A quick ``is_valid`` equal to the article validator's: the schema with the ``items`` of
    its top-level arrays taken out, and each array entry checked by its own ``items`` validator,
    with a bounded cache. Related-link entries repeat on every page of a site, and checking
    them was most of the cost of validating an item.

    A record that passes both parts is valid under the whole schema, and only such records
    take this path; any other record is checked (and reported) by the full validator.
    """
    top = _schema()
    entry_validators: dict[str, Draft202012Validator] = {}
    if not any(word in json.dumps(top) for word in _NOT_SPLIT):
        for name, sub in top.get("properties", {}).items():
            if isinstance(sub, dict) and sub.get("type") == "array" and isinstance(
                sub.get("items"), dict
            ):
                entry_validators[name] = Draft202012Validator(sub.pop("items"))
    top_validator = Draft202012Validator(top)

    @lru_cache(maxsize=16384)
    def entry_valid(name: str, frozen: tuple[tuple[str, str, Any], ...]) -> bool:
        return entry_validators[name].is_valid({key: value for key, _, value in frozen})

    @lru_cache(maxsize=16384)
    def scalar_valid(name: str, kind: str, value: Any) -> bool:
        return entry_validators[name].is_valid(value)

    def is_valid(record: dict[str, Any]) -> bool:
        if not top_validator.is_valid(record):
            return False
        for name, validator in entry_validators.items():
            for entry in record.get(name) or ():
                if isinstance(entry, dict) and all(
                    isinstance(k, str) and type(v) in _PLAIN_TYPES for k, v in entry.items()
                ):
                    # The type is part of the key: True == 1, but they validate differently.
                    frozen = tuple((k, type(v).__name__, v) for k, v in entry.items())
                    if not entry_valid(name, frozen):
                        return False
                elif type(entry) in _PLAIN_TYPES:
                    if not scalar_valid(name, type(entry).__name__, entry):
                        return False
                elif not validator.is_valid(entry):
                    return False
        return True

    return is_valid


def is_valid_fast(record: dict[str, Any]) -> bool:
    """True exactly when ``record`` is valid under the article schema; quicker on valid ones.

    >>> is_valid_fast({"title": ""})
    False
    """
    return _split_validator()(record)


def reason_slug(error: ValidationError) -> str:
    """A short stat-friendly name for a validation error: the top-level field it concerns.

    >>> from jsonschema import Draft202012Validator as V
    >>> reason_slug(next(V({"properties": {"title": {"minLength": 1}}}).iter_errors({"title": ""})))
    'title'
    >>> reason_slug(next(V({"required": ["body"]}).iter_errors({})))
    'body'
    >>> reason_slug(next(V({"type": "object"}).iter_errors([])))
    'schema'
    """
    path = list(error.absolute_path)
    field: Any = path[0] if path else None
    if field is None and error.validator == "required":
        missing = [p for p in error.validator_value if p not in (error.instance or {})]
        field = missing[0] if len(missing) == 1 else None
    if not isinstance(field, str):
        return "schema"
    return re.sub(r"[^a-z0-9_]+", "_", field.lower()).strip("_") or "schema"


def describe(error: ValidationError) -> str:
    """One line for the rejects file: where and what.

    >>> from jsonschema import Draft202012Validator as V
    >>> describe(next(V({"required": ["a"]}).iter_errors({})))
    "$: 'a' is a required property"
    >>> describe(next(V({"items": {"required": ["url"]}}).iter_errors([{}, {}])))
    "$[0]: 'url' is a required property"
    """
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"{where}: {message}"


def validation_errors(record: dict[str, Any]) -> list[ValidationError]:
    """Schema errors of a record, in field order (empty when it is valid)."""
    errors = article_validator().iter_errors(record)
    return sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])


class ValidatePipeline:
    """Drops items that do not match the schema, each recorded in the rejects file."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.rejects = JsonLinesWriter(crawler, "rejects", "SMN_REJECTS_PATH")
        article_validator()  # compile now, fail at start on a broken schema
        _split_validator()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        # Fast path on a shallow copy: a nested item would be checked as a non-object and fail
        # here, then pass or fail below on the full copy, exactly as before.
        if is_valid_fast(dict(adapter.items())):
            return item
        record = adapter.asdict()
        errors = validation_errors(record)
        if not errors:
            return item
        reasons = [reason_slug(e) for e in errors]
        reason = reasons[0]
        self.stats.inc_value(f"articles/rejected/{reason}")
        self.rejects.write(
            {
                "url": record.get("url"),
                "reason": reason,
                "reasons": sorted(set(reasons)),
                "errors": [describe(e) for e in errors],
                "item": record,
            }
        )
        raise DropItem(f"rejected ({reason}): {record.get('url')}", log_level="INFO")

    def close_spider(self) -> None:
        self.rejects.close()
