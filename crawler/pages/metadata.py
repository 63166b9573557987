"""Pages described by JSON-LD NewsArticle / Open Graph with a known body layout (2026 layout).

The WordPress-style layout on the bare hosts (spacedaily.com, terradaily.com since 2026) states
its facts as metadata: headline, datePublished, author, articleSection, image. Only the body
and the related list are read from markup: paragraphs of ``.entry-content`` (ads and share
boxes left out) and the list after a 'Related Content' heading.

* title: JSON-LD headline, else og:title, else the first ``<h1>``;
* published: datePublished as given (a datetime with offset), else article:published_time;
* authors: names of JSON-LD ``Person`` authors (capitals normalized);
* byline: the printed byline without 'by' (``.byline``), else the Person names, else the
  ``Organization`` author's name unless it is the site itself (a publisher is not a byline);
* section: articleSection, else ``.cat-links``;
* url: og:url, else ``link[rel=canonical]``, else the address fetched; image_url: og:image,
  else the JSON-LD image, else the first image of the body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from parsel import Selector, SelectorList

from crawler.items import Article, RelatedArticle
from crawler.pages.dateline import normalize_name, parse_byline
from crawler.sites import SITES_BY_DOMAIN, domain_of
from crawler.text import absolute_url, canonical_url, clean_inline, clean_paragraphs, squash

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"})
_CONTENT_XPATH = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"
)
_SKIP = (
    "ancestor-or-self::*[contains(@class, 'smn-ad') or contains(@class, 'adsbygoogle')"
    " or contains(@class, 'advert') or contains(@class, 'sharedaddy')]"
)
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


def news_article(sel: Selector) -> dict[str, Any] | None:
    """The first JSON-LD object of an article type on the page, or None.

    >>> s = Selector(text='<script type="application/ld+json">{"@graph": ['
    ...     '{"@type": "WebSite"}, {"@type": "NewsArticle", "headline": "H"}]}</script>')
    >>> news_article(s)["headline"]
    'H'
    """
    for raw in sel.xpath("//script[@type='application/ld+json']/text()").getall():
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


def _meta(sel: Selector, key: str) -> str | None:
    value = sel.xpath(f"//meta[@property='{key}' or @name='{key}']/@content").get()
    return clean_inline(value) if value else None


def _content(sel: Selector) -> SelectorList[Selector]:
    return sel.xpath(_CONTENT_XPATH)


def matches(sel: Selector) -> bool:
    """True for a page with article metadata and the known body layout."""
    is_article = news_article(sel) is not None or _meta(sel, "og:type") == "article"
    return is_article and bool(_content(sel).xpath(".//p"))


def body_paragraphs(sel: Selector, title: str) -> list[str]:
    """Final texts of the body's paragraphs, without ads, scripts and share boxes."""
    texts = (
        "".join(p.xpath(".//text()[not(ancestor::script)]").getall())
        for p in _content(sel).xpath(f".//p[not({_SKIP})]")
    )
    return clean_paragraphs(texts, title)


def related(sel: Selector, base: str) -> list[RelatedArticle]:
    """The list after a 'Related Content' heading: link, title and the label beside it."""
    out: list[RelatedArticle] = []
    heading = "translate(normalize-space(.), 'RELATDCONNT', 'relatdconnt') = 'related content'"
    for li in sel.xpath(f"//*[self::h2 or self::h3 or self::h4][{heading}]/following::ul[1]/li"):
        url = absolute_url(base, li.xpath(".//a/@href").get())
        title = clean_inline("".join(li.xpath(".//a//text()").getall()))
        if not url or not title:
            continue
        label = clean_inline("".join(li.xpath(".//text()[not(ancestor::a)]").getall()))
        out.append({"url": canonical_url(url), "title": title, "section": label})
    return out


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


def extract(sel: Selector, fetched_url: str) -> Article | None:
    """The Article of a metadata page, or None without a title or body."""
    ld = news_article(sel) or {}
    url = canonical_url(
        absolute_url(fetched_url, _meta(sel, "og:url"))
        or absolute_url(fetched_url, sel.xpath("//link[@rel='canonical']/@href").get())
        or fetched_url
    )
    title = _text(ld.get("headline")) or _meta(sel, "og:title")
    title = title or clean_inline("".join(sel.xpath("//h1[1]//text()").getall())) or ""
    body = body_paragraphs(sel, title)
    if not title or not body:
        return None
    people, org = _authors(ld)
    printed = clean_inline(
        "".join(sel.xpath("//*[contains(@class, 'byline')][1]//text()").getall())
    )
    parsed = parse_byline(printed) if printed else None
    site = domain_of(url)
    site_names = {site, SITES_BY_DOMAIN[site].name if site in SITES_BY_DOMAIN else ""}
    site_names.add(_meta(sel, "og:site_name") or "")
    byline = (
        (parsed.byline if parsed else None)
        or (" and ".join(people) if people else None)
        or (org if org and org not in site_names else None)
    )
    if not people and parsed:
        people = parsed.authors
    published = _text(ld.get("datePublished")) or _meta(sel, "article:published_time")
    section = _text(ld.get("articleSection")) or clean_inline(
        "".join(sel.xpath("//*[contains(@class, 'cat-links')][1]//text()").getall())
    )
    image = (
        absolute_url(url, _meta(sel, "og:image"))
        or absolute_url(url, _text(ld.get("image")))
        or absolute_url(url, _content(sel).xpath(".//img/@src").get())
    )
    return Article(
        url=url,
        site=site,
        title=title,
        body="\n\n".join(body),
        extraction="metadata",
        published=published if published and _ISO_RE.match(published) else None,
        byline=byline,
        authors=people,
        section=section or None,
        image_url=image,
        related_articles=related(sel, url),
    )
