"""The one settings sheet of the SMN crawler: every Scrapy and project setting, with its default.

Project settings carry the prefix ``SMN_`` and are grouped by the word after it; each is declared
here once, with a one-line comment, and read by the components without an inline default (as
Scrapy's own read its default settings). ``MIRROR_URL`` points a crawl at an offline mirror.
README's settings table lists the same names and defaults (a test checks they agree).
"""

from __future__ import annotations

from crawler import __version__

BOT_NAME = "smn"
SPIDER_MODULES = ["crawler.navigation.spider"]
COMMANDS_MODULE = "crawler.components.commands"  # `scrapy crawl` refuses bad arguments in a line

# --- Politeness towards the live sites (crawler.components.addons) -------------------------
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
"""False switches delays off, for a crawl of a loopback mirror only (refused otherwise)."""
SMN_MAX_CRAWL_DELAY = 60.0
"""Upper bound, in seconds, on a robots.txt Crawl-delay that the crawler honours."""
ADDONS = {
    "crawler.components.addons.Politeness": 0,
    "crawler.components.addons.DefaultFeed": 5,
    "crawler.distributed.Distributed": 10,
}

# --- Backoff on 429/503 (crawler.components.backoff) ----------------------------------------
SMN_BACKOFF_ENABLED = True
"""Pause a host on 429/503 (Retry-After honoured) instead of Scrapy's immediate retries."""
SMN_BACKOFF_MAX_DELAY = 600.0
"""Longest pause of a host, in seconds: a longer Retry-After is cut to it."""
SMN_BACKOFF_BASE_DELAY = 5.0
"""Pause after a 429/503 without Retry-After, in seconds; doubles per consecutive one."""
SMN_BACKOFF_MAX_RETRIES = 8
"""Times one request is sent again after 429/503 before it fails (errors/http_429)."""

# --- Where pages come from (crawler.components.handlers) -------------------------------------
MIRROR_URL = ""
"""Base address of an offline mirror (e.g. http://127.0.0.1:8080); empty: the live sites."""
DOWNLOAD_HANDLERS = {
    "http": "crawler.components.handlers.MirrorDownloadHandler",
    "https": "crawler.components.handlers.MirrorDownloadHandler",
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.components.downloadermiddlewares.NetworkGuardMiddleware": 50,
    "crawler.components.downloadermiddlewares.CrawlDelayMiddleware": 110,
    "crawler.components.backoff.BackoffMiddleware": 560,  # sees 429/503 before RetryMiddleware
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.components.downloadermiddlewares.MetaRefreshMiddleware": 580,  # Scrapy's place
    "crawler.components.capture.WarcCaptureMiddleware": 950,  # off without SMN_CAPTURE_DIR
}
SPIDER_MIDDLEWARES = {"crawler.components.capture.WarcPointerMiddleware": 950}

# --- Navigation (crawler.navigation) ---------------------------------------------------------
SMN_PAGINATION_STOP = True
"""Stop walking a section's pagination at a page whose articles were all known before the run."""
SCHEDULER_MEMORY_QUEUE = "crawler.components.frontier.SpillingFifoQueue"
SMN_FRONTIER_MEMORY = 2000
"""Waiting requests kept in memory by all the crawl's queues together; the rest wait on disk."""
SMN_REFRESH_DAYS = 3
"""Stories published within this many days of their host's newest are revisited; 0: never."""
SMN_BACKFILL_MAX_PAGES = 1000
"""Pages of one section a backfill walks at most (its coverage then says "limit")."""

# --- Capture: the raw pages in WARC files (crawler.capture) -----------------------------------
SMN_CAPTURE_DIR = ""
"""Folder of the crawl's WARC files; empty: no capture (scheduled runs use runs/<id>/warc)."""
SMN_CAPTURE_ENABLED = True
"""False: no WARC capture at all, scheduled runs included."""
SMN_CAPTURE_MAX_BYTES = 1_000_000_000
"""A WARC file is closed, and the next one begun, before it would pass this size (bytes)."""
SMN_CAPTURE_INDEX_PATH = ""
"""SQLite file of the payloads already stored, for revisits across runs; empty: this crawl's."""

# --- Robustness ------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DUPEFILTER_CLASS = "crawler.components.dupefilter.CompactDupeFilter"  # 8 bytes a request
DEPTH_PRIORITY = 0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
WARN_ON_GENERATOR_RETURN_VALUE = False  # re-reads a callback per response: tests do it once

# --- What was seen before (crawler.state) ----------------------------------------------------
SMN_STATE_PATH = "output/state.sqlite"
"""The persistent state (story addresses, fingerprints, MinHash bands): a SQLite file."""
# A crawl writes about three times per article. Each commit writes every page it dirtied, and
# once the state outgrows its cache the pages of a few hundred random keys are all different:
# a 100,000-article crawl wrote 97 to 99 blocks per page with commits of 500 writes, 53 to 54
# with 5,000 (bench_scale, bench/RESULTS.md). A scheduled run killed mid-way loses at most one
# transaction, and its resumption reconciles the state with what the run exported.
SMN_STATE_COMMIT_EVERY = 5000
"""Writes to the SQLite state that make one transaction."""
SMN_STATE_CACHE_MB = 16
"""Size bound of SQLite's page cache for the state, in MB."""

# --- Items (crawler.pipelines) ---------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.pipelines.accounting.ParsedPipeline": 100,
    "crawler.pipelines.validate.ValidatePipeline": 200,
    "crawler.pipelines.dedupe.DedupePipeline": 300,
    "crawler.pipelines.accounting.ExportedPipeline": 900,
}
CONCURRENT_ITEMS = 8
"""Outputs of one callback processed at once. Scrapy starts this many asyncio tasks for every
response (default 100: a tenth of a crawl's CPU); a page yields one item to synchronous
pipelines, so a few lose nothing."""
SMN_DEDUPE_ENABLED = True
"""Drop duplicates (same address, same body, or a syndicated copy) into the duplicates file."""
SMN_DEDUPE_THRESHOLD = 0.5
"""Estimated Jaccard similarity of two bodies from which the later one is a syndicated copy."""
SMN_DEDUPE_CONTAINMENT = 0.8
"""Estimated containment of the smaller body in the larger from which the two are one story."""
SMN_DEDUPE_MIN_SIZE_RATIO = 0.3
"""Smallest ratio of two bodies' shingle counts for which containment is used at all."""

# --- Output (crawler.pipelines.outputs, crawler.components) ---------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORAGES = {  # every exported line reaches the OS at once: a kill loses no counted line
    "": "crawler.components.exportstorage.LineFileFeedStorage",
    "file": "crawler.components.exportstorage.LineFileFeedStorage",
}
SMN_DEFAULT_FEED = "output/%(name)s-%(time)s.jsonl"
"""Articles file of a crawl given no feed (-o, -O, FEEDS); a -O file replaces it (addons)."""
SMN_DUPLICATES_PATH = ""
"""The duplicates file; empty: beside the articles file (``<name>.duplicates.jsonl``)."""
SMN_REJECTS_PATH = ""
"""The rejects file; empty: beside the articles file (``<name>.rejects.jsonl``)."""
SMN_GONE_PATH = ""
"""The file of stories found gone (404/410); empty: beside the articles file."""
SMN_OUTPUT_DIR = "output"
"""Folder of the duplicates and rejects files when the crawl has no local articles file."""
SMN_STATS_PATH = ""
"""Where to write the crawl's stats as JSON when it closes; empty: nowhere."""
SMN_GC_FREEZE = True
"""Keep what start-up leaves alive out of the garbage collector's full collections (gc.freeze)."""
SMN_GC_THRESHOLD = 20_000
"""Allocations between two collections of the youngest generation in a crawl (0: Python's own)."""
EXTENSIONS = {
    "crawler.components.extensions.FrozenStartup": 0,
    "crawler.components.extensions.StatsDump": 500,
    "crawler.components.extensions.CrawlProgress": 600,
}

# --- Monitors of scheduled runs (crawler.runs.monitors) --------------------------------------
SMN_MONITOR_COVERAGE_DROP = 5.0
"""Points by which a field's coverage on a site may fall against the previous run (exit 4)."""
SMN_MONITOR_MIN_SITE_ARTICLES = 20
"""Articles a site needs in both runs before its coverage is compared."""
SMN_MONITOR_MAX_ERROR_RATE = 0.10
"""Share of failed requests above which a run has a problem (exit 4)."""
SMN_MONITOR_TEMPLATE_SHARE_CHANGE = 20.0
"""Points by which a site's share of articles read by a known layout may move (exit 4)."""

# --- Distributed crawling (crawler.distributed; REDIS_URL switches it on) -------------------
REDIS_URL = ""
"""redis://host:6379/0 makes this crawl one worker of job SMN_JOB: queue and state in Redis."""
SMN_JOB = "smn"
"""Name of the distributed job (one run): workers with the same name share one frontier."""
SMN_WORKER_ID = ""
"""This worker's id; empty: host, pid and a random tail (set by the add-on)."""
SMN_IDLE_CLOSE_SECONDS = 30.0
"""A worker closes once the frontier has been empty, and every worker idle, this long."""
SMN_REDIS_HEARTBEAT_SECONDS = 1.0
"""How often a worker renews its heartbeat key and looks for lost workers."""
SMN_REDIS_WORKER_TTL = 15.0
"""A worker whose heartbeat is older than this is lost: its requests go back in the queue."""
SMN_REDIS_POLL_SECONDS = 0.5
"""How often an idle worker looks at the shared queue."""
SMN_REDIS_JOB_EXPIRE = 86400
"""Seconds a finished job's keys (queue, request fingerprints) are kept in Redis."""
SMN_REDIS_LOCK_SECONDS = 10.0
"""Expiry of the job-wide lock one worker holds to check and record a story (others wait)."""
SMN_REDIS_STATE_KEY = "smn:state"
"""Key prefix of the Redis state shared across jobs (like the SQLite file across runs)."""

# --- Operations: metrics and progress (crawler.runs.metrics, crawler.progress) --------------
SMN_METRICS_PATH = ""
"""Prometheus text file a scheduled run rewrites; empty: <output>/metrics/smn.prom."""
SMN_PROGRESS = "auto"
"""Live progress line: auto (on a terminal when the log goes to a file), on, off."""
