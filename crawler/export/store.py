"""A temporary SQLite database that turns record lines into stories with bounded memory.

Records are not held in memory: the database keeps, per address, where its newest version lies
(source, byte offset, length) and the few fields the canonical rule needs. Addresses are grouped
into stories by connected components over two kinds of link: ``url -> duplicate_of`` (and
``url -> also``) from the duplicates files, and ``url -> fingerprint`` for every record (equal
fingerprints join). The
components are found in SQL by min-label propagation with pointer jumping, and every sort
(stories by component, then by publication) is SQLite's own, which spills to disk.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from crawler.export.canonical import canonical_key, published_key

BATCH = 5000
FP_PREFIX = "fp:"

_SCHEMA = """
CREATE TABLE records (url TEXT PRIMARY KEY, src INTEGER, pos INTEGER, len INTEGER,
                      crawled_at TEXT, published TEXT, site TEXT);
CREATE TABLE links (a TEXT, b TEXT);
CREATE TABLE targets (url TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE nodes (id INTEGER PRIMARY KEY, key TEXT UNIQUE, comp INTEGER);
CREATE TABLE edges (a INTEGER, b INTEGER);
CREATE TABLE stories (sort_key TEXT, url TEXT, src INTEGER, pos INTEGER, len INTEGER,
                      alternates TEXT, records INTEGER);
CREATE TABLE gone (url TEXT PRIMARY KEY, status INTEGER, at TEXT) WITHOUT ROWID;
"""

_UPSERT = """
INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(url) DO UPDATE SET src = excluded.src, pos = excluded.pos, len = excluded.len,
    crawled_at = excluded.crawled_at, published = excluded.published, site = excluded.site
WHERE (excluded.crawled_at, excluded.src, excluded.pos) > (records.crawled_at, records.src,
                                                          records.pos)
"""


@dataclass(frozen=True)
class Story:
    """One story: where its canonical record lies, and the story's other addresses."""

    url: str
    src: int
    pos: int
    length: int
    alternate_urls: list[str]
    records: int
    """How many addresses of the story had a record of their own (the canonical one included)."""


@dataclass
class GroupCounts:
    """What grouping found."""

    versions: int = 0
    """Record lines read (every version of every address)."""
    addresses: int = 0
    """Distinct addresses with a record."""
    stories: int = 0
    """Stories with at least one record."""
    without_record: int = 0
    """Groups of addresses none of which has a record (e.g. their run is not among the inputs)."""
    merged_records: int = 0
    """Records of syndicated copies folded into another record's story."""
    merged_addresses: int = 0
    """Addresses kept as alternate_urls."""
    gone: int = 0
    """Records left out because a later revisit found their address gone (404/410)."""


class StoryStore:
    """Collect records and duplicate links, then yield stories sorted by (published, url)."""

    def __init__(self, temp_dir: Path | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="smn-export-", dir=temp_dir)
        self.db = sqlite3.connect(Path(self._tmp.name) / "export.sqlite")
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = FILE",
                       "cache_size = -32768"):  # 32 MB page cache at most
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.counts = GroupCounts()
        self._records: list[tuple[Any, ...]] = []
        self._links: list[tuple[str, str]] = []
        self._targets: list[tuple[str]] = []

    def __enter__(self) -> StoryStore:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Drop the temporary database."""
        self.db.close()
        self._tmp.cleanup()

    # -- loading ------------------------------------------------------------------------------
    def add_record(self, src: int, pos: int, length: int, record: dict[str, Any]) -> bool:
        """Remember one record line; False when it has no usable url."""
        url = record.get("url")
        if not isinstance(url, str) or not url:
            return False
        self.counts.versions += 1
        self._records.append((url, src, pos, length, str(record.get("crawled_at") or ""),
                              record.get("published"), record.get("site")))
        fingerprint = record.get("fingerprint")
        if isinstance(fingerprint, str) and fingerprint:
            self._links.append((url, FP_PREFIX + fingerprint))
        if len(self._records) >= BATCH or len(self._links) >= BATCH:
            self._flush()
        return True

    def add_duplicate(self, line: dict[str, Any]) -> bool:
        """Remember one duplicates line (url -> duplicate_of, and url -> each of the other
        stories it matched, ``also``); False when it is unusable."""
        url, target = line.get("url"), line.get("duplicate_of")
        if not (isinstance(url, str) and isinstance(target, str) and url and target):
            return False
        if url != target:
            self._links.append((url, target))
            self._targets.append((target,))
        also = line.get("also")
        if isinstance(also, list):
            self._links += [(url, other) for other in also
                            if isinstance(other, str) and other and other != url]
        if len(self._links) >= BATCH:
            self._flush()
        return True

    def add_gone(self, line: dict[str, Any]) -> bool:
        """Remember one gone line (an address that answered 404/410 at a time); False when it
        is unusable. A record of that address crawled before then is left out of the stories."""
        url, status, at = line.get("url"), line.get("status"), line.get("at")
        if not (isinstance(url, str) and isinstance(status, int) and isinstance(at, str)):
            return False
        self.db.execute("INSERT INTO gone VALUES (?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                        "status = excluded.status, at = excluded.at WHERE excluded.at > gone.at",
                        (url, status, at))  # fmt: skip
        return True

    def gone_statuses(self) -> dict[str, int]:
        """Address -> 404/410 of every address found gone (after :meth:`group`: those whose
        record was left out)."""
        return dict(self.db.execute("SELECT url, status FROM gone").fetchall())

    def _flush(self) -> None:
        with self.db:
            self.db.executemany(_UPSERT, self._records)
            self.db.executemany("INSERT INTO links VALUES (?, ?)", self._links)
            self.db.executemany("INSERT OR IGNORE INTO targets VALUES (?)", self._targets)
        self._records.clear()
        self._links.clear()
        self._targets.clear()

    # -- grouping -----------------------------------------------------------------------------
    def group(self) -> None:
        """Connected components of addresses and fingerprints, then one row per story."""
        self._flush()
        db = self.db
        with db:  # a record fetched before its address was found gone is no longer a story
            self.counts.gone = db.execute(
                "DELETE FROM records WHERE url IN (SELECT g.url FROM gone g WHERE "
                "substr(g.at, 1, 19) >= substr(records.crawled_at, 1, 19))").rowcount
        with db:
            db.execute("INSERT OR IGNORE INTO nodes (key) SELECT url FROM records")
            db.execute("INSERT OR IGNORE INTO nodes (key) SELECT a FROM links")
            db.execute("INSERT OR IGNORE INTO nodes (key) SELECT b FROM links")
            db.execute("UPDATE nodes SET comp = id")
            db.execute("""INSERT INTO edges SELECT na.id, nb.id FROM links
                          JOIN nodes na ON na.key = links.a JOIN nodes nb ON nb.key = links.b
                          WHERE na.id != nb.id""")
            db.execute("INSERT INTO edges SELECT b, a FROM edges")
            db.execute("DROP TABLE links")
            db.execute("CREATE INDEX edges_a ON edges (a)")
        while True:
            with db:
                changed = db.execute("""
                    UPDATE nodes SET comp = m.c FROM (
                        SELECT e.a AS id, MIN(n.comp) AS c FROM edges e
                        JOIN nodes n ON n.id = e.b GROUP BY e.a) AS m
                    WHERE nodes.id = m.id AND m.c < nodes.comp""").rowcount
                changed += db.execute("""
                    UPDATE nodes SET comp = (SELECT p.comp FROM nodes p WHERE p.id = nodes.comp)
                    WHERE comp != (SELECT p.comp FROM nodes p WHERE p.id = nodes.comp)""").rowcount
            if not changed:
                break
        self._choose()

    def _members(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.db.execute(f"""
            SELECT n.comp, n.key, r.src, r.pos, r.len, r.published, r.site, t.url IS NOT NULL
            FROM nodes n LEFT JOIN records r ON r.url = n.key LEFT JOIN targets t ON t.url = n.key
            WHERE substr(n.key, 1, {len(FP_PREFIX)}) != '{FP_PREFIX}'
            ORDER BY n.comp, n.key"""))

    def _choose(self) -> None:
        """One row per story: the canonical record by the fixed rule, the rest as alternates."""
        counts = self.counts
        counts.addresses = self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
        rows: list[tuple[Any, ...]] = []
        writer = self.db.cursor()
        for _, group in itertools.groupby(self._members(), key=lambda row: row[0]):
            members = list(group)
            candidates = [m for m in members if m[2] is not None]
            if not candidates:
                counts.without_record += 1
                continue
            best = min(candidates, key=lambda m: canonical_key(m[1], m[5], m[6], bool(m[7])))
            alternates = sorted(m[1] for m in members if m[1] != best[1])
            counts.stories += 1
            counts.merged_records += len(candidates) - 1
            counts.merged_addresses += len(alternates)
            rows.append((published_key(best[5]), best[1], best[2], best[3], best[4],
                         json.dumps(alternates), len(candidates)))
            if len(rows) >= BATCH:
                writer.executemany("INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
                rows.clear()
        writer.executemany("INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self.db.commit()

    def stories(self) -> Iterator[Story]:
        """Every story, sorted by (published, canonical url); undated stories last."""
        for _, url, src, pos, length, alternates, records in self.db.execute(
            "SELECT * FROM stories ORDER BY sort_key, url"
        ):
            yield Story(url, src, pos, length, json.loads(alternates), records)
