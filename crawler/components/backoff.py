"""Politeness under pressure: a 429 or 503 pauses that host, for as long as the site asks.

Scrapy retries a 429 or 503 at once and ignores ``Retry-After``. :class:`BackoffMiddleware`
answers them instead (RetryMiddleware never sees them):

* the host's download slot is **paused** for the ``Retry-After`` the answer carries (seconds or
  an HTTP date), cut to ``SMN_BACKOFF_MAX_DELAY``; without the header, for
  ``SMN_BACKOFF_BASE_DELAY`` doubled with each consecutive 429/503 from that host (a 2xx-4xx
  answer of another status resets it), cut the same way;
* the request is sent again once the pause is over, up to ``SMN_BACKOFF_MAX_RETRIES`` times;
  then the answer goes to the spider as a failure (``errors/http_429``), like any other;
* other hosts are not slowed: only the paused host's slot waits, and Scrapy's downloader-aware
  scheduler queue hands out requests of the hosts that are not waiting.

The pause holds the slot the way the downloader holds it for ``DOWNLOAD_DELAY``: its
``latercall`` (a timer after which the slot's queue is processed) is armed for the pause, and
re-armed when a request reaches a slot that was garbage-collected and created again.

Stats, per host: ``backoff/<host>/429`` and ``/503`` (answers), ``/retries``, ``/gave_up``,
``/paused_seconds`` (time the slot was held), ``/without_header``, ``/capped`` (a
``Retry-After`` over the maximum). The run manifest lists them per host
(:func:`crawler.runs.manifest.backoff_per_host`).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import CallLaterResult, call_later

if TYPE_CHECKING:
    from scrapy.core.downloader import Downloader, Slot
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STATUSES = frozenset({429, 503})
"""Answers that ask the client to slow down (RFC 6585, RFC 9110)."""
RETRIES_META = "smn_backoff_retries"
"""Request meta key: how many times the request was sent again after a 429/503."""


def retry_after(value: bytes | str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` value asks to wait (never negative), or None when absent or
    unreadable. ``now`` is the current Unix time, for the HTTP-date form.

    >>> retry_after(b"120", 0.0), retry_after(" 2 ", 0.0), retry_after("1.5", 0.0)
    (120.0, 2.0, 1.5)
    >>> retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0)
    10.0
    >>> retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490.0)  # a date in the past
    0.0
    >>> retry_after(None, 0.0), retry_after(b"soon", 0.0), retry_after("-3", 0.0)
    (None, None, None)
    """
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 and seconds == seconds else None  # not NaN
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        return None
    return max(0.0, when.timestamp() - now)


def backoff_delay(streak: int, base: float, cap: float) -> float:
    """The pause after the ``streak``-th consecutive 429/503 without ``Retry-After``.

    >>> [backoff_delay(n, 2.0, 60.0) for n in (1, 2, 3, 4, 5, 6, 30)]
    [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    """
    return min(cap, base * 2.0 ** min(max(streak - 1, 0), 62))


class BackoffMiddleware:
    """Downloader middleware: pause a host on 429/503 as long as it asks, then retry."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("SMN_BACKOFF_ENABLED"):
            raise NotConfigured("SMN_BACKOFF_ENABLED is off")
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_delay = settings.getfloat("SMN_BACKOFF_MAX_DELAY")
        self.base_delay = settings.getfloat("SMN_BACKOFF_BASE_DELAY")
        self.max_retries = settings.getint("SMN_BACKOFF_MAX_RETRIES")
        self.until: dict[str, float] = {}
        """Slot key -> monotonic time its pause ends."""
        self.streak: dict[str, int] = {}
        """Slot key -> consecutive 429/503 answers."""
        self.holds: dict[str, CallLaterResult] = {}
        """Slot key -> the timer holding its slot."""
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        """Build from the crawler."""
        return cls(crawler)

    @property
    def downloader(self) -> Downloader:
        """The engine's downloader (there is one once the crawl runs)."""
        assert self.crawler.engine is not None
        return self.crawler.engine.downloader

    def process_response(self, request: Request, response: Response) -> Request | Response:
        """Pause the host on a 429/503 and send the request again after the pause."""
        key = self.downloader.get_slot_key(request)
        if response.status not in STATUSES:
            self.streak.pop(key, None)
            return response
        host = urlsplit(request.url).hostname or key
        self.stats.inc_value(f"backoff/{host}/{response.status}")
        streak = self.streak[key] = self.streak.get(key, 0) + 1
        asked = retry_after(response.headers.get(b"Retry-After"), time.time())
        if asked is None:
            self.stats.inc_value(f"backoff/{host}/without_header")
            delay = backoff_delay(streak, self.base_delay, self.max_delay)
        else:
            if asked > self.max_delay:
                self.stats.inc_value(f"backoff/{host}/capped")
            delay = min(asked, self.max_delay)
        self._pause(key, host, delay)
        tries = int(request.meta.get(RETRIES_META, 0)) + 1
        if tries > self.max_retries:
            self.stats.inc_value(f"backoff/{host}/gave_up")
            logger.warning("Gave up %s after %d answers %d (asked to wait %s s)", request.url,
                           tries, response.status, "?" if asked is None else f"{asked:g}")
            request.meta["dont_retry"] = True  # RetryMiddleware must not send it again at once
            return response
        self.stats.inc_value(f"backoff/{host}/retries")
        logger.info("%d from %s: pausing %s for %.1f s (%s)", response.status, request.url,
                    host, delay, "Retry-After" if asked is not None else f"backoff #{streak}")
        retry = request.replace(dont_filter=True)
        retry.meta[RETRIES_META] = tries
        return retry

    def _pause(self, key: str, host: str, seconds: float) -> None:
        now = time.monotonic()
        until = now + seconds
        before = self.until.get(key, 0.0)
        if until <= before:
            return  # already paused at least that long
        self.until[key] = until
        name = f"backoff/{host}/paused_seconds"
        held = float(self.stats.get_value(name, 0.0)) + until - max(now, before)
        self.stats.set_value(name, round(held, 3))
        slot = self.downloader.slots.get(key)
        if slot is not None:
            self._hold(key, slot)

    def _hold(self, key: str, slot: Slot) -> None:
        """Arm the slot's timer for what is left of the pause (replacing a shorter one)."""
        remaining = self.until.get(key, 0.0) - time.monotonic()
        if remaining <= 0:
            return
        if slot.latercall is not None:
            slot.latercall.cancel()
        downloader = self.downloader
        slot.latercall = self.holds[key] = call_later(remaining, self._release, downloader,
                                                      slot)  # fmt: skip

    @staticmethod
    def _release(downloader: Downloader, slot: Slot) -> None:
        """The pause is over: let the slot's queue go, as the downloader's own timer does."""
        downloader._latercall(slot)

    def _reached(self, request: Request, spider: Any = None) -> None:
        """A request entered its slot: hold the slot if its host is paused and nothing holds it
        (a slot garbage-collected during a long pause comes back without the timer)."""
        key = request.meta.get(self.downloader.DOWNLOAD_SLOT)
        if key is None or self.until.get(key, 0.0) <= time.monotonic():
            return
        slot = self.downloader.slots.get(key)
        if slot is not None and (slot.latercall is None or slot.latercall is not self.holds.get(
                key)):
            self._hold(key, slot)
