"""The fixed rule that picks, among the syndicated copies of one story, its canonical record.

Only an address with a record of its own (a page the crawl exported, under the address the page
declares for itself) can be canonical. Among those, in this order:

1. the address other copies point at (``duplicate_of`` in a duplicates file) first;
2. the earliest ``published`` (undated last);
3. the site where the story originates, taken as the network's own order of sites
   (:data:`crawler.sites.SITES`: spacewar.com, the flagship that carries the AFP wire, first;
   sites outside that table after, alphabetically);
4. the shortest URL;
5. the URL itself (alphabetical), so that the choice never depends on reading order.

Every other address of the story goes to ``alternate_urls``, sorted.
"""

from __future__ import annotations

from crawler.sites import SITES

SITE_ORDER: dict[str, int] = {site.domain: i for i, site in enumerate(SITES)}
"""Rank of each network site in rule 3."""

UNDATED = "~"
"""Sorts after every ISO date."""

CanonicalKey = tuple[int, str, int, str, int, str]


def site_rank(site: str | None) -> tuple[int, str]:
    """Rule 3: the network's order of sites, unknown sites after them alphabetically.

    >>> site_rank("spacewar.com"), site_rank("spacedaily.com")
    ((0, ''), (1, ''))
    >>> site_rank("example.org")
    (25, 'example.org')
    """
    rank = SITE_ORDER.get(site or "")
    return (rank, "") if rank is not None else (len(SITE_ORDER), site or "")


def published_key(published: str | None) -> str:
    """Rule 2's key: the ISO text itself (dates sort as text), undated last.

    >>> sorted(["2024-06-01", None, "2024-05-31T10:00:00+02:00"], key=published_key)
    ['2024-05-31T10:00:00+02:00', '2024-06-01', None]
    """
    return published or UNDATED


def canonical_key(url: str, published: str | None, site: str | None,
                  pointed_at: bool) -> CanonicalKey:
    """The sort key of a candidate: the smallest key is the canonical record.

    >>> a = canonical_key("https://www.spacedaily.com/reports/X_999.html", "2024-05-31",
    ...                   "spacedaily.com", False)
    >>> b = canonical_key("https://www.spacewar.com/reports/X_999.html", "2024-05-31",
    ...                   "spacewar.com", False)
    >>> min([a, b]) == b   # same day: spacewar.com comes first in the network's order
    True
    >>> c = canonical_key("https://www.marsdaily.com/reports/X_999.html", "2024-05-31",
    ...                   "marsdaily.com", True)
    >>> min([a, b, c]) == c   # the address the copies point at wins
    True
    """
    rank, other = site_rank(site)
    return (0 if pointed_at else 1, published_key(published), rank, other, len(url), url)


def month_of(published: str | None) -> str:
    """The month of a publication date, 'YYYY-MM', or 'undated'.

    >>> month_of("2024-05-31T10:00:00+02:00"), month_of(None)
    ('2024-05', 'undated')
    """
    return published[:7] if published and len(published) >= 7 else "undated"
