"""A download handler that answers requests from WARC files: a crawl with no network.

The answer is the stored response as the site sent it (status, headers, body before content
decoding), so every middleware above the handler treats it as it treated the live one:
HttpCompressionMiddleware decodes it, the response class is chosen the same way. A request
may name the exact record in its meta (:data:`REPLAY_META`, a ``warc`` pointer); otherwise the
latest capture of its address answers, and an address never captured gets a 404. The pointer
and WARC-Date of the record go into the request's meta as the capture middleware puts them,
so the articles of a replayed page carry the same ``warc`` and ``crawled_at`` as the originals.

The captures come from the spider's ``captures`` attribute (a :class:`Captures`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from crawler.capture.reader import Captures, Page
from crawler.capture.records import DATE_META, POINTER_META

REPLAY_META = "smn_replay"
"""Request meta: the ``warc`` pointer of the record that answers this request."""


def scrapy_headers(headers: list[tuple[str, str]]) -> Headers:
    """Scrapy headers from stored (name, value) pairs, repeated names kept.

    >>> scrapy_headers([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]).getlist("Set-Cookie")
    [b'a=1', b'b=2']
    """
    grouped: dict[bytes, list[bytes]] = defaultdict(list)
    for name, value in headers:
        grouped[name.encode("latin-1")].append(value.encode("latin-1", "replace"))
    return Headers(dict(grouped))


def response_of(page: Page, request: Request) -> Response:
    """The Scrapy response of a stored page, for ``request``."""
    headers = scrapy_headers(page.headers)
    cls = responsetypes.from_args(headers=headers, url=request.url, body=page.body)
    return cls(url=request.url, status=page.status, headers=headers, body=page.body,
               request=request, protocol="HTTP/1.1")


class WarcReplayHandler(BaseDownloadHandler):
    """HTTP(S) handler reading from the spider's captures instead of the network."""

    reaches_network = False
    """Nothing leaves the machine: politeness towards the live sites has nothing to guard."""

    async def download_request(self, request: Request) -> Response:
        """The stored answer to ``request`` (404 for an address never captured)."""
        spider: Any = self.crawler.spider
        captures: Captures = spider.captures
        pointer = request.meta.get(REPLAY_META)
        if pointer is None:
            entry = captures.latest(request.url)
            if entry is None:
                return Response(request.url, status=404, request=request)
            pointer = entry.pointer()
        page = captures.page(pointer)
        request.meta[POINTER_META] = dict(pointer)
        request.meta[DATE_META] = page.date
        return response_of(page, request)
