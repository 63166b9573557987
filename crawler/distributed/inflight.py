"""The requests one worker holds: tracked while in flight, released when done, put back in the
queue when their worker is lost.

* :class:`InflightTracker` knows which popped requests this worker is still busy with and
  deletes each one's in-flight entry in Redis when its work is complete: the callback's output
  consumed (its new requests pushed to the queue) and every item of it exported or dropped
  (:class:`AckSpiderMiddleware` and the item signals); a download that failed for good
  (:class:`AckDownloaderMiddleware`); or a redirect/retry copy safely queued
  (:class:`crawler.distributed.scheduler.RedisScheduler`).
* :func:`requeue_worker` puts the requests of a lost worker back in the queue, atomically.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import TOKEN_META, JobKeys, is_distributed, job_keys

if TYPE_CHECKING:
    import redis
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# KEYS: queue, inflight hash of the lost worker, workers set, requeued set; ARGV: worker id.
# Returns the number of requests put back.
_REQUEUE = """
local entries = redis.call('HVALS', KEYS[2])
for _, entry in ipairs(entries) do
  local bar = string.find(entry, '|', 1, true)
  local data = string.sub(entry, bar + 1)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(entry, 1, bar - 1)), data)
  redis.call('SADD', KEYS[4], data)
end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #entries
"""


def requeue_worker(server: redis.Redis, keys: JobKeys, worker: str) -> int:
    """Put every request ``worker`` holds back in the queue and forget the worker, atomically.

    Returns how many requests were put back. Safe to run from several workers at once: the
    first empties the hash, the others find nothing.
    """
    script = server.register_script(_REQUEUE)
    count = script(keys=[keys.requests, keys.inflight(worker), keys.workers, keys.requeued],
                   args=[worker])  # fmt: skip
    return int(cast(int, count))


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
        self.key = job_keys(settings).inflight(str(settings.get("SMN_WORKER_ID")))
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
