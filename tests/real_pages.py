"""Pages made from the real texts in ``../shared/data/real-text/`` (read at test time).

Each text is what a reader saw of a real page, in page order. The truth of a page is read from
the lines of its text by the rules below, never from the extractor; the page itself is rendered
by the mirror's own renderers from that truth, in several markups (the real markup is unknown).

Rules, by the shape of the text (its first line):

* ``SpaceWar.com - Your World At War`` (AFP wire page): non-empty lines are the header, the
  headline, the dateline, then body paragraphs up to ``ADVERTISEMENT``; after it, boxes of a
  heading and three headlines. The dateline is ``<place>, <Mon> <d> (<AGENCY>) <date>``.
* ``. | . |`` (a flattened 2022 page): the next line holds the headline -- the shortest run of
  its first words whose slug is the address's slug --, then ``by`` and the byline (``AFP Staff
  Writers``, ``Staff Writers`` or ``First Last`` names joined by ``and``), then the dateline
  ``<place> (<AGENCY>) <Month> <d>, <yyyy>``, then the body: the rest of that line and the next
  lines up to one that holds a dateline, each a paragraph. Each later line that holds a
  dateline is a related story: headline, place (the word before the agency), date,
  teaser.
* ``|`` (a 2003 front page): not an article.
* a headline followed by blank lines (the March 2026 spacewar layout): non-empty lines are the
  headline, the byline, the dateline, then body paragraphs.
* otherwise (the classic page): lines 1 to 6 are the site name, the section label, the headline
  twice, the byline and the dateline; body paragraphs are the non-empty lines after them up to
  ``Related Links`` (or the end of the cut text); the lines after ``Related Links`` up to a blank
  line are its links' titles.

Field rules: leading and trailing spaces are not part of a field; the byline is printed with
``by``/``By``, the field without it; authors are the names of a byline of the form ``First Last
( and First Last)*`` (capitals of a surname re-cased), none for any other byline; location,
agency and date are the dateline's parts (the date after the agency, month by its first three
letters); a body paragraph that opens with a dateline and `` - `` is an appended story, and its
dateline is listed in ``appended_datelines``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.mirror.hubs import classic_home, section_page
from crawler.mirror.markup import default_variants
from crawler.mirror.model import MirrorArticle, RelatedBlock, RelatedItem
from crawler.mirror.network import Summary
from crawler.mirror.render import render
from crawler.sites import SITES_BY_DOMAIN, domain_of, slugify_title
from tests.crawling import SHARED

REAL_TEXT = SHARED / "data" / "real-text"
WIRE_HEADER = "SpaceWar.com - Your World At War"
_MONTHS = {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
DATELINE_RE = re.compile(
    r"^(?P<place>.+?) \((?P<agency>[A-Z]{2,5})\) (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})$")
WIRE_DATELINE_RE = re.compile(
    r"^(?P<place>.+), [A-Z][a-z]{2} \d{1,2} \((?P<agency>[A-Z]{2,5})\) "
    r"(?P<date>[A-Z][a-z]{2} \d\d, \d{4})$")
PERSONS_RE = re.compile(r"^[A-Z][a-z]+ [A-Z][A-Za-z]+(?: and [A-Z][a-z]+ [A-Z][A-Za-z]+)*$")
_FLAT_RE = re.compile(
    r"^by (?P<byline>AFP Staff Writers|Staff Writers|[A-Z][a-z]+ [A-Z][a-z]+"
    r"(?: and [A-Z][a-z]+ [A-Z][a-z]+)*) (?P<place>.+?) \((?P<agency>[A-Z]{2,5})\) "
    r"(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})(?: (?P<body>.+))?$")
_RELATED_RE = re.compile(
    r"^(?P<title>.+) (?P<place>\S+) \((?P<agency>[A-Z]{2,5})\) "
    r"(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4}) (?P<teaser>.+?)(?: \.\.\. read more)?$")
_STORY_RE = re.compile(
    r"(?P<title>[^.]+?) (?P<place>[A-Z]{2,}(?: [A-Z]{2,})*) \((?P<agency>[A-Z]{2,5})\) "
    r"(?P<date>[A-Z][a-z]+ \d{1,2}, \d{4}) (?P<teaser>[^.]+(?:\.|$))")
IMAGE = "https://www.spxdaily.com/images-hg/real-text-photo-hg.jpg"

CLASSIC_MARKUPS: dict[str, dict[str, str]] = {
    "seen-defaults": default_variants("classic"),
    "inline-credits": {
        "title_tag": "site-first", "label": "headline-line", "indent": "nbsp",
        "caption": "illustration", "teasers": "two", "byline": "dateline-line",
        "dateline": "header", "related_heading": "colon", "related_list": "ul",
        "related_labels": "link",
    },
    "blocks": {
        "title_tag": "headline-site", "label": "link", "indent": "spaces", "caption": "courtesy",
        "teasers": "none", "byline": "div", "dateline": "body", "related_heading": "plain",
        "related_list": "table", "related_labels": "text",
    },
}
"""The markups a classic real text is rendered in (details of crawler.mirror.markup.CLASSIC)."""


def parse_date(text: str) -> str:
    """ISO date of 'Oct 08, 2024' / 'June 28, 2025' / 'Sept 25, 2025'."""
    month, day, year = text.replace(",", "").split()
    return dt.date(int(year), _MONTHS[month[:3].lower()], int(day)).isoformat()


def authors_of(byline: str) -> list[str]:
    """Persons of a byline without 'by' (see the module's rule)."""
    if not PERSONS_RE.match(byline):
        return []
    return [" ".join(w.capitalize() if w.isupper() else w for w in name.split())
            for name in byline.split(" and ")]


@dataclass
class RealPage:
    """One real text: its kind, its truth and the mirror data it is rendered from."""

    name: str
    url: str
    kind: str
    """'classic', 'spacewar2026', 'afp', 'flattened' or 'front'."""
    expected: dict[str, Any] | None
    article: MirrorArticle | None = None
    stories: list[Summary] = field(default_factory=list)

    def markups(self) -> list[str]:
        """Names of the markups this page is rendered in."""
        if self.kind == "classic":
            return list(CLASSIC_MARKUPS)
        if self.kind == "afp":
            return ["table", "divs", "h1"]
        if self.kind == "front":
            return ["home", "section"]
        return ["divs", "paragraphs", "table"]

    def render(self, markup: str) -> bytes:
        """The page in one of its markups, by the mirror's renderers."""
        site = SITES_BY_DOMAIN[domain_of(self.url)]
        if self.kind == "front":
            if markup == "home":
                return classic_home(site, self.stories)
            return section_page(site, "WAR REPORT", 1, self.stories, False)
        assert self.article is not None
        a = self.article
        if self.kind == "classic":
            a.variants = dict(CLASSIC_MARKUPS[markup])
            a.image_url = IMAGE if a.variants["caption"] != "none" else None
            a.caption = {"illustration": "illustration only",
                         "courtesy": "Jens Stoltenberg. Photo courtesy of AFP."}.get(
                             a.variants["caption"])
        else:
            a.variants = {"markup": markup}
        return render(a)


def _credits(byline_line: str, dateline: str, wire: bool = False) -> dict[str, Any]:
    printed = byline_line.strip()
    byline = re.sub(r"^[Bb]y ", "", printed) if printed else None
    m = (WIRE_DATELINE_RE if wire else DATELINE_RE).match(dateline.strip())
    assert m, dateline
    return {
        "byline": byline, "authors": authors_of(byline) if byline else [],
        "dateline": dateline.strip(), "location": m["place"], "agency": m["agency"],
        "published": parse_date(m["date"]),
    }


def _appended(paragraphs: list[str]) -> list[str]:
    out = []
    for p in paragraphs[1:]:
        head = p.split(" - ", 1)[0]
        if " - " in p and DATELINE_RE.match(head):
            out.append(head)
    return out


def _article(url: str, kind: str, title: str, section: str | None, byline_line: str,
             credits: dict[str, Any], paragraphs: list[str]) -> MirrorArticle:
    layout = "classic" if kind == "classic" else "afp" if kind == "afp" else "spacewar2026"
    return MirrorArticle(
        url=url, site=domain_of(url), layout=layout, title=title, paragraphs=paragraphs,
        section=section, byline=byline_line.strip() or None, byline_clean=credits["byline"],
        authors=credits["authors"], dateline=credits["dateline"], location=credits["location"],
        agency=credits["agency"], published=credits["published"], og_url=url,
        appended_datelines=_appended(paragraphs),
    )


def parse(path: Path) -> RealPage:
    """A real text as a RealPage, by the module's rules."""
    url = "https://" + path.name.removesuffix(".txt").replace("__", "/")
    lines = path.read_text("utf-8").splitlines()
    full = [ln.strip() for ln in lines if ln.strip()]
    if full[0] == "|":
        stories = [
            Summary(k, f"https://www.spacewar.com/2003-a/story-{k}.html", "spacewar.com",
                    "classic", m["title"].strip(), None,
                    f"{m['place']} ({m['agency']}) {m['date']}", m["teaser"], None)
            for k, m in enumerate(m for ln in full for m in _STORY_RE.finditer(ln))
        ]
        return RealPage(path.name, url, "front", None, stories=stories)
    if full[0] == WIRE_HEADER:
        title, dateline = full[1], full[2]
        end = full.index("ADVERTISEMENT")
        paragraphs = full[3:end]
        credits = _credits("", dateline, wire=True)
        a = _article(url, "afp", title, None, "", credits, paragraphs)
        a.boxes, k = [], end + 1
        while k < len(full) and not full[k].startswith("All rights reserved"):
            block = RelatedBlock(full[k])
            for t in full[k + 1:k + 4]:
                block.items.append(RelatedItem(
                    f"https://www.spacedaily.com/reports/{slugify_title(t)}_999.html", t))
            a.boxes.append(block)
            k += 4
        return RealPage(path.name, url, "afp", _expected(a), a)
    if full[0] == ". | . |":
        slug = url.rsplit("/", 1)[1].removesuffix(".html").removesuffix("_999")
        words = full[1].split()
        n = next(n for n in range(1, len(words)) if slugify_title(" ".join(words[:n])) == slug)
        title = " ".join(words[:n])
        m = _FLAT_RE.match(" ".join(words[n:]))
        assert m, full[1]
        byline_line = f"by {m['byline']}"
        credits = _credits(byline_line, f"{m['place']} ({m['agency']}) {m['date']}")
        body = [m["body"]] if m["body"] else []
        items = []
        for ln in full[2:]:
            r = _RELATED_RE.match(ln)
            if not r and not items and ln != "|":
                body.append(ln)
            elif r:
                items.append(RelatedItem(
                    f"https://www.spacewar.com/reports/{slugify_title(r['title'])}_999.html",
                    r["title"], f"{r['place']} ({r['agency']}) {r['date']}", r["teaser"]))
        a = _article(url, "flattened", title, None, byline_line, credits, body)
        a.related_blocks = [RelatedBlock("WAR REPORT", items)] if items else []
        return RealPage(path.name, url, "flattened", _expected(a), a)
    if len(lines) > 1 and not lines[1].strip():
        title, byline_line, dateline = full[0], full[1], full[2]
        credits = _credits(byline_line, dateline)
        a = _article(url, "spacewar2026", title, None, byline_line, credits, full[3:])
        return RealPage(path.name, url, "spacewar2026", _expected(a), a)
    title, section, byline_line, dateline = lines[2].strip(), lines[1].strip(), lines[4], lines[5]
    rest = [ln.strip() for ln in lines[6:]]
    end = rest.index("Related Links") if "Related Links" in rest else len(rest)
    credits = _credits(byline_line, dateline)
    a = _article(url, "classic", title, section, byline_line, credits,
                 [ln for ln in rest[:end] if ln])
    if end < len(rest):
        k = end + 1
        while k < len(rest) and rest[k]:
            a.related_links.append((SITES_BY_DOMAIN["spacewar.com"].home_url, rest[k]))
            k += 1
    return RealPage(path.name, url, "classic", _expected(a), a)


def _expected(a: MirrorArticle) -> dict[str, Any]:
    return {
        "title": a.title, "byline": a.byline_clean, "authors": a.authors,
        "dateline": a.dateline, "published": a.published, "agency": a.agency,
        "location": a.location, "section": a.section, "body": "\n\n".join(a.paragraphs),
        "appended_datelines": a.appended_datelines,
    }


def real_pages() -> list[RealPage]:
    """Every real text, parsed (empty when the shared data is absent)."""
    if not REAL_TEXT.is_dir():
        return []
    pages = [parse(p) for p in sorted(REAL_TEXT.glob("*.txt"))]
    classic = [p for p in pages if p.kind == "classic"]
    for k, page in enumerate(classic):  # teasers of two other real stories (2008 style)
        others = [classic[(k + 1) % len(classic)], classic[(k + 2) % len(classic)]]
        assert page.article is not None
        page.article.teasers = [
            RelatedItem(o.url, o.expected["title"], teaser=o.expected["body"].split("\n\n")[0])
            for o in others if o.expected
        ]
    return pages
