"""The payloads a job has already stored, by digest: what makes a later copy a revisit.

A small SQLite file (``SMN_CAPTURE_INDEX_PATH``; scheduled runs keep ``captures.sqlite`` beside
the state) maps a payload digest to the response record that stored it first: its URI, date and
record id, which a revisit record names. Without a path the index is SQLite's private
temporary file (deleted when closed) and serves one crawl: kept ``:memory:``, it would grow by
some 30 MB over a 100,000-page crawl (issue 17). A digest is added only after its record is in
the WARC file, and the index is committed in batches: after a kill it may have forgotten the
last few payloads (their next copy is stored in full again), never remember one that is not on
disk.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from crawler.capture.records import Original

logger = logging.getLogger(__name__)

COMMIT_EVERY = 500
"""Additions between two commits."""


class DigestIndex:
    """Payload digest -> the first stored response with that payload.

    >>> index = DigestIndex("")
    >>> index.add("sha1:AAA", Original("https://a.com/x", "2026-01-01T00:00:00Z", "<urn:1>"))
    >>> index.find("sha1:AAA").uri, index.find("sha1:BBB")
    ('https://a.com/x', None)
    """

    def __init__(self, path: str | Path) -> None:
        target = str(path) if path else ""  # "": a temporary file, its cache bounded (2 MB)
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        if path:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS payloads (digest TEXT PRIMARY KEY, "
                        "uri TEXT NOT NULL, date TEXT NOT NULL, record_id TEXT NOT NULL) "
                        "WITHOUT ROWID")
        self.db.execute("BEGIN")
        self.pending = 0
        self.path = str(path)
        self.warned = False

    def find(self, digest: str) -> Original | None:
        """The stored response whose payload has this digest, or None (also when another
        process holds the file locked: the page is then stored in full, nothing is lost)."""
        try:
            row = self.db.execute("SELECT uri, date, record_id FROM payloads WHERE digest = ?",
                                  (digest,)).fetchone()
        except sqlite3.OperationalError as exc:
            self._busy(exc)
            return None
        return Original(*row) if row else None

    def add(self, digest: str, original: Original) -> None:
        """Remember a payload just written (the first record of a digest stays)."""
        try:
            self.db.execute("INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?)",
                            (digest, original.uri, original.date, original.record_id))
        except sqlite3.OperationalError as exc:
            self._busy(exc)
            return
        self.pending += 1
        if self.pending >= COMMIT_EVERY:
            self.flush()

    def flush(self) -> None:
        """Make the additions durable."""
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            self._busy(exc)
        if not self.db.in_transaction:
            self.db.execute("BEGIN")
        self.pending = 0

    def _busy(self, exc: sqlite3.OperationalError) -> None:
        """A digest index shared by crawls running at once (give each its own): warn once."""
        if not self.warned:
            logger.warning("Digest index %s unavailable (%s): pages are stored in full "
                           "meanwhile", self.path or "(temporary)", exc)
            self.warned = True

    def close(self) -> None:
        """Commit and close."""
        self.flush()
        self.db.close()
