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

A spilled request is written as Scrapy writes a request to its disk queues: the dict of
:meth:`Request.to_dict <scrapy.Request.to_dict>`, pickled, read back with
:func:`~scrapy.utils.request.request_from_dict`. ``to_dict`` names a callback by scanning every
member of the object it is given (``inspect.getmembers``); given the spider, that reads every
attribute of it, properties included, for each request, which was 0.036 ms per page of a
100,000-article crawl. It is given :class:`SpiderMethods` instead: the spider's methods alone.

Enabled by ``SCHEDULER_MEMORY_QUEUE`` in ``crawler/settings.py``; ``JOBDIR`` crawls use
Scrapy's disk queues as before, and distributed crawls keep theirs in Redis.
"""

from __future__ import annotations

import inspect
import pickle
import shutil
import tempfile
import weakref
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from queuelib import FifoDiskQueue
from scrapy.utils.request import request_from_dict

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler


class SpiderMethods:
    """A spider's bound methods and nothing else, for ``Request.to_dict`` to name callbacks by.

    >>> class Spider:
    ...     def parse(self): ...
    ...     @property
    ...     def costly(self): raise AssertionError("read")
    >>> spider = Spider()
    >>> dir(SpiderMethods(spider)), SpiderMethods(spider).parse == spider.parse
    (['parse'], True)
    """

    def __init__(self, spider: Spider | None) -> None:
        if spider is not None:  # the class's functions, bound: no property is read
            self.__dict__.update((name, getattr(spider, name)) for name, _ in
                                 inspect.getmembers(type(spider), inspect.isfunction))

    def __dir__(self) -> list[str]:
        return list(self.__dict__)


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
        self.disk: FifoDiskQueue | None = None
        self.folder: str | None = None
        self._cleanup: weakref.finalize | None = None
        self._methods: SpiderMethods | None = None  # once a request is spilled

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
            self.disk = FifoDiskQueue(f"{self.folder}/q")
            self._methods = SpiderMethods(self.crawler.spider)
        methods: Any = self._methods  # to_dict wants a Spider; it reads members only
        self.disk.push(pickle.dumps(request.to_dict(spider=methods), protocol=4))

    def _request(self, data: bytes | None) -> Request | None:
        return None if data is None else request_from_dict(pickle.loads(data),
                                                           spider=self.crawler.spider)

    def pop(self) -> Request | None:
        """The oldest request: memory first (older), then disk."""
        if self.memory:
            self.budget.used -= 1
            return self.memory.popleft()
        if self.disk is not None and len(self.disk):
            return self._request(self.disk.pop())
        return None

    def peek(self) -> Request | None:
        """The request :meth:`pop` would return, left in place."""
        if self.memory:
            return self.memory[0]
        if self.disk is not None and len(self.disk):
            return self._request(self.disk.peek())
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
