"""The sidecar record files written beside the articles file: duplicates and rejects.

The articles file is Scrapy's own feed (``FEEDS`` / ``-O``). Its sidecars are named after it:
``<stem>.duplicates.jsonl`` and ``<stem>.rejects.jsonl`` in the same folder, or plain
``duplicates.jsonl`` / ``rejects.jsonl`` when the articles file is ``articles.jsonl``. The
settings ``SMN_DUPLICATES_PATH`` and ``SMN_REJECTS_PATH`` name them explicitly instead. File names
come from settings only, never from page content.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scrapy.extensions.feedexport import FeedExporter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_JSONL_FORMATS = ("jsonlines", "jsonl", "jl")


def local_path(uri: str) -> Path | None:
    """The local file a feed URI names, or None for a remote one.

    >>> local_path("output/smn-2026-11-25T12-00-00.jsonl").as_posix()
    'output/smn-2026-11-25T12-00-00.jsonl'
    >>> local_path("file:///data/out/articles.jsonl").as_posix()
    '/data/out/articles.jsonl'
    >>> local_path("s3://bucket/articles.jsonl") is None
    True
    """
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(url2pathname(parts.path))
    if len(parts.scheme) > 1:  # one letter: a Windows drive
        return None
    return Path(uri)


def sidecar_path(articles: Path, kind: str) -> Path:
    """The sidecar file of kind ``kind`` beside an articles file.

    >>> sidecar_path(Path("output/smn-2026-11-25T12-00-00.jsonl"), "duplicates").as_posix()
    'output/smn-2026-11-25T12-00-00.duplicates.jsonl'
    >>> sidecar_path(Path("out/articles.jsonl"), "rejects").as_posix()
    'out/rejects.jsonl'
    >>> sidecar_path(Path("articles.jl"), "rejects").as_posix()
    'rejects.jsonl'
    """
    stem = articles.stem
    name = f"{kind}.jsonl" if stem == "articles" else f"{stem}.{kind}.jsonl"
    return articles.parent / name


def _feed_slots(crawler: Crawler) -> list[tuple[str, dict[str, Any]]]:
    """(uri, options) of the feeds the FeedExporter opened, with their placeholders filled in."""
    extensions = getattr(crawler, "extensions", None)
    for ext in getattr(extensions, "middlewares", ()):
        if isinstance(ext, FeedExporter):
            return [(slot.uri, slot.feed_options) for slot in ext.slots]
    return []


def articles_feed(crawler: Crawler) -> tuple[Path | None, bool]:
    """The local articles file of the crawl (a JSON Lines feed first) and whether it is
    overwritten (``-O``) rather than appended to."""
    slots = _feed_slots(crawler)
    if not slots:  # before the feed opened, or no FeedExporter: the setting's URI as written
        feeds = crawler.settings.getdict("FEEDS")
        slots = [
            (str(uri), dict(opts or {})) for uri, opts in feeds.items() if "%(" not in str(uri)
        ]
    slots.sort(key=lambda s: str(s[1].get("format", "")).lower() not in _JSONL_FORMATS)
    for uri, options in slots:
        path = local_path(uri)
        if path is not None:
            return path, bool(options.get("overwrite", False))
    return None, False


class JsonLinesWriter:
    """One sidecar file, opened on first use; each record is written as one whole line and
    flushed, so a crash leaves no half record behind."""

    def __init__(self, crawler: Crawler, kind: str, setting: str) -> None:
        self.crawler = crawler
        self.kind = kind
        self.setting = setting
        self.path: Path | None = None
        self.count = 0
        self._file: IO[str] | None = None

    def resolve(self) -> tuple[Path, bool]:
        """The file to write and whether to truncate it."""
        explicit = self.crawler.settings.get(self.setting)
        articles, overwrite = articles_feed(self.crawler)
        if explicit:
            return Path(str(explicit)), overwrite
        if articles is not None:
            return sidecar_path(articles, self.kind), overwrite
        folder = Path(str(self.crawler.settings.get("SMN_OUTPUT_DIR")))
        return folder / f"{self.kind}.jsonl", overwrite

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path, overwrite = self.resolve()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w" if overwrite else "a", encoding="utf-8")
            logger.info("Writing %s to %s", self.kind, self.path)
        return self._file

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as a JSON line."""
        f = self._open()
        f.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        f.flush()
        self.count += 1

    def close(self) -> None:
        """Close the file; it is created (empty) when nothing was written, so it always exists."""
        self._open().close()
        self._file = None
