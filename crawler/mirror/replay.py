"""Serve captured pages at their live addresses, like the generated mirror:
``http://127.0.0.1:P/<host>/<path>`` answers what ``https://<host>/<path>`` answered when it
was captured (``python -m crawler mirror serve --warc DIR``).

The answer is the stored response: its status (a redirect keeps its live ``Location``), its
headers (ETag, Last-Modified, Content-Encoding...) and its body as the site sent it. The latest
capture of an address answers; a 304 revisit stands for the capture it confirmed, and a revisit
of an identical payload is answered with that payload. A conditional request matching the
stored ETag or Last-Modified gets a 304, so an incremental crawl works against the captures
too. An address never captured gets a 404 and is counted in ``/_mirror/stats``.

Reading only: the captures come from :mod:`crawler.capture.reader`.
"""

from __future__ import annotations

import asyncio
import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from crawler.capture.reader import CaptureMissing, Captures, Page
from crawler.mirror.server import MAX_HITS, MirrorProtocol

_NOT_REPLAYED = frozenset({"content-type", "content-length", "connection", "keep-alive",
                           "transfer-encoding", "date", "server"})
"""Stored headers the server writes itself (or that describe the old connection)."""


def live_urls(target: str) -> list[str]:
    """The live addresses a mirror request target may stand for, https first.

    >>> live_urls("/www.spacewar.com/reports/X_999.html?a=1")
    ['https://www.spacewar.com/reports/X_999.html?a=1', 'http://www.spacewar.com/reports/X_999.html?a=1']
    >>> live_urls("/")
    []
    """
    rest = target.lstrip("/")
    if not rest:
        return []
    host, slash, path = rest.partition("/")
    tail = "/" + path if slash else "/"
    return [f"https://{host}{tail}", f"http://{host}{tail}"]


def not_modified(page: Page, headers: dict[bytes, bytes]) -> bool:
    """Whether a conditional request is answered by the stored validators.

    >>> p = Page("u", "d", 200, [("ETag", '"ab"')], b"", "<id>", None, "response")
    >>> not_modified(p, {b"if-none-match": b'"ab"'}), not_modified(p, {b"if-none-match": b'"x"'})
    (True, False)
    """
    stored = {k.lower(): v for k, v in page.headers}
    inm = headers.get(b"if-none-match")
    if inm is not None and "etag" in stored:
        tags = {t.strip().removeprefix("W/") for t in inm.decode("latin-1").split(",")}
        return "*" in tags or stored["etag"].removeprefix("W/") in tags
    ims = headers.get(b"if-modified-since")
    if ims is not None and "last-modified" in stored:
        try:
            since = parsedate_to_datetime(ims.decode("latin-1"))
            return parsedate_to_datetime(stored["last-modified"]) <= since
        except (TypeError, ValueError, IndexError):
            return False
    return False


class WarcMirror:
    """Captured pages, looked up by mirror request target."""

    def __init__(self, paths: list[Path]) -> None:
        self.captures = Captures(paths)
        if not len(self.captures):
            raise FileNotFoundError(
                f"{', '.join(map(str, paths))}: no captured pages here (WARC files of a run)")
        self.hits: dict[str, int] = {}

    def reset(self) -> None:
        """Zero the counts of addresses asked for but never captured."""
        self.hits.clear()

    def stats(self) -> dict[str, Any]:
        """The ``/_mirror/stats`` document: addresses asked for but never captured."""
        return {"hits": dict(sorted(self.hits.items())), "captures": len(self.captures)}

    def protocol(self) -> ReplayProtocol:
        """The protocol of one new connection."""
        return ReplayProtocol(self)

    def page(self, target: str) -> Page | None:
        """The captured page a request target names, or None."""
        urls = live_urls(target)
        for url in urls:
            entry = self.captures.latest(url)
            if entry is not None:
                try:
                    return self.captures.page(entry)
                except CaptureMissing:
                    continue
        if urls and (urls[0] in self.hits or len(self.hits) < MAX_HITS):
            self.hits[urls[0]] = self.hits.get(urls[0], 0) + 1
        return None


class ReplayProtocol(MirrorProtocol):
    """One client connection of the replay server (parsing and sending as the mirror's)."""

    def __init__(self, replay: WarcMirror) -> None:  # noqa: D107 (the parent's state, another source)
        asyncio.Protocol.__init__(self)
        self.replay = replay
        self.buffer = b""
        self.busy = False
        self.transport = None

    def _answer(self, method: bytes, target: str, headers: dict[bytes, bytes],
                close: bool) -> None:
        head_only = method == b"HEAD"
        if method not in (b"GET", b"HEAD"):
            self._send(405, b"method not allowed\n", "text/plain", close=close)
            return
        if target.startswith("/_mirror/"):
            if target.startswith("/_mirror/reset"):
                self.replay.reset()
            body = json.dumps(self.replay.stats()).encode()
            self._send(200, body, "application/json", close=close, head_only=head_only)
            return
        page = self.replay.page(target.split("#", 1)[0])
        if page is None:
            self._send(404, b"<html><body><h2>404 Not Captured</h2></body></html>\n",
                       "text/html", close=close, head_only=head_only)
            return
        ctype = next((v for k, v in page.headers if k.lower() == "content-type"), None)
        kept = [(k, v) for k, v in page.headers if k.lower() not in _NOT_REPLAYED]
        if page.status == 200 and not_modified(page, headers):
            validators = "".join(f"{k}: {v}\r\n" for k, v in kept
                                 if k.lower() in ("etag", "last-modified"))
            self._send(304, b"", None, close=close, extra=validators, head_only=True)
            return
        extra = "".join(f"{k}: {v}\r\n" for k, v in kept)
        self._send(page.status, page.body, ctype, close=close, extra=extra, head_only=head_only)
