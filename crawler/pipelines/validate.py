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
                if isinstance(entry, dict) and len(entry) <= 8 and all(
                    isinstance(k, str) and type(v) in _PLAIN_TYPES
                    and (type(v) is not str or len(v) <= 1024)
                    for k, v in entry.items()
                ):
                    # The type is part of the key: True == 1, but they validate differently.
                    frozen = tuple((k, type(v).__name__, v) for k, v in entry.items())
                    if not entry_valid(name, frozen):
                        return False
                elif type(entry) in _PLAIN_TYPES and (type(entry) is not str or len(entry) <= 1024):
                    if not scalar_valid(name, type(entry).__name__, entry):
                        return False
                elif not validator.is_valid(entry):
                    return False
        return True

    return is_valid


_ANNOTATIONS = frozenset({"description", "title", "$schema", "$id", "$comment", "default",
                          "examples"})  # fmt: skip
_EXACT_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "null": (type(None),), "object": (dict,), "array": (list,),
    "integer": (int,), "boolean": (bool,), "number": (int, float),
}  # fmt: skip
"""Exact Python types taken as certainly of a JSON type (bool is not an integer here, and
str/dict/list subclasses are left to jsonschema)."""

Check = Callable[[Any], bool]


def _sure_checker(schema: Any) -> Check | None:
    """A check that returns True only for instances certainly valid under ``schema``.

    Covers the keywords of the article schema with jsonschema's own semantics (``pattern`` is
    ``re.search``, ``minLength`` is ``len``, keywords ignore instances of other types) and is
    conservative everywhere else: False means "ask jsonschema". None when the schema uses any
    other keyword.

    >>> check = _sure_checker({"type": "object", "required": ["a"],
    ...                        "properties": {"a": {"type": "string", "minLength": 1}}})
    >>> check({"a": "x"}), check({"a": ""}), check({}), check({"a": "x", "b": [1]})
    (True, False, False, True)
    >>> _sure_checker({"oneOf": [{"type": "string"}]}) is None
    True
    """
    if not isinstance(schema, dict):
        return None
    checks: list[Check] = []
    for key, value in schema.items():
        if key in _ANNOTATIONS or (key == "additionalProperties" and value is True):
            continue
        check = _keyword_check(key, value)
        if check is None:
            return None
        checks.append(check)

    def all_checks(v: Any) -> bool:
        return all(check(v) for check in checks)

    return all_checks


def _keyword_check(key: str, value: Any) -> Check | None:
    """The certain-validity check of one keyword, or None when it is not covered."""
    if key == "type":
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or any(n not in _EXACT_TYPES for n in names):
            return None
        allowed = tuple(t for n in names for t in _EXACT_TYPES[n])

        def of_type(v: Any) -> bool:
            return type(v) in allowed

        return of_type
    if key == "required" and isinstance(value, list):
        need = tuple(value)

        def has_required(v: Any) -> bool:
            return type(v) is not dict or all(k in v for k in need)

        return has_required
    if key == "properties" and isinstance(value, dict):
        subs: dict[str, Check] = {}
        for name, sub in value.items():
            compiled = _sure_checker(sub)
            if compiled is None:
                return None
            subs[name] = compiled

        def properties_ok(v: Any) -> bool:
            return type(v) is not dict or all(c(v[k]) for k, c in subs.items() if k in v)

        return properties_ok
    if key == "items":
        item = _sure_checker(value)
        if item is None:
            return None
        item_check: Check = item

        def items_ok(v: Any) -> bool:
            return type(v) is not list or all(item_check(e) for e in v)

        return items_ok
    if key == "minLength" and type(value) is int:
        least: int = value

        def long_enough(v: Any) -> bool:
            return not isinstance(v, str) or (type(v) is str and len(v) >= least)

        return long_enough
    if key == "pattern" and isinstance(value, str):
        rx = re.compile(value)

        def matches(v: Any) -> bool:
            return not isinstance(v, str) or (type(v) is str and rx.search(v) is not None)

        return matches
    if key == "minimum" and type(value) in (int, float):
        low: float = value

        def at_least(v: Any) -> bool:
            if not isinstance(v, (int, float)):
                return True  # not a number: the keyword does not apply
            return type(v) in (int, float) and v >= low  # bool: let jsonschema decide

        return at_least
    if key == "enum" and isinstance(value, list) and all(type(e) is str for e in value):
        options = frozenset(value)

        def one_of(v: Any) -> bool:
            return type(v) is str and v in options

        return one_of
    if key == "const" and type(value) in (str, int):
        const: Any = value

        def equals(v: Any) -> bool:
            return type(v) is type(const) and v == const

        return equals
    return None


@cache
def _sure_validator() -> Check:
    """The certain-validity check of the article schema; always False when it cannot have one."""
    checker = _sure_checker(_schema())
    return checker if checker is not None else (lambda _: False)


def is_valid_fast(record: dict[str, Any]) -> bool:
    """True exactly when ``record`` is valid under the article schema; quicker on valid ones.

    First a plain-Python check that answers True only for records certainly valid, then the
    split jsonschema check (exact).

    >>> is_valid_fast({"title": ""})
    False
    """
    return _sure_validator()(record) or _split_validator()(record)


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
        _sure_validator()

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
