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

* ``complete``: the walk reached a page older than ``since``: the window is covered;
* ``pagination_ended``: the last page was still in or after the window (older stories are not
  listed);
* ``error``: a section page could not be fetched;
* ``limit``: ``SMN_BACKFILL_MAX_PAGES`` pages were walked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
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
        walk.page, walk.older, walk.pages = url, older, walk.pages + 1
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
        if walk.waiting or walk.status != WALKING:
            return None
        if walk.dates and all(self.window.older(d) for d in walk.dates):
            walk.status = COMPLETE
        elif walk.older is None:
            walk.status = PAGINATION_ENDED
        elif walk.pages >= self.max_pages:
            walk.status = LIMIT
        else:
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
