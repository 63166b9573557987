"""Politeness cannot be switched off against the live sites: Scrapy's own machinery builds a
crawler of the live network (no MIRROR_URL) with loosening ``-s`` options, and the add-on sets
each back; against a mirror the same options apply. Nothing is fetched."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.crawling import ROOT

LOOSE = {
    "ROBOTSTXT_OBEY": "False", "DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "64", "SMN_MAX_CRAWL_DELAY": "0",
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.components.downloadermiddlewares.CrawlDelayMiddleware": None,
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    },
}

BUILD = """
import json, logging, sys
from scrapy.crawler import CrawlerProcess
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.extensions.throttle import AutoThrottle
from scrapy.settings import Settings

from crawler.navigation.spider import SmnSpider

settings = Settings()
settings.setmodule("crawler.settings", priority="project")
for key, value in json.loads(sys.argv[1]).items():
    settings.set(key, value, priority="cmdline")  # as `-s KEY=VALUE`
records = []
logging.getLogger("crawler.components.addons").addHandler(logging.Handler())
logging.getLogger("crawler.components.addons").handlers[-1].emit = records.append
crawler = CrawlerProcess(settings).create_crawler(SmnSpider)
crawler._apply_settings()  # the add-ons, as at the start of `scrapy crawl`
s = crawler.settings
try:
    throttle = AutoThrottle.from_crawler(crawler) is not None
except Exception:
    throttle = False
print(json.dumps({
    "ROBOTSTXT_OBEY": s.getbool("ROBOTSTXT_OBEY"), "DOWNLOAD_DELAY": s.getfloat("DOWNLOAD_DELAY"),
    "AUTOTHROTTLE": throttle, "PER_DOMAIN": s.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
    "SMN_MAX_CRAWL_DELAY": s.getfloat("SMN_MAX_CRAWL_DELAY"),
    "middlewares": [type(m).__name__
                    for m in DownloaderMiddlewareManager.from_crawler(crawler).middlewares],
    "warnings": [r.getMessage() for r in records],
}))
"""


def _built(overrides: dict[str, object]) -> dict[str, Any]:
    """The effective settings of a crawler built by Scrapy with these ``-s`` options."""
    proc = subprocess.run([sys.executable, "-c", BUILD, json.dumps(overrides)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    built: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return built


def test_loosening_options_are_set_back_against_the_live_sites() -> None:
    built = _built(LOOSE)
    assert built["ROBOTSTXT_OBEY"] is True
    assert built["DOWNLOAD_DELAY"] == 0.5
    assert built["AUTOTHROTTLE"] is True
    assert built["PER_DOMAIN"] == 2
    assert built["SMN_MAX_CRAWL_DELAY"] == 60
    assert {"RobotsTxtMiddleware", "CrawlDelayMiddleware"} <= set(built["middlewares"])
    warned = " ".join(built["warnings"])
    for name in ("ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
                 "CONCURRENT_REQUESTS_PER_DOMAIN", "SMN_MAX_CRAWL_DELAY", "CrawlDelayMiddleware",
                 "RobotsTxtMiddleware"):
        assert name in warned


def test_stricter_options_are_kept_against_the_live_sites() -> None:
    built = _built({"DOWNLOAD_DELAY": "3", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"})
    assert built["DOWNLOAD_DELAY"] == 3 and built["PER_DOMAIN"] == 1
    assert built["warnings"] == []


def test_a_mirror_crawl_may_loosen_politeness() -> None:
    built = _built({**LOOSE, "MIRROR_URL": "http://127.0.0.1:1"})
    assert built["ROBOTSTXT_OBEY"] is False
    assert built["DOWNLOAD_DELAY"] == 0
    assert built["PER_DOMAIN"] == 64
    assert "RobotsTxtMiddleware" not in built["middlewares"]
    assert built["warnings"] == []
