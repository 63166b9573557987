"""Distributed crawling: every worker of a job shares one frontier and one state in Redis.

One setting switches it on: ``REDIS_URL=redis://host:6379/0``. The add-on :class:`Distributed`
(in the project's ``ADDONS``) then turns it into Scrapy settings; without it nothing changes.

What lives in Redis, under the job's prefix ``smn:job:<SMN_JOB>:`` (see :class:`JobKeys`):

* the frontier: a priority queue of serialized requests (scrapy-redis, via
  :class:`crawler.distributed.scheduler.RedisScheduler`) and the request fingerprints seen;
* the requests each worker holds (``inflight:<worker>``), moved there atomically when popped and
  removed when the worker is done with them; a worker killed with SIGKILL stops renewing its
  heartbeat key, and the first live worker to notice puts its requests back in the queue;
* ``seeded``: set once (``SET NX``) by the worker that seeds the start requests.

The incremental and deduplication state (:class:`crawler.redis_state.RedisState`) lives under
its own prefix, shared across jobs like the SQLite file is across runs.

A worker closes when the frontier has been empty, and no worker has held a request, for
``SMN_IDLE_CLOSE_SECONDS`` (:class:`crawler.distributed.worker.WorkerCoordinator`).

Each worker writes its own files (its own ``-O``); ``python -m crawler export`` merges them, and
:func:`crawler.distributed.merge.merge_outputs` does the same for plain worker folders.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.settings import BaseSettings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

DEFAULT_JOB = "smn"
JOB_PREFIX = "smn:job"
TOKEN_META = "smn_inflight"
"""Request meta key holding the id of the request's entry in its worker's in-flight hash."""

#: Settings of distributed mode with their defaults (the add-on fills in missing ones).
DEFAULTS: dict[str, Any] = {
    "SMN_JOB": DEFAULT_JOB,
    "SMN_IDLE_CLOSE_SECONDS": 30.0,
    "SMN_REDIS_HEARTBEAT_SECONDS": 1.0,
    "SMN_REDIS_WORKER_TTL": 15.0,
    "SMN_REDIS_POLL_SECONDS": 0.5,
    "SMN_REDIS_JOB_EXPIRE": 86400,
}


@dataclass(frozen=True)
class JobKeys:
    """Redis key names of one job.

    >>> keys = JobKeys("2026-11-25")
    >>> keys.requests, keys.inflight("w1")
    ('smn:job:2026-11-25:requests', 'smn:job:2026-11-25:inflight:w1')
    """

    job: str
    prefix: str = JOB_PREFIX

    def _k(self, name: str) -> str:
        return f"{self.prefix}:{self.job}:{name}"

    @property
    def requests(self) -> str:
        """Sorted set: the frontier, serialized requests scored by -priority."""
        return self._k("requests")

    @property
    def dupefilter(self) -> str:
        """Set: fingerprints of every request scheduled in this job."""
        return self._k("dupefilter")

    @property
    def seeded(self) -> str:
        """String: the worker that seeded the start requests."""
        return self._k("seeded")

    @property
    def workers(self) -> str:
        """Set: ids of the workers that joined and have not left."""
        return self._k("workers")

    @property
    def requeued(self) -> str:
        """Set: serialized requests put back from a lost worker (popped again: counted)."""
        return self._k("requeued")

    @property
    def seq(self) -> str:
        """String: counter of in-flight entry ids."""
        return self._k("seq")

    @property
    def dedupe_lock(self) -> str:
        """Lock held while one worker checks and records a story."""
        return self._k("lock:dedupe")

    def heartbeat(self, worker: str) -> str:
        """String with a TTL: present while ``worker`` is alive."""
        return self._k(f"worker:{worker}")

    def inflight(self, worker: str) -> str:
        """Hash: entry id -> ``score|request`` of the requests ``worker`` holds."""
        return self._k(f"inflight:{worker}")

    def job_keys(self) -> list[str]:
        """The keys of the job that outlive its workers (expired once the job is done)."""
        return [self.requests, self.dupefilter, self.seeded, self.workers, self.requeued,
                self.seq]  # fmt: skip


def new_worker_id() -> str:
    """A worker id unique across machines and restarts: host, pid and a random tail.

    >>> len(new_worker_id().split("-")[-1])
    6
    """
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def distributed_settings(redis_url: str, job: str = DEFAULT_JOB) -> dict[str, Any]:
    """The settings that make a crawl one worker of distributed ``job`` on ``redis_url``.

    Every worker of one job must get the same two values. ``job`` names one run of the crawl:
    its frontier and request fingerprints are kept until it finishes, then expire after
    ``SMN_REDIS_JOB_EXPIRE`` seconds, so a later run needs another job name (or that delay).

    >>> distributed_settings("redis://10.0.0.5:6379/0", "2026-11-25")
    {'REDIS_URL': 'redis://10.0.0.5:6379/0', 'SMN_JOB': '2026-11-25'}
    """
    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"not a Redis URL: {redis_url!r}")
    return {"REDIS_URL": redis_url, "SMN_JOB": job}


def is_distributed(settings: BaseSettings) -> bool:
    """Whether the settings make a distributed crawl."""
    return bool(settings.get("REDIS_URL"))


def job_keys(settings: BaseSettings) -> JobKeys:
    """The keys of the job the settings name."""
    return JobKeys(str(settings.get("SMN_JOB") or DEFAULT_JOB))


def should_seed(crawler: Crawler) -> bool:
    """Whether this process seeds the start requests: always alone, once per job in Redis.

    The first worker of a job wins a ``SET NX`` on the job's ``seeded`` key; the others only
    take requests from the shared queue.
    """
    settings = crawler.settings
    if not is_distributed(settings):
        return True
    from scrapy_redis.connection import get_redis_from_settings

    server = get_redis_from_settings(settings)
    try:
        worker = str(settings.get("SMN_WORKER_ID") or "")
        won = bool(server.set(job_keys(settings).seeded, worker, nx=True))
    finally:
        server.close()
    logger.info("Job %s: %s", settings.get("SMN_JOB"),
                "this worker seeds the start requests" if won else "already seeded")  # fmt: skip
    return won


class Distributed:
    """Add-on: with ``REDIS_URL`` set, make this crawl one worker of a distributed job.

    It sets the scheduler (scrapy-redis, adapted to Scrapy 2.19), the per-job key names, a
    persistent queue (one worker leaving must not empty it), a worker id, the worker
    coordinator extension, the middlewares that acknowledge finished requests, and a dedupe
    pipeline that checks and records a story under a job-wide lock. Without ``REDIS_URL`` it
    does nothing.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        """Apply REDIS_URL before components are built."""
        if not is_distributed(settings):
            return
        from crawler.distributed.dedupe import SharedDedupePipeline
        from crawler.distributed.scheduler import (
            RedisDupeFilter,
            RedisScheduler,
            ReliablePriorityQueue,
        )
        from crawler.distributed.worker import (
            AckDownloaderMiddleware,
            AckSpiderMiddleware,
            WorkerCoordinator,
        )
        from crawler.pipelines.dedupe import DedupePipeline

        for name, value in DEFAULTS.items():
            settings.setdefault(name, value, priority="default")
        if not settings.get("SMN_WORKER_ID"):
            settings.set("SMN_WORKER_ID", new_worker_id(), priority="addon")
        keys = job_keys(settings)
        # "spider" priority: over project settings (a project SCHEDULER would silently win
        # over an add-on), under an explicit -s option.
        for name, value in {
            "SCHEDULER": f"{RedisScheduler.__module__}.{RedisScheduler.__name__}",
            "DUPEFILTER_CLASS": f"{RedisDupeFilter.__module__}.{RedisDupeFilter.__name__}",
            "SCHEDULER_QUEUE_CLASS":
                f"{ReliablePriorityQueue.__module__}.{ReliablePriorityQueue.__name__}",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        }.items():  # fmt: skip
            settings.set(name, value, priority="spider")
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerCoordinator, 450)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", AckSpiderMiddleware, 10)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", AckDownloaderMiddleware, 5
        )
        try:
            settings.replace_in_component_priority_dict(
                "ITEM_PIPELINES", DedupePipeline, SharedDedupePipeline
            )
        except KeyError:
            logger.warning("No DedupePipeline in ITEM_PIPELINES: stories are not deduplicated")
