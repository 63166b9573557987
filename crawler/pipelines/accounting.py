"""The first and the last pipeline: count every parsed item, count exported ones, and check at
close that every parsed item is accounted for."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def totals(stats: Mapping[str, Any]) -> dict[str, int]:
    """Parsed, exported, duplicate and rejected article counts from a crawl's stats.

    >>> totals({"articles/parsed": 5, "articles/exported": 2, "articles/duplicate/url": 1,
    ...         "articles/duplicate/content": 1, "articles/rejected/title": 1})
    {'parsed': 5, 'exported': 2, 'duplicate': 2, 'rejected': 1, 'unaccounted': 0}
    """

    def total(prefix: str) -> int:
        return sum(int(v) for k, v in stats.items() if k.startswith(prefix))

    parsed = int(stats.get("articles/parsed", 0))
    exported = int(stats.get("articles/exported", 0))
    duplicate = total("articles/duplicate/")
    rejected = total("articles/rejected/")
    unaccounted = parsed - exported - duplicate - rejected
    return {"parsed": parsed, "exported": exported, "duplicate": duplicate,
            "rejected": rejected, "unaccounted": unaccounted}  # fmt: skip


class ParsedPipeline:
    """Counts every item that enters the pipelines (``articles/parsed``)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParsedPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.stats.inc_value("articles/parsed")
        return item


class ExportedPipeline:
    """Counts ``articles/exported``; at close, warns when parsed != exported + duplicates +
    rejected (an item dropped or lost by some other component)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportedPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.stats.inc_value("articles/exported")
        return item

    def close_spider(self) -> None:
        counts = totals(self.stats.get_stats())
        if counts["unaccounted"]:
            self.stats.set_value("articles/unaccounted", counts["unaccounted"])
            logger.warning("Articles do not add up: %s", counts)
