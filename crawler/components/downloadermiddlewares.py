"""Downloader middlewares: the network guard, robots.txt Crawl-delay and meta refreshes."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from w3lib.html import get_meta_refresh

from crawler.navigation.links import refusal_reason
from crawler.pages import page_text

logger = logging.getLogger(__name__)


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RefusedRequest(IgnoreRequest):
    """A request the network guard refused (the spider's errback counts it by this name)."""


class NetworkGuardMiddleware:
    """Refuses, and counts, every request off the network: redirects and links alike.

    Stats: ``security/refused/<reason>``. Hosts of explicit start URLs are allowed through the
    spider attribute ``extra_hosts``. The mirror (MIRROR_URL) is reached by the download handler
    beneath this middleware, never by an address a page can name.

    Redirects to http(s) addresses come back through :meth:`process_request` as new requests;
    redirects to other schemes (``file:``, ``ftp:``, ``data:``), which Scrapy's
    RedirectMiddleware leaves as a bare 3xx response, are refused in :meth:`process_response`.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkGuardMiddleware:
        """Build from the crawler."""
        return cls(crawler)

    def _refuse(self, url: str, reason: str, via: str = "") -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"security/refused/{reason}")
        logger.info("Refused %s%s (%s)", url[:300], via, reason)
        raise RefusedRequest(f"refused: {reason}")

    def process_request(self, request: Request) -> None:
        """Let network requests through; refuse the rest."""
        extra: frozenset[str] = getattr(self.crawler.spider, "extra_hosts", frozenset())
        reason = refusal_reason(request.url, extra)
        if reason is not None:
            self._refuse(request.url, reason)

    def process_response(self, request: Request, response: Response) -> Response:
        """Refuse a redirect to a non-HTTP scheme (left unfollowed by RedirectMiddleware)."""
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        try:
            target = urljoin(request.url, location.decode("latin-1").strip())
            scheme = urlsplit(target).scheme
        except ValueError:  # RedirectMiddleware fails on it first; nothing to follow here
            return response
        if scheme not in ("http", "https"):
            self._refuse(target, "scheme", f" (redirect from {request.url})")
        return response


class CrawlDelayMiddleware:
    """Honours robots.txt ``Crawl-delay`` per host (Scrapy's robots middleware ignores it).

    The delay read when robots.txt is parsed becomes the minimum delay of the host's download
    slot, re-applied before every request because AutoThrottle may lower it. Off when
    ``SMN_POLITE`` is false (loopback benchmarks only).
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("SMN_POLITE") or not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.max_delay = settings.getfloat("SMN_MAX_CRAWL_DELAY")
        self.delays: dict[str, float] = {}
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        """Build from the crawler."""
        return cls(crawler)

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        protego = getattr(robotparser, "rp", None)
        if protego is None or not hasattr(protego, "crawl_delay"):
            return
        agent = self.crawler.settings.get("USER_AGENT")
        delay = protego.crawl_delay(agent)
        if delay:
            netloc = urlsplit(request.url).netloc
            self.delays[netloc] = min(float(delay), self.max_delay)
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(f"robotstxt/crawl_delay/{netloc}", self.delays[netloc])

    def process_request(self, request: Request) -> None:
        """Raise the host slot's delay to the host's Crawl-delay."""
        delay = self.delays.get(urlsplit(request.url).netloc)
        if not delay or self.crawler.engine is None:
            return
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None and (slot.delay < delay or slot.jitter):
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0  # Crawl-delay is a minimum: no random shortening


class MetaRefreshMiddleware(ScrapyMetaRefresh):
    """Scrapy's meta refresh redirects, read from the page as the extraction decodes it.

    Scrapy looks for a refresh in the first 4,096 characters of ``response.text``: for a page
    that declares no charset (the classic pages declare none) and is not UTF-8, that is
    charset-normalizer's guess, which cost 2 % of a crawl's CPU. This middleware reads those
    characters from :func:`crawler.pages.page_text` (declared charset, else UTF-8, else
    windows-1252) and lets Scrapy's middleware handle only the pages that hold a refresh.
    """

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        """The response as it is when it holds no meta refresh; else Scrapy's redirect
        (``spider``: Scrapy's signature, optional and never passed)."""
        if isinstance(response, HtmlResponse) and not _holds_refresh(response, self._ignore_tags):
            return response
        return super().process_response(request, response)


def _holds_refresh(response: HtmlResponse, ignore_tags: list[str]) -> bool:
    """Whether the page's first 4,096 characters hold a meta refresh with an address.

    >>> page = b'<head><meta http-equiv="refresh" content="0; url=/b.html"></head>\\xe9'
    >>> _holds_refresh(HtmlResponse("https://www.spacewar.com/a.html", body=page), [])
    True
    >>> _holds_refresh(HtmlResponse("https://www.spacewar.com/a.html", body=b"<p>\\xe9</p>"), [])
    False
    """
    text = page_text(response)[:4096]
    return get_meta_refresh(text, response.url, "utf-8", ignore_tags=ignore_tags)[1] is not None
