"""The mirror server's request log: arrival time, live address and status of every request.

Bounded (the newest :data:`MAX_ENTRIES`), in memory, read by tests through ``GET /_mirror/log``
(``{"requests": [[unix time, live url, status], ...], "dropped": n}``) or
:meth:`crawler.mirror.server.RunningMirror.request_log`; ``/_mirror/reset`` empties it.
"""

from __future__ import annotations

from collections import deque
from typing import Any

MAX_ENTRIES = 200_000
"""Entries kept (about 100 bytes each)."""


class RequestLog:
    """Requests as the server received them, oldest first.

    >>> log = RequestLog(max_entries=2)
    >>> for t in (1.0, 2.0, 3.0):
    ...     log.add(t, "/www.spacewar.com/index.html", 200)
    >>> doc = log.document()
    >>> doc["requests"][0], len(doc["requests"]), doc["dropped"]
    ([2.0, 'https://www.spacewar.com/index.html', 200], 2, 1)
    """

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.entries: deque[tuple[float, str, int]] = deque(maxlen=max_entries)
        self.dropped = 0

    def add(self, arrived: float, path: str, status: int) -> None:
        """Log one answered request (``path`` is the mirror path ``/<host>/<path>``)."""
        if len(self.entries) == self.entries.maxlen:
            self.dropped += 1
        self.entries.append((arrived, path, status))

    def clear(self) -> None:
        """Forget every entry."""
        self.entries.clear()
        self.dropped = 0

    def document(self) -> dict[str, Any]:
        """The ``/_mirror/log`` document, keyed by live URL."""
        return {"requests": [[t, "https:/" + p, s] for t, p, s in self.entries],
                "dropped": self.dropped}  # fmt: skip
