"""A Scrapy extension that measures a crawl the same way on both sides of a benchmark.

The benchmarks add it with ``-s EXTENSIONS=...`` (``bench/common.py``) to the project's crawl,
to ``scrapy bench`` and to the null spider alike, so that every side is counted by the same
code, and write its figures to the file named by the setting ``BENCH_PROBE_PATH`` (JSON) when
the spider closes:

* ``html_200``: responses with status 200 and a Content-Type containing ``html`` (what the
  benchmarks call *pages*; robots.txt, feeds, redirects, errors and retries are not pages);
* ``first``/``last``: monotonic times of the first and the last counted page, ``started`` and
  ``closed`` those of ``engine_started`` and ``spider_closed``;
* ``cpu_started``/``cpu_closed``: user + system CPU seconds of this process at those moments
  (the crawl's own process only: never its server);
* ``usage_started``/``usage_closed``: the process's ``getrusage`` at those moments (user and
  system seconds apart, page faults, context switches, blocks read and written), to tell where
  a crawl's CPU goes beside Python (a sampling profiler sees Python frames, not the kernel);
* ``peak_rss_mb``: the process's peak resident size;
* ``dupefilter_entries``/``dupefilter_bytes``: the size of the request dupefilter at the end,
  when it can say (``memory_bytes()`` or its KeySet's ``nbytes()``; else ``len()`` and
  ``sys.getsizeof`` of its set); ``spider_requested_*`` likewise for the spider's own set of
  the addresses it requested, when it has one;
* ``statuses``/``content_types``: every response counted by status and by MIME type;
* ``progress``: every 1,000 pages, (pages, requests waiting in the scheduler, RSS in MB);
* ``marks``: the monotonic time of every 100th page (for the rate between 10 % and 90 %).

It only counts: its cost is one signal handler per response, the same on every side.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response


def _rss_mb() -> float:
    """The resident size of this process now, in MB (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _usage() -> dict[str, float]:
    """This process's resource usage: CPU seconds by mode, faults, switches and block I/O."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"user": usage.ru_utime, "system": usage.ru_stime, "minflt": usage.ru_minflt,
            "majflt": usage.ru_majflt, "nvcsw": usage.ru_nvcsw, "nivcsw": usage.ru_nivcsw,
            "inblock": usage.ru_inblock, "oublock": usage.ru_oublock}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class BenchProbe:
    """Counts 200 HTML responses, CPU and memory of the crawl; see the module docstring."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = Path(path)
        self.html_200 = 0
        self.first = self.last = 0.0
        self.started = time.monotonic()
        self.cpu_started = _cpu()
        self.usage_started = _usage()
        self.statuses: Counter[int] = Counter()
        self.types: Counter[str] = Counter()
        self.progress: list[tuple[int, int | None, float]] = []
        self.marks: list[float] = []
        crawler.signals.connect(self.engine_started, signal=signals.engine_started)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BenchProbe:
        path = crawler.settings.get("BENCH_PROBE_PATH")
        if not path:
            raise NotConfigured("BENCH_PROBE_PATH is not set")
        return cls(crawler, path)

    def engine_started(self) -> None:
        self.started = time.monotonic()
        self.cpu_started = _cpu()
        self.usage_started = _usage()

    def response_received(self, response: Response, request: Request) -> None:
        ctype = (response.headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
        self.statuses[response.status] += 1
        self.types[ctype.decode("latin-1")] += 1
        if response.status == 200 and b"html" in ctype:
            now = time.monotonic()
            if not self.html_200:
                self.first = now
            self.last = now
            self.html_200 += 1
            if self.html_200 % 100 == 0:
                self.marks.append(now)
            if self.html_200 % 1000 == 0:
                self.progress.append((self.html_200, self._pending(), _rss_mb()))

    def _pending(self) -> int | None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        scheduler = getattr(slot, "scheduler", None)
        return len(scheduler) if hasattr(scheduler, "__len__") else None

    def _dupefilter(self) -> tuple[int | None, int | None]:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        df = getattr(getattr(slot, "scheduler", None), "df", None)
        if df is None:
            return None, None
        entries = len(df) if hasattr(df, "__len__") else len(getattr(df, "fingerprints", ()))
        if hasattr(df, "memory_bytes"):
            return entries, int(df.memory_bytes())
        if hasattr(getattr(df, "keys", None), "nbytes"):  # the project's compact KeySet
            return entries, int(df.keys.nbytes())
        fps = getattr(df, "fingerprints", None)
        if isinstance(fps, set):
            return entries, sys.getsizeof(fps) + sum(sys.getsizeof(f) for f in fps)
        return entries, None

    def spider_closed(self, reason: str) -> None:
        entries, nbytes = self._dupefilter()
        spider_keys = getattr(self.crawler.spider, "requested_this_run", None)
        figures: dict[str, Any] = {
            "html_200": self.html_200,
            "first": self.first,
            "last": self.last,
            "started": self.started,
            "closed": time.monotonic(),
            "cpu_started": self.cpu_started,
            "cpu_closed": _cpu(),
            "usage_started": self.usage_started,
            "usage_closed": _usage(),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "dupefilter_entries": entries,
            "dupefilter_bytes": nbytes,
            "spider_requested_entries": len(spider_keys) if spider_keys is not None else None,
            "spider_requested_bytes": (int(spider_keys.nbytes())
                                       if hasattr(spider_keys, "nbytes") else None),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "content_types": dict(self.types.most_common()),
            "finish_reason": reason,
            "progress": self.progress,
            "marks": self.marks,
        }
        self.path.write_text(json.dumps(figures, indent=1), encoding="utf-8")
