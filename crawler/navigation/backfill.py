"""Backfill: collect the stories published in a date window by walking section pagination.

``crawl --since 2024-01-01 [--until 2024-06-30]`` walks every section of the chosen sites from
its first page to older pages, newest first, and stops a section's walk at the first page whose
dated articles are all older than ``since``. Dates come from what the pages show: a dateline
printed beside a headline on the section page, else the article's own dateline (the article is
fetched, or its date is known from an earlier run); never from feeds, whose dates are the build
time.

:class:`Window` is the date test; :func:`listing_items` and :func:`older_page_link` read a
section page; :class:`Walks` keeps, for every section, the page being walked and the articles
whose dates it waits for, and says when to go on, and why a walk ended (the run manifest's
``backfill.coverage``):

* ``complete``: the walk reached a page older than ``since`` (or the section's last page,
  where it had reached stories older than ``since``): the window is covered;
* ``pagination_ended``: the last page listed no story older than ``since`` (the older ones are
  not listed);
* ``error``: a section page could not be fetched;
* ``limit``: ``SMN_BACKFILL_MAX_PAGES`` pages were walked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html

from crawler.navigation.links import is_feed_url
from crawler.pages.dateline import looks_like_dateline, parse_dateline
from crawler.sites import looks_like_article_url
from crawler.text import canonical_url

COMPLETE, PAGINATION_ENDED, ERROR, LIMIT = "complete", "pagination_ended", "error", "limit"
WALKING = "walking"
_OLDER_RE = re.compile(r"^\W*(?:older|next|earlier|previous (?:entries|posts))\b|^\W*[»›]\W*$",
                       re.I)  # fmt: skip


def day(published: str | None) -> dt.date | None:
    """The day of an ISO date or datetime (None for None or garbage).

    >>> day("2024-05-31"), day("2026-01-05T09:30:00+10:00"), day("soon")
    (datetime.date(2024, 5, 31), datetime.date(2026, 1, 5), None)
    """
    if not published:
        return None
    try:
        return dt.date.fromisoformat(published[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Window:
    """The days ``since`` .. ``until`` (both included; ``until`` None: up to today)."""

    since: dt.date
    until: dt.date | None = None

    @classmethod
    def parse(cls, since: str, until: str | None = None) -> Window:
        """From the command line's ISO dates; a clear ValueError when they are wrong.

        >>> Window.parse("2024-01-01", "2024-06-30")
        Window(since=datetime.date(2024, 1, 1), until=datetime.date(2024, 6, 30))
        >>> Window.parse("2024-07-01", "2024-06-30")
        Traceback (most recent call last):
        ...
        ValueError: --until 2024-06-30 is before --since 2024-07-01
        """
        first = _date_arg("--since", since)
        last = _date_arg("--until", until) if until else None
        if last is not None and last < first:
            raise ValueError(f"--until {last} is before --since {first}")
        return cls(first, last)

    def contains(self, published: str | None) -> bool:
        """Whether a publication date falls in the window (an undated story never does).

        >>> w = Window.parse("2024-06-01", "2024-06-30")
        >>> [w.contains(d) for d in ("2024-06-01", "2024-06-30T23:00:00+10:00", "2024-07-01",
        ...                          None)]
        [True, True, False, False]
        """
        d = day(published)
        return d is not None and self.since <= d and (self.until is None or d <= self.until)

    def older(self, published: str | None) -> bool:
        """Whether a date is before the window (None: not known to be).

        >>> Window.parse("2024-06-01").older("2024-05-31"), Window.parse("2024-06-01").older(None)
        (True, False)
        """
        d = day(published)
        return d is not None and d < self.since

    def describe(self) -> dict[str, str | None]:
        """The window as the manifest shows it."""
        return {"since": self.since.isoformat(),
                "until": self.until.isoformat() if self.until else None}  # fmt: skip


def _date_arg(name: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name} takes a date as YYYY-MM-DD, not {value!r}") from None


def listing_items(body: str | bytes, base_url: str) -> list[tuple[str, str | None]]:
    """The articles a section page lists, in page order, each with the date printed beside it
    (a dateline between its headline and the next one), or None.

    >>> page = ('<a href="/reports/A_999.html">A</a><span>Paris (AFP) May 31, 2024</span>'
    ...         '<a href="/reports/B_999.html">B</a><a href="/reports/A_999.html">read more</a>'
    ...         '<a href="/Older-p2.html">Older news</a>')
    >>> [(u.rsplit("/", 1)[1], d) for u, d in listing_items(page, "https://www.spacewar.com/")]
    [('A_999.html', '2024-05-31'), ('B_999.html', None)]
    """
    if not body or not body.strip():
        return []
    tree = lxml_html.fromstring(body, base_url=base_url)
    tree.make_links_absolute(base_url, resolve_base_href=True)
    items: dict[str, str | None] = {}
    current: str | None = None
    for element in tree.iter():
        if element.tag == "a" and element.get("href"):
            url = canonical_url(element.get("href", ""), base=base_url)
            if looks_like_article_url(url) and not is_feed_url(url):
                items.setdefault(url, None)
                current = url
            continue
        if current is None or items.get(current) is not None:
            continue
        for text in (element.text, element.tail):
            if text and looks_like_dateline(text):
                items[current] = parse_dateline(text).published
                break
    return list(items.items())


def older_page_link(body: str | bytes, base_url: str) -> str | None:
    """The link to the next older page of a paginated listing, by its text ("Older news",
    "Older posts", "Next", "»"), on the same host; None on the last page.

    >>> older_page_link('<a href="/W-p1.html">Newer news</a> | <a href="/W-p3.html">Older '
    ...                 'news</a>', "https://www.spacewar.com/W-p2.html")
    'https://www.spacewar.com/W-p3.html'
    >>> older_page_link('<a href="/W-p1.html">Newer news</a>', "https://www.spacewar.com/W-p2.html")
    """
    if not body or not body.strip():
        return None
    tree = lxml_html.fromstring(body, base_url=base_url)
    tree.make_links_absolute(base_url, resolve_base_href=True)
    host = urlsplit(base_url).hostname
    for a in tree.iter("a"):
        text = " ".join(a.text_content().split())
        href = a.get("href")
        if href and _OLDER_RE.search(text) and urlsplit(href).hostname == host:
            return canonical_url(href)
    return None


@dataclass
class Walk:
    """One section's walk through its pages, newest first."""

    site: str
    start: str
    """Address of the section's first page (its key)."""
    page: str = ""
    """The page being walked."""
    pages: int = 0
    status: str = WALKING
    waiting: set[str] = field(default_factory=set)
    """Articles of the page whose dates are not known yet."""
    dates: list[str] = field(default_factory=list)
    """Dates of the page's articles known so far."""
    older: str | None = None
    """The page's link to the next older page."""
    asked: bool = False
    """Whether the next older page was asked for already."""
    newest: str | None = None
    oldest: str | None = None
    in_window: int = 0
    """Articles of the window the walk listed."""

    def describe(self) -> dict[str, Any]:
        """The walk as the manifest's coverage shows it."""
        return {"complete": self.status == COMPLETE, "reason": self.status, "pages": self.pages,
                "newest": self.newest, "oldest": self.oldest, "in_window": self.in_window}


class Walks:
    """Every section walk of a backfill, and what to do next in each."""

    def __init__(self, window: Window, max_pages: int) -> None:
        self.window = window
        self.max_pages = max_pages
        self.walks: dict[str, Walk] = {}

    def begin(self, site: str, start: str) -> Walk | None:
        """Start walking a section at its first page (None when it is walked already)."""
        if start in self.walks:
            return None
        walk = self.walks[start] = Walk(site, start)
        return walk

    def page(self, walk: Walk, url: str, items: Iterable[tuple[str, str | None]],
             older: str | None, known: dict[str, str | None]) -> list[str]:
        """A page of the walk was read: its items (address, listed date) and older link.
        ``known`` gives the dates of articles known from earlier runs. Returns the articles
        to fetch: in the window or of unknown date, and not known."""
        walk.page, walk.older, walk.pages, walk.asked = url, older, walk.pages + 1, False
        walk.waiting, walk.dates = set(), []
        fetch = []
        for item, listed in items:
            date = listed or known.get(item)
            if date is not None:
                self._dated(walk, date)
                if item not in known and self.window.contains(date):
                    fetch.append(item)
            elif item in known:
                continue  # known, undated: nothing to learn
            else:
                walk.waiting.add(item)
                fetch.append(item)
        return fetch

    def _dated(self, walk: Walk, date: str) -> None:
        walk.dates.append(date)
        if self.window.contains(date):
            walk.in_window += 1
        walk.newest = max(walk.newest or date, date)
        walk.oldest = min(walk.oldest or date, date)

    def dated(self, walk: Walk, item: str, published: str | None) -> None:
        """A fetched article of the page told its date (None: it has none, or failed)."""
        if item in walk.waiting:
            walk.waiting.discard(item)
            if published:
                self._dated(walk, published)

    def next_page(self, walk: Walk) -> str | None:
        """Once the page's dates are all known: the older page to walk, or None when the walk
        ends (its status then says why)."""
        if walk.waiting or walk.status != WALKING or walk.asked:
            return None
        if walk.dates and all(self.window.older(d) for d in walk.dates):
            walk.status = COMPLETE
        elif walk.older is None:
            walk.status = COMPLETE if self.window.older(walk.oldest) else PAGINATION_ENDED
        elif walk.pages >= self.max_pages:
            walk.status = LIMIT
        else:
            walk.asked = True
            return walk.older
        return None

    def failed(self, walk: Walk) -> None:
        """A page of the walk could not be fetched."""
        walk.status = ERROR
        walk.waiting.clear()

    def coverage(self) -> dict[str, dict[str, Any]]:
        """Per site and section: whether the window was covered, or why not."""
        out: dict[str, dict[str, Any]] = {}
        for start, walk in sorted(self.walks.items()):
            path = urlsplit(start).path or "/"
            out.setdefault(walk.site, {})[f"{urlsplit(start).hostname}{path}"] = walk.describe()
        return out


HOME, SECTION, WALK, ITEM = "backfill_home", "backfill_section", "backfill_walk", "backfill_item"
"""Request meta keys of a backfill: a home page, a section's first page (a walk starts there
when it lists articles), a page of a walk (its key), an article of a walk's page (its address
as listed)."""
_HOME_PATHS = ("", "/", "/index.html")


class Backfill:
    """The backfill's navigation, for the spider: homes -> sections -> their pages, newest
    first -> the articles each page lists that are not known yet.

    The spider gives its link policy, state, stats and article extraction; every request of the
    backfill comes from here and its answer comes back here (:meth:`parse`, :meth:`failed`).
    Articles dated outside the window are not exported: their date is noted in the state so
    that the next backfill need not fetch them (``backfill/outside_window``).
    """

    def __init__(self, spider: Any, window: Window, max_pages: int) -> None:
        self.spider = spider
        self.window = window
        self.walks = Walks(window, max_pages)

    @property
    def stats(self) -> Any:
        """The crawl's stats collector."""
        return self.spider.crawler.stats

    def request(self, url: str, meta: dict[str, Any], *, article: bool = False) -> Any:
        """A request of the backfill (articles: first, and never filtered as seen)."""
        import scrapy

        from crawler.navigation.links import ARTICLE_PRIORITY, HUB_PRIORITY

        return scrapy.Request(url, callback=self.parse, errback=self.failed, meta=meta,
                              priority=ARTICLE_PRIORITY if article else HUB_PRIORITY,
                              dont_filter=article)  # fmt: skip

    def seeds(self, homes: Iterable[str]) -> list[Any]:
        """The requests of the sites' home pages."""
        return [self.request(url, {HOME: True, "smn_hub": True}) for url in homes]

    # -- answers ------------------------------------------------------------------------------
    def parse(self, response: Any) -> Iterator[Any]:
        """Route an answer of the backfill."""
        meta = response.meta
        if ITEM in meta:
            yield from self._article(response)
        elif HOME in meta:
            yield from self._home(response)
        else:
            yield from self._listing(response)

    def failed(self, failure: Any) -> Iterator[Any]:
        """A request of the backfill failed for good: count it, and let its walk go on (an
        article) or end it with an error (a page; a robots-refused link is no section)."""
        from scrapy.exceptions import IgnoreRequest

        self.spider.on_error(failure)
        request = failure.request
        meta = request.meta
        walk = self.walks.walks.get(meta.get(WALK, ""))
        if ITEM in meta and walk is not None:
            self.walks.dated(walk, meta[ITEM], None)
            yield from self._go_on(walk)
        elif WALK in meta and walk is not None:
            self.walks.failed(walk)
        elif SECTION in meta and not isinstance(failure.value, IgnoreRequest):
            walk = self.walks.begin(self._site(request.url), request.url)
            if walk is not None:
                self.walks.failed(walk)

    def _site(self, url: str) -> str:
        from crawler.sites import domain_of

        return domain_of(urlsplit(url).hostname or "")

    def _home(self, response: Any) -> Iterator[Any]:
        """A home page: every same-host hub it links to may be a section."""
        self.stats.inc_value("pages/hub")
        host = urlsplit(response.url).hostname
        seen: set[str] = set()
        for href in response.xpath("//a/@href").getall():
            url = canonical_url(href, base=response.url)
            parts = urlsplit(url)
            if (url in seen or parts.hostname != host or parts.path in _HOME_PATHS
                    or looks_like_article_url(url) or is_feed_url(url)
                    or not self.spider.allowed(url)):
                continue
            seen.add(url)
            yield self.request(url, {SECTION: True, "smn_hub": True})

    def _listing(self, response: Any) -> Iterator[Any]:
        """A section's page: the walk reads its articles' dates and fetches the unknown ones."""
        body = getattr(response, "text", "")
        items = [(u, d) for u, d in listing_items(body, response.url) if self.spider.allowed(u)]
        if SECTION in response.meta:
            if not items:
                return  # a hub that lists no article: not a section
            walk = self.walks.begin(self._site(response.url), response.url)
            if walk is None:
                return
        else:
            walk = self.walks.walks[response.meta[WALK]]
        self.stats.inc_value("pages/hub")
        state = self.spider.state
        known = {url: state.published_of(url) for url, _ in items
                 if state.seen_url(url) is not None or state.published_of(url) is not None}
        self.stats.inc_value("incremental/skipped", len(known))
        for url in self.walks.page(walk, response.url, items,
                                   older_page_link(body, response.url), known):
            yield self.request(url, {WALK: walk.start, ITEM: url}, article=True)
        yield from self._go_on(walk)

    def _article(self, response: Any) -> Iterator[Any]:
        """An article of a walk's page: its date decides whether it is exported."""
        from scrapy.http import TextResponse

        from crawler.pages import extract_article

        walk = self.walks.walks[response.meta[WALK]]
        article = None
        if isinstance(response, TextResponse):
            article = extract_article(response)
        published = article.published if article is not None else None
        self.walks.dated(walk, response.meta[ITEM], published)
        if article is not None:
            for url in {response.url, response.meta[ITEM], article.url}:
                self.spider.state.note_published(url, published or "")  # "": known, undated
            if self.window.contains(published):
                self.stats.inc_value("pages/article")
                yield article
            else:
                self.stats.inc_value("backfill/outside_window")
        yield from self._go_on(walk)

    def _go_on(self, walk: Walk) -> Iterator[Any]:
        older = self.walks.next_page(walk)
        if older is not None:
            yield self.request(older, {WALK: walk.start, "smn_hub": True})

    def summary(self) -> dict[str, Any]:
        """What the run manifest shows of the backfill."""
        return {**self.window.describe(), "coverage": self.walks.coverage()}
