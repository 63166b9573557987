"""The exported record: one news article, as in the shared schema (article.schema.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

SCHEMA_VERSION = 1


class RelatedLink(TypedDict):
    """One entry of the 'Related Links' block."""

    url: str
    title: str


class RelatedArticle(TypedDict):
    """One headline of the 'RELATED CONTENT' block, with the section label above it."""

    url: str
    title: str
    section: str | None


class WarcPointer(TypedDict):
    """The record of a WARC file that holds the page as the site sent it (crawler.capture)."""

    filename: str
    record_id: str
    offset: int
    length: int
    payload_digest: str | None


@dataclass
class Article:
    """One article page, extracted; the schema's record in code."""

    url: str
    """Live address of the article: og:url when present, else the address fetched; canonical."""
    site: str
    """Host of url without 'www.', e.g. 'spacewar.com'."""
    title: str
    """Headline once, whitespace collapsed, entities decoded."""
    body: str
    """Article text only, paragraphs separated by one blank line."""
    extraction: str
    """Which path extracted the page: 'template', 'metadata' or 'fallback'."""
    published: str | None = None
    """ISO 8601 date (or datetime with offset) from the dateline, else from page metadata."""
    dateline: str | None = None
    """Raw dateline as printed, e.g. 'Prague (AFP) May 31, 2024'."""
    agency: str | None = None
    """Source in the dateline's parentheses, e.g. 'AFP'."""
    location: str | None = None
    """Place in the dateline, e.g. 'Paris, France'."""
    byline: str | None = None
    """Byline without the leading 'by', e.g. 'AFP Staff Writers'."""
    authors: list[str] = field(default_factory=list)
    """Named persons of the byline, capitals normalized; empty for 'Staff Writers'."""
    section: str | None = None
    """Section label shown above the headline, e.g. 'WAR REPORT'."""
    word_count: int = 0
    """Number of words in body."""
    image_url: str | None = None
    """Lead image: og:image or the first content image, absolute."""
    related_links: list[RelatedLink] = field(default_factory=list)
    """The 'Related Links' block: url and title of each link."""
    related_articles: list[RelatedArticle] = field(default_factory=list)
    """The 'RELATED CONTENT' block: url, title and section label of each headline."""
    appended_datelines: list[str] = field(default_factory=list)
    """Datelines of further stories appended inside the body (AFP prints one as 'Washington
    (AFP) Jan 29, 2024 - ...'); empty when the body holds one story."""
    language: str = "en"
    """Two-letter language code of the text."""
    fingerprint: str = ""
    """Content fingerprint of the normalized body; equal for syndicated copies of one story."""
    revision: int = 1
    """1 when first exported; 2, 3, ... each time a later run finds the story's body changed."""
    previous_fingerprint: str | None = None
    """Fingerprint of the story's previous revision; None for revision 1."""
    crawled_at: str = ""
    """UTC time of the fetch, ISO 8601."""
    schema_version: int = SCHEMA_VERSION
    """Version of the record's schema."""
    warc: WarcPointer | None = None
    """Where the page is kept: WARC file name, record id, offset, length, payload digest."""

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict, in schema field order."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
