"""Article links from RSS and Atom feeds, parsed without resolving or expanding entities."""

from __future__ import annotations

import re

from lxml import etree

_LINK_RE = re.compile(rb"<link>\s*(?:<!\[CDATA\[)?\s*(https?://[^<\]\s]+)", re.I)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,  # no external entities (XXE), no entity expansion (laughs)
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=True,
    )


def looks_like_feed(body: bytes) -> bool:
    """True when the bytes start like an RSS or Atom document.

    >>> looks_like_feed(b'<?xml version="1.0"?>\\n<rss version="2.0"><channel></channel></rss>')
    True
    >>> looks_like_feed(b"<!DOCTYPE html><html><body>rss</body></html>")
    False
    >>> looks_like_feed(b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>')
    True
    """
    head = body[:512].lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
    while head.startswith(b"<!--") or head.startswith(b"<!doctype"):
        if head.startswith(b"<!doctype"):  # names the root; its internal subset may be long
            return head[9:].lstrip().startswith((b"rss", b"feed", b"rdf:rdf"))
        head = head[head.find(b">") + 1 :].lstrip()
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf"))


def feed_links(body: bytes) -> tuple[list[str], bool]:
    """The item links of a feed and whether the feed parsed cleanly.

    >>> feed_links(b"<rss><channel><item><link>https://www.spacewar.com/reports/A_999.html</link>"
    ...            b"</item></channel></rss>")
    (['https://www.spacewar.com/reports/A_999.html'], True)
    >>> feed_links(b"<rss><channel><item><link>https://www.spacewar.com/x.html</link><item>")[1]
    False
    """
    parser = _parser()
    links: list[str] = []
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError:
        root = None
    clean = root is not None and not parser.error_log
    if root is not None:
        for el in root.iter("{*}item", "{*}entry"):
            for link in el.iter("{*}link"):
                href = link.get("href") or (link.text or "").strip()
                if href:
                    links.append(href)
                    break
    if not links:  # an unparseable feed: fall back to a text scan of its <link> elements
        links = [m.group(1).decode("utf-8", "replace") for m in _LINK_RE.finditer(body)]
        links = [u for u in links if u.count("/") > 3]
    return links, clean
