"""The classic SMN article template, read from the raw HTML without a DOM.

Seen anchors carry the extraction: the body between ``<!--body-2-incontainer.php-->`` and
``<!--RELATED LINKS-->``, the bare ``<h1>`` headline, the dateline in ``<span class="BHS">``
(the last one *before* the body: related blocks further down carry their own), og:url and
og:image. Details never seen as markup are read from the page's text instead of tags:

* byline: a short line after the headline starting with 'by', or 'Staff Writers';
* section: a short all-capital line right above the (first) headline;
* dateline when no ``span.BHS``: a short line after the headline that reads as a dateline;
* related links: links between the text 'Related Links' and the 'Subscribe Free' link;
* related content: links after the text 'RELATED CONTENT', each under the most recent
  all-capital label, without '... read more' and subscribe links, up to the last
  'Subscribe Free' link or the copyright footer.

Everything is regular expressions over three slices of ``response.text`` (head, body, tail),
which keeps this path far faster than a generic main-text extractor.
"""

from __future__ import annotations

import re

from crawler.items import Article, RelatedArticle, RelatedLink
from crawler.pages.dateline import (
    credit_fields,
    looks_like_byline,
    looks_like_dateline,
    parse_byline,
)
from crawler.pages.dateline import parse_dateline as _parse_dateline
from crawler.sites import domain_of
from crawler.text import (
    Line,
    absolute_url,
    attributes,
    canonical_url,
    clean_inline,
    clean_paragraphs,
    html_lines,
    html_paragraphs,
    strip_tags,
)

BODY_START_RE = re.compile(r"<!--\s*body-2-incontainer\.php\s*-->", re.I)
BODY_END_RE = re.compile(r"<!--\s*RELATED\s+LINKS\s*-->", re.I)
_BODY_END_FALLBACK_RE = re.compile(
    r"Related Links\s*<|Subscribe Free|RELATED CONTENT|<!--\s*footer|</body", re.I
)
_H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.S | re.I)
_BHS_RE = re.compile(r"<span\b[^>]*\bclass\s*=\s*[\"']?BHS\b[^>]*>(.*?)</span\s*>", re.S | re.I)
_META_RE = re.compile(r"<meta\b[^>]*>", re.I)
_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)
_BODY_TAG_RE = re.compile(r"<body\b[^>]*>", re.I)
_IMG_RE = re.compile(r"<img\b[^>]*>", re.I)
_NOT_CONTENT_IMAGE = ("/sponsors/", "/menu/", "black.jpg", "white.jpg", "spacer")


def matches(text: str) -> bool:
    """True when the page carries the classic template's body anchor.

    >>> matches("<h1>T<br></h1>\\r\\n<!--body-2-incontainer.php-->\\r\\nText")
    True
    >>> matches("<h1>T</h1><p>Text</p>")
    False
    """
    return BODY_START_RE.search(text) is not None


def meta_tags(head: str) -> dict[str, str]:
    """Content of each ``<meta property|name=... content=...>``, first one per key.

    >>> meta_tags('<meta content="https://x/a.html" property="og:url"><meta name=og:url content=b>')
    {'og:url': 'https://x/a.html'}
    """
    out: dict[str, str] = {}
    for tag in _META_RE.findall(head):
        attrs = attributes(tag)
        key = (attrs.get("property") or attrs.get("name") or "").lower()
        if key and "content" in attrs:
            out.setdefault(key, attrs["content"].strip())
    return out


def is_label(line: str) -> bool:
    """True for a section label: a short all-capital line that is not a dateline.

    >>> is_label("WAR REPORT"), is_label("SPACE TRAVEL"), is_label("NATO chief downplays")
    (True, True, False)
    >>> is_label("PRAGUE (AFP) MAY 31, 2024"), is_label("2024")
    (False, False)
    """
    letters = [c for c in line if c.isalpha()]
    return (
        len(letters) >= 2
        and line == line.upper()
        and len(line) <= 40
        and len(line.split()) <= 6
        and not looks_like_dateline(line)
    )


def _title(head: str, meta: dict[str, str]) -> str:
    for inner in _H1_RE.findall(head):
        text = strip_tags(inner)
        if text:
            return text
    if meta.get("og:title"):
        return strip_tags(meta["og:title"])
    m = _TITLE_RE.search(head)
    return strip_tags(m[1]) if m else ""


def _head_fields(head: str, title: str) -> tuple[str | None, str | None, str | None]:
    """(section, byline, dateline) from the head's text lines and its last span.BHS."""
    body_tag = _BODY_TAG_RE.search(head)
    lines = [t.text for t in html_lines(head[body_tag.end() if body_tag else 0 :])]
    low_title = title.lower()
    positions = [i for i, line in enumerate(lines) if line.lower() == low_title]
    section = None
    if positions and positions[0] > 0 and is_label(lines[positions[0] - 1]):
        section = lines[positions[0] - 1]
    after = lines[positions[-1] + 1 :] if positions else lines[-6:]
    spans = [strip_tags(s) for s in _BHS_RE.findall(head)]
    spans = [s for s in spans if s]
    dateline = spans[-1] if spans else next((ln for ln in after if looks_like_dateline(ln)), None)
    byline = None
    for line in after:
        if line == dateline:
            break
        if looks_like_byline(line):
            byline = line
            break
    return section, byline, dateline


def _first_image(region: str, base: str) -> str | None:
    for tag in _IMG_RE.findall(region):
        src = attributes(tag).get("src", "")
        if src and not any(part in src for part in _NOT_CONTENT_IMAGE):
            return absolute_url(base, src)
    return None


def related_blocks(tail: str, base: str) -> tuple[list[RelatedLink], list[RelatedArticle]]:
    """The 'Related Links' and 'RELATED CONTENT' blocks, found by their texts (see module)."""
    links: list[RelatedLink] = []
    articles: list[RelatedArticle] = []
    state: str | None = None
    section: str | None = None
    tok: Line
    for tok in html_lines(tail):
        low = tok.text.lower()
        if tok.href is None:
            if low == "related links":
                state = "links"
            elif low == "related content":
                state, section = "content", None
            elif state == "content" and is_label(tok.text):
                section = clean_inline(tok.text)
            elif "copyright" in low and state is not None:
                break
            continue
        if low.startswith("subscribe free"):
            if state == "content":
                break
            state = None if state == "links" else state
            continue
        url = absolute_url(base, tok.href)
        if not url or not tok.text or low.strip(". ") in ("read more", "tweet"):
            continue
        url = canonical_url(url)
        if state == "links":
            links.append({"url": url, "title": clean_inline(tok.text) or ""})
        elif state == "content":
            articles.append({"url": url, "title": clean_inline(tok.text) or "", "section": section})
    return links, articles


def extract(text: str, fetched_url: str) -> Article | None:
    """The Article of a classic page, or None when the anchor is missing or the body is empty.

    ``text`` is the decoded page; ``fetched_url`` the address it was fetched from. Fields that
    only the wrapper knows (word_count, fingerprint, crawled_at) are left at their defaults.
    """
    start = BODY_START_RE.search(text)
    if start is None:
        return None
    head = text[: start.start()]
    end = BODY_END_RE.search(text, start.end()) or _BODY_END_FALLBACK_RE.search(text, start.end())
    end_pos = end.start() if end else len(text)
    region, tail = text[start.end() : end_pos], text[end_pos:]

    meta = meta_tags(head)
    url = canonical_url(absolute_url(fetched_url, meta.get("og:url")) or fetched_url)
    printed_title = _title(head, meta)
    title = clean_inline(printed_title) or ""
    paragraphs = clean_paragraphs(html_paragraphs(region), title)
    if not title or not paragraphs:
        return None
    section, byline_text, dateline_text = _head_fields(head, printed_title)
    dateline_text = clean_inline(dateline_text)
    dateline = _parse_dateline(dateline_text) if dateline_text else None
    byline = parse_byline(clean_inline(byline_text))
    links, articles = related_blocks(tail, url)
    return Article(
        url=url,
        site=domain_of(url),
        title=title,
        body="\n\n".join(paragraphs),
        extraction="template",
        **credit_fields(dateline, byline),
        section=clean_inline(section),
        image_url=absolute_url(url, meta.get("og:image")) or _first_image(region, url),
        related_links=links,
        related_articles=articles,
    )
