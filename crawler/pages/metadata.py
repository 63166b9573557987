"""WordPress-style pages described by JSON-LD NewsArticle / Open Graph (the 2026 layout).

The WordPress-style layout on the bare hosts (spacedaily.com, terradaily.com since 2026) states
its facts as metadata: headline, datePublished, author, articleSection, image. The page is known
by its WordPress signature (``/wp-content/`` or ``/wp-includes/`` addresses, or a WordPress
generator meta) and article metadata. The markup of its body was never seen: the body, a byline
and a dateline printed in the page, and the related list are read in the order of the text
(crawler.pages.reader), whatever the container. Like the classic path, this one reads the raw
text (JSON-LD scripts and meta tags by regular expressions), without a DOM:

* title: JSON-LD headline, else og:title, else the first ``<h1>``;
* published: the date of a dateline printed in the page (as its first body line: it dates the
  story, site notes), else datePublished as given (a datetime with offset), else
  article:published_time; dateline, agency and location from that dateline;
* authors: names of JSON-LD ``Person`` authors (capitals normalized), else the printed byline's;
* byline: the printed byline without 'by', else the Person names, else the ``Organization``
  author's name unless it is the site itself (a publisher is not a byline);
* section: articleSection, else the label above the headline;
* url: og:url, else ``link[rel=canonical]``, else the address fetched; image_url: og:image,
  else the JSON-LD image, else the first image of the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from crawler.items import Article
from crawler.pages import criteria
from crawler.pages.dateline import credit_fields, normalize_name, parse_byline, parse_dateline
from crawler.pages.lines import page_lines
from crawler.pages.reader import (
    body_credits,
    body_end,
    body_paragraphs,
    read_header,
    related_blocks,
)
from crawler.pages.textorder import first_image, meta_tags, page_url, title_candidates
from crawler.sites import SITES_BY_DOMAIN, domain_of
from crawler.text import absolute_url, attributes, clean_inline, squash

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"})
_WORDPRESS_RE = re.compile(r"/wp-(?:content|includes)/", re.I)
_WORDPRESS_GENERATOR_RE = re.compile(r"<meta\b[^>]*\bcontent\s*=\s*[\"']?WordPress", re.I)
_BODY_TAG_RE = re.compile(r"<body\b[^>]*>", re.I)
_SCRIPT_RE = re.compile(
    r"<!--.*?(?:-->|\Z)|<script\b(?P<attrs>[^>]*)>(?P<text>.*?)(?:</script\s*>|\Z)", re.S | re.I
)
"""A comment (skipped: what it holds is no element) or a script element and its text."""
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object of a JSON-LD document, @graph and lists included."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _objects(data.get("@graph"))


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    return {t} if isinstance(t, str) else {x for x in t if isinstance(x, str)} if t else set()


def json_ld_texts(page: str) -> Iterator[str]:
    """The texts of the page's ``<script type="application/ld+json">`` elements, in order.

    >>> list(json_ld_texts('<!-- <script type="application/ld+json">no</script> -->'
    ...                    '<script type=application/ld+json>{"a": 1}</script><script>x</script>'))
    ['{"a": 1}']
    """
    for m in _SCRIPT_RE.finditer(page):
        if m["attrs"] is not None and attributes(m["attrs"]).get("type") == "application/ld+json":
            yield m["text"]


def news_article(page: str) -> dict[str, Any] | None:
    """The first JSON-LD object of an article type on the page, or None.

    >>> page = ('<script type="application/ld+json">{"@graph": ['
    ...         '{"@type": "WebSite"}, {"@type": "NewsArticle", "headline": "H"}]}</script>')
    >>> news_article(page)["headline"]
    'H'
    """
    for raw in json_ld_texts(page):
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: hostile nesting ([[[[...]]]])
            continue
        for obj in _objects(data):
            if _types(obj) & ARTICLE_TYPES:
                return obj
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("name") or value.get("@id")
    if not isinstance(value, str):
        return None
    return clean_inline(value)


class WordPressPage(NamedTuple):
    """What tells a WordPress article page, read once and used again by :func:`extract`."""

    ld: dict[str, Any]
    """The first JSON-LD object of an article type ({} when there is none)."""
    head: str
    """The page before ``<body>`` (its first 4 KB without a body tag)."""
    meta: dict[str, str]
    """The head's meta tags (crawler.pages.textorder.meta_tags)."""


def read(text: str) -> WordPressPage | None:
    """The metadata of a WordPress page with article metadata (JSON-LD article or og:type
    article), or None for any other page.

    >>> page = ('<link href="/wp-content/x.css"><meta property="og:type" content="article">'
    ...         '<h1>T</h1><p>Text</p>')
    >>> read(page).meta["og:type"], read(page.replace("wp-content", "css"))
    ('article', None)
    """
    first = text[:65536]  # two searches: an alternation of both is tried at every character
    if _WORDPRESS_RE.search(first) is None and _WORDPRESS_GENERATOR_RE.search(first) is None:
        return None
    body_tag = _BODY_TAG_RE.search(text)
    head = text[: body_tag.start()] if body_tag else text[:4096]
    meta = meta_tags(head)
    ld = news_article(text)
    if ld is None and meta.get("og:type") != "article":
        return None
    return WordPressPage(ld or {}, head, meta)


def _authors(ld: dict[str, Any]) -> tuple[list[str], str | None]:
    """(Person names, Organization name) of the JSON-LD author."""
    raw = ld.get("author")
    people: list[str] = []
    org = None
    for obj in raw if isinstance(raw, list) else [raw]:
        if isinstance(obj, str):
            people.append(normalize_name(squash(obj)))
        elif isinstance(obj, dict):
            name = _text(obj.get("name"))
            if name and "Organization" in _types(obj):
                org = org or name
            elif name:
                people.append(normalize_name(name))
    return people, org


def extract(text: str, page: WordPressPage, fetched_url: str) -> Article | None:
    """The Article of a WordPress page (``page``: what :func:`read` found), or None without a
    title or body."""
    ld, head, meta = page
    body_tag = _BODY_TAG_RE.search(text)
    url = page_url(head, meta, fetched_url)
    titles = [t for t in [_text(ld.get("headline"))] if t] + title_candidates(text, head, meta)
    lines = page_lines(text, body_tag.end() if body_tag else 0)
    header = read_header(lines, titles, bounded=False)
    if header is None:
        return None
    title = _text(ld.get("headline")) or clean_inline(header.title) or ""
    start = lines[header.last].end
    end_index = body_end(lines, header.last + 1)
    end = lines[end_index].start if end_index is not None else len(text)
    body = body_credits(body_paragraphs(text, start, end), header.dateline is not None)
    dateline_text = header.dateline or body.dateline
    if not title or not criteria.is_article(title, body.paragraphs, "metadata",
                                            dated=dateline_text is not None):
        return None
    people, org = _authors(ld)
    parsed = parse_byline(clean_inline(header.byline)) if header.byline else None
    site = domain_of(url)
    site_names = {site, SITES_BY_DOMAIN[site].name if site in SITES_BY_DOMAIN else ""}
    site_names.add(meta.get("og:site_name") or "")
    byline = (
        (parsed.byline if parsed else None)
        or (" and ".join(people) if people else None)
        or (org if org and org not in site_names else None)
    )
    if not people and parsed:
        people = parsed.authors
    credits = credit_fields(parse_dateline(clean_inline(dateline_text) or "") if dateline_text
                            else None,
                            parse_byline(None))
    published = credits["published"] or _text(ld.get("datePublished")) or meta.get(
        "article:published_time")
    links, articles = related_blocks(lines[end_index:], url) if end_index is not None else (
        [], [])
    image = (
        absolute_url(url, meta.get("og:image"))
        or absolute_url(url, _text(ld.get("image")))
        or first_image(text[start:end], url)
    )
    return Article(
        url=url,
        site=site,
        title=title,
        body="\n\n".join(body.paragraphs),
        extraction="metadata",
        published=published if published and _ISO_RE.match(published) else None,
        dateline=credits["dateline"],
        agency=credits["agency"],
        location=credits["location"],
        byline=byline,
        authors=people,
        section=_text(ld.get("articleSection")) or clean_inline(header.section),
        image_url=image,
        related_links=links,
        related_articles=articles,
        appended_datelines=body.appended,
    )
