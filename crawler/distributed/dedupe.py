"""Deduplication shared by the workers of a job: check and record a story under one lock.

The project's :class:`~crawler.pipelines.dedupe.DedupePipeline` compares a story with the stored
ones and with the few *pending* in its own process, and records it when it is exported. Two
workers exporting copies of one story at the same moment would each miss the other's pending
copy; here the check and the recording happen under a job-wide Redis lock, and the story is
recorded in the shared state at once (the only later pipeline, the exported count, drops none).

One exception: a request put back from a lost worker may bring a story that worker recorded
but did not live to export (it was killed between the two). Its own address then matches a
story recorded by a worker that is gone, and it is exported again rather than dropped: the
export merges worker outputs by address, so a story is never lost and never doubled.

The lock expires ``SMN_REDIS_LOCK_SECONDS`` after it was taken, so that a worker that dies
holding it does not stop the job. Neither end of it may lose a story:

* a worker that cannot get the lock within three times that delay waits on, with a warning:
  the lock expires, so the wait ends. Giving up failed the item, and the request of a failed
  item counts as done: the story was lost;
* a worker whose lock expired before it let go (it stalled for longer than the delay) has
  checked and recorded its story all the same, and exports it; another worker may have checked
  a copy of it meanwhile, so the warning says that a copy may be exported twice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NoReturn

from itemadapter import ItemAdapter
from redis.exceptions import LockNotOwnedError

from crawler.distributed.keys import job_keys
from crawler.pipelines.dedupe import DedupePipeline
from crawler.similarity import Rule
from crawler.state.protocol import Match
from crawler.state.redis_store import RedisState

if TYPE_CHECKING:
    from redis.lock import Lock
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class _Reexport(Exception):
    """The story's own address matched a story a lost worker recorded."""


class SharedDedupePipeline(DedupePipeline):
    """:class:`DedupePipeline` made atomic across the workers of a job (``REDIS_URL`` only)."""

    def __init__(self, crawler: Crawler, state: Any, rule: Rule) -> None:
        super().__init__(crawler, state, rule)
        if not isinstance(state, RedisState):
            raise TypeError("SharedDedupePipeline needs the Redis state (REDIS_URL)")
        self.redis_state: RedisState = state
        self.keys = job_keys(crawler.settings)
        self.lock_timeout = crawler.settings.getfloat("SMN_REDIS_LOCK_SECONDS")

    def _owner_gone(self, url: str) -> bool:
        owner = self.redis_state.story_owner(url)
        if not owner or owner == self.redis_state.owner:
            return False
        return not self.redis_state.client.exists(self.keys.heartbeat(owner))

    def _duplicate(self, url: str, match: Match, kind: str, also: list[str] | None = None,
                   published: str | None = None) -> NoReturn:
        if kind == "url" and match.url == url and self._owner_gone(url):
            raise _Reexport(url)
        super()._duplicate(url, match, kind, also, published)

    def process_item(self, item: Any) -> Any:
        """Check and record the story while holding the job's dedupe lock."""
        url = str(ItemAdapter(item)["url"])
        lock = self.redis_state.client.lock(
            self.keys.dedupe_lock, timeout=self.lock_timeout, sleep=0.002,
            blocking_timeout=self.lock_timeout * 3,
        )  # fmt: skip
        self.acquire(lock, url)
        try:
            try:
                result = super().process_item(item)
            except _Reexport:
                self.stats.inc_value("distributed/reexported")
                return item
            pending = self.pending.pop(url, None)
            if pending is not None:  # recorded now, before the lock goes: never pending here
                self.record(pending)
            return result
        finally:
            self.release(lock, url)

    def acquire(self, lock: Lock, url: str) -> None:
        """Take the lock, however long it takes: it expires if its holder died."""
        while not lock.acquire():
            self.stats.inc_value("distributed/dedupe_lock_waits")
            logger.warning("Waited %.1f s for the job's dedupe lock to check %s; waiting on",
                           self.lock_timeout * 3, url)  # fmt: skip

    def release(self, lock: Lock, url: str) -> None:
        """Let the lock go; one that expired first is counted and logged, not raised."""
        try:
            lock.release()
        except LockNotOwnedError:
            self.stats.inc_value("distributed/dedupe_lock_expired")
            logger.warning(
                "The job's dedupe lock expired (SMN_REDIS_LOCK_SECONDS=%s) while this worker "
                "checked %s: a copy of it checked meanwhile by another worker may be exported "
                "too", self.lock_timeout, url)  # fmt: skip
