"""A download handler that fetches live network addresses from an offline mirror.

With the setting ``MIRROR_URL`` (e.g. ``http://127.0.0.1:8080``), a request for
``https://www.spacewar.com/reports/X_999.html`` is fetched from
``http://127.0.0.1:8080/www.spacewar.com/reports/X_999.html`` and its response carries the
live address again. Everything above the downloader (robots.txt, redirects, dupefilter,
spider, items, outputs) only ever sees live addresses. Without the setting, requests go out
unchanged through Scrapy's own HTTP/1.1 handler.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Response


def mirror_address(live_url: str, mirror_url: str) -> str:
    """The mirror address of a live URL.

    >>> mirror_address("https://www.spacewar.com/reports/X_999.html?a=1", "http://127.0.0.1:8080/")
    'http://127.0.0.1:8080/www.spacewar.com/reports/X_999.html?a=1'
    >>> mirror_address("https://spacedaily.com/", "http://127.0.0.1:8080")
    'http://127.0.0.1:8080/spacedaily.com/'
    """
    parts = urlsplit(live_url)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror_url.rstrip('/')}/{(parts.hostname or '').lower()}{path}{query}"


class MirrorDownloadHandler(BaseDownloadHandler):
    """HTTP(S) handler: Scrapy's HTTP/1.1 handler, pointed at MIRROR_URL when it is set."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.mirror_url: str = str(crawler.settings.get("MIRROR_URL")).rstrip("/")
        self._http = HTTP11DownloadHandler(crawler)

    async def download_request(self, request: Request) -> Response:
        """Download the request, from the mirror when one is set."""
        if not self.mirror_url:
            return await self._http.download_request(request)
        mirrored = request.replace(url=mirror_address(request.url, self.mirror_url))
        response = await self._http.download_request(mirrored)
        # Not response.replace(): it reads every attribute, and reading a TextResponse's
        # ``encoding`` makes Scrapy guess the charset of a page that declares none
        # (charset-normalizer, a few ms) whether or not anything ever needs it.
        kept = {name: getattr(response, name) for name in Response.attributes}
        return type(response)(**{**kept, "url": request.url, "request": request})

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.close()
