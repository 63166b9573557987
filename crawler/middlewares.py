"""Downloader middlewares: the network guard and robots.txt Crawl-delay."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.sites import NETWORK_DOMAINS, domain_of

logger = logging.getLogger(__name__)


def refusal_reason(url: str, extra_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why the crawler must not request this URL, or None when it may.

    Only http(s) URLs on network hosts (or the hosts of explicit start URLs) are allowed;
    IP literals (loopback, private or public) and other schemes never are.

    >>> refusal_reason("https://www.spacewar.com/index.html") is None
    True
    >>> refusal_reason("file:///etc/passwd")
    'scheme'
    >>> refusal_reason("http://127.0.0.1:6379/")
    'ip_address'
    >>> refusal_reason("https://evil.example.com/")
    'offsite'
    >>> refusal_reason("https://news.example.org/a", frozenset({"news.example.org"})) is None
    True
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "scheme"
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return "ip_address"
    except ValueError:
        pass
    if host in extra_hosts or domain_of(host) in NETWORK_DOMAINS:
        return None
    if host in ("localhost",) or host.endswith(".localhost"):
        return "loopback"
    return "offsite"


class NetworkGuardMiddleware:
    """Refuses, and counts, every request off the network: redirects and links alike.

    Stats: ``security/refused/<reason>``. Hosts of explicit start URLs are allowed through the
    spider attribute ``extra_hosts``. The mirror (MIRROR_URL) is reached by the download handler
    beneath this middleware, never by an address a page can name.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkGuardMiddleware:
        """Build from the crawler."""
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        """Let network requests through; refuse the rest."""
        extra: frozenset[str] = getattr(self.crawler.spider, "extra_hosts", frozenset())
        reason = refusal_reason(request.url, extra)
        if reason is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"security/refused/{reason}")
            logger.info("Refused %s (%s)", request.url, reason)
            raise IgnoreRequest(f"refused: {reason}")


class CrawlDelayMiddleware:
    """Honours robots.txt ``Crawl-delay`` per host (Scrapy's robots middleware ignores it).

    The delay read when robots.txt is parsed becomes the minimum delay of the host's download
    slot, re-applied before every request because AutoThrottle may lower it. Off when
    ``SMN_POLITE`` is false (loopback benchmarks only).
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        if not settings.getbool("SMN_POLITE", True) or not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.max_delay = settings.getfloat("SMN_MAX_CRAWL_DELAY", 60.0)
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
        agent = self.crawler.settings.get("USER_AGENT", "*")
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
        if slot is not None and slot.delay < delay:
            slot.delay = delay
