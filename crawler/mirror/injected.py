"""Fault-heavy mirrors: ``mirror build DIR --faults RATE`` puts a fault on article pages.

Each generated article after the seed (index > 29) is picked with probability ``RATE`` (drawn
from ``random.Random(f"{seed}/injected/{index}")``, so picks do not depend on the mirror's
size) and given one fault of a random kind, at the article's own address. Most kinds replace
the page (the article is *affected*: a crawl may lose it); ``flaky`` only makes the page answer
500 twice before 200 (the article is *unaffected*: a crawl must still export it).

Everything is recorded under the key ``"injected"`` of ``faults.json``::

    {"urls": [fault urls], "rate": 0.2, "in_truth": false, "expect": "...",
     "kinds": {kind: what a crawl should do},
     "faults": [{"url", "kind", "affected", "expect": [stats keys]}],
     "unaffected": [truth urls a complete crawl must export or record as duplicates]}

Default builds (rate 0) carry no such key and are byte-identical to builds without this module.
"""

from __future__ import annotations

import random
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from crawler.mirror.faults import _JPEG, _PDF

KINDS: dict[str, str] = {
    "not_found": "404, not retried: errors/http_404",
    "always_500": "500 every time: retried, then errors/http_500 and retry/max_reached",
    "slow": "answers after the slow delay: timed out and retried, then "
            "errors/DownloadTimeoutError",
    "redirect_chain": "301 to itself with ?hop=N+1 forever: REDIRECT_MAX_TIMES, then "
                      "errors/IgnoreRequest (max redirections reached)",
    "not_html": "a PDF or JPEG at the article address: pages/not_html, no record",
    "truncated": "HTML cut at a random point: pages/article or pages/hub, never an exception",
    "malformed": "closing tags dropped, stray tags added: pages/article or pages/hub",
    "oversize": "padded past DOWNLOAD_MAXSIZE with a Content-Length: cancelled before the body, "
                "errors/DownloadCancelledError",
    "oversize_stream": "padded past DOWNLOAD_MAXSIZE, no Content-Length: cut off while "
                       "streaming, errors/DownloadCancelledError",
    "gzip_bomb": "Content-Encoding gzip inflating to 1 GiB: refused by HttpCompressionMiddleware "
                 "at DOWNLOAD_MAXSIZE, errors/IgnoreRequest",
    "flaky": "500 twice, then the page: retried, then exported (unaffected)",
}
"""Every kind of injected fault and what a crawl should make of it."""

AFFECTS = {kind: kind != "flaky" for kind in KINDS}
FIRST_INDEX = 30
"""Articles before this index (the seed and its related stories) never carry a fault."""
OVERSIZE_BYTES = 11 * 1024 * 1024
BOMB_BYTES = 1 << 30
"""Inflated size of the gzip bomb (1 GiB); it is about 1 MB on the wire."""
FLAKY_FAILURES = 2


def gzip_bomb(size: int = BOMB_BYTES) -> bytes:
    """A valid gzip stream of ``size`` zero bytes (``size`` a multiple of 1 MiB), built in
    well under a second by repeating one fully flushed deflate segment.

    >>> import gzip
    >>> len(gzip.decompress(gzip_bomb(4 << 20))) == 4 << 20
    True
    """
    chunk = 1 << 20
    if size % chunk:
        raise ValueError("size must be a multiple of 1 MiB")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(chunk)
    segment = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // chunk):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + segment * (size // chunk) + tail + struct.pack("<II", crc, size & 0xFFFFFFFF)


_CLOSING_RE = re.compile(rb"</(?:p|div|td|tr|table|span|font|b|i|a|body|html)>", re.I)


def malformed(page: bytes) -> bytes:
    """The page with its common closing tags dropped and stray tags added.

    >>> malformed(b"<div><p>One</p></div></body></html>")
    b'<div><p>One</b></font></td></table>'
    """
    return _CLOSING_RE.sub(b"", page) + b"</b></font></td></table>"


@dataclass
class Injected:
    """The faults of a fault-heavy build, filled while the articles are written."""

    rate: float
    seed: int
    files: dict[str, bytes] = field(default_factory=dict)
    routes: dict[str, Any] = field(default_factory=lambda: {
        "status": {}, "flaky": {}, "slow": [], "types": {}, "redirects": {},
        "encoded": {}, "oversize": {}, "chains": []})
    faults: list[dict[str, Any]] = field(default_factory=list)
    affected: set[str] = field(default_factory=set)
    _bomb: bytes | None = None

    def pick(self, index: int) -> str | None:
        """The fault kind of article ``index``, or None for a clean page."""
        if index < FIRST_INDEX or self.rate <= 0:
            return None
        rng = random.Random(f"{self.seed}/injected/{index}")
        if rng.random() >= self.rate:
            return None
        return rng.choice(sorted(KINDS))

    def inject(self, index: int, url: str, page: bytes) -> bytes:
        """What article ``index`` at ``url`` serves: ``page`` or its faulty replacement."""
        kind = self.pick(index)
        if kind is None:
            return page
        rng = random.Random(f"{self.seed}/injected/{index}/{kind}")
        r = self.routes
        served = page
        if kind == "not_found":
            r["status"][url] = 404
        elif kind == "always_500":
            r["status"][url] = 500
        elif kind == "slow":
            r["slow"].append(url)
        elif kind == "redirect_chain":
            r["chains"].append(url)
        elif kind == "not_html":
            pdf = rng.random() < 0.5
            served = _PDF if pdf else _JPEG
            r["types"][url] = "application/pdf" if pdf else "image/jpeg"
        elif kind == "truncated":
            served = page[: int(len(page) * rng.uniform(0.05, 0.95))]
        elif kind == "malformed":
            served = malformed(page)
        elif kind in ("oversize", "oversize_stream"):
            r["oversize"][url] = {"bytes": OVERSIZE_BYTES, "length": kind == "oversize"}
        elif kind == "gzip_bomb":
            if self._bomb is None:
                self._bomb = gzip_bomb()
            served = self._bomb
            r["encoded"][url] = "gzip"
            r["types"][url] = "text/html"
        elif kind == "flaky":
            r["flaky"][url] = FLAKY_FAILURES
        if AFFECTS[kind]:
            self.affected.add(url)
        self.faults.append({"url": url, "kind": kind, "affected": AFFECTS[kind],
                            "expect": KINDS[kind]})
        return served

    def spec(self, truth_urls: list[str]) -> dict[str, Any]:
        """The ``"injected"`` entry of faults.json."""
        return {
            "urls": [f["url"] for f in self.faults],
            "rate": self.rate,
            "in_truth": False,
            "expect": "every fault a counted, logged outcome; every unaffected article "
                      "exported or recorded as a duplicate",
            "kinds": KINDS,
            "faults": self.faults,
            "unaffected": [u for u in truth_urls if u not in self.affected],
        }
