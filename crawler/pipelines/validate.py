"""Second pipeline: check every item against the article schema; reject the ones that fail.

A rejected item is dropped with its URL and reasons written to the rejects file (see
:mod:`crawler.pipelines.outputs`) and counted in ``articles/rejected/<reason>``.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from scrapy.exceptions import DropItem

from crawler.pipelines.outputs import JsonLinesWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


@cache
def article_validator() -> Draft202012Validator:
    """The compiled validator of the packaged article schema (built once)."""
    text = resources.files("crawler").joinpath("schema/article.schema.json").read_text("utf-8")
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item).asdict()
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
