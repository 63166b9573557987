"""Scrapy settings of the SMN crawler: polite towards the live sites by default.

Project settings carry the prefix ``SMN_``; ``MIRROR_URL`` points a crawl at an offline mirror.
"""

from __future__ import annotations

from crawler import __version__

BOT_NAME = "smn"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- Politeness towards the live sites -----------------------------------------------------
USER_AGENT = f"smn-crawler/{__version__} (news dataset crawler; Scrapy)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 2
SMN_POLITE = True
"""False switches delays off, for a crawl of a loopback mirror only (crawler.addons)."""
SMN_MAX_CRAWL_DELAY = 60.0
"""Upper bound on a robots.txt Crawl-delay that the crawler honours, in seconds."""

# --- Where pages come from -----------------------------------------------------------------
MIRROR_URL = ""
"""Base address of an offline mirror (e.g. http://127.0.0.1:8080); empty: the live sites."""
DOWNLOAD_HANDLERS = {
    "http": "crawler.download.MirrorDownloadHandler",
    "https": "crawler.download.MirrorDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.NetworkGuardMiddleware": 50,
    "crawler.middlewares.CrawlDelayMiddleware": 110,
}
ADDONS = {"crawler.addons.Politeness": 0, "crawler.distributed.Distributed": 10}

# --- Distributed crawling (crawler.distributed) ----------------------------------------------
REDIS_URL = ""
"""redis://host:6379/0 makes this crawl one worker of job SMN_JOB: queue and state in Redis."""
SMN_JOB = "smn"
"""Name of the distributed job (one run): workers with the same name share one frontier."""
SMN_IDLE_CLOSE_SECONDS = 30.0
"""A distributed worker closes once the frontier has been empty, all workers idle, this long."""

# --- Robustness ----------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DUPEFILTER_CLASS = "crawler.dupefilter.CompactDupeFilter"  # 8 bytes per seen request (issue 8)
DEPTH_PRIORITY = 0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# --- Output --------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORAGES = {  # every exported line reaches the OS at once: a kill loses no counted line
    "": "crawler.feedstorage.LineFileFeedStorage",
    "file": "crawler.feedstorage.LineFileFeedStorage",
}
FEEDS = {
    "output/%(name)s-%(time)s.jsonl": {"format": "jsonlines", "encoding": "utf-8"},
}
SMN_STATE_PATH = "output/state.sqlite"
"""The persistent state (seen URLs, story fingerprints, hub validators): a SQLite file."""

EXTENSIONS = {"crawler.extensions.StatsDump": 500}
SMN_STATS_PATH = ""
"""Where to write the crawl's stats as JSON when it closes (empty: nowhere)."""

# --- Items ---------------------------------------------------------------------------------
from crawler.pipelines import ITEM_PIPELINES  # noqa: E402,F401  (clean -> validate -> dedupe)
