"""The classic SMN article template, read from the raw HTML without a DOM.

Seen anchors carry the extraction: the body between ``<!--body-2-incontainer.php-->`` and
``<!--RELATED LINKS-->``, the ``<h1>`` headline, the dateline in ``<span class="BHS">`` (the
last one *before* the body: related blocks further down carry their own), og:url and
og:image. Details never seen as markup are read from the order of the page's text
(crawler.pages.reader), whatever their tags: the section label above the headline or before it
on its line, captions and teasers after it, the byline in its own element or on the dateline's
line, a dateline printed as the body's first line, 'Related Links' with or without a colon in
any list form, the related-content labels as text or links.

Everything is regular expressions over three slices of ``response.text`` (head, body, tail),
which keeps this path far faster than a generic main-text extractor.
"""

from __future__ import annotations

import re

from crawler.items import Article
from crawler.pages.dateline import credit_fields, parse_byline
from crawler.pages.dateline import parse_dateline as _parse_dateline
from crawler.pages.lines import iter_lines, page_lines
from crawler.pages.reader import body_credits, body_paragraphs, read_header, related_blocks
from crawler.pages.textorder import first_image, meta_tags, page_url, title_candidates
from crawler.sites import domain_of
from crawler.text import absolute_url, clean_inline, strip_tags

BODY_START_RE = re.compile(r"<!--\s*body-2-incontainer\.php\s*-->", re.I)
BODY_END_RE = re.compile(r"<!--\s*RELATED\s+LINKS\s*-->", re.I)
_BODY_END_FALLBACK_RE = re.compile(
    r"Related Links:?\s*<|Subscribe Free|RELATED CONTENT|<!--\s*footer|</body", re.I
)
_BHS_RE = re.compile(r"<span\b[^>]*\bclass\s*=\s*[\"']?BHS\b[^>]*>(.*?)</span\s*>", re.S | re.I)
_BODY_TAG_RE = re.compile(r"<body\b[^>]*>", re.I)


def matches(text: str) -> bool:
    """True when the page carries the classic template's body anchor.

    >>> matches("<h1>T<br></h1>\\r\\n<!--body-2-incontainer.php-->\\r\\nText")
    True
    >>> matches("<h1>T</h1><p>Text</p>")
    False
    """
    return BODY_START_RE.search(text) is not None


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
    body_tag = _BODY_TAG_RE.search(head)
    meta = meta_tags(head)
    url = page_url(head, meta, fetched_url)
    lines = page_lines(text, body_tag.end() if body_tag else 0, start.start())
    titles = title_candidates(head, head, meta)
    header = read_header(lines, titles, bounded=True)
    title = clean_inline(header.title if header else (titles[0] if titles else "")) or ""
    spans = [s for s in (strip_tags(m) for m in _BHS_RE.findall(head)) if s]
    dateline_text = spans[-1] if spans else header.dateline if header else None
    body = body_credits(body_paragraphs(text, start.end(), end_pos, title),
                        dateline_text is not None)
    if not title or not body.paragraphs:
        return None
    dateline_text = dateline_text or body.dateline
    links, articles = related_blocks(iter_lines(text, end_pos), url)  # stops at the footer
    return Article(
        url=url,
        site=domain_of(url),
        title=title,
        body="\n\n".join(body.paragraphs),
        extraction="template",
        **credit_fields(
            _parse_dateline(clean_inline(dateline_text) or "") if dateline_text else None,
            parse_byline(clean_inline(header.byline) if header and header.byline else None),
        ),
        section=clean_inline(header.section) if header and header.section else None,
        image_url=(
            absolute_url(url, meta.get("og:image"))
            or first_image(text[start.end():end_pos], url)
        ),
        related_links=links,
        related_articles=articles,
        appended_datelines=body.appended,
    )
