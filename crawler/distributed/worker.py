"""One worker of a distributed job: liveness, recovery and the idle close.

:class:`WorkerCoordinator` renews the worker's heartbeat key, puts back the in-flight
  requests of workers whose heartbeat expired (killed, or their machine gone), and on
  ``spider_idle`` keeps the worker alive (``DontCloseSpider``) until the frontier has been empty
  and no worker has held a request for ``SMN_IDLE_CLOSE_SECONDS``.

Settings (crawler.settings): ``SMN_IDLE_CLOSE_SECONDS``, ``SMN_REDIS_HEARTBEAT_SECONDS``,
``SMN_REDIS_WORKER_TTL`` (keep it well above the longest pause of the reactor),
``SMN_REDIS_POLL_SECONDS``, ``SMN_REDIS_JOB_EXPIRE``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet.task import LoopingCall

from crawler.distributed.inflight import InflightTracker, requeue_worker
from crawler.distributed.keys import is_distributed, job_keys

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class WorkerCoordinator:
    """Heartbeat, recovery of lost workers' requests, and the idle close of a distributed job."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings

        self.crawler = crawler
        self.server = get_redis_from_settings(settings)
        self.keys = job_keys(settings)
        self.worker = str(settings.get("SMN_WORKER_ID"))
        self.idle_close = settings.getfloat("SMN_IDLE_CLOSE_SECONDS")
        self.beat_every = settings.getfloat("SMN_REDIS_HEARTBEAT_SECONDS")
        self.ttl_ms = max(1, int(settings.getfloat("SMN_REDIS_WORKER_TTL") * 1000))
        self.poll = settings.getfloat("SMN_REDIS_POLL_SECONDS")
        self.job_expire = settings.getint("SMN_REDIS_JOB_EXPIRE")
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
