"""Reading a page in the order of its text, whatever its tags.

Every layout of the network shows its article in one order (site notes, "Seen since"): a site
line, a section label, the headline (once or twice), perhaps an image caption or two teasers of
other stories, the byline, the dateline, the body, then 'Related Links', 'Subscribe Free ...',
'RELATED CONTENT' or, on AFP wire pages, 'ADVERTISEMENT'. This module finds those parts in the
lines of a page (crawler.pages.lines) by their texts:

* the headline: the first line that reads as the page's title (``<h1>``, og:title, JSON-LD
  headline or ``<title>`` without the site name), or that ends with it after a label;
* the label: a short all-capital line just above the headline, or before it on its line, when
  the page shows the classic order (headline twice, or a site-name line above the label);
* after the headline, in a few lines: captions, teasers (a link and a paragraph), dates of the
  page's metadata, the byline ('by ...', 'Staff Writers'), the dateline ('<place> (<AGENCY>)
  <date>'), also both on one line (split where their inline runs meet, else by the forms of
  bylines seen);
* the body: from the end of the header to the first line that ends an article ('Related
  Links', 'Subscribe Free', 'RELATED CONTENT', 'Share this', the network's or AFP's copyright;
  'ADVERTISEMENT' on AFP wire pages). A dateline printed as the body's first line is the page's
  dateline; a paragraph that opens with a dateline and ' - ' later in the body starts an
  appended story;
* related blocks: links after 'Related Links' and after 'RELATED CONTENT' (under the last label
  seen, a label printed as a link included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawler.items import RelatedArticle, RelatedLink
from crawler.pages.dateline import looks_like_byline, looks_like_dateline
from crawler.pages.lines import Line
from crawler.sites import SITES
from crawler.text import (
    absolute_url,
    canonical_url,
    clean_inline,
    clean_paragraphs,
    html_paragraphs,
    iter_clean_paragraphs,
    iter_html_paragraphs,
)

MAX_CREDITS_LINE = 200
"""Longest line read as a byline and a dateline together (each is under 100 characters)."""
HEADER_LINES = 12
"""Lines after the headline searched for the byline and the dateline (captions and teasers
included) when no body anchor bounds the header."""

END_RE = re.compile(
    r"""^(?:related\s+links\s*:?|subscribe\s+free\b.*|related\s+content|share\s+this\s*:?
    |the\s+content\s+herein\b.*|all\s+rights\s+reserved\b.*
    |copyright\s+(?:\(c\)\s*|\u00a9\s*)?(?:\d{4}|space\s+media|agence\s+france)\b.*
    |\u00a9.*)$""",
    re.I | re.X | re.S,
)
"""Lines that end an article's body (seen: 'Related Links', 'Subscribe Free To Our Daily
Newsletters', 'RELATED CONTENT', the copyright footers)."""
WIRE_END_RE = re.compile(r"^advertisement$", re.I)
"""What ends the body of an AFP wire page (seen: 'ADVERTISEMENT')."""
WIRE_HEADER_RE = re.compile(r"^spacewar\.com\s+-\s+your\s+world\s+at\s+war$", re.I)
"""The header line of spacewar's AFP wire pages (seen)."""
CAPTION_RE = re.compile(
    r"^(?:illustration\s+only\.?|.{0,300}\bphoto\s+courtesy\s+of\s+\w[\w .&'-]{0,40}\.?"
    r"|(?:file\s+)?photo\s*:.{0,200}|.{0,300}\((?:afp|upi|ap|reuters)\s+photo\)\.?)$",
    re.I | re.S,
)
"""Image captions printed between headline and byline (seen: 'illustration only',
'South Korean Foreign Minister Ban Ki-Moon. Photo courtesy of AFP.')."""
META_DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d(?:[T ][\d:.+Z-]*)?$")
"""A machine date shown as text (WordPress's <time>): no part of the header's credits."""
INLINE_DATELINE_RE = re.compile(
    r"^(?P<dateline>[^()]{2,90}?\(\s*[A-Za-z][A-Za-z0-9 .&/'-]{0,30}\s*\)\s*[A-Za-z]{3,10}\.?"
    r"\s+\d{1,2}(?:st|nd|rd|th)?\s*,?\s+\d{4})\s+[-\u2013\u2014]{1,2}\s+"
)
"""A paragraph that opens with a dateline, as AFP prints an appended story
('Washington (AFP) Jan 29, 2024 - US Secretary of State ...')."""
_APPENDED_BR_RE = re.compile(
    r"<br\b[^>]*>(?=\s*[^<]{2,90}?\(\s*[A-Za-z][A-Za-z0-9 .&/'-]{0,30}\s*\)\s*[A-Za-z]{3,10}"
    r"\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*,?\s+\d{4}\s+[-\u2013\u2014]{1,2}\s)",
    re.I,
)
_PERSONS_RE = re.compile(
    r"^by\s+(?:[A-Z][\w'.-]+\s+[A-Z][\w'-]+)(?:\s*(?:,|and)\s+[A-Z][\w'.-]+\s+[A-Z][\w'-]+)*$",
    re.I,
)
_TEAM_END_RE = re.compile(r"\bstaff\s+writers?$", re.I)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                         "\u2013": "-", "\u2014": "-"})
SITE_LINES = frozenset(s.name.lower() for s in SITES)
"""Site-name lines printed above the label of classic pages."""
_NOT_ITEMS = ("read more", "tweet", "more", "share", "email", "print")


def key(text: str) -> str:
    """A text compared loosely: case, quotes, dashes and spacing ignored.

    >>> key("Iran \u2018could\u2019  enrich") == key("iran 'could' enrich")
    True
    """
    return " ".join(text.translate(_QUOTES).casefold().split())


def is_label(line: str) -> bool:
    """True for a section label: a short all-capital line that is not a dateline.

    >>> is_label("WAR REPORT"), is_label("AFRICA NEWS"), is_label("NATO chief downplays")
    (True, True, False)
    >>> is_label("PRAGUE (AFP) MAY 31, 2024"), is_label("2024"), is_label("- SHIPS HIT -")
    (False, False, False)
    """
    return (
        len(line) <= 40
        and line[:1].isalnum()
        and line == line.upper()
        and len(line.split()) <= 6
        and sum(c.isalpha() for c in line) >= 2
        and not looks_like_dateline(line)
    )


def is_caption(text: str) -> bool:
    """True for an image caption.

    >>> is_caption("illustration only"), is_caption("Ban Ki-Moon. Photo courtesy of AFP.")
    (True, True)
    >>> is_caption("by AFP Staff Writers")
    False
    """
    return len(text) <= 400 and CAPTION_RE.match(text) is not None


def split_credits(line: Line) -> tuple[str, str] | None:
    """(byline, dateline) of a line that prints both, or None.

    Where the line's inline runs meet a byline and a dateline, the split is there; otherwise
    the byline ends after 'Staff Writers', or after names of two words joined by 'and'.

    >>> split_credits(Line("x", 0, 0, None, ("by AFP Staff Writers", "Prague (AFP) May 31, 2024")))
    ('by AFP Staff Writers', 'Prague (AFP) May 31, 2024')
    >>> t = "by Paul Brinkmann and Danielle Haynes Orlando FL (UPI) Jan 29, 2022"
    >>> split_credits(Line(t, 0, 0, None, (t,)))
    ('by Paul Brinkmann and Danielle Haynes', 'Orlando FL (UPI) Jan 29, 2022')
    >>> t = "by AFP Staff Writers Moscow (AFP) Oct 18, 2022"
    >>> split_credits(Line(t, 0, 0, None, (t,)))
    ('by AFP Staff Writers', 'Moscow (AFP) Oct 18, 2022')
    >>> split_credits(Line("Prague (AFP) May 31, 2024", 0, 0)) is None
    True
    """
    parts = line.parts
    if len(line.text) > MAX_CREDITS_LINE:
        return None
    for k in range(1, len(parts)):
        byline, dateline = " ".join(parts[:k]), " ".join(parts[k:])
        if looks_like_byline(byline) and looks_like_dateline(dateline):
            return byline, dateline
    words = line.text.split()
    if len(words) < 4 or not looks_like_byline(" ".join(words[:2])):
        return None
    splits = [(n, " ".join(words[:n]), " ".join(words[n:])) for n in range(2, len(words) - 2)]
    splits = [(n, b, d) for n, b, d in splits if looks_like_dateline(d)]
    for _, byline, dateline in splits:
        if _TEAM_END_RE.search(byline):
            return byline, dateline
    persons = [(b, d) for _, b, d in splits if _PERSONS_RE.match(b)]
    if persons:
        return persons[-1]
    return None


@dataclass
class Header:
    """What a page prints above its body."""

    title: str
    """The headline as printed."""
    index: int
    """Index of the (last) headline line."""
    section: str | None = None
    byline: str | None = None
    """The byline line as printed (with its 'by')."""
    dateline: str | None = None
    order: list[str] = field(default_factory=list)
    """'byline' and 'dateline' in the order the page prints them."""
    last: int = -1
    """Index of the last line of the header."""
    wire: bool = False
    """Whether the page carries the AFP wire pages' header line above the headline."""

    @property
    def ordered(self) -> bool:
        """Whether the credits show a layout of the network: byline then dateline (classic,
        March 2026), or the AFP wire pages' header line and a dateline."""
        if self.wire:
            return self.dateline is not None
        return self.order[:2] == ["byline", "dateline"]


def without_machine_dates(line: Line) -> Line:
    """The line without its inline runs that are machine dates (WordPress's <time> beside the
    byline).

    >>> without_machine_dates(Line("by X 2026-01-05", 0, 9, None, ("by X", "2026-01-05"))).text
    'by X'
    """
    if len(line.parts) < 2 or not any(META_DATE_RE.match(p) for p in line.parts):
        return line
    parts = tuple(p for p in line.parts if not META_DATE_RE.match(p))
    return Line(" ".join(parts), line.start, line.end, line.href, parts)


def is_related_label(text: str) -> bool:
    """True for the label of a related-content block: a section label, or a short name in
    capitalised words beside the links (WordPress: 'Mars News').

    >>> is_related_label("WAR REPORT"), is_related_label("Mars News")
    (True, True)
    >>> is_related_label("Prague (AFP) May 31, 2024"), is_related_label("Officials said so.")
    (False, False)
    """
    if is_label(text):
        return True
    words = text.split()
    return (0 < len(words) <= 4 and all(w[:1].isupper() for w in words)
            and not any(c in text for c in ".,;:!?()") and not looks_like_dateline(text))


def find_headline(lines: list[Line], titles: list[str]) -> tuple[int, str | None] | None:
    """(index, label printed before it) of the first line that reads as the title."""
    keys = [key(t) for t in titles if t]
    if not keys:
        return None
    for links in (False, True):
        for i, line in enumerate(lines):
            if (line.href is not None) != links:
                continue
            k = key(line.text)
            for title in keys:
                if k == title:
                    return i, None
                if k.endswith(" " + title):
                    prefix = line.text[: len(line.text) - len(title)].strip(" |:-\u2013\u2014")
                    if is_label(prefix):
                        return i, prefix
    return None


def read_header(lines: list[Line], titles: list[str], bounded: bool) -> Header | None:
    """The header of a page: headline, label, byline and dateline, read in text order.

    ``bounded``: the lines are the page's whole header (the classic body anchor ends them), so
    the byline and dateline are the last ones before the body; otherwise they must follow the
    headline within :data:`HEADER_LINES`, and the header ends at the dateline or at the first
    line that is none of its parts.
    """
    found = find_headline(lines, titles)
    if found is None:
        return None
    i, section = found
    title = lines[i].text if section is None else lines[i].text[len(section):].strip(" |:-")
    h = Header(title=title, index=i, section=section, last=i)
    twice = i + 1 < len(lines) and key(lines[i + 1].text) == key(title)
    if twice:
        h.index = h.last = i + 1
    if section is None and i > 0 and is_label(lines[i - 1].text):
        # The label of the classic order: the headline shows twice, or a site line is above.
        above = lines[i - 2].text.lower() if i > 1 else ""
        if twice or above in SITE_LINES:
            h.section = lines[i - 1].text
    h.wire = any(WIRE_HEADER_RE.match(ln.text) for ln in lines[max(0, i - 3):i])
    k = h.index + 1
    limit = len(lines) if bounded else min(len(lines), k + HEADER_LINES)
    while k < limit:
        line = without_machine_dates(lines[k])
        text = line.text
        both = split_credits(line) if line.href is None else None
        if both is not None:
            h.byline, h.dateline = both
            h.order = ["byline", "dateline"]
            h.last = k
            if not bounded:
                break
        elif line.href is None and looks_like_dateline(text):
            h.dateline = text
            if "dateline" not in h.order:
                h.order.append("dateline")
            h.last = k
            if not bounded:
                after = lines[k + 1].text if k + 1 < len(lines) else ""
                if (h.byline is None and k + 1 < len(lines) and lines[k + 1].href is None
                        and looks_like_byline(after)):
                    h.byline, h.last = after, k + 1  # an old page prints it after the dateline
                    h.order.append("byline")
                break
        elif line.href is None and looks_like_byline(text) and (bounded or h.dateline is None):
            h.byline = text
            if "byline" not in h.order:
                h.order.append("byline")
            h.last = k
        elif is_caption(text) or META_DATE_RE.match(text):
            h.last = k
        elif (line.href is not None and k + 1 < limit and lines[k + 1].href is None
              and len(lines[k + 1].text.split()) >= 12 and not h.order):
            h.last = k + 1  # a teaser of another story: its headline and paragraph
            k += 1
        elif not bounded:
            break
        k += 1
    return h


def body_end(lines: list[Line], start: int, wire: bool = False) -> int | None:
    """Index of the first line from ``start`` on that ends the body, or None."""
    for j in range(start, len(lines)):
        text = lines[j].text
        if END_RE.match(text) or (wire and WIRE_END_RE.match(text)):
            return j
    return None


def body_paragraphs(page: str, start: int, end: int, title: str | None = None) -> list[str]:
    """Final paragraphs of the body between two offsets of the page (crawler.text's cleaner:
    boilerplate lines and a leading repeat of the headline left out); a single ``<br>`` before a
    paragraph that opens with a dateline (an appended story) ends a paragraph too."""
    region = _APPENDED_BR_RE.sub("<p>", page[start:end])
    return clean_paragraphs(html_paragraphs(region), title, squashed=True)


def first_body_paragraph(page: str, start: int, end: int) -> str | None:
    """The first of :func:`body_paragraphs` (without a headline to leave out), read no further.

    >>> first_body_paragraph("<p>Tweet<p>Paris (AFP) May 2, 2024<p>Text", 0, 40)
    'Paris (AFP) May 2, 2024'
    """
    region = _APPENDED_BR_RE.sub("<p>", page[start:end])
    return next(iter_clean_paragraphs(iter_html_paragraphs(region), squashed=True), None)


def leading_dateline(paragraph: str) -> tuple[str | None, str]:
    """The dateline a body's first paragraph is or opens with (or None), and the rest of it.

    >>> leading_dateline("Paris (SPX) Mar 17, 2025 - The agency said.")
    ('Paris (SPX) Mar 17, 2025', 'The agency said.')
    >>> leading_dateline("Prague (AFP) May 31, 2024"), leading_dateline("The agency said.")
    (('Prague (AFP) May 31, 2024', ''), (None, 'The agency said.'))
    """
    if looks_like_dateline(paragraph):
        return paragraph, ""
    m = INLINE_DATELINE_RE.match(paragraph)
    if m and looks_like_dateline(m["dateline"]):
        return m["dateline"], paragraph[m.end():]
    return None, paragraph


@dataclass
class Body:
    """The body's paragraphs and the datelines printed inside it."""

    paragraphs: list[str]
    dateline: str | None = None
    """A dateline printed as the body's first line (or opening its first paragraph)."""
    appended: list[str] = field(default_factory=list)
    """Datelines that open later paragraphs: stories appended inside the body."""


def body_credits(paragraphs: list[str], has_dateline: bool) -> Body:
    """The body with a leading dateline taken out (when the header printed none) and the
    datelines of appended stories listed.

    >>> b = body_credits(["Prague (AFP) May 31, 2024", "Text.", "Title",
    ...                   "Washington (AFP) Jan 29, 2024 - US Secretary said."], False)
    >>> b.dateline, b.paragraphs[0], b.appended
    ('Prague (AFP) May 31, 2024', 'Text.', ['Washington (AFP) Jan 29, 2024'])
    >>> body_credits(["Paris (SPX) Mar 17, 2025 - The agency said.", "More."], False).dateline
    'Paris (SPX) Mar 17, 2025'
    """
    paras = list(paragraphs)
    dateline = None
    if not has_dateline and paras:
        dateline, rest = leading_dateline(paras[0])
        if dateline is not None and rest:
            paras[0] = rest
        elif dateline is not None:
            paras.pop(0)
    appended = []
    for p in paras[1:]:
        m = INLINE_DATELINE_RE.match(p)
        if m and looks_like_dateline(m["dateline"]):
            appended.append(" ".join(m["dateline"].split()))
    return Body(paras, dateline, appended)


def related_blocks(
    lines: Iterable[Line], base: str
) -> tuple[list[RelatedLink], list[RelatedArticle]]:
    """The 'Related Links' and 'RELATED CONTENT' blocks among lines that follow a body."""
    links: list[RelatedLink] = []
    articles: list[RelatedArticle] = []
    state: str | None = None
    section: str | None = None
    for line in lines:
        text = line.text
        low = text.lower()
        if low.rstrip(" :") == "related links":
            state = "links"
            continue
        if low == "related content":
            state, section = "content", None
            continue
        if line.href is None:
            if state == "content" and is_related_label(text):
                section = clean_inline(text)
            elif state is not None and ("copyright" in low or low.startswith("the content herein")):
                break
            continue
        if low.startswith("subscribe free"):
            if state == "content":
                break
            state = None if state == "links" else state
            continue
        if state == "content" and is_label(text):
            section = clean_inline(text)  # a label printed as a link is no related item
            continue
        url = absolute_url(base, line.href)
        if not url or low.strip(". ") in _NOT_ITEMS:
            continue
        url = canonical_url(url)
        title = clean_inline(text) or ""
        if state == "links":
            links.append({"url": url, "title": title})
        elif state == "content":
            articles.append({"url": url, "title": title, "section": section})
    return links, articles
