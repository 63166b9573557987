"""Distributed crawling: every worker of a job shares one frontier and one state in Redis.

One setting switches it on: ``REDIS_URL=redis://host:6379/0``. The add-on :class:`Distributed`
(in the project's ``ADDONS``) then turns it into Scrapy settings; without it nothing changes.
It needs the ``redis`` extra (scrapy-redis), imported only then.

What lives in Redis, under the job's prefix ``smn:job:<SMN_JOB>:`` (see :class:`JobKeys`):

* the frontier: a priority queue of serialized requests (scrapy-redis, via
  :class:`crawler.distributed.scheduler.RedisScheduler`) and the request fingerprints seen;
* the requests each worker holds (``inflight:<worker>``), moved there atomically when popped and
  removed when the worker is done with them; a worker killed with SIGKILL stops renewing its
  heartbeat key, and the first live worker to notice puts its requests back in the queue;
* ``seeded``: set once (``SET NX``) by the worker that seeds the start requests.

Modules, one job each: ``keys`` (the job's Redis names and the settings of a worker),
``inflight`` (the requests a worker holds, their release and their recovery), ``scheduler``
(scrapy-redis' scheduler, queue and dupefilter for Scrapy 2.19), ``worker`` (heartbeat, recovery of
lost workers, idle close), ``seeding`` (start requests once per job), ``dedupe`` (story checks
under a job-wide lock), ``merge`` (the workers' files as one). The spider knows nothing of
distributed mode: this add-on seeds once per job and walks pagination to its end.

The incremental and deduplication state (:class:`crawler.state.redis_store.RedisState`) lives under
its own prefix, shared across jobs like the SQLite file is across runs.

A worker closes when the frontier has been empty, and no worker has held a request, for
``SMN_IDLE_CLOSE_SECONDS`` (:class:`crawler.distributed.worker.WorkerCoordinator`).

Each worker writes its own files (its own ``-O``); ``python -m crawler export`` merges them, and
:func:`crawler.distributed.merge.merge_outputs` does the same for plain worker folders.
"""

from __future__ import annotations

import logging

from scrapy.settings import BaseSettings

from crawler.distributed.keys import is_distributed, job_keys, new_worker_id

logger = logging.getLogger(__name__)


class Distributed:
    """Add-on: with ``REDIS_URL`` set, make this crawl one worker of a distributed job.

    It sets the scheduler (scrapy-redis, adapted to Scrapy 2.19), the per-job key names, a
    persistent queue (one worker leaving must not empty it), a worker id, the worker
    coordinator extension, the middlewares that acknowledge finished requests and seed once
    per job, pagination walked to its end, and a dedupe pipeline that checks and records a
    story under a job-wide lock. Without ``REDIS_URL`` it does nothing.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        """Apply REDIS_URL before components are built."""
        if not is_distributed(settings):
            return
        from crawler.distributed.dedupe import SharedDedupePipeline
        from crawler.distributed.inflight import AckDownloaderMiddleware, AckSpiderMiddleware
        from crawler.distributed.scheduler import (
            RedisDupeFilter,
            RedisScheduler,
            ReliablePriorityQueue,
        )
        from crawler.distributed.seeding import SeedOnceMiddleware
        from crawler.distributed.worker import WorkerCoordinator
        from crawler.pipelines.dedupe import DedupePipeline

        if not settings.get("SMN_WORKER_ID"):
            settings.set("SMN_WORKER_ID", new_worker_id(), priority="spider")
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
            # Workers export in parallel: "known before this run" cannot be told from one
            # worker's view, so pagination is walked to its end.
            "SMN_PAGINATION_STOP": False,
        }.items():  # fmt: skip
            settings.set(name, value, priority="spider")
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerCoordinator, 450)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", AckSpiderMiddleware, 10)
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", SeedOnceMiddleware, 20)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", AckDownloaderMiddleware, 5
        )
        try:
            settings.replace_in_component_priority_dict(
                "ITEM_PIPELINES", DedupePipeline, SharedDedupePipeline
            )
        except KeyError:
            logger.warning("No DedupePipeline in ITEM_PIPELINES: stories are not deduplicated")
