"""Scrapy plug-ins of the WARC capture: the downloader middleware that writes every exchange,
and the spider middleware that puts each article's pointer into its record.

:class:`WarcCaptureMiddleware` sits at :data:`ORDER` in ``DOWNLOADER_MIDDLEWARES``, beneath
every built-in middleware, next to the download handler. Its ``process_response`` is the first
to see a response, so it sees what the site sent: the body before HttpCompressionMiddleware
(590) decodes it, each redirect hop before RedirectMiddleware (600) follows it, each failed
attempt before RetryMiddleware (550) retries, and a 304 before HttpCacheMiddleware (900) swaps
in the cached page. A response served from the HTTP cache without a request (flag ``cached``)
never left the machine and is not captured again.

The pointer of the record (file, record id, offset, length, payload digest) and its WARC-Date
go into the request's meta (:data:`POINTER_META`, :data:`DATE_META`); a redirect's next hop
gets its own. :class:`WarcPointerMiddleware` copies them into the ``warc`` and ``crawled_at``
fields of the articles the page yields.

Settings: ``SMN_CAPTURE_DIR`` (the folder; empty: off), ``SMN_CAPTURE_ENABLED`` (False: off),
``SMN_CAPTURE_MAX_BYTES`` (rotation size), ``SMN_CAPTURE_INDEX_PATH`` (digests across runs).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from itemadapter import ItemAdapter, is_item
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from crawler import __version__
from crawler.capture.cdxj import index_folder
from crawler.capture.digests import DigestIndex
from crawler.capture.records import (
    DATE_META,
    DEFLATE_LIBRARY,
    POINTER_META,
    Exchange,
    crawled_at,
    warc_date,
)
from crawler.capture.writer import WarcWriter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

ORDER = 950
"""Position in DOWNLOADER_MIDDLEWARES: above HttpCacheMiddleware (900), next to the handler."""
RECORDED_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE",
    "RETRY_TIMES", "REDIRECT_MAX_TIMES", "HTTPCACHE_ENABLED", "MIRROR_URL", "SMN_POLITE",
    "SMN_JOB", "SMN_CAPTURE_MAX_BYTES",
)
"""The settings a warcinfo record names (no file paths: they describe this machine only)."""


def _library_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def warcinfo(settings: BaseSettings) -> dict[str, str]:
    """The warcinfo fields of a crawl: software, format, user agent, robots, settings."""
    recorded = {name: settings.get(name) for name in RECORDED_SETTINGS}
    info = {
        "software": f"smn-crawler/{__version__} (Scrapy {scrapy.__version__}; "
                    f"warcio {_library_version('warcio')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
                      "warc-format/warc-1.1/",
        "isPartOf": str(settings.get("SMN_JOB") or "smn"),
        "http-header-user-agent": str(settings.get("USER_AGENT") or ""),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "settings": json.dumps(recorded, sort_keys=True, default=str),
    }
    if settings.get("MIRROR_URL"):
        info["description"] = ("Fetched from an offline mirror of the live sites (MIRROR_URL); "
                               "addresses are the live ones.")
    return info


def _header_list(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


def exchange_of(request: Request, response: Response, date: str) -> Exchange:
    """The exchange of a request and the response the site sent (live addresses)."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent = _header_list(request.headers)
    if not any(name.lower() == "host" for name, _ in sent):
        sent.insert(0, ("Host", parts.netloc))
    return Exchange(
        url=request.url, date=date, method=request.method, target=target,
        request_headers=sent, request_body=request.body, status=response.status,
        response_headers=_header_list(response.headers), body=response.body,
        protocol=str(getattr(response, "protocol", None) or "HTTP/1.1"),
    )


class WarcCaptureMiddleware:
    """Writes every response that reaches the downloader, with its request, to WARC files."""

    def __init__(self, crawler: Crawler, writer: WarcWriter) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.writer = writer
        self.failed = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        """Build from the settings; off without ``SMN_CAPTURE_DIR`` or when disabled."""
        settings = crawler.settings
        directory = settings.get("SMN_CAPTURE_DIR")
        if not directory or not settings.getbool("SMN_CAPTURE_ENABLED"):
            raise NotConfigured  # silent: no capture is the default of `scrapy crawl`
        if DEFLATE_LIBRARY != "zlib-ng":
            logger.warning("zlib-ng is not installed: WARC records are compressed with "
                           "Python's zlib (the same format, more CPU)")
        writer = WarcWriter(
            Path(directory), max_bytes=settings.getint("SMN_CAPTURE_MAX_BYTES"),
            info=warcinfo(settings),
            digests=DigestIndex(settings.get("SMN_CAPTURE_INDEX_PATH") or ""),
        )
        return cls(crawler, writer)

    def process_response(self, request: Request, response: Response) -> Response:
        """Capture the response (unless it came from the HTTP cache) and note its pointer."""
        if "cached" in response.flags or self.failed:
            request.meta.pop(POINTER_META, None)
            request.meta.pop(DATE_META, None)
            return response
        try:
            pointer = self.writer.write(exchange_of(request, response, warc_date()))
        except OSError as exc:
            self._fail(exc)
            request.meta.pop(POINTER_META, None)
            return response
        request.meta[POINTER_META] = pointer.item()
        request.meta[DATE_META] = pointer.date
        self.stats.inc_value(f"capture/{pointer.kind}")
        self.stats.set_value("capture/bytes", self.writer.counts["bytes"])
        return response

    def _fail(self, exc: OSError) -> None:
        """A capture that cannot be written stops the crawl: records without pages would follow."""
        self.failed = True
        self.stats.inc_value("capture/errors")
        logger.error("WARC capture failed, stopping the crawl: %s", exc)
        engine = self.crawler.engine
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="capture_failed"))

    def spider_closed(self) -> None:
        """Close the files, commit the digests, write the folder's CDXJ index."""
        self.writer.close()
        self.writer.digests.close()
        self.stats.set_value("capture/files", len(self.writer.files))
        try:
            lines = index_folder(self.writer.directory, self.writer.index_lines)
        except OSError as exc:
            logger.error("WARC index not written: %s", exc)
            return
        finally:
            for spool in self.writer.index_lines.values():
                spool.close()
        self.stats.set_value("capture/indexed", lines)


def stamp(response: Response, obj: Any) -> Any:
    """An item of a captured page with its ``warc`` pointer and the fetch's ``crawled_at``."""
    if isinstance(obj, Request) or not is_item(obj):
        return obj
    try:
        meta = response.meta
    except AttributeError:  # a response without a request: nothing captured
        return obj
    pointer = meta.get(POINTER_META)
    if pointer is None:
        return obj
    adapter = ItemAdapter(obj)
    if "warc" in adapter.field_names() or isinstance(obj, dict):
        adapter["warc"] = dict(pointer)
        adapter["crawled_at"] = crawled_at(str(meta[DATE_META]))
    return obj


class WarcPointerMiddleware:
    """Spider middleware: each article carries where its page is (``warc``) and when it was
    fetched (``crawled_at``, the record's WARC-Date)."""

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        """Stamp the items of a page (synchronous callbacks)."""
        for obj in result:
            yield stamp(response, obj)

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Stamp the items of a page (asynchronous callbacks)."""
        async for obj in result:
            yield stamp(response, obj)
