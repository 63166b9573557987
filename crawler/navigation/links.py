"""The one link policy: which links a crawl follows, which it refuses and why, in what order.

Pure functions over URLs, and :class:`LinkPolicy`, the policy of one crawl (its site filter and
the hosts of its explicit start URLs). The spider asks the policy about every link; the network
guard (crawler.components.downloadermiddlewares) applies :func:`refusal_reason` to every request,
redirects included. Links are made canonical (crawler.text.canonical_url) before anything else
looks at them, so a link, the state and a record hold one form of an address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from crawler.sites import IMAGE_HOST, NETWORK_DOMAINS, domain_of, looks_like_article_url

_SKIP_EXT_RE = re.compile(
    r"\.(?:jpe?g|gif|png|webp|svg|ico|bmp|pdf|zip|gz|mp3|mp4|m4v|mov|avi|wmv|swf|css|js|doc|docx"
    r"|xls|xlsx|ppt|pptx|exe|dmg|tar|rar)$",
    re.I,
)
_SKIP_PATH_RE = re.compile(r"^/(?:sponsors|images[^/]*|cgi-bin|wp-content|wp-admin|wp-json)/", re.I)
_CACHEABLE = 2048
"""Longest URL the bounded caches below keep."""
_FEED_RE = re.compile(r"(?:\.xml|/feed/?)$", re.I)


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


_NUMERIC_HOST_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$")
"""Hosts a URL parser reads as IPv4 (WHATWG): decimal, octal and hex parts, 1 to 4 of them."""
_NAME_CHAR_RE = re.compile(r"[^0-9a-fx.]")
"""A character no IPv4 form holds (IPv6 needs a colon): a host with one is a name, told without
:mod:`ipaddress`, whose two failed parses cost most of judging a new link."""


def is_ip_literal(host: str) -> bool:
    """Whether a host is an IP address in any form a URL parser accepts.

    >>> [is_ip_literal(h) for h in ("127.0.0.1", "::1", "2130706433", "0x7f000001", "127.1")]
    [True, True, True, True, True]
    >>> [is_ip_literal(h) for h in ("0177.0.0.1", "www.spacewar.com", "1.example", "")]
    [True, False, False, False]
    >>> [is_ip_literal(h) for h in ("[fe80::1%eth0]", "0xc0.0xa8.1.1", "dead.beef", "ab.cd.")]
    [True, True, False, False]
    """
    host = host.lower().strip("[]")
    if not host:
        return False
    if ":" not in host and _NAME_CHAR_RE.search(host):  # a name: no parser reads it as IPv4
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_NUMERIC_HOST_RE.match(host))


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
    >>> refusal_reason("http://2130706433/"), refusal_reason("http://LOCALHOST.:8080/")
    ('ip_address', 'loopback')
    >>> refusal_reason("http://localhost/", frozenset({"localhost"}))
    'loopback'
    >>> refusal_reason("https://evil.example\\\\@www.spacewar.com/")
    'userinfo'
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unbalanced '[' in the host
        return "malformed"
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if not host:
        return "malformed"
    if is_ip_literal(host):
        return "ip_address"
    bare = host.rstrip(".")
    if bare == "localhost" or bare.endswith(".localhost"):
        return "loopback"  # even as a start URL: only MIRROR_URL reaches loopback
    if "@" in parts.netloc:  # user:password@host: never on a news link; parsers disagree on it
        return "userinfo"
    if host in extra_hosts or domain_of(host) in NETWORK_DOMAINS:
        return None
    return "offsite"


@dataclass(frozen=True)
class LinkPolicy:
    """Which links one crawl follows.

    >>> policy = LinkPolicy(site_filter=frozenset({"spacewar.com"}))
    >>> policy.verdict("https://www.spacewar.com/reports/X_999.html")
    (True, None)
    >>> policy.verdict("https://www.spacedaily.com/reports/Y_999.html")
    (False, None)
    >>> policy.verdict("http://127.0.0.1/x")
    (False, 'ip_address')
    >>> policy.verdict("https://www.spxdaily.com/images-hg/x-hg.jpg")
    (False, None)
    """

    site_filter: frozenset[str] | None = None
    """Network domains this crawl is limited to; None: the whole network."""
    extra_hosts: frozenset[str] = frozenset()
    """Hosts of explicit start URLs, allowed beside the network."""

    def verdict(self, url: str) -> tuple[bool, str | None]:
        """Whether to follow ``url``, and the refusal reason worth counting (an IP address, a
        scheme, loopback, ...) when it is refused for safety rather than out of scope."""
        if len(url) > _CACHEABLE:
            return _verdict.__wrapped__(self, url)
        return _verdict(self, url)


@lru_cache(maxsize=8192)
def _verdict(policy: LinkPolicy, url: str) -> tuple[bool, str | None]:
    # Cached (bounded): every page repeats its site's menus, so most links were judged before.
    if not is_followable(url):
        return False, None
    reason = refusal_reason(url, policy.extra_hosts)
    if reason is not None:  # other sites are ordinary; IPs, schemes, loopback are not
        return False, None if reason == "offsite" else reason
    host = (urlsplit(url).hostname or "").lower()
    if host in policy.extra_hosts or policy.site_filter is None:
        return True, None
    return domain_of(host) in policy.site_filter, None
