"""Which links of a page the crawler follows: pure functions over URLs."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

from crawler.sites import IMAGE_HOST, looks_like_article_url

_SKIP_EXT_RE = re.compile(
    r"\.(?:jpe?g|gif|png|webp|svg|ico|bmp|pdf|zip|gz|mp3|mp4|m4v|mov|avi|wmv|swf|css|js|doc|docx"
    r"|xls|xlsx|ppt|pptx|exe|dmg|tar|rar)$",
    re.I,
)
_SKIP_PATH_RE = re.compile(r"^/(?:sponsors|images[^/]*|cgi-bin|wp-content|wp-admin|wp-json)/", re.I)
_CACHEABLE = 2048
"""Longest URL the bounded caches below keep."""
_FEED_RE = re.compile(r"(?:\.xml|/feed/?)$", re.I)


def strip_fragment(url: str) -> str:
    """The URL without its fragment.

    >>> strip_fragment("https://www.spacewar.com/index.html#top")
    'https://www.spacewar.com/index.html'
    """
    if "#" not in url:  # no fragment to strip (urlsplit's fragment starts at the first '#')
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment="")) if parts.fragment else url


def is_followable(url: str) -> bool:
    """False for images, ads, media and other non-page links; robots and hosts are checked later.

    >>> is_followable("https://www.spacewar.com/reports/X_999.html")
    True
    >>> is_followable("https://www.spxdaily.com/images-hg/x-hg.jpg")
    False
    >>> is_followable("https://www.spacewar.com/sponsors/ad.html")
    False
    >>> is_followable("https://www.spacewar.com/files/report.PDF")
    False
    >>> is_followable("mailto:editor@spacewar.com")
    False
    """
    return _is_followable(url) if len(url) <= _CACHEABLE else _is_followable.__wrapped__(url)


@lru_cache(maxsize=4096)
def _is_followable(url: str) -> bool:
    # Cached (bounded): navigation links repeat on every page of a site.
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    if (parts.hostname or "").lower() == IMAGE_HOST:
        return False
    return not (_SKIP_EXT_RE.search(parts.path) or _SKIP_PATH_RE.match(parts.path))


def is_feed_url(url: str) -> bool:
    """True for the network's feed addresses (``/spacewar.xml``, ``/feed/``).

    >>> is_feed_url("https://www.spacewar.com/spacewar.xml")
    True
    >>> is_feed_url("https://spacedaily.com/feed/")
    True
    >>> is_feed_url("https://www.spacewar.com/index.html")
    False
    """
    return _is_feed_url(url) if len(url) <= _CACHEABLE else _is_feed_url.__wrapped__(url)


@lru_cache(maxsize=4096)
def _is_feed_url(url: str) -> bool:
    return bool(_FEED_RE.search(urlsplit(url).path))


ARTICLE_PRIORITY = 100
FEED_PRIORITY = 50
HUB_PRIORITY = 0


def link_priority(url: str, hub_depth: int) -> int:
    """Scheduling priority of a link: articles first, feeds next, deep pagination last.

    >>> link_priority("https://www.spacewar.com/reports/X_999.html", 3)
    100
    >>> link_priority("https://www.spacewar.com/Missile_Defense-p7.html", 3) < link_priority(
    ...     "https://www.spacewar.com/Missile_Defense.html", 1)
    True
    """
    if len(url) > _CACHEABLE:
        return _link_priority.__wrapped__(url, hub_depth)
    return _link_priority(url, hub_depth)


@lru_cache(maxsize=4096)
def _link_priority(url: str, hub_depth: int) -> int:
    if looks_like_article_url(url):
        return ARTICLE_PRIORITY
    if is_feed_url(url):
        return FEED_PRIORITY
    return HUB_PRIORITY - hub_depth
