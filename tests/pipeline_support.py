"""Test helpers for the pipelines: a deterministic story generator and a real in-process crawl
whose spider yields given items (no network), through the project's pipelines and settings."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import AsyncCrawlerRunner

from crawler.items import Article
from crawler.project import project_settings
from crawler.similarity import fingerprint
from crawler.sites import SITES
from crawler.text import word_count
from tests.crawling import read_jsonl

_SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "te",
    "su",
    "na",
    "lo",
    "vi",
    "de",
    "pa",
    "ri",
    "go",
    "ne",
    "sa",
    "to",
    "me",
    "li",
    "ba",
    "ku",
    "ze",
    "fo",
    "ha",
    "ju",
    "wi",
    "ta",
    "el",
    "an",
    "or",
    "is",
    "un",
    "ex",
    "ma",
    "po",
]


def vocabulary(size: int = 400, seed: int = 7) -> list[str]:
    """``size`` distinct pseudo-words, the same for a seed."""
    rng = random.Random(seed)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


class StoryGen:
    """Realistic-length random stories (300-800 words in paragraphs of 30-90 words)."""

    def __init__(self, seed: int = 1, vocab_size: int = 400) -> None:
        self.rng = random.Random(seed)
        self.vocab = vocabulary(vocab_size, seed)

    def sentence(self) -> str:
        words = [self.rng.choice(self.vocab) for _ in range(self.rng.randint(6, 18))]
        return " ".join(words).capitalize() + "."

    def paragraph(self, words: int | None = None) -> str:
        target = words or self.rng.randint(30, 90)
        out: list[str] = []
        while sum(len(s.split()) for s in out) < target:
            out.append(self.sentence())
        return " ".join(out)

    def title(self) -> str:
        return " ".join(self.rng.choice(self.vocab) for _ in range(self.rng.randint(5, 10))).title()

    def body(self, words: int | None = None) -> list[str]:
        """Paragraphs of one story body."""
        target = words or self.rng.randint(300, 800)
        paras: list[str] = []
        while sum(len(p.split()) for p in paras) < target:
            paras.append(self.paragraph())
        return paras


def article(
    url: str, title: str, paras: list[str], *, site: str | None = None, **fields: Any
) -> Article:
    """An Article as extraction hands it over: final fields, word count and fingerprint made
    by the page objects' own helpers (inputs of the pipelines here, not expected values)."""
    if site is None:
        site = url.split("/")[2].removeprefix("www.")
    defaults: dict[str, Any] = {
        "extraction": "template",
        "published": "2026-11-25",
        "dateline": "Paris (AFP) Nov 25, 2026",
        "agency": "AFP",
        "location": "Paris",
        "byline": "AFP Staff Writers",
        "crawled_at": "2026-11-25T12:00:00+00:00",
    }
    body = "\n\n".join(paras)
    defaults["word_count"] = word_count(body)
    defaults["fingerprint"] = fingerprint(body)
    return Article(url=url, site=site, title=title, body=body, **{**defaults, **fields})


def slug_url(site: str, title: str) -> str:
    """A classic article address for a title on a site."""
    slug = "_".join(title.split())
    return f"https://www.{site}/reports/{slug}_999.html"


SITE_DOMAINS = [s.domain for s in SITES]


@dataclass
class Crawl:
    """What one in-process crawl wrote."""

    articles: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    stats: dict[str, Any]


class ItemsSpider(scrapy.Spider):
    """Yields the items it is given, from ``start()``: a crawl with no requests."""

    name = "items"

    def __init__(self, items: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items = list(items)

    async def start(self):  # type: ignore[override]
        for item in self.items:
            yield item


def crawl_items(
    items: Iterable[Any], out: Path, *, state: Path | None = None, **settings: Any
) -> Crawl:
    """Run a real Scrapy crawl (no Twisted reactor) yielding ``items`` through the project's
    pipelines, the feed going to ``out/articles.jsonl``; returns what it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    articles = out / "articles.jsonl"
    full = {
        "TWISTED_REACTOR_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "FEEDS": {str(articles): {"format": "jsonlines", "encoding": "utf-8", "overwrite": True}},
        "SMN_STATE_PATH": str(state or out / "state.sqlite"),
        **settings,
    }

    async def run() -> dict[str, Any]:
        runner = AsyncCrawlerRunner(project_settings(full))
        crawler = runner.create_crawler(ItemsSpider)
        await runner.crawl(crawler, items=items)
        assert crawler.stats is not None
        return dict(crawler.stats.get_stats())

    stats = asyncio.run(run())
    return Crawl(
        articles=read_jsonl(articles),
        duplicates=read_jsonl(out / "duplicates.jsonl"),
        rejects=read_jsonl(out / "rejects.jsonl"),
        stats=stats,
    )
