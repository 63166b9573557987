"""Second pipeline: check every item against the article schema; reject the ones that fail.

A rejected item is dropped with its URL and reasons written to the rejects file (see
:mod:`crawler.pipelines.outputs`) and counted in ``articles/rejected/<reason>``. The checks are
:mod:`crawler.schema`'s: the fast one first, ``jsonschema`` for the reasons of a failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from crawler.pipelines.outputs import JsonLinesWriter
from crawler.schema import (
    article_validator,
    describe,
    is_valid,
    reason_slug,
    validation_errors,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class ValidatePipeline:
    """Drops items that do not match the schema, each recorded in the rejects file."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.rejects = JsonLinesWriter(crawler, "rejects", "SMN_REJECTS_PATH")
        article_validator()  # compile now, fail at start on a broken schema
        is_valid({})

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        # Fast path on a shallow copy: a nested item would be checked as a non-object and fail
        # here, then pass or fail below on the full copy.
        if is_valid(dict(adapter.items())):
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
