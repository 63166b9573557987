"""A fault with a known schedule: a host that answers 429 or 503 with ``Retry-After`` for a while.

``mirror build --rate-limit HOST`` records a schedule in ``routes.json`` (``rate_limits``) and
``faults.json`` (``rate_limit``); the server (:class:`RateLimits`) follows it, counting requests
per host from its start (or ``/_mirror/reset``):

* the host answers normally until it has answered ``start`` requests (robots.txt included);
* then **window** 0 opens: for ``hold`` seconds from the first request in it, every request to
  the host gets the window's status with its ``Retry-After`` form:
  ``seconds`` (``Retry-After: 2``), ``date`` (an HTTP date that many seconds ahead, rounded up
  to the next second) or ``none`` (no header: the client must back off on its own);
* after the window, ``every`` more normal answers, then the next window; after the last window
  the host stays normal.

Every answer is in the server's request log (:mod:`crawler.mirror.requestlog`) with its arrival
time, so a test reads from the log exactly when the crawler came back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

DEFAULT_WINDOWS: tuple[dict[str, Any], ...] = (
    {"status": 429, "form": "seconds", "retry_after": 2, "hold": 3.0},
    {"status": 503, "form": "date", "retry_after": 2, "hold": 3.0},
    {"status": 503, "form": "none", "hold": 3.0},
    {"status": 429, "form": "seconds", "retry_after": 1, "hold": 2.0},
)
"""Windows of the default schedule: Retry-After in seconds, as a date, then none at all."""


def schedule(host: str, start: int = 8, every: int = 6,
             windows: tuple[dict[str, Any], ...] = DEFAULT_WINDOWS) -> dict[str, Any]:
    """The schedule of one rate-limited host (what ``routes.json`` and ``faults.json`` hold).

    >>> s = schedule("www.spacedaily.com")
    >>> s["host"], s["start"], s["every"], [w["status"] for w in s["windows"]]
    ('www.spacedaily.com', 8, 6, [429, 503, 503, 429])
    """
    return {"host": host, "start": start, "every": every, "windows": [dict(w) for w in windows]}


def spec(schedules: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``faults.json`` entry of the rate-limit fault."""
    return {
        "urls": [], "hosts": [s["host"] for s in schedules], "schedules": schedules,
        "in_truth": False,
        "expect": "every request to the host inside a window is answered with the window's "
                  "status; a polite crawler waits Retry-After (or backs off when there is "
                  "none) before its next request to that host, goes on with other hosts, "
                  "and still gets every page",
    }  # fmt: skip


def retry_after_header(window: dict[str, Any], now: float) -> str:
    """The ``Retry-After`` header line of a window's answer ('' for the form ``none``).

    >>> retry_after_header({"form": "seconds", "retry_after": 2}, 0.0)
    'Retry-After: 2\\r\\n'
    >>> retry_after_header({"form": "date", "retry_after": 2}, 1445412478.5)
    'Retry-After: Wed, 21 Oct 2015 07:28:01 GMT\\r\\n'
    >>> retry_after_header({"form": "none"}, 0.0)
    ''
    """
    form = window.get("form", "seconds")
    if form == "none":
        return ""
    if form == "date":
        return f"Retry-After: {formatdate(math.ceil(now + window['retry_after']), usegmt=True)}\r\n"
    return f"Retry-After: {int(window['retry_after'])}\r\n"


@dataclass
class _HostState:
    normal: int = 0
    """Requests answered normally so far."""
    window: int = 0
    """Index of the next (or current) window."""
    opened: float | None = None
    """Arrival time of the first request of the current window."""


@dataclass
class RateLimits:
    """The server side of the fault: which requests get a 429/503, from the schedules."""

    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Host -> schedule."""
    states: dict[str, _HostState] = field(default_factory=dict)

    @classmethod
    def from_routes(cls, routes: dict[str, Any]) -> RateLimits:
        """From ``routes.json`` (no ``rate_limits``: no host is limited)."""
        return cls({s["host"]: s for s in routes.get("rate_limits", [])})

    def reset(self) -> None:
        """Start every schedule again."""
        self.states.clear()

    def answer(self, path: str, now: float) -> tuple[int, str] | None:
        """(status, extra header lines) for a request of a mirror path, or None to answer
        normally.

        >>> limits = RateLimits.from_routes({"rate_limits": [schedule("h", start=1, every=1,
        ...     windows=({"status": 429, "form": "seconds", "retry_after": 2, "hold": 3.0},))]})
        >>> [limits.answer("/h/a", t) for t in (0.0, 1.0, 2.0, 4.1, 4.2)]
        [None, (429, 'Retry-After: 2\\r\\n'), (429, 'Retry-After: 2\\r\\n'), None, None]
        >>> limits.answer("/other/a", 1.0) is None
        True
        """
        host = path.split("/", 2)[1] if path.count("/") >= 2 else ""
        sched = self.schedules.get(host)
        if sched is None:
            return None
        state = self.states.setdefault(host, _HostState())
        windows = sched["windows"]
        if state.opened is not None:
            window = windows[state.window]
            if now < state.opened + float(window["hold"]):
                return int(window["status"]), retry_after_header(window, now)
            state.opened, state.normal = None, 0
            state.window += 1
        due = sched["start"] if state.window == 0 else sched["every"]
        if state.window < len(windows) and state.normal >= due:
            state.opened = now
            window = windows[state.window]
            return int(window["status"]), retry_after_header(window, now)
        state.normal += 1
        return None
