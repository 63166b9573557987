"""The names a distributed job shares in Redis, and the settings that make a crawl one of its
workers."""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any

from scrapy.settings import BaseSettings

JOB_PREFIX = "smn:job"
"""Prefix of every key of a distributed job."""
TOKEN_META = "smn_inflight"
"""Request meta key holding the id of the request's entry in its worker's in-flight hash."""

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


def distributed_settings(redis_url: str, job: str) -> dict[str, Any]:
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
    return JobKeys(str(settings.get("SMN_JOB")))
