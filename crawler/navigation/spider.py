"""The ``smn`` spider: navigation only. Extraction lives in crawler.pages, the link rules in
crawler.navigation.links."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime
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
from crawler.navigation.backfill import Backfill, Window
from crawler.navigation.feedlinks import feed_links, looks_like_feed
from crawler.navigation.links import (
    ARTICLE_PRIORITY,
    FEED_PRIORITY,
    LinkPolicy,
    is_feed_url,
    link_priority,
)
from crawler.navigation.revisits import GONE, REVISIT, header, revisit_request, today
from crawler.pages import extract_article, page_links
from crawler.pipelines.outputs import JsonLinesWriter
from crawler.similarity import version_of
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
    (comma-separated live addresses of any kind of page; their hosts are allowed), ``resume``
    (1: an interrupted run goes on, so unchanged hubs are read again in full), and ``since`` and
    ``until`` (ISO dates: a backfill of that window, crawler.navigation.backfill, instead of
    the regular crawl).

    Incremental by the persistent state (crawler.state): a link to an address already exported
    or recorded as a duplicate is not requested; a hub that the HTTP cache revalidated as
    unchanged (304) is not followed; pagination stops at the first page with no new article
    (``SMN_PAGINATION_STOP``; the distributed add-on turns it off). Stories published within
    ``SMN_REFRESH_DAYS`` of their host's newest are revisited with conditional requests
    (crawler.navigation.revisits).
    """

    name = "smn"
    state: State
    stop_pagination: bool = False
    refresh_days: int = 0
    backfill: Backfill | None = None
    gone_file: JsonLinesWriter | None = None

    def __init__(
        self,
        sites: str | None = None,
        start_urls: str | None = None,
        resume: str | None = None,
        since: str | None = None,
        until: str | None = None,
        *args: Any,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if until and not since:
            raise ValueError("until needs since: a backfill window starts somewhere")
        self.window = Window.parse(since, until) if since else None
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
        self.parsed_this_run = KeySet()
        """64-bit keys of the article addresses parsed in this run (8 bytes each)."""
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
        spider.refresh_days = crawler.settings.getint("SMN_REFRESH_DAYS")
        if spider.window is not None:
            spider.backfill = Backfill(spider, spider.window,
                                       crawler.settings.getint("SMN_BACKFILL_MAX_PAGES"))
        spider.gone_file = JsonLinesWriter(crawler, "gone", "SMN_GONE_PATH")
        crawler.signals.connect(spider._closing, signal=signals.spider_closed)
        return spider

    def _closing(self) -> None:
        assert self.crawler.stats is not None
        if self.backfill is not None:
            self.crawler.stats.set_value("backfill/summary", self.backfill.summary())
        if self.gone_file is not None and self.gone_file.count:
            self.gone_file.close()

    def _connect_late(self) -> None:
        # After the pipelines' own item_scraped handlers: the dedupe pipeline records the story
        # there, and an alias can only point at a recorded story.
        self.crawler.signals.connect(self.item_exported, signal=signals.item_scraped)

    def item_exported(self, item: Any, response: Response | None = None) -> None:
        """Remember the addresses an exported article was fetched by (aliases, redirects) and
        its page's validators (for conditional revisits)."""
        if response is None:
            return
        url = ItemAdapter(item).get("url")
        if url is None or self.state.seen_url(str(url)) is None:
            return
        for fetched in {response.url, *response.meta.get("redirect_urls", ())}:
            if fetched != url and self.state.seen_url(fetched) is None:
                self.state.add_url(fetched, str(url))
        self.keep_validators(str(url), response)

    def keep_validators(self, url: str, response: Response) -> None:
        """Remember the ETag and Last-Modified a story's page was fetched with."""
        etag, last_modified = header(response, "ETag"), header(response, "Last-Modified")
        if etag or last_modified:
            self.state.set_validators(url, etag, last_modified)

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
        """Seed the crawl from :meth:`seed_addresses`, then revisit the recent stories; a
        backfill starts from the home pages only."""
        if self.backfill is not None:
            for request in self.backfill.seeds(self.home_addresses()):
                yield request
            return
        # Read before the first request goes out: the stories of earlier runs only, not the
        # ones this run (or another worker of its job) exports while the seeds are consumed.
        recent = (self.state.recent(self.refresh_days, today())
                  if self.refresh_days > 0 and not self.seed_urls else [])
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
        assert self.crawler.stats is not None
        for story in recent:
            self.crawler.stats.inc_value("revisits/requested")
            yield revisit_request(story, self.state.validators(story.url), self.revisited,
                                  self.on_revisit_error)  # fmt: skip

    def home_addresses(self) -> list[str]:
        """The home pages of the sites (classic, and the WordPress home where there is one)."""
        urls = [SITES_BY_DOMAIN[d].home_url for d in self.site_domains]
        urls += [f"https://{d}/" for d in self.site_domains if d in WORDPRESS_DOMAINS]
        return urls

    # --- revisits --------------------------------------------------------------------------

    def revisited(self, response: Response) -> Iterator[Any]:
        """The answer to a revisit: unchanged, the same body, a new revision, or gone."""
        stats = self.crawler.stats
        assert stats is not None
        stored = response.meta[REVISIT]
        if response.status == 304:
            stats.inc_value("revisits/unchanged")
            return
        if response.status in GONE:
            self.gone(stored["url"], response.status)
            return
        article = None
        if isinstance(response, TextResponse) and is_markup(response):
            article = extract_article(response)
        if article is None:
            stats.inc_value("revisits/not_an_article")
            return
        same = (version_of(article.title, article.body) == stored["version"]
                if stored["version"] else article.fingerprint == stored["fingerprint"])
        if same:
            stats.inc_value("revisits/same_body")
            self.keep_validators(stored["url"], response)
            return
        stats.inc_value("revisits/revised")
        stats.inc_value("pages/article")
        article.url = stored["url"]
        article.revision = int(stored["revision"]) + 1
        article.previous_fingerprint = stored["fingerprint"]
        yield article

    def gone(self, url: str, status: int) -> None:
        """A stored story answered 404 or 410: record it in the state and the gone file."""
        assert self.crawler.stats is not None and self.gone_file is not None
        self.crawler.stats.inc_value("revisits/gone")
        self.state.mark_gone(url, status)
        self.gone_file.write({"url": url, "status": status,
                              "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
        self.logger.info("Gone (%d): %s", status, url)

    def on_revisit_error(self, failure: Failure) -> None:
        """A revisit failed for good (not a 404/410): counted, tried again by the next run."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("revisits/failed")
        self.on_error(failure)

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
        allowed: list[str] = []
        for href in hrefs:
            url = canonical_url(href, base=response.url)
            if url in seen or not self.allowed(url):
                continue
            seen.add(url)
            allowed.append(url)
        # most links of a page were asked for before: asked of this run's keys (one search for
        # the page) before the state, which is on disk
        asked = self.requested_this_run.contains_many([_unsigned_key(url) for url in allowed])
        links: list[str] = []
        for url, before in zip(allowed, asked, strict=True):
            if before:
                continue
            if self.state.seen_url(url) is not None:
                stats.inc_value("incremental/skipped")
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
            self.parsed_this_run.add(_unsigned_key(article.url))
            self.parsed_this_run.add(_unsigned_key(response.url))
            related = [link["url"] for link in article.related_links]
            related += [link["url"] for link in article.related_articles]
            yield article
            yield from self.follow(response, related, hub_depth)
            return
        stats.inc_value("pages/hub")
        links = self.new_links(response, page_links(response))
        if hub_depth >= 1 and self.stop_pagination and self.only_known_articles(response):
            # A section or pagination page whose articles were all known before this run:
            # older pages hold none either.
            stats.inc_value("incremental/pagination_stopped")
            links = [u for u in links if looks_like_article_url(u)]
        for url in links:
            yield self.request(url, hub_depth + 1)

    def only_known_articles(self, response: TextResponse) -> bool:
        """Whether every article the page links to was exported before this run started.

        Articles exported during this run do not count as known: a first crawl meets a section
        page after the home page and feeds already gave its articles, and must go on.
        """
        known = 0
        for href in page_links(response):
            url = canonical_url(href, base=response.url)
            if not looks_like_article_url(url) or not self.allowed(url):
                continue
            if self.state.seen_url(url) is None or _unsigned_key(url) in self.parsed_this_run:
                return False
            known += 1
        return known > 0
