"""The scheduler's memory queue with a bound: past it, waiting requests go to a temporary file.

A crawl's frontier (requests discovered, not yet fetched) grows with the network: every article
links about ten related articles, and in a large network most of them are still unseen, so a
100,000-article crawl had 37,000 requests waiting, each a Request object of about 3 KB in
Scrapy's memory queue (issue 17). Scrapy's scheduler makes one memory queue per download slot
(host) and priority, so a bound per queue bounds nothing; the bound is the crawl's:
``SMN_FRONTIER_MEMORY`` requests in memory across all its queues (one :class:`Budget` per
crawler). :class:`SpillingFifoQueue` keeps requests as objects while the budget lasts and
pickles the rest into Scrapy's own disk queue (``PickleFifoDiskQueue``) in a temporary folder,
first in, first out across both; the folder is removed when the queue is closed or dropped. A
crawl whose frontier stays under the bound (a crawl of a few thousand articles) never writes a
byte.

Enabled by ``SCHEDULER_MEMORY_QUEUE`` in ``crawler/settings.py``; ``JOBDIR`` crawls use
Scrapy's disk queues as before, and distributed crawls keep theirs in Redis.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.squeues import PickleFifoDiskQueue

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


@dataclass
class Budget:
    """Requests one crawl may keep in memory across all its queues, and how many it does."""

    limit: int
    used: int = 0


_BUDGETS: weakref.WeakKeyDictionary[Any, Budget] = weakref.WeakKeyDictionary()


def budget_of(crawler: Crawler) -> Budget:
    """The one budget of a crawler's queues (``SMN_FRONTIER_MEMORY``)."""
    budget = _BUDGETS.get(crawler)
    if budget is None:
        budget = _BUDGETS[crawler] = Budget(max(1, crawler.settings.getint("SMN_FRONTIER_MEMORY")))
    return budget


class SpillingFifoQueue:
    """FIFO of requests: in memory while the crawl's budget lasts, the newer ones on disk."""

    def __init__(self, crawler: Crawler, key: str, budget: Budget) -> None:
        self.crawler = crawler
        self.budget = budget
        self.memory: deque[Request] = deque()
        self.disk: Any = None
        self.folder: str | None = None
        self._cleanup: weakref.finalize | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str = "", *args: Any,
                     **kwargs: Any) -> SpillingFifoQueue:  # fmt: skip
        return cls(crawler, key, budget_of(crawler))

    def __len__(self) -> int:
        return len(self.memory) + (len(self.disk) if self.disk is not None else 0)

    def push(self, request: Request) -> None:
        """Append a request: in memory while nothing waits on disk and the budget lasts."""
        spilled = self.disk is not None and len(self.disk) > 0
        if not spilled and self.budget.used < self.budget.limit:
            self.memory.append(request)
            self.budget.used += 1
            return
        if self.disk is None:
            self.folder = tempfile.mkdtemp(prefix="smn-frontier-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, self.folder, True)
            disk_class: Any = PickleFifoDiskQueue  # built by a factory: its type says little
            self.disk = disk_class.from_crawler(self.crawler, f"{self.folder}/q")
        self.disk.push(request)

    def pop(self) -> Request | None:
        """The oldest request: memory first (older), then disk."""
        if self.memory:
            self.budget.used -= 1
            return self.memory.popleft()
        if self.disk is not None and len(self.disk):
            request: Request | None = self.disk.pop()
            return request
        return None

    def peek(self) -> Request | None:
        """The request :meth:`pop` would return, left in place."""
        if self.memory:
            return self.memory[0]
        if self.disk is not None and len(self.disk):
            request: Request | None = self.disk.peek()
            return request
        return None

    def close(self) -> None:
        """Drop the temporary folder (a memory queue is never resumed)."""
        self.budget.used -= len(self.memory)
        self.memory.clear()
        if self.disk is not None:
            self.disk.close()
            self.disk = None
        if self._cleanup is not None:
            self._cleanup()
            self._cleanup = None
