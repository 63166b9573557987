"""Seeding once per job: only the first worker of a distributed job lets the start requests
through; the others take their work from the shared queue."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from crawler.distributed.keys import is_distributed, job_keys

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def claim_seeding(crawler: Crawler) -> bool:
    """Whether this worker seeds the job: the first to win a ``SET NX`` on its ``seeded`` key."""
    settings = crawler.settings
    server = get_redis_from_settings(settings)
    try:
        worker = str(settings.get("SMN_WORKER_ID"))
        won = bool(server.set(job_keys(settings).seeded, worker, nx=True))
    finally:
        server.close()
    logger.info("Job %s: %s", settings.get("SMN_JOB"),
                "this worker seeds the start requests" if won else "already seeded")  # fmt: skip
    return won


class SeedOnceMiddleware:
    """Spider middleware: the spider's start requests pass only on the worker that seeds."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SeedOnceMiddleware:
        """Build from the crawler; off without REDIS_URL."""
        if not is_distributed(crawler.settings):
            raise NotConfigured("REDIS_URL is not set")
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The start requests, or none when another worker already seeded the job."""
        if not claim_seeding(self.crawler):
            return
        async for request in start:
            yield request
