"""What the mirror knows about each article page it serves: the data pages are rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXTRACTION: dict[str, str] = {
    "classic": "template", "spacewar2026": "template", "afp": "template",
    "wordpress": "metadata", "legacy": "fallback",
}
"""The extraction path the record of a page of each layout must name: 'fallback' only for a
page that matches no layout of the network."""


@dataclass
class RelatedItem:
    """One headline of a 'RELATED CONTENT' block."""

    url: str
    """Live address of the headline's article."""
    title: str
    """The headline as shown."""
    dateline: str | None = None
    """Dateline printed under the headline (the first item of the first block only)."""
    teaser: str | None = None
    """Teaser printed before '... read more' (the first item of the first block only)."""
    href: str | None = None
    """The address printed when it is not ``url`` (the bare host of the same page)."""


@dataclass
class RelatedBlock:
    """One section label of the 'RELATED CONTENT' block and the headlines under it."""

    section: str
    """Section label printed above the headlines, e.g. 'WAR REPORT'."""
    items: list[RelatedItem] = field(default_factory=list)
    """Headlines under the label (the seed page's last label has none)."""


@dataclass
class MirrorArticle:
    """One article page of the mirror, with every fact its page shows."""

    url: str
    """Live address, e.g. 'https://www.spacewar.com/reports/X_999.html'."""
    site: str
    """Network domain, e.g. 'spacewar.com'."""
    layout: str
    """'classic', 'spacewar2026' (the March 2026 spacewar layout), 'afp' (spacewar's AFP wire
    pages), 'wordpress' or 'legacy' (no layout of the network: the fallback path)."""
    title: str
    """Headline."""
    paragraphs: list[str]
    """Body paragraphs, plain Unicode text."""
    section: str | None = None
    """Section label above the headline, e.g. 'WAR REPORT'."""
    byline: str | None = None
    """Byline as printed, e.g. 'by AFP Staff Writers' or 'By Issam AHMED'."""
    byline_clean: str | None = None
    """Byline without the leading 'by'."""
    authors: list[str] = field(default_factory=list)
    """Named persons, capitals normalized."""
    dateline: str | None = None
    """Dateline as printed, e.g. 'Prague (AFP) May 31, 2024'."""
    location: str | None = None
    """Place of the dateline."""
    agency: str | None = None
    """Agency of the dateline."""
    published: str | None = None
    """ISO date (classic) or datetime with offset (wordpress)."""
    image_url: str | None = None
    """og:image, absolute."""
    og_url: str | None = None
    """og:url printed in the page; the live url unless the page is an alias."""
    related_links: list[tuple[str, str]] = field(default_factory=list)
    """'Related Links' block: (url, title) pairs."""
    related_blocks: list[RelatedBlock] = field(default_factory=list)
    """'RELATED CONTENT' block."""
    encoding: str = "utf-8"
    """Encoding of the served bytes: 'utf-8' (non-ASCII as numeric entities) or 'cp1252' (raw)."""
    leading_p: bool = False
    """Whether the first body paragraph is preceded by a bare <p> too."""
    story_id: str | None = None
    """Identifier of the story this page carries (shared by syndicated copies)."""
    mojibake: bool = False
    """Whether the served text carries UTF-8-read-as-windows-1252 mojibake (to be repaired)."""
    variants: dict[str, str] = field(default_factory=dict)
    """Markup variant drawn for each guessed detail, e.g. {'byline': 'dateline-line'} (see
    crawler.mirror.markup); a detail absent here is rendered in its first variant."""
    caption: str | None = None
    """Caption printed under the lead image between the headline and the byline."""
    teasers: list[RelatedItem] = field(default_factory=list)
    """Teasers of other stories (headline and one paragraph) between headline and byline."""
    boxes: list[RelatedBlock] = field(default_factory=list)
    """AFP wire pages: the boxes of current headlines after 'ADVERTISEMENT' (not related)."""
    appended_datelines: list[str] = field(default_factory=list)
    """Datelines of further stories appended inside the body, as printed."""
    posted: str | None = None
    """Date and time the page's metadata gives (WordPress JSON-LD) when ``published`` comes
    from a printed dateline instead."""

    def truth(self) -> dict[str, Any]:
        """The record an ideal extractor produces for this page (schema fields it determines)."""
        return {
            "url": self.url,
            "site": self.site,
            "title": self.title,
            "published": self.published,
            "dateline": self.dateline,
            "agency": self.agency,
            "location": self.location,
            "byline": self.byline_clean,
            "authors": list(self.authors),
            "section": self.section,
            "body": "\n\n".join(self.paragraphs),
            "image_url": self.image_url,
            "related_links": [{"url": u, "title": t} for u, t in self.related_links],
            "related_articles": [
                {"url": i.url, "title": i.title, "section": b.section}
                for b in self.related_blocks
                for i in b.items
            ],
            "appended_datelines": list(self.appended_datelines),
            "extraction": EXTRACTION[self.layout],
        }
