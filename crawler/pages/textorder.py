"""Pages read from the order of their text: the March 2026 spacewar layout, spacewar's AFP wire
pages, and any page that shows the network's order without the classic anchors.

The markup of these pages was never seen, so nothing here depends on a tag or a class: the
headline is the line that reads as the page's title, the byline and dateline are the lines after
it that read as such (crawler.pages.reader), the body runs from there to the first line that
ends an article ('ADVERTISEMENT' too on AFP wire pages, whose boxes of current headlines after
it are neither body nor related content and give no date). A page whose credits follow the
network's order (byline then dateline; the AFP header line then the dateline) is a known layout
(``extraction`` 'template'); one whose credits come in another order matches no layout of the
network (``extraction`` 'fallback', the fields still read the same way). A page with neither a
byline nor a dateline after its headline is left to the generic fallback (None here).

Machine-readable dates are not read: on the 2026 pages they were wrong (site notes).
"""

from __future__ import annotations

import re

from crawler.items import Article
from crawler.pages import criteria
from crawler.pages.dateline import credit_fields, parse_byline, parse_dateline
from crawler.pages.lines import Line, page_lines
from crawler.pages.reader import (
    body_credits,
    body_end,
    body_paragraphs,
    first_body_paragraph,
    leading_dateline,
    read_header,
    related_blocks,
)
from crawler.sites import SITES, domain_of
from crawler.text import absolute_url, attributes, canonical_url, clean_inline, strip_tags

_META_RE = re.compile(r"<meta\b[^>]*>", re.I)
_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)
_H_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.S | re.I)
_BODY_TAG_RE = re.compile(r"<body\b[^>]*>", re.I)
_CANONICAL_RE = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>", re.I)
_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_TITLE_SEP_RE = re.compile(r"\s+(?:-|\||::|\u2013|\u2014|:)\s+")
_SITE_WORDS = frozenset(
    w.lower() for s in SITES for w in (s.name, s.domain, "www." + s.domain, s.domain.split(".")[0])
)
NOT_CONTENT_IMAGE = ("/sponsors/", "/menu/", "black.jpg", "white.jpg", "spacer")
MAX_LINK_SHARE = 0.4
"""Above this share of its words in links, a body is a list of links, not an article."""


def meta_tags(head: str) -> dict[str, str]:
    """Content of each ``<meta property|name=... content=...>``, first one per key.

    >>> meta_tags('<meta content="https://x/a.html" property="og:url"><meta name=og:url content=b>')
    {'og:url': 'https://x/a.html'}
    """
    out: dict[str, str] = {}
    for tag in _META_RE.findall(head):
        attrs = attributes(tag)
        name = (attrs.get("property") or attrs.get("name") or "").lower()
        if name and "content" in attrs:
            out.setdefault(name, attrs["content"].strip())
    return out


def title_without_site(text: str) -> str:
    """A ``<title>`` without the site's name on either side.

    >>> title_without_site("Military Space News - NATO chief downplays threat")
    'NATO chief downplays threat'
    >>> title_without_site("Mars rover finds clay | spacedaily.com")
    'Mars rover finds clay'
    >>> title_without_site("SpaceWar.com - Israel strikes Gaza")
    'Israel strikes Gaza'
    """
    parts = [p for p in _TITLE_SEP_RE.split(" ".join(text.split()))
             if p.lower() not in _SITE_WORDS]
    return " - ".join(parts)


def title_candidates(page: str, head: str, meta: dict[str, str]) -> list[str]:
    """What the page says its title is: ``<h1>``, og:title, ``<title>`` (with and without the
    site name), in this order."""
    out = [strip_tags(h) for h in _H_RE.findall(page)[:3]]
    out.append(strip_tags(meta.get("og:title", "")))
    m = _TITLE_RE.search(head)
    if m:
        whole = strip_tags(m[1])
        out += [title_without_site(whole), whole]
    return [t for t in out if t]


def page_url(head: str, meta: dict[str, str], fetched_url: str) -> str:
    """og:url, else ``<link rel=canonical>``, else the address fetched; canonical."""
    link = _CANONICAL_RE.search(head)
    href = attributes(link[0]).get("href") if link else None
    return canonical_url(
        absolute_url(fetched_url, meta.get("og:url"))
        or absolute_url(fetched_url, href)
        or fetched_url
    )


def first_image(region: str, base: str) -> str | None:
    """The first content image of a region (ads, menus and spacers left out)."""
    for tag in _IMG_RE.findall(region):
        src = attributes(tag).get("src", "")
        if src and not any(part in src for part in NOT_CONTENT_IMAGE):
            return absolute_url(base, src)
    return None


def link_share(lines: list[Line]) -> float:
    """Share of the words of some lines that are link text.

    >>> link_share([Line("a b c", 0, 0), Line("d", 0, 0, "/x")])
    0.25
    """
    words = sum(len(ln.text.split()) for ln in lines)
    linked = sum(len(ln.text.split()) for ln in lines if ln.href is not None)
    return linked / words if words else 0.0


def extract(page: str, fetched_url: str) -> Article | None:
    """The Article of a page read in text order, or None (no headline, no credits, no body)."""
    body_tag = _BODY_TAG_RE.search(page)
    head = page[: body_tag.start()] if body_tag else page[:4096]
    meta = meta_tags(head)
    titles = title_candidates(page, head, meta)
    if not titles:
        return None  # no title to look for: nothing to read in text order
    lines = page_lines(page, body_tag.end() if body_tag else 0)
    header = read_header(lines, titles, bounded=False)
    if header is None:
        return None
    start = lines[header.last].end
    end_index = body_end(lines, header.last + 1, wire=header.wire)
    end = lines[end_index].start if end_index is not None else len(page)
    if link_share(lines[header.last + 1: end_index]) > MAX_LINK_SHARE:
        return None
    if header.dateline is None and header.byline is None:
        first = first_body_paragraph(page, start, end)  # the only place left for a dateline
        if first is None or leading_dateline(first)[0] is None:
            return None  # no credits: decided before the body of a hub is cleaned
    body = body_credits(body_paragraphs(page, start, end), header.dateline is not None)
    dateline_text = header.dateline or body.dateline
    if dateline_text is None and header.byline is None:
        return None
    title = clean_inline(header.title) or ""
    if not criteria.is_article(title, body.paragraphs, "template",
                               dated=dateline_text is not None):
        return None
    url = page_url(head, meta, fetched_url)
    links, articles = ([], []) if header.wire or end_index is None else related_blocks(
        lines[end_index:], url)
    return Article(
        url=url,
        site=domain_of(url),
        title=title,
        body="\n\n".join(body.paragraphs),
        extraction="template" if header.ordered else "fallback",
        **credit_fields(
            parse_dateline(clean_inline(dateline_text) or "") if dateline_text else None,
            parse_byline(clean_inline(header.byline)),
        ),
        section=clean_inline(header.section),
        image_url=absolute_url(url, meta.get("og:image")) or first_image(page[start:end], url),
        related_links=links,
        related_articles=articles,
        appended_datelines=body.appended,
    )
