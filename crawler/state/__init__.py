"""What the crawler has seen, kept across runs: one interface, two stores.

Modules, one job each:

- ``protocol``: the :class:`State` interface the spider and the pipelines use, and its answers
  (:class:`Match`).
- ``keys``: the compact keys both stores share (64-bit hashes of URLs and fingerprints) and the
  similarity parameters a stored state is built with.
- ``sqlite_store``: :class:`SqliteState`, one SQLite file (the default).
- ``redis_store``: ``RedisState``, shared by the workers of a distributed crawl (``REDIS_URL``;
  needs the ``redis`` extra, imported only then).
- ``sync``: brings a store up to date with a run's files after a kill.

:func:`open_state` picks the store the settings name; :func:`shared_state` gives the one store of
a crawl to every component that asks.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.state.keys import fingerprint_key, key64
from crawler.state.protocol import Match, State
from crawler.state.sqlite_store import SqliteState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

__all__ = ["Match", "SqliteState", "State", "fingerprint_key", "key64", "open_state",
           "shared_state"]  # fmt: skip


def open_state(settings: BaseSettings) -> State:
    """The state store the settings name.

    With ``REDIS_URL`` set, the Redis state shared by the workers of a distributed crawl
    (:class:`crawler.state.redis_store.RedisState`). Otherwise ``SMN_STATE_PATH`` is a SQLite
    file; ``SMN_STATE_COMMIT_EVERY`` writes make one transaction; ``SMN_STATE_CACHE_MB`` bounds
    SQLite's page cache.
    """
    if settings.get("REDIS_URL"):  # a distributed crawl: the state every worker shares
        from crawler.state.redis_store import RedisState

        return RedisState.from_settings(settings)
    path = str(settings.get("SMN_STATE_PATH"))
    if path.startswith(("redis://", "rediss://")):
        raise NotConfigured("a Redis state is chosen by REDIS_URL, not SMN_STATE_PATH")
    return SqliteState(
        path,
        commit_every=settings.getint("SMN_STATE_COMMIT_EVERY"),
        cache_mb=settings.getint("SMN_STATE_CACHE_MB"),
    )


_SHARED: weakref.WeakKeyDictionary[Any, State] = weakref.WeakKeyDictionary()


def shared_state(crawler: Crawler) -> State:
    """The one state store of a crawler, opened on first use and closed when the engine stops.

    The spider and the pipelines of one crawl share it (one SQLite connection, one transaction).
    """
    state = _SHARED.get(crawler)
    if state is None:
        state = _SHARED[crawler] = open_state(crawler.settings)

        def _close() -> None:
            closing = _SHARED.pop(crawler, None)
            if closing is not None:
                closing.close()

        from scrapy import signals

        crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return state
