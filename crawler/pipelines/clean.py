"""First pipeline: count the item, clean its text fields and URLs, recompute derived fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter

from crawler.fingerprint import fingerprint, word_count
from crawler.textclean import absolute_url, canonical_url, clean_body, clean_inline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

INLINE_FIELDS = ("title", "byline", "section", "dateline", "agency", "location")
"""One-line text fields: tags and entities removed, whitespace collapsed."""


def _clean_related(entries: Any, base: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Related link entries with clean titles and canonical absolute URLs; entries without a
    URL are left out."""
    cleaned: list[dict[str, Any]] = []
    if not isinstance(entries, list):  # a malformed item: validation rejects it afterwards
        return cleaned
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        if not entry["url"].strip():
            continue
        new = dict(entry)
        new["url"] = canonical_url(entry["url"], base=base)
        for key in keys:
            if key in new:
                value = new[key]
                new[key] = clean_inline(value) if isinstance(value, str) else value
        new["title"] = new.get("title") or ""
        cleaned.append(new)
    return cleaned


def clean_article(adapter: ItemAdapter) -> None:
    """Clean an item in place (through its adapter); fields it lacks are left alone."""
    url = adapter.get("url")
    if isinstance(url, str) and url.strip():
        url = canonical_url(url)
        adapter["url"] = url
    base = url if isinstance(url, str) else ""
    for name in INLINE_FIELDS:
        if name in adapter and (adapter[name] is None or isinstance(adapter[name], str)):
            adapter[name] = clean_inline(adapter[name])
    if adapter.get("title") is None and "title" in adapter:
        adapter["title"] = ""  # still a string; validation rejects it with reason 'title'
    if isinstance(adapter.get("authors"), list):
        authors = (clean_inline(a) if isinstance(a, str) else None for a in adapter["authors"])
        adapter["authors"] = [a for a in authors if a]
    if isinstance(adapter.get("body"), str):
        title = adapter.get("title")
        body = clean_body(adapter["body"], title=title if isinstance(title, str) else None)
        adapter["body"] = body
        if "word_count" in adapter:
            adapter["word_count"] = word_count(body)
        if "fingerprint" in adapter:
            adapter["fingerprint"] = fingerprint(body)
    if "image_url" in adapter and (
        adapter["image_url"] is None or isinstance(adapter["image_url"], str)
    ):
        adapter["image_url"] = absolute_url(adapter["image_url"], base)
    if "related_links" in adapter:
        adapter["related_links"] = _clean_related(adapter["related_links"], base, ("title",))
    if "related_articles" in adapter:
        adapter["related_articles"] = _clean_related(
            adapter["related_articles"], base, ("title", "section")
        )


class CleanPipeline:
    """Counts every item (``articles/parsed``) and cleans it: see :mod:`crawler.textclean`."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        self.stats.inc_value("articles/parsed")
        clean_article(ItemAdapter(item))
        return item
