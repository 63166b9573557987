"""Serve a built mirror over loopback: ``http://127.0.0.1:P/<host>/<path>`` answers what
``https://<host>/<path>`` answers live.

A raw asyncio protocol (HTTP/1.1, keep-alive, pipelining, GET and HEAD) serving the files of
:mod:`crawler.mirror.build` with ``ETag``/``Last-Modified`` and 304s, and the routes of
``routes.json``: 301s with the *live* absolute ``Location``, fixed statuses, flaky pages (500
for the first N requests of this server process, then 200) and slow pages (answered after
``slow_seconds``; default ``$MIRROR_SLOW_SECONDS`` or 30).

Endpoints outside any host, for tests: ``GET /_mirror/log`` returns the request log
(:mod:`crawler.mirror.requestlog`: arrival time, live URL and status of every request);
``GET /_mirror/stats`` returns
``{"hits": {live_url: count}}`` for fault addresses and robots-disallowed paths (query strings
dropped; a test can check a polite crawl never fetched ``/search/`` or ``/cgi-bin/``), and
``GET /_mirror/reset`` zeroes those counts, the flaky counters, the log and the rate limits
(:mod:`crawler.mirror.ratelimit`: a host answering 429/503 with Retry-After on a schedule).
Any path with a ``/_probe/`` segment is counted too: hostile pages point there
(``__MIRROR_BASE__/_probe/...``) so that a test sees whether the crawler was lured to loopback.

Routes of fault-heavy and hostile builds (absent from default builds): ``encoded`` (served
with ``Content-Encoding``, e.g. a gzip bomb), ``oversize`` (the file padded on the fly to
``bytes``, with or without ``Content-Length``), ``chains`` (301 to the same address with
``?hop=N+1``, forever) and ``templated`` (``__MIRROR_BASE__`` replaced by the server's own
base address).

For tests::

    mirror = serve_in_thread(directory)          # in this process, a daemon thread
    mirror.base_url                               # 'http://127.0.0.1:40123'
    mirror.hits()                                 # the /_mirror/stats counts
    mirror.stop()

    with serve_process(directory) as base_url:    # a child process running `mirror serve`
        ...

Memory stays bounded: a small LRU cache of file bodies (``CACHE_ENTRIES``, ``CACHE_BYTES``,
files over ``CACHE_FILE_MAX`` are never cached) and counters only for the known fault and
disallowed addresses (``MAX_HITS`` at most).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from crawler.mirror.ratelimit import RateLimits
from crawler.mirror.requestlog import RequestLog
from crawler.mirror.static import DISALLOWED

CACHE_ENTRIES = 4096
CACHE_BYTES = 64 * 1024 * 1024
CACHE_FILE_MAX = 1024 * 1024
MAX_HITS = 10_000
MAX_HEAD = 64 * 1024
READY_PREFIX = "mirror: "

_REASONS = {200: "OK", 301: "Moved Permanently", 304: "Not Modified", 400: "Bad Request",
            404: "Not Found", 405: "Method Not Allowed", 410: "Gone", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}
_TYPES = {".html": "text/html", ".htm": "text/html", ".xml": "text/xml", ".txt": "text/plain",
          ".css": "text/css", ".jpg": "image/jpeg", ".gif": "image/gif", ".png": "image/png",
          ".pdf": "application/pdf", ".cgi": "text/html", ".json": "application/json"}
_BARE_HOSTS = ("spacedaily.com", "terradaily.com")
PROBE = "/_probe/"
"""Path segment of the addresses hostile pages lure the crawler to (always counted)."""
BASE_PLACEHOLDER = b"__MIRROR_BASE__"
"""Replaced by ``http://127.0.0.1:PORT`` in templated files."""


def server_path(live_url: str) -> str:
    """The mirror path of a live URL (query dropped).

    >>> server_path("https://www.spacewar.com/reports/X_999.html?a=1")
    '/www.spacewar.com/reports/X_999.html'
    """
    parts = urlsplit(live_url)
    return f"/{parts.netloc}{parts.path or '/'}"


def content_type(path: str) -> str:
    """Content-Type of a mirror path: no charset for classic pages (the real sites send none).

    >>> content_type("/www.spacewar.com/index.html"), content_type("/spacedaily.com/x-y/")
    ('text/html', 'text/html; charset=UTF-8')
    >>> content_type("/terradaily.com/reports/X_999.html")
    'text/html'
    >>> content_type("/www.spacewar.com/robots.txt"), content_type("/www.spacewar.com/a.xml")
    ('text/plain', 'text/xml')
    """
    host = path.split("/", 2)[1]
    ext = ".html" if path.endswith("/") else os.path.splitext(path)[1].lower()
    ctype = _TYPES.get(ext, "application/octet-stream")
    if ctype == "text/html" and host in _BARE_HOSTS and path.endswith("/"):
        return "text/html; charset=UTF-8"  # the WordPress pages; /reports/ pages are classic
    return ctype


@dataclass
class Entry:
    """A cached file."""

    mtime_ns: int
    size: int
    body: bytes
    etag: str
    last_modified: str


class Mirror:
    """The state the protocol serves from: the directory, its routes, counters and cache."""

    def __init__(self, root: Path, slow_seconds: float | None = None) -> None:
        self.root = Path(root).resolve()
        if not (self.root / "mirror.json").is_file():
            raise FileNotFoundError(f"{root}: no mirror here (run `mirror build` first)")
        routes: dict[str, Any] = json.loads((self.root / "routes.json").read_text())
        self.redirects = {server_path(k): v for k, v in routes["redirects"].items()}
        self.status = {server_path(k): int(v) for k, v in routes["status"].items()}
        self.flaky_limit = {server_path(k): int(v) for k, v in routes["flaky"].items()}
        self.slow = {server_path(k) for k in routes["slow"]}
        self.types = {server_path(k): v for k, v in routes["types"].items()}
        self.encoded = {server_path(k): v for k, v in routes.get("encoded", {}).items()}
        self.oversize = {server_path(k): v for k, v in routes.get("oversize", {}).items()}
        self.chains = {server_path(k) for k in routes.get("chains", [])}
        self.templated = {server_path(k) for k in routes.get("templated", [])}
        self.rate_limits = RateLimits.from_routes(routes)
        self.log = RequestLog()
        self.watched = (set(self.redirects) | set(self.status) | set(self.flaky_limit)
                        | self.slow | set(self.types) | set(self.encoded)
                        | set(self.oversize) | self.chains | self.templated)
        faults = json.loads((self.root / "faults.json").read_text())
        for spec in faults.values():
            self.watched.update(server_path(u) for u in spec["urls"])
        if slow_seconds is None:
            slow_seconds = float(os.environ.get("MIRROR_SLOW_SECONDS", "30"))
        self.slow_seconds = slow_seconds
        self.flaky_count: dict[str, int] = {}
        self.hits: dict[str, int] = {}
        self.cache: OrderedDict[str, Entry] = OrderedDict()
        self.cache_bytes = 0

    def reset(self) -> None:
        """Zero the hit counts and the flaky counters."""
        self.flaky_count.clear()
        self.hits.clear()
        self.log.clear()
        self.rate_limits.reset()

    def count(self, path: str) -> None:
        """Count a request of a watched path (faults, disallowed prefixes)."""
        rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""
        watched = (path in self.watched or PROBE in path
                   or any(("/" + rest).startswith(p) for p in DISALLOWED))
        if watched and (path in self.hits or len(self.hits) < MAX_HITS):
            self.hits[path] = self.hits.get(path, 0) + 1

    def stats(self) -> dict[str, Any]:
        """The ``/_mirror/stats`` document, keyed by live URL."""
        return {"hits": {"https:/" + p: n for p, n in sorted(self.hits.items())}}

    def file(self, path: str) -> Entry | None:
        """The file serving ``path``, through the bounded cache; None when absent."""
        rel = path + "index.html" if path.endswith("/") else path
        if "/../" in rel or "/./" in rel or "\\" in rel or "\0" in rel:
            return None
        fs_path = os.path.join(self.root, rel.lstrip("/"))
        try:
            st = os.stat(fs_path)
        except OSError:
            return None
        if not os.path.isfile(fs_path):
            return None
        entry = self.cache.get(path)
        if entry is not None and entry.mtime_ns == st.st_mtime_ns and entry.size == st.st_size:
            self.cache.move_to_end(path)
            return entry
        with open(fs_path, "rb") as fh:
            body = fh.read()
        etag = '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'
        entry = Entry(st.st_mtime_ns, len(body), body, etag,
                      formatdate(st.st_mtime, usegmt=True))
        if len(body) <= CACHE_FILE_MAX:
            old = self.cache.pop(path, None)
            if old is not None:
                self.cache_bytes -= old.size
            self.cache[path] = entry
            self.cache_bytes += entry.size
            while len(self.cache) > CACHE_ENTRIES or self.cache_bytes > CACHE_BYTES:
                _, dropped = self.cache.popitem(last=False)
                self.cache_bytes -= dropped.size
        return entry

    def protocol(self) -> MirrorProtocol:
        """The protocol of one new connection."""
        return MirrorProtocol(self)

    def is_dir(self, path: str) -> bool:
        """Whether ``path`` names a directory of the mirror (answered by a slash redirect)."""
        return os.path.isdir(os.path.join(self.root, path.lstrip("/")))


def _not_modified(entry: Entry, headers: dict[bytes, bytes]) -> bool:
    inm = headers.get(b"if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.decode("latin-1").split(",")}
        return "*" in tags or entry.etag in tags
    ims = headers.get(b"if-modified-since")
    if ims is not None:
        try:
            since = parsedate_to_datetime(ims.decode("latin-1")).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return entry.mtime_ns // 1_000_000_000 <= since
    return False


class _Clock:
    """The Date header, formatted at most once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second, self._text = second, formatdate(second, usegmt=True)
        return self._text


_CLOCK = _Clock()


class MirrorProtocol(asyncio.Protocol):
    """One client connection: parses pipelined requests and answers them in order."""

    serving: tuple[float, str] | None = None
    """Arrival time and path of the request being answered (for the request log); a subclass
    that answers from elsewhere (crawler.mirror.replay) never sets it, and logs nothing."""

    def __init__(self, mirror: Mirror) -> None:
        self.mirror = mirror
        self.buffer = b""
        self.busy = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > MAX_HEAD and b"\r\n\r\n" not in self.buffer:
            self._send(400, b"request head too large\n", "text/plain", close=True)
            return
        if not self.busy:
            self._process()

    def _process(self) -> None:
        while self.transport is not None and not self.busy:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            lines = head.split(b"\r\n")
            parts = lines[0].split()
            if len(parts) != 3:
                self._send(400, b"bad request\n", "text/plain", close=True)
                return
            method, target, version = parts
            headers: dict[bytes, bytes] = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            conn = headers.get(b"connection", b"").lower()
            close = conn == b"close" or (version == b"HTTP/1.0" and conn != b"keep-alive")
            self._answer(method, target.decode("latin-1"), headers, close)

    def _answer(self, method: bytes, target: str, headers: dict[bytes, bytes],
                close: bool) -> None:
        head_only = method == b"HEAD"
        if method not in (b"GET", b"HEAD"):
            self._send(405, b"method not allowed\n", "text/plain", close=close)
            return
        path = unquote(target.split("?", 1)[0].split("#", 1)[0])
        m = self.mirror
        if path.startswith("/_mirror/"):
            if path == "/_mirror/reset":
                m.reset()
            doc = m.log.document() if path == "/_mirror/log" else m.stats()
            self._send(200, json.dumps(doc).encode(), "application/json", close=close,
                       head_only=head_only)
            return
        m.count(path)
        now = time.time()
        self.serving = (now, path)
        limited = m.rate_limits.answer(path, now)
        if limited is not None:
            self._send(limited[0], b"<html><body>Slow down</body></html>\n", "text/html",
                       close=close, extra=limited[1], head_only=head_only)
            return
        if path in m.chains:
            query = target.split("?", 1)[1] if "?" in target else ""
            hop = int(query[4:]) if query.startswith("hop=") and query[4:].isdigit() else 0
            self._send(301, b"Moved Permanently\n", "text/html", close=close,
                       extra=f"Location: https:/{path}?hop={hop + 1}\r\n", head_only=head_only)
            return
        if path in m.redirects:
            loc = m.redirects[path]
            self._send(301, b"Moved Permanently\n", "text/html", close=close,
                       extra=f"Location: {loc}\r\n", head_only=head_only)
            return
        if path in m.status:
            self._send(m.status[path], b"<html><body>Internal Server Error</body></html>\n",
                       "text/html", close=close, head_only=head_only)
            return
        limit = m.flaky_limit.get(path)
        if limit is not None:
            n = m.flaky_count.get(path, 0)
            m.flaky_count[path] = n + 1
            if n < limit:
                self._send(500, b"<html><body>Temporarily unavailable</body></html>\n",
                           "text/html", close=close, head_only=head_only)
                return
        entry = m.file(path)
        if entry is None:
            if path.count("/") >= 2 and not path.endswith("/") and m.is_dir(path):
                loc = "https:/" + path + "/"
                self._send(301, b"Moved Permanently\n", "text/html", close=close,
                           extra=f"Location: {loc}\r\n", head_only=head_only)
                return
            self._send(404, b"<html><body><h2>404 Not Found</h2></body></html>\n", "text/html",
                       close=close, head_only=head_only)
            return
        ctype = m.types.get(path) or content_type(path)
        extra = f"ETag: {entry.etag}\r\nLast-Modified: {entry.last_modified}\r\n"
        if path in m.templated or path in m.encoded or path in m.oversize:
            self._special(path, entry.body, ctype, close, head_only)
        elif _not_modified(entry, headers):
            self._send(304, b"", None, close=close, extra=extra, head_only=True)
        elif path in m.slow:
            self.busy = True
            asyncio.get_running_loop().create_task(
                self._later(entry.body, ctype, close, extra, head_only))
        else:
            self._send(200, entry.body, ctype, close=close, extra=extra, head_only=head_only)

    def _special(self, path: str, body: bytes, ctype: str, close: bool, head_only: bool) -> None:
        """A templated, content-encoded or oversized file (no validators: always 200)."""
        m = self.mirror
        if path in m.templated and self.transport is not None:
            host, port = self.transport.get_extra_info("sockname")[:2]
            body = body.replace(BASE_PLACEHOLDER, f"http://{host}:{port}".encode())
        extra = ""
        if path in m.encoded:
            extra += f"Content-Encoding: {m.encoded[path]}\r\n"
        spec = m.oversize.get(path)
        if spec is None:
            self._send(200, body, ctype, close=close, extra=extra, head_only=head_only)
            return
        padding = b" " * max(0, int(spec["bytes"]) - len(body))
        if spec.get("length", True):
            self._send(200, body + padding, ctype, close=close, head_only=head_only)
            return
        # No Content-Length: the body ends when the connection closes.
        if self.transport is None:
            return
        self._logged(200)
        head = (f"HTTP/1.1 200 OK\r\nServer: smn-mirror\r\nDate: {_CLOCK.now()}\r\n"
                f"Content-Type: {ctype}\r\nConnection: close\r\n\r\n").encode("latin-1")
        self.transport.write(head if head_only else head + body + padding)
        self.transport.close()
        self.transport = None

    async def _later(self, body: bytes, ctype: str, close: bool, extra: str,
                     head_only: bool) -> None:
        await asyncio.sleep(self.mirror.slow_seconds)
        self.busy = False
        if self.transport is None:
            return
        self._send(200, body, ctype, close=close, extra=extra, head_only=head_only)
        self._process()

    def _logged(self, status: int) -> None:
        """Log the answer to the request being served (once)."""
        if self.serving is not None:
            self.mirror.log.add(self.serving[0], self.serving[1], status)
            self.serving = None

    def _send(self, status: int, body: bytes, ctype: str | None, *, close: bool = False,
              extra: str = "", head_only: bool = False) -> None:
        if self.transport is None:
            return
        self._logged(status)
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                f"Server: smn-mirror\r\nDate: {_CLOCK.now()}\r\n")
        if ctype:
            head += f"Content-Type: {ctype}\r\n"
        head += f"Content-Length: {len(body)}\r\n{extra}"
        head += "Connection: close\r\n\r\n" if close else "Connection: keep-alive\r\n\r\n"
        if head_only or status == 304:
            self.transport.write(head.encode("latin-1"))
        else:
            self.transport.write(head.encode("latin-1") + body)
        if close:
            self.transport.close()
            self.transport = None


class Served(Protocol):
    """What a server serves from: a built mirror, or captured pages (crawler.mirror.replay)."""

    def stats(self) -> dict[str, Any]:
        """The ``/_mirror/stats`` document."""
        ...

    def protocol(self) -> asyncio.Protocol:
        """A protocol instance for one new connection."""
        ...


async def start(mirror: Served, port: int = 0, host: str = "127.0.0.1") -> asyncio.Server:
    """Start serving ``mirror``; the returned server is already accepting connections."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(mirror.protocol, host, port, backlog=1024)


def bound_port(server: asyncio.Server) -> int:
    """The TCP port a started server listens on."""
    return int(server.sockets[0].getsockname()[1])


@dataclass
class RunningMirror:
    """A mirror served from a thread of this process (see :func:`serve_in_thread`)."""

    base_url: str
    mirror: Served
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread
    _stop: asyncio.Event | None = None

    def hits(self) -> dict[str, int]:
        """Requests per watched live URL (faults, robots-disallowed paths)."""
        return dict(self.mirror.stats()["hits"])

    def request_log(self) -> list[tuple[float, str, int]]:
        """(arrival time, live url, status) of every request so far, oldest first (a built
        mirror's; a replay of captured pages keeps no log)."""
        if not isinstance(self.mirror, Mirror):
            return []
        return [(t, u, s) for t, u, s in self.mirror.log.document()["requests"]]

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        if self._thread.is_alive() and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def __enter__(self) -> RunningMirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def cancel_pending() -> None:
    """Cancel the answers still waiting (slow pages) so the loop closes without warnings."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def serve_in_thread(root: Path | str, port: int = 0,
                    slow_seconds: float | None = None) -> RunningMirror:
    """Serve the mirror in ``root`` from a daemon thread; returns once it accepts connections.

    ``port`` 0 picks a free port; ``slow_seconds`` is the slow fault's delay (default
    ``$MIRROR_SLOW_SECONDS`` or 30). Use ``.base_url``, ``.hits()``, ``.stop()``, or ``with``.
    """
    return serve_object_in_thread(Mirror(Path(root), slow_seconds), port)


def serve_object_in_thread(mirror: Served, port: int = 0) -> RunningMirror:
    """Serve a built :class:`Mirror` (or captured pages) from a daemon thread."""
    ready = threading.Event()
    box: dict[str, Any] = {}

    async def main() -> None:
        stop = asyncio.Event()
        try:
            server = await start(mirror, port)
        except BaseException as exc:  # reported to the caller below
            box["error"] = exc
            ready.set()
            return
        box["port"], box["stop"] = bound_port(server), stop
        ready.set()
        async with server:
            await stop.wait()
        await cancel_pending()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(main(),),
                              name="smn-mirror", daemon=True)
    thread.start()
    ready.wait(30)
    if "error" in box:
        raise box["error"]
    return RunningMirror(f"http://127.0.0.1:{box['port']}", mirror, loop, thread, box["stop"])


@contextlib.contextmanager
def serve_process(root: Path | str | None = None, *, articles: int | None = None,
                  seed: int = 1, port: int = 0, slow_seconds: float | None = None,
                  warc: Path | str | None = None) -> Iterator[str]:
    """Run ``python -m crawler.mirror.cli serve`` in a child process; yields its base URL.

    Give a built ``root``, or ``articles`` (and ``seed``) to build a temporary mirror, or
    ``warc`` to serve captured pages (``serve --warc``). The child is terminated when the block
    ends.
    """
    cmd = [sys.executable, "-m", "crawler.mirror.cli", "serve", "--port", str(port)]
    if warc is not None:
        cmd += ["--warc", str(warc)]
    elif root is not None:
        cmd.append(str(root))
    else:
        cmd += ["--articles", str(articles or 300), "--seed", str(seed)]
    if slow_seconds is not None:
        cmd += ["--slow", str(slow_seconds)]
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith(READY_PREFIX):
            raise RuntimeError(f"mirror serve did not start: {line!r}")
        yield line[len(READY_PREFIX):]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
