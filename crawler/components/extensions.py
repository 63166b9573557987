"""Scrapy extensions of the project."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class StatsDump:
    """Writes the crawl's stats as JSON to ``SMN_STATS_PATH`` when the spider closes."""

    def __init__(self, crawler: Crawler, path: str):
        self.crawler = crawler
        self.path = Path(path)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsDump:
        """Build from the crawler; off without SMN_STATS_PATH."""
        path = crawler.settings.get("SMN_STATS_PATH")
        if not path:
            raise NotConfigured
        return cls(crawler, path)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Write the stats, atomically."""
        assert self.crawler.stats is not None
        stats = {k: _jsonable(v) for k, v in self.crawler.stats.get_stats().items()}
        stats["finish_reason"] = reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(self.path.suffix + ".tmp")
        tmp.write_text(json.dumps(stats, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)
