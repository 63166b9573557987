"""One live progress line on a terminal, the same for a crawl, an export, a backfill or a
re-extraction; off a terminal (cron, systemd, a pipe) it prints nothing, the log says it all.

For any loop::

    from crawler.progress import Progress

    with Progress("backfill", total=len(urls), unit="pages") as progress:
        for url in urls:
            ...
            progress.update(advance=1, articles=exported, errors=failed)

``update`` takes the work done (``done=`` absolute or ``advance=`` relative, in ``unit``) and any
other counters by name; the line shows them, the rate of ``unit`` per second over the last
seconds and, when ``total`` is known, the share done and an estimate of the time left::

    backfill  1,204/5,000 pages (24%) · 380 articles · 0 errors · 41.2 pages/s · ~1 min 32 s left

For a crawl, :class:`crawler.components.extensions.CrawlProgress` (a Scrapy extension, on in
scheduled runs) draws the same line from the crawl's stats: pages, articles, errors, rate and
the requests still queued.
"""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import IO

SEPARATOR = " · "
MIN_INTERVAL = 0.25
"""Seconds between two redraws at most (a faster loop does not flood the terminal)."""
RATE_WINDOW = 10.0
"""The rate is measured over this many last seconds."""


def count_text(n: float, unit: str = "") -> str:
    """A count for people: thousands separated, bytes in KB/MB/GB.

    >>> count_text(1234567), count_text(12), count_text(3_500_000, "B"), count_text(512, "B")
    ('1,234,567', '12', '3.5 MB', '512 B')
    """
    if unit == "B":
        for factor, name in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
            if n >= factor:
                return f"{n / factor:.1f} {name}"
        return f"{n:.0f} B"
    return f"{n:,.0f}"


def duration_text(seconds: float) -> str:
    """A duration, short: '45 s', '3 min 05 s', '2 h 10 min'.

    >>> duration_text(45.2), duration_text(185), duration_text(7800)
    ('45 s', '3 min 05 s', '2 h 10 min')
    """
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def format_line(label: str, done: float, unit: str, counts: Mapping[str, float],
                rate: float | None, total: float | None = None,
                extra: str | None = None) -> str:
    """The progress line.

    >>> format_line("crawl", 1234, "pages", {"articles": 567, "errors": 3}, 12.34)
    'crawl  1,234 pages · 567 articles · 3 errors · 12.3 pages/s'
    >>> format_line("export", 3e6, "B", {}, 1e6, total=4e6)
    'export  3.0 MB/4.0 MB (75%) · 1.0 MB/s · ~1 s left'
    >>> format_line("crawl", 0, "pages", {}, None, extra="12 queued")
    'crawl  0 pages · 12 queued'
    """
    if total:
        head = (f"{count_text(done, unit)}/{count_text(total, unit)}"
                f"{'' if unit == 'B' else ' ' + unit} ({min(done / total, 1.0):.0%})")
    else:
        head = f"{count_text(done, unit)}{'' if unit == 'B' else ' ' + unit}"
    parts = [head]
    parts += [f"{count_text(value)} {name}" for name, value in counts.items()]
    if rate is not None:
        per = f"{count_text(rate, 'B')}/s" if unit == "B" else f"{rate:,.1f} {unit}/s"
        parts.append(per)
        if total and rate > 0 and done < total:
            parts.append(f"~{duration_text((total - done) / rate)} left")
    if extra:
        parts.append(extra)
    return f"{label}  " + SEPARATOR.join(parts)


def is_terminal(stream: IO[str]) -> bool:
    """Whether a stream is an interactive terminal that can redraw a line."""
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


class Progress:
    """One progress line, redrawn in place on a terminal; silent anywhere else.

    ``enabled`` None: on when ``stream`` (default stderr) is a terminal.
    """

    def __init__(self, label: str, *, total: float | None = None, unit: str = "items",
                 stream: IO[str] | None = None, enabled: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.clock = clock
        self.done = 0.0
        self.counts: dict[str, float] = {}
        self.extra: str | None = None
        self._samples: deque[tuple[float, float]] = deque()
        self._drawn_at = -1e9
        self._width = 0

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def rate(self) -> float | None:
        """Units per second over the last RATE_WINDOW seconds (None before two samples)."""
        if len(self._samples) < 2:
            return None
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else None

    def update(self, done: float | None = None, *, advance: float = 0,
               total: float | None = None, extra: str | None = None,
               force: bool = False, **counts: float) -> None:
        """Record progress and redraw the line (at most every MIN_INTERVAL seconds)."""
        self.done = (self.done if done is None else done) + advance
        if total is not None:
            self.total = total
        if extra is not None:
            self.extra = extra
        self.counts.update(counts)
        if not self.enabled:
            return
        now = self.clock()
        self._samples.append((now, self.done))
        while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW:
            self._samples.popleft()
        if force or now - self._drawn_at >= MIN_INTERVAL:
            self._draw(now)

    def line(self) -> str:
        """The line as it stands."""
        return format_line(self.label, self.done, self.unit, self.counts, self.rate(),
                           self.total, self.extra)

    def columns(self) -> int | None:
        """The width of the terminal the line is drawn on (None: unknown, no limit)."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            return None
        return columns or None  # a new pseudo-terminal says 0

    def _draw(self, now: float) -> None:
        columns = self.columns()
        text = self.line() if columns is None else self.line()[: max(columns - 1, 20)]
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
        self._drawn_at = now
        self._width = len(text)

    def close(self) -> None:
        """Draw the final state and end the line (nothing when disabled)."""
        if not self.enabled:
            return
        self._draw(self.clock())
        self.stream.write("\n")
        self.stream.flush()
        self.enabled = False
