"""``changes.jsonl``: the stories added, revised and gone since the previous export.

An export writes its dataset into a folder; the dataset already there is the previous export.
Before it is replaced, :class:`PreviousExport` indexes it (every address of every story, with
the story's fingerprint and revision) in a temporary SQLite file, so memory stays flat. Then
:class:`ChangeLog` compares each story of the new export with it:

* ``added``: no address of the story was in the previous export;
* ``revised``: the story was there, and its record is a later revision (``revision`` grew, or
  the same address now has another fingerprint);
* ``gone``: the story was in the previous export, and the crawl found its address gone
  (404 or 410: a ``gone.jsonl`` line of a run); it is not in the new dataset.

One line per change, ``{"change", "url", "revision", "fingerprint", "previous_fingerprint",
"status"}`` (``status`` for gone stories), stories in dataset order, then the gone ones sorted
by address. A first export (no previous dataset) lists every story as added.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

CHANGES = "changes.jsonl"
BATCH = 5000


def _revision(record: Mapping[str, Any]) -> int:
    value = record.get("revision")
    return value if isinstance(value, int) and value >= 1 else 1


class PreviousExport:
    """The stories of the export being replaced, by address (a temporary SQLite file)."""

    def __init__(self, dataset: Path, temp_dir: Path | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="smn-changes-", dir=temp_dir)
        self.db = sqlite3.connect(Path(self._tmp.name) / "previous.sqlite")
        self.db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE stories (id INTEGER PRIMARY KEY, url TEXT, fingerprint TEXT,
                                  revision INTEGER, matched INTEGER DEFAULT 0);
            CREATE TABLE addresses (address TEXT PRIMARY KEY, story INTEGER) WITHOUT ROWID;
        """)
        self.stories = 0
        if dataset.is_file():
            self._load(dataset)

    def _load(self, dataset: Path) -> None:
        rows: list[tuple[int, str, str, int]] = []
        addresses: list[tuple[str, int]] = []
        with gzip.open(dataset, "rt", encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                url = record.get("url")
                if not isinstance(url, str):
                    continue
                self.stories += 1
                rows.append((self.stories, url, str(record.get("fingerprint") or ""),
                             _revision(record)))
                addresses += [(a, self.stories) for a in [url, *record.get("alternate_urls", [])]
                              if isinstance(a, str)]
                if len(rows) >= BATCH:
                    self._flush(rows, addresses)
        self._flush(rows, addresses)

    def _flush(self, rows: list[tuple[int, str, str, int]],
               addresses: list[tuple[str, int]]) -> None:
        with self.db:
            self.db.executemany("INSERT INTO stories (id, url, fingerprint, revision) "
                                "VALUES (?, ?, ?, ?)", rows)
            self.db.executemany("INSERT OR IGNORE INTO addresses VALUES (?, ?)", addresses)
        rows.clear()
        addresses.clear()

    def match(self, addresses: list[str]) -> tuple[str, str, int] | None:
        """The previous story sharing an address with these, as (url, fingerprint, revision);
        marks it matched."""
        marks = ",".join("?" * len(addresses))
        row = self.db.execute(
            f"SELECT s.id, s.url, s.fingerprint, s.revision FROM addresses a JOIN stories s "
            f"ON s.id = a.story WHERE a.address IN ({marks}) ORDER BY s.id LIMIT 1",
            addresses).fetchone()
        if row is None:
            return None
        self.db.execute("UPDATE stories SET matched = 1 WHERE id = ?", (row[0],))
        return row[1], row[2], row[3]

    def unmatched(self) -> Iterator[tuple[str, str, int, list[str]]]:
        """Previous stories no new story matched: (url, fingerprint, revision, addresses)."""
        for story, url, fingerprint, revision in self.db.execute(
                "SELECT id, url, fingerprint, revision FROM stories WHERE matched = 0 "
                "ORDER BY url").fetchall():
            addresses = [a for (a,) in self.db.execute(
                "SELECT address FROM addresses WHERE story = ?", (story,))]
            yield url, fingerprint, revision, addresses

    def close(self) -> None:
        """Drop the temporary file."""
        self.db.close()
        self._tmp.cleanup()

    def __enter__(self) -> PreviousExport:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


class ChangeLog:
    """Writes ``changes.jsonl`` as the export writes its stories."""

    def __init__(self, previous: PreviousExport, path: Path) -> None:
        self.previous = previous
        self.path = path
        self.counts: Counter[str] = Counter({"added": 0, "revised": 0, "gone": 0})
        self._fh: IO[str] = path.open("w", encoding="utf-8", newline="\n")

    def _write(self, change: str, **fields: Any) -> None:
        self.counts[change] += 1
        self._fh.write(json.dumps({"change": change, **fields}, ensure_ascii=False,
                                  sort_keys=True) + "\n")  # fmt: skip

    def story(self, record: Mapping[str, Any]) -> str | None:
        """Compare one story of the new export; returns its change, or None (unchanged)."""
        url = str(record["url"])
        addresses = [url, *record.get("alternate_urls", [])]
        before = self.previous.match(addresses)
        fingerprint, revision = record.get("fingerprint"), _revision(record)
        if before is None:
            self._write("added", url=url, revision=revision, fingerprint=fingerprint,
                        previous_fingerprint=None)
            return "added"
        old_url, old_fingerprint, old_revision = before
        if revision > old_revision or (old_url == url and old_fingerprint != fingerprint):
            self._write("revised", url=url, revision=revision, fingerprint=fingerprint,
                        previous_fingerprint=old_fingerprint)
            return "revised"
        return None

    def gone(self, statuses: Mapping[str, int]) -> None:
        """List the previous stories that no new story matched and whose address the crawl
        found gone (``statuses``: address -> 404 or 410)."""
        for url, fingerprint, revision, addresses in self.previous.unmatched():
            status = next((statuses[a] for a in addresses if a in statuses), None)
            if status is not None:
                self._write("gone", url=url, revision=revision, fingerprint=None,
                            previous_fingerprint=fingerprint, status=status)

    def close(self) -> None:
        """Close the file."""
        self._fh.close()
