"""One worker of a distributed job: liveness, acknowledgements, recovery and the idle close.

* :class:`InflightTracker` knows which popped requests this worker is still busy with and
  deletes each one's in-flight entry in Redis when its work is complete: the callback's output
  consumed (its new requests pushed to the queue) and every item of it exported or dropped
  (:class:`AckSpiderMiddleware` and the item signals); a download that failed for good
  (:class:`AckDownloaderMiddleware`); or a redirect/retry copy safely queued
  (:class:`crawler.distributed.scheduler.RedisScheduler`).
* :class:`WorkerCoordinator` renews the worker's heartbeat key, puts back the in-flight
  requests of workers whose heartbeat expired (killed, or their machine gone), and on
  ``spider_idle`` keeps the worker alive (``DontCloseSpider``) until the frontier has been empty
  and no worker has held a request for ``SMN_IDLE_CLOSE_SECONDS``.

Settings: ``SMN_IDLE_CLOSE_SECONDS`` (default 30), ``SMN_REDIS_HEARTBEAT_SECONDS`` (1),
``SMN_REDIS_WORKER_TTL`` (15: a worker silent for that long is lost; keep it well above the
longest pause of the reactor), ``SMN_REDIS_POLL_SECONDS`` (0.5: how often an idle worker looks
at the queue), ``SMN_REDIS_JOB_EXPIRE`` (86400: lifetime of a finished job's keys).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet.task import LoopingCall

from crawler.distributed import DEFAULTS, TOKEN_META, is_distributed, job_keys
from crawler.distributed.scheduler import requeue_worker

if TYPE_CHECKING:
    import redis
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def _token(source: Any) -> str | None:
    """The in-flight entry id of a request, or of the request of a response."""
    request = source if isinstance(source, Request) else getattr(source, "request", None)
    if request is None:
        return None
    token = request.meta.get(TOKEN_META)
    return str(token) if token is not None else None


@dataclass
class _Work:
    """What remains of one popped request."""

    url: str = ""
    """The request's URL, for the log."""
    items: int = 0
    """Items of its callback not yet exported or dropped."""
    output_done: bool = False
    """Whether its callback's output was consumed to the end."""


class InflightTracker:
    """The popped requests this worker holds, and their release in Redis when done."""

    _BY_CRAWLER: weakref.WeakKeyDictionary[Any, InflightTracker] = weakref.WeakKeyDictionary()

    def __init__(self, crawler: Crawler, server: redis.Redis) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.server = server
        self.key = job_keys(settings).inflight(str(settings.get("SMN_WORKER_ID") or ""))
        self.work: dict[str, _Work] = {}
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_done, signal=signal)

    @classmethod
    def of(cls, crawler: Crawler) -> InflightTracker:
        """The one tracker of a crawler."""
        tracker = cls._BY_CRAWLER.get(crawler)
        if tracker is None:
            server = get_redis_from_settings(crawler.settings)
            tracker = cls._BY_CRAWLER[crawler] = cls(crawler, server)
        return tracker

    def started(self, token: str, url: str = "") -> None:
        """A request was popped into this worker's in-flight hash."""
        self.work[token] = _Work(url)

    def item_started(self, token: str) -> None:
        """The callback of the request produced an item."""
        work = self.work.get(token)
        if work is not None:
            work.items += 1

    def output_done(self, token: str) -> None:
        """The callback's output was consumed: its requests are queued."""
        work = self.work.get(token)
        if work is not None:
            work.output_done = True
            if work.items <= 0:
                self.ack(token)

    def _item_done(self, item: Any, response: Response | None = None, **_: Any) -> None:
        token = _token(response)
        work = self.work.get(token) if token is not None else None
        if token is not None and work is not None:
            work.items -= 1
            if work.output_done and work.items <= 0:
                self.ack(token)

    def ack(self, token: str) -> None:
        """The request is done with: delete its in-flight entry."""
        self.work.pop(token, None)
        self.server.hdel(self.key, token)

    def release_all(self) -> int:
        """Delete every entry of this worker (its engine is idle: none is really in flight).

        Returns how many were still tracked; anything above zero is an acknowledgement that
        no path above gave, counted as ``distributed/inflight_stale``.
        """
        stale = len(self.work)
        for work in self.work.values():
            logger.warning("No acknowledgement for %s: released as the engine is idle", work)
        self.work.clear()
        self.server.delete(self.key)
        return stale


class AckSpiderMiddleware:
    """Outermost spider middleware: tells the tracker when a callback's output is consumed."""

    def __init__(self, tracker: InflightTracker) -> None:
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckSpiderMiddleware:
        """Build from the crawler; off without REDIS_URL."""
        if not is_distributed(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        return cls(InflightTracker.of(crawler))

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        """Pass the output through, counting items; mark the request's output consumed."""
        token = _token(response)
        if token is None:
            async for out in result:
                yield out
            return
        try:
            async for out in result:
                if out is not None and not isinstance(out, Request):
                    self.tracker.item_started(token)
                yield out
        finally:
            self.tracker.output_done(token)


class AckDownloaderMiddleware:
    """Outermost downloader middleware: a request that failed for good is done with.

    Its ``process_exception`` runs last, so only when no middleware (retry, redirect) took the
    failure over; the errback that follows only counts and logs.
    """

    def __init__(self, tracker: InflightTracker) -> None:
        self.tracker = tracker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckDownloaderMiddleware:
        """Build from the crawler; off without REDIS_URL."""
        if not is_distributed(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        return cls(InflightTracker.of(crawler))

    def process_exception(self, request: Request, exception: BaseException) -> None:
        """Release the request's entry; the failure goes on to the errback."""
        token = _token(request)
        if token is not None:
            self.tracker.ack(token)


class WorkerCoordinator:
    """Heartbeat, recovery of lost workers' requests, and the idle close of a distributed job."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings

        def number(name: str) -> float:
            return settings.getfloat(name, float(DEFAULTS[name]))

        self.crawler = crawler
        self.server = get_redis_from_settings(settings)
        self.keys = job_keys(settings)
        self.worker = str(settings.get("SMN_WORKER_ID") or "")
        self.idle_close = number("SMN_IDLE_CLOSE_SECONDS")
        self.beat_every = number("SMN_REDIS_HEARTBEAT_SECONDS")
        self.ttl_ms = max(1, int(number("SMN_REDIS_WORKER_TTL") * 1000))
        self.poll = number("SMN_REDIS_POLL_SECONDS")
        self.job_expire = int(number("SMN_REDIS_JOB_EXPIRE"))
        self.tracker = InflightTracker.of(crawler)
        self.idle_since: float | None = None
        self._loop = LoopingCall(self._beat_safely)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerCoordinator:
        """Build from the crawler; off without REDIS_URL."""
        if not is_distributed(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        return cls(crawler)

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    # -- liveness -------------------------------------------------------------------------
    def beat(self) -> None:
        """Renew this worker's heartbeat and put back the requests of lost workers."""
        value = json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "at": time.time()})
        with self.server.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.heartbeat(self.worker), value, px=self.ttl_ms)
            pipe.sadd(self.keys.workers, self.worker)
            pipe.execute()
        self.reap()

    def _beat_safely(self) -> None:
        try:
            self.beat()
        except Exception:  # a Redis hiccup must not stop the heartbeat loop
            logger.exception("Heartbeat of worker %s failed", self.worker)

    def reap(self) -> int:
        """Put back in the queue the in-flight requests of workers whose heartbeat expired."""
        workers = sorted(w.decode() for w in self.server.smembers(self.keys.workers))
        others = [w for w in workers if w != self.worker]
        if not others:
            return 0
        with self.server.pipeline(transaction=False) as pipe:
            for w in others:
                pipe.exists(self.keys.heartbeat(w))
            alive = pipe.execute()
        total = 0
        for w, live in zip(others, alive, strict=True):
            if live:
                continue
            count = requeue_worker(self.server, self.keys, w)
            total += count
            logger.warning("Worker %s is gone: %d of its requests put back in the queue", w, count)
        if total:
            self.stats.inc_value("distributed/requeued", total)
        return total

    # -- signals --------------------------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        """Join the job: heartbeat now and every few seconds; poll the queue more often."""
        self.stats.set_value("distributed/worker", self.worker)
        self.stats.set_value("distributed/job", self.keys.job)
        engine = self.crawler.engine
        # The engine looks at its scheduler every 5 s when it has nothing to do; a worker
        # waiting for others to fill the queue should look sooner. (Scrapy 2.19 attribute,
        # read when the engine starts; without it the worker only reacts later.)
        if engine is not None and hasattr(engine, "_SLOT_HEARTBEAT_INTERVAL"):
            engine._SLOT_HEARTBEAT_INTERVAL = self.poll
        self.beat()
        self._loop.start(self.beat_every, now=False)
        logger.info("Worker %s joined job %s", self.worker, self.keys.job)

    def job_busy(self) -> str | None:
        """Why the job is not finished (queue not empty, a worker holds requests), or None."""
        self.reap()
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.requests)
            pipe.exists(self.keys.seeded)
            pipe.smembers(self.keys.workers)
            queued, seeded, workers = pipe.execute()
        if queued:
            return f"{queued} requests queued"
        if not seeded:
            return "start requests not seeded yet"
        others = sorted(w.decode() for w in workers if w.decode() != self.worker)
        if others:
            with self.server.pipeline(transaction=False) as pipe:
                for w in others:
                    pipe.hlen(self.keys.inflight(w))
                held = pipe.execute()
            busy = [f"{w}: {n}" for w, n in zip(others, held, strict=True) if n]
            if busy:
                return "workers hold requests (" + ", ".join(busy) + ")"
        return None

    def spider_idle(self, spider: Spider) -> None:
        """Keep the worker open until the job has been idle for SMN_IDLE_CLOSE_SECONDS."""
        stale = self.tracker.release_all()
        if stale:
            self.stats.inc_value("distributed/inflight_stale", stale)
        busy = self.job_busy()
        now = time.monotonic()
        if busy is not None:
            if self.idle_since is not None:
                logger.debug("Job busy again: %s", busy)
            self.idle_since = None
            raise DontCloseSpider(busy)
        if self.idle_since is None:
            self.idle_since = now
            logger.info("Frontier empty and every worker idle: closing in %.1f s unless work "
                        "appears", self.idle_close)  # fmt: skip
        if now - self.idle_since < self.idle_close:
            raise DontCloseSpider("waiting for the idle delay")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Leave the job: hand back unfinished requests, or expire the keys of a finished job."""
        if self._loop.running:
            self._loop.stop()
        if reason == "finished":
            stale = self.tracker.release_all()
            if stale:
                self.stats.inc_value("distributed/inflight_stale", stale)
            with self.server.pipeline(transaction=False) as pipe:
                pipe.delete(self.keys.heartbeat(self.worker))
                pipe.srem(self.keys.workers, self.worker)
                for key in self.keys.job_keys():
                    pipe.expire(key, self.job_expire)
                pipe.execute()
        else:
            count = requeue_worker(self.server, self.keys, self.worker)
            self.server.delete(self.keys.heartbeat(self.worker))
            if count:
                self.stats.inc_value("distributed/handed_back", count)
                logger.info("Closing (%s): %d requests handed back to the job", reason, count)
        logger.info("Worker %s left job %s (%s)", self.worker, self.keys.job, reason)
