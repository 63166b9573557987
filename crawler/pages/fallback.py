"""Generic main-text fallback for pages that match no template (old layouts, unknown pages).

trafilatura finds the main text; this module turns its tree into paragraphs, finds the title
(``<h1>``, og:title, or ``<title>`` without the site name) and reads a dateline and a byline
from the first lines of the text by their patterns, removing those lines (and a repeated
headline) from the body. Pages that are not articles yield None (see crawler.pages.criteria).
"""

from __future__ import annotations

import re
from typing import Any

import trafilatura
from parsel import Selector

from crawler.items import Article
from crawler.pages import criteria
from crawler.pages.dateline import (
    credit_fields,
    looks_like_byline,
    looks_like_dateline,
    parse_byline,
    parse_dateline,
)
from crawler.sites import SITES, domain_of, looks_like_article_url
from crawler.text import (
    absolute_url,
    canonical_url,
    clean_inline,
    clean_paragraphs,
    is_boilerplate,
    squash,
)

_BLOCK_TAGS = frozenset({"p", "head", "item", "quote", "code", "lb"})
_TITLE_SEP_RE = re.compile(r"\s+(?:-|\||::|\u2013|\u2014|:)\s+")
_SITE_WORDS = frozenset(
    w.lower() for s in SITES for w in (s.name, s.domain, "www." + s.domain)
)
_HEADER_LINES = 5
BODY_TEXT_XPATH = "//body//text()[not(ancestor::script or ancestor::style)]"
"""The visible text nodes of a page's body."""
DATE_META_XPATH = (
    "//meta[@property='og:type' and @content='article']"
    " | //meta[@property='article:published_time' or @name='date' or @itemprop='datePublished']"
    " | //time[@datetime]"
    " | //script[@type='application/ld+json'][contains(., 'datePublished')]"
)
"""Metadata that dates a page or calls it an article: one of the signs of a news item."""


def _lines(el: Any) -> list[str]:
    """Text lines of trafilatura's tree: each block element one line, loose text its own line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if node.tag in _BLOCK_TAGS and node.tag != "lb":
            out.append("".join(node.itertext()))
        else:
            if node.text:
                out.append(node.text)
            for child in node:
                walk(child)
        if node.tail and node is not el:
            out.append(node.tail)

    walk(el)
    return [t for t in (squash(line) for line in out) if t]


def title_from_html_title(text: str) -> str:
    """A ``<title>`` without the site's name on either side.

    >>> title_from_html_title("Space Daily - NATO chief downplays threat")
    'NATO chief downplays threat'
    >>> title_from_html_title("Mars rover finds clay | spacedaily.com")
    'Mars rover finds clay'
    """
    parts = [p for p in _TITLE_SEP_RE.split(squash(text)) if p.lower() not in _SITE_WORDS]
    return " - ".join(parts)


def _title(sel: Selector) -> str:
    h1 = squash("".join(sel.xpath("//h1[1]//text()").getall()))
    og = sel.xpath("//meta[@property='og:title']/@content").get()
    html_title = sel.xpath("//title//text()").get()
    return h1 or squash(og or "") or title_from_html_title(html_title or "")


def _link_stats(sel: Selector) -> tuple[int, int, int]:
    """(words in <body>, words in its links, 'read more' links)."""
    # XPath on the lxml tree itself, plain strings: no Selector object or "smart" string (which
    # keeps a link to its element) per text node or link.
    root = sel.root
    if not hasattr(root, "xpath"):
        return 0, 0, 0
    body = " ".join(root.xpath(BODY_TEXT_XPATH, smart_strings=False))
    links = root.xpath("//body//a")
    texts = [" ".join(a.xpath(".//text()", smart_strings=False)) for a in links]
    link_text = " ".join(texts)
    read_more = sum(
        1 for text in texts
        if squash(text).lower().strip(". ") in ("read more", "more", "full story")
    )
    return len(body.split()), len(link_text.split()), read_more


def extract(sel: Selector, html_text: str, fetched_url: str) -> Article | None:
    """The Article trafilatura finds on a page, or None for a page that is not an article."""
    if criteria.is_link_list(*_link_stats(sel)):
        return None
    doc = trafilatura.bare_extraction(
        html_text, url=fetched_url, with_metadata=False, include_comments=False,
        include_tables=True, favor_precision=True,
    )
    tree = doc.get("body") if isinstance(doc, dict) else getattr(doc, "body", None)
    if tree is None:
        return None
    lines = [ln for ln in _lines(tree) if not is_boilerplate(ln)]
    printed_title = _title(sel) or (lines[0] if lines else "")
    dateline_text = byline_text = None
    for _ in range(_HEADER_LINES):
        if len(lines) < 2:
            break
        head = lines[0]
        if head.lower() == printed_title.lower():
            pass
        elif dateline_text is None and looks_like_dateline(head):
            dateline_text = head
        elif byline_text is None and looks_like_byline(head):
            byline_text = head
        else:
            break
        lines.pop(0)
    title = clean_inline(printed_title) or ""
    if not criteria.is_article(title, lines, "fallback"):
        return None
    body = clean_paragraphs(lines, title, squashed=True)  # _lines squashes each line
    if not body:
        return None
    og_url = sel.xpath("//meta[@property='og:url']/@content").get()
    url = canonical_url(absolute_url(fetched_url, og_url) or fetched_url)
    has_signal = (
        dateline_text is not None
        or byline_text is not None
        or bool(sel.xpath(DATE_META_XPATH))
        or looks_like_article_url(url)
    )
    if not has_signal:
        return None
    dateline_text = clean_inline(dateline_text)
    dateline = parse_dateline(dateline_text) if dateline_text else None
    byline = parse_byline(clean_inline(byline_text))
    image = absolute_url(url, sel.xpath("//meta[@property='og:image']/@content").get())
    return Article(
        url=url,
        site=domain_of(url),
        title=title,
        body="\n\n".join(body),
        extraction="fallback",
        **credit_fields(dateline, byline),
        image_url=image,
    )
