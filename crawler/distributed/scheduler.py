"""scrapy-redis 0.9.1's scheduler, queue and dupefilter, adapted to Scrapy 2.19 and made reliable.

What changes from scrapy-redis, and why:

* :class:`RedisScheduler` is built in ``from_crawler`` (Scrapy 2.19's way) with its dupefilter
  and a queue bound to this worker; its stats calls pass no ``spider=`` argument (deprecated);
  it never flushes the queue on close (another worker may still be using it) whatever
  ``SCHEDULER_PERSIST`` says.
* :class:`ReliablePriorityQueue` pops with one Lua script that moves the request from the
  queue into this worker's in-flight hash, so a request is never only in a worker's memory.
  :func:`crawler.distributed.inflight.requeue_worker` puts the in-flight requests of a lost
  worker back in the queue.
* :class:`RedisScheduler` checks a new request's fingerprint and queues the request in one Lua
  script, where scrapy-redis sends two commands: a worker killed between them would leave a
  fingerprint whose request no queue holds, and every worker would then filter that page out.
* :class:`RedisDupeFilter` fingerprints requests with the crawler's own request fingerprinter
  (Scrapy's, as without Redis) instead of scrapy-redis' own JSON+SHA1 scheme.

The spider classes of scrapy-redis (``RedisSpider``) are not used: they seed from a Redis list
in ``start_requests``, which Scrapy 2.16+ no longer calls; the project's spider seeds in
``start()`` once per job instead (:func:`crawler.distributed.should_seed`).
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.inflight import InflightTracker
from crawler.distributed.keys import TOKEN_META, JobKeys, job_keys

if TYPE_CHECKING:
    import redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.utils.request import RequestFingerprinterProtocol

logger = logging.getLogger(__name__)

# KEYS: queue, inflight hash of this worker, entry counter, requeued set.
# Returns nil, or {entry id, serialized request, 1 when it had been re-queued}.
_POP = """
local r = redis.call('ZPOPMIN', KEYS[1])
if #r == 0 then return false end
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, r[2] .. '|' .. r[1])
return {id, r[1], redis.call('SREM', KEYS[4], r[1])}
"""

# KEYS: dupefilter set, queue; ARGV: fingerprint, score, serialized request.
# Returns 1 when the request was queued, 0 when its fingerprint was already seen. The queue is
# written before the fingerprint: a script that fails halfway keeps what it wrote.
_PUSH_UNSEEN = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""


class ReliablePriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue whose pop moves the request into the worker's in-flight hash.

    :meth:`pop_entry` returns the entry id with the request; the id goes in the request's meta
    (:data:`crawler.distributed.TOKEN_META`) and the worker deletes the entry when done with
    the request (:class:`crawler.distributed.inflight.InflightTracker`).
    """

    def __init__(
        self,
        server: redis.Redis,
        spider: Spider,
        key: str,
        serializer: Any = None,
        keys: JobKeys | None = None,
        worker: str = "",
    ) -> None:
        super().__init__(server, spider, key, serializer)
        self.keys = keys or JobKeys(spider.name)
        self.worker = worker
        self._pop = server.register_script(_POP)
        self._push_unseen = server.register_script(_PUSH_UNSEEN)

    def push_unseen(self, request: Request, dupefilter_key: str, fingerprint: str) -> bool:
        """Queue the request and record its fingerprint, atomically, unless it was seen.

        Returns whether the request was queued.
        """
        data = self._encode_request(request)
        return bool(self._push_unseen(keys=[dupefilter_key, self.key],
                                      args=[fingerprint, -request.priority, data]))  # fmt: skip

    def pop_entry(self) -> tuple[str, Request, bool] | None:
        """The highest-priority request, its in-flight entry id and whether it was re-queued."""
        popped = self._pop(keys=[self.key, self.keys.inflight(self.worker), self.keys.seq,
                                 self.keys.requeued])  # fmt: skip
        if not popped:
            return None
        entry, data, requeued = popped
        token = entry.decode() if isinstance(entry, bytes) else str(entry)
        return token, self._decode_request(data), bool(requeued)

    def pop(self, timeout: int = 0) -> Request | None:
        """A request, without tracking (scrapy-redis' interface)."""
        popped = self.pop_entry()
        return popped[1] if popped else None


class RedisDupeFilter(RFPDupeFilter):
    """scrapy-redis' dupefilter (a Redis set per job) with Scrapy's request fingerprints."""

    def __init__(
        self,
        server: redis.Redis,
        key: str,
        debug: bool = False,
        fingerprinter: RequestFingerprinterProtocol | None = None,
    ) -> None:
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisDupeFilter:
        """The job's dupefilter, built from the crawler's settings."""
        settings = crawler.settings
        return cls(
            connection.get_redis_from_settings(settings),
            key=str(settings.get("SCHEDULER_DUPEFILTER_KEY") or job_keys(settings).dupefilter),
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )

    def request_fingerprint(self, request: Request) -> str:
        """Scrapy's fingerprint of the request, in hex."""
        if self.fingerprinter is None:
            return str(super().request_fingerprint(request))
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        """Keep the fingerprints: the job outlives this worker."""


class RedisScheduler(Scheduler):
    """scrapy-redis' scheduler for Scrapy 2.19, over :class:`ReliablePriorityQueue`.

    Requests popped carry their in-flight entry id in ``meta``; a request scheduled again
    (a redirect or retry of a popped one: a copy with the same meta) releases the entry of the
    original once the new one is safely in the queue.
    """

    crawler: Crawler
    tracker: InflightTracker
    queue: ReliablePriorityQueue
    keys: JobKeys
    worker: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        """Build the scheduler, its dupefilter and the worker's in-flight tracker."""
        settings = crawler.settings
        serializer = settings.get("SCHEDULER_SERIALIZER")
        if isinstance(serializer, str):
            serializer = importlib.import_module(serializer)
        server = connection.get_redis_from_settings(settings)
        server.ping()
        keys = job_keys(settings)
        instance = cls(
            server=server,
            persist=True,
            flush_on_start=settings.getbool("SCHEDULER_FLUSH_ON_START"),
            queue_key=str(settings.get("SCHEDULER_QUEUE_KEY") or keys.requests),
            queue_cls=str(settings.get("SCHEDULER_QUEUE_CLASS")
                          or f"{__name__}.ReliablePriorityQueue"),  # fmt: skip
            dupefilter=RedisDupeFilter.from_crawler(crawler),
            serializer=serializer,
        )
        instance.crawler = crawler
        instance.stats = crawler.stats
        instance.keys = keys
        instance.worker = str(settings.get("SMN_WORKER_ID"))
        instance.tracker = InflightTracker.of(crawler)
        return instance

    def open(self, spider: Spider) -> None:
        """Bind the queue to this worker; report requests left by earlier workers."""
        self.spider = spider
        queue_cls = load_object(self.queue_cls)
        self.queue = queue_cls(server=self.server, spider=spider, key=self.queue_key,
                               serializer=self.serializer, keys=self.keys,
                               worker=self.worker)  # fmt: skip
        if self.flush_on_start:
            self.flush()
        pending = len(self.queue)
        if pending:
            logger.info("Joining job %s: %d requests already queued", self.keys.job, pending)

    def close(self, reason: str) -> None:
        """Leave the queue and the fingerprints to the other workers."""

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    def enqueue_request(self, request: Request) -> bool:
        """Push a request unless the job has seen it; release the entry it was copied from."""
        token = request.meta.pop(TOKEN_META, None)
        try:
            if request.dont_filter:
                self.queue.push(request)
            elif not self.queue.push_unseen(request, self.df.key,
                                            self.df.request_fingerprint(request)):  # fmt: skip
                self.df.log(request, self.spider)
                return False
            self._inc("scheduler/enqueued/redis")
            self._inc("scheduler/enqueued")
            return True
        finally:
            if token is not None:
                self.tracker.ack(token)

    def next_request(self) -> Request | None:
        """Pop the best request of the job into this worker's in-flight hash."""
        popped = self.queue.pop_entry()
        if popped is None:
            return None
        token, request, requeued = popped
        request.meta[TOKEN_META] = token
        self.tracker.started(token, request.url)
        self._inc("scheduler/dequeued/redis")
        self._inc("scheduler/dequeued")
        if requeued:
            self._inc("distributed/requeued_popped")
        return request
