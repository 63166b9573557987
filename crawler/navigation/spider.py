"""The ``smn`` spider: navigation only. Extraction lives in crawler.pages, the link rules in
crawler.navigation.links."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.components.dupefilter import KeySet
from crawler.navigation.feedlinks import feed_links, looks_like_feed
from crawler.navigation.links import (
    ARTICLE_PRIORITY,
    FEED_PRIORITY,
    LinkPolicy,
    is_feed_url,
    link_priority,
)
from crawler.pages import extract_article
from crawler.sites import (
    SITES,
    SITES_BY_DOMAIN,
    WORDPRESS_DOMAINS,
    domain_of,
    looks_like_article_url,
)
from crawler.state import State, key64, shared_state
from crawler.text import canonical_url

_BINARY_MAGIC = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"PK\x03\x04", b"\x1f\x8b")


def is_markup(response: Response) -> bool:
    """Whether a response is HTML or XML by its declared type and its first bytes.

    Scrapy picks an HtmlResponse from an ``.html`` address even for a PDF body.
    """
    ctype = response.headers.get(b"Content-Type", b"") or b""
    mime = ctype.split(b";")[0].strip().lower()
    if mime and not (b"html" in mime or b"xml" in mime or mime.startswith(b"text/")):
        return False
    return not response.body[:8].lstrip().startswith(_BINARY_MAGIC)


def _unsigned_key(url: str) -> int:
    """The unsigned 64-bit key of an address, as a KeySet holds it.

    >>> 0 <= _unsigned_key("https://www.spacewar.com/") < 2**64
    True
    """
    return key64(url) & 0xFFFF_FFFF_FFFF_FFFF


def _split(value: str | Iterable[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v.strip()]


def site_domains(sites: str | Iterable[str] | None) -> list[str]:
    """The domains a ``sites`` argument names (all when empty); ValueError naming the known
    sites when one is not of the network.

    >>> site_domains("www.spacewar.com, terradaily.com")
    ['spacewar.com', 'terradaily.com']
    >>> site_domains("bogus.com")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown site: bogus.com (known: spacewar.com, spacedaily.com, ...)
    """
    domains = [domain_of(s) for s in _split(sites)] or [s.domain for s in SITES]
    unknown = [d for d in domains if d not in SITES_BY_DOMAIN]
    if unknown:
        raise ValueError(f"unknown site{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)} "
                         f"(known: {', '.join(s.domain for s in SITES)})")
    return domains


class SmnSpider(scrapy.Spider):
    """Crawls the Space Media Network: home, sections and pagination, feeds, related links.

    Arguments: ``sites`` (comma-separated domains, default all), ``start_urls``
    (comma-separated live addresses of any kind of page; their hosts are allowed) and
    ``resume`` (1: an interrupted run goes on, so unchanged hubs are read again in full).

    Incremental by the persistent state (crawler.state): a link to an address already exported
    or recorded as a duplicate is not requested; a hub that the HTTP cache revalidated as
    unchanged (304) is not followed; pagination stops at the first page with no new article
    (``SMN_PAGINATION_STOP``; the distributed add-on turns it off).
    """

    name = "smn"
    state: State
    stop_pagination: bool = False

    def __init__(
        self,
        sites: str | None = None,
        start_urls: str | None = None,
        resume: str | None = None,
        *args: Any,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.site_domains = site_domains(sites)
        self.seed_urls = _split(start_urls)
        self.extra_hosts: frozenset[str] = frozenset(
            (urlsplit(u).hostname or "").lower() for u in self.seed_urls
        )
        self.links = LinkPolicy(
            site_filter=frozenset(self.site_domains) if sites else None,
            extra_hosts=self.extra_hosts,
        )
        self.resume = str(resume or "").lower() in ("1", "true", "yes")
        self.parsed_this_run: set[int] = set()
        """64-bit keys of the article addresses parsed in this run (about 60 bytes each)."""
        self.requested_this_run = KeySet()
        """64-bit keys of the addresses requested in this run (8 bytes each): a link met again
        makes no second Request that the dupefilter would only drop (issue 17)."""

    @classmethod
    def check_arguments(cls, sites: str | None = None, **_: Any) -> None:
        """ValueError, with one line to show, when the spider arguments cannot start a crawl."""
        site_domains(sites)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SmnSpider:
        """Build the spider and hook it to the shared state."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.state = shared_state(crawler)
        crawler.signals.connect(spider._connect_late, signal=signals.engine_started)
        # A resumed run reads hubs again in full: "known before this run" includes its own
        # first attempt's articles.
        spider.stop_pagination = (
            not spider.resume and crawler.settings.getbool("SMN_PAGINATION_STOP")
        )
        return spider

    def _connect_late(self) -> None:
        # After the pipelines' own item_scraped handlers: the dedupe pipeline records the story
        # there, and an alias can only point at a recorded story.
        self.crawler.signals.connect(self.item_exported, signal=signals.item_scraped)

    def item_exported(self, item: Any, response: Response | None = None) -> None:
        """Remember the addresses an exported article was fetched by (aliases, redirects)."""
        if response is None:
            return
        url = ItemAdapter(item).get("url")
        if url is None or self.state.seen_url(str(url)) is None:
            return
        for fetched in {response.url, *response.meta.get("redirect_urls", ())}:
            if fetched != url and self.state.seen_url(fetched) is None:
                self.state.add_url(fetched, str(url))

    def seed_addresses(self) -> list[str]:
        """The addresses a crawl starts from: explicit start URLs, else homes and feeds."""
        if self.seed_urls:
            return list(self.seed_urls)
        urls: list[str] = []
        for domain in self.site_domains:
            site = SITES_BY_DOMAIN[domain]
            urls += [site.home_url, site.feed_url]
            if domain in WORDPRESS_DOMAINS:
                urls += [f"https://{domain}/", f"https://{domain}/feed/"]
        return urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Seed the crawl from :meth:`seed_addresses`."""
        for url in self.seed_addresses():
            priority = FEED_PRIORITY if is_feed_url(url) else ARTICLE_PRIORITY
            self.requested_this_run.add(_unsigned_key(url))
            yield scrapy.Request(
                url,
                callback=self.parse,
                errback=self.on_error,
                priority=priority,
                meta={"smn_hub": not looks_like_article_url(url)},
            )

    # --- navigation ----------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """Whether a link is one the crawl follows (the link policy's verdict, counted)."""
        follow, refusal = self.links.verdict(url)
        if refusal is not None:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"security/refused_link/{refusal}")
        return follow

    def follow(self, response: Response, hrefs: Iterable[str], hub_depth: int) -> Iterator[
        scrapy.Request
    ]:
        """Requests for the allowed links among hrefs that the state does not know yet."""
        for url in self.new_links(response, hrefs):
            yield self.request(url, hub_depth)

    def new_links(self, response: Response, hrefs: Iterable[str]) -> list[str]:
        """Allowed, canonical links of a page, without those already exported or recorded."""
        stats = self.crawler.stats
        assert stats is not None
        seen: set[str] = set()
        links: list[str] = []
        for href in hrefs:
            url = canonical_url(href, base=response.url)
            if url in seen or not self.allowed(url):
                continue
            seen.add(url)
            if self.state.seen_url(url) is not None:
                stats.inc_value("incremental/skipped")
                continue
            if _unsigned_key(url) in self.requested_this_run:
                continue
            links.append(url)
        return links

    def request(self, url: str, hub_depth: int) -> scrapy.Request:
        """The request for a link; hubs are marked for the HTTP cache (conditional requests)."""
        hub = not looks_like_article_url(url)
        self.requested_this_run.add(_unsigned_key(url))
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            priority=link_priority(url, hub_depth),
            meta={"hub_depth": hub_depth, "smn_hub": hub},
        )

    def on_error(self, failure: Failure) -> None:
        """Count and log a request that failed for good (after retries): never a traceback."""
        stats = self.crawler.stats
        assert stats is not None
        exc = failure.value
        reason = f"http_{exc.response.status}" if isinstance(exc, HttpError) else (
            type(exc).__name__
        )
        if "decompress" in str(exc).lower():
            reason = "decompression_bomb"
        stats.inc_value(f"errors/{reason}")
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        self.logger.warning("Failed %s: %s (%s)", url, reason, str(exc)[:200])

    def parse(self, response: Response) -> Iterator[Any]:
        """Dispatch a page: feed, article or hub."""
        stats = self.crawler.stats
        assert stats is not None
        hub_depth = int(response.meta.get("hub_depth", 0))
        if "cached" in response.flags and not self.resume:
            stats.inc_value("incremental/hub_unchanged")  # 304: nothing new below it
            return
        if looks_like_feed(response.body[:1024]):
            links, clean = feed_links(response.body)
            stats.inc_value("pages/feed")
            if not clean:
                stats.inc_value("pages/feed_malformed")
                self.logger.warning(
                    "Malformed feed %s: %d links recovered", response.url, len(links)
                )
            yield from self.follow(response, links, hub_depth)
            return
        if not isinstance(response, TextResponse) or not is_markup(response):
            stats.inc_value("pages/not_html")
            return
        article = extract_article(response)
        if article is not None:
            stats.inc_value("pages/article")
            self.parsed_this_run.update((key64(article.url), key64(response.url)))
            related = [link["url"] for link in article.related_links]
            related += [link["url"] for link in article.related_articles]
            yield article
            yield from self.follow(response, related, hub_depth)
            return
        stats.inc_value("pages/hub")
        links = self.new_links(response, response.xpath("//a/@href").getall())
        if hub_depth >= 1 and self.stop_pagination and self.only_known_articles(response):
            # A section or pagination page whose articles were all known before this run:
            # older pages hold none either.
            stats.inc_value("incremental/pagination_stopped")
            links = [u for u in links if looks_like_article_url(u)]
        for url in links:
            yield self.request(url, hub_depth + 1)

    def only_known_articles(self, response: Response) -> bool:
        """Whether every article the page links to was exported before this run started.

        Articles exported during this run do not count as known: a first crawl meets a section
        page after the home page and feeds already gave its articles, and must go on.
        """
        known = 0
        for href in response.xpath("//a/@href").getall():
            url = canonical_url(href, base=response.url)
            if not looks_like_article_url(url) or not self.allowed(url):
                continue
            if self.state.seen_url(url) is None or key64(url) in self.parsed_this_run:
                return False
            known += 1
        return known > 0
