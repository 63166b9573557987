"""The state in one SQLite file: the embedded store of a single-machine crawl.

One SQLite file, WAL mode, commits per batch. Every answer comes from indexed tables on disk
through SQLite's page cache, whose size is bounded (``SMN_STATE_CACHE_MB``); the one thing held
in memory that grows with the stories is a Bloom filter of the bucket keys, 0.75 to 1.5 bytes a
key (1.8 MB at the end of a 100,000-article crawl, 72,314 stories).

Layout of the file (keys are signed 64-bit integers, the compact form of strings; see
:mod:`crawler.state.keys`)::

    stories(id, url, fingerprint, signature, added,    one row per exported story: its latest
            shingles, published, host, revision,       revision's fingerprint, signature, shingle
            gone, version)                             count and version, its date, host,
                                                       revision number, 404/410 once gone
    urls(key -> story)                                 every address of a story (hash of the URL)
    bands(key, story)                                  buckets: LSH bands (hash of band number and
                                                       rows) and the opening key of the lead keys
                                                       (crawler.similarity)
    recent(key, story)                                 the buckets of the latest stories, merged
                                                       into bands in key order when it holds a
                                                       quarter of the page cache
    bandfilter(rows, capacity, count, bits)            Bloom filter of the keys in bands
                                                       (crawler.state.keyfilter), stored when the
                                                       state is closed, with the rows it covers
    validators(key -> etag, last_modified)             article pages, for conditional revisits
    dated(key -> published)                            pages fetched, not exported (backfill)
    meta(key -> value)                                 format version and similarity parameters

A format-1 file is migrated in place when opened: the columns and tables are added; stories
stored before have no count, lead keys or date, are compared with new ones by Jaccard alone and
never revisited.

Why the second table, the filter and the opening key: a story adds 33 keys to the bucket index
and a search reads as many, all at random places. Once that index outgrows the page cache
(about 15,000 stories at 16 MB), each of them reads a page from the file and each insert
dirties one. New keys therefore go to ``recent``, which stays in the cache, and are merged
into ``bands`` in one pass in key order. A search reads each table only for the keys its
filter may hold (``recent``'s, in memory only, is built again when the file is opened): it
answers "not there" from memory for all but a few per cent of a new story's keys, and reads
neither table for most stories. The stories that open alike are found under one key, the
opening key, and not by joining the buckets of each lead key, which hold hundreds of stories
each in a large state. The filter is stored when the state is closed; a file opened with more
rows in ``bands`` than its stored filter covers (a run that was killed) gets it rebuilt.

The file's ``layout`` (in ``meta``) names this arrangement. A file without it (every earlier
one) is given it when opened: its stories get their opening keys in place of their lead keys.
The lead keys of a story revised before cannot be told from the bands of its earlier revisions:
such a story keeps them all and is found by its bands alone. Two layouts that lived a few hours
on the main branch (``recent+keyfilter``, ``opening+bandfilter``) are upgraded too. Code that
predates the layout refuses the file.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from crawler import similarity
from crawler.similarity import Rule, Sketch, as_sketch, judge_all
from crawler.state.keyfilter import KeyFilter
from crawler.state.keys import (
    fingerprint_hex,
    fingerprint_key,
    host_of,
    key64,
    migratable,
    state_params,
)
from crawler.state.protocol import Match, StoredStory, best_first, candidates

if TYPE_CHECKING:
    from datasketch import MinHash

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories(
    id INTEGER PRIMARY KEY, url TEXT NOT NULL, fingerprint INTEGER NOT NULL,
    signature BLOB NOT NULL, added REAL NOT NULL, shingles INTEGER, published TEXT, host TEXT,
    revision INTEGER NOT NULL DEFAULT 1, gone INTEGER, version INTEGER);
CREATE INDEX IF NOT EXISTS stories_fingerprint ON stories(fingerprint);
CREATE TABLE IF NOT EXISTS urls(key INTEGER PRIMARY KEY, story INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands(
    key INTEGER NOT NULL, story INTEGER NOT NULL, PRIMARY KEY(key, story)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recent(
    key INTEGER NOT NULL, story INTEGER NOT NULL, PRIMARY KEY(key, story)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bandfilter(
    id INTEGER PRIMARY KEY CHECK (id = 0), rows INTEGER NOT NULL, capacity INTEGER NOT NULL,
    count INTEGER NOT NULL, bits BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS validators(key INTEGER PRIMARY KEY, etag TEXT, last_modified TEXT);
CREATE TABLE IF NOT EXISTS dated(key INTEGER PRIMARY KEY, published TEXT NOT NULL);
"""
_FORMAT_2_COLUMNS = {"shingles": "INTEGER", "published": "TEXT", "host": "TEXT",
                     "revision": "INTEGER NOT NULL DEFAULT 1", "gone": "INTEGER",
                     "version": "INTEGER"}
"""Columns format 2 added to the stories of a format-1 file."""
_INDEXES = "CREATE INDEX IF NOT EXISTS stories_recent ON stories(host, published);"
LAYOUT = "opening+bandfilter+recent"
"""The arrangement of the buckets (``layout`` in ``meta``; see the module's reasoning)."""
RECENT_ROWS_PER_MB = 12_500
"""Rows of ``recent`` per MB of page cache before a merge: about a quarter of the cache."""
_PAD = 1 + similarity.BANDS
"""Key lists sent to ``bands`` are padded to this length, so one statement serves them all."""
_IN_BANDS = f"SELECT key, story FROM bands WHERE key IN ({','.join('?' * _PAD)})"
_IN_RECENT = f"SELECT key, story FROM recent WHERE key IN ({','.join('?' * _PAD)})"


def _padded(keys: list[int]) -> list[int]:
    """Keys repeated up to :data:`_PAD` (an IN list reads a repeated key once).

    >>> len(_padded([5, 6])), set(_padded([5, 6]))
    (33, {5, 6})
    """
    return keys + keys[:1] * (_PAD - len(keys))


def _bucket_keys(sketch: Sketch) -> list[int]:
    """The keys a story is stored under here: its LSH bands, then its opening key."""
    opening = sketch.opening
    return [*sketch.bands, *([] if opening is None else [opening])]


def _hex(key: int | None) -> str | None:
    return None if key is None else fingerprint_hex(key)


class SqliteState:
    """:class:`State` in one SQLite file (WAL mode), committed every ``commit_every`` writes.

    >>> st = SqliteState(":memory:")
    >>> sig = similarity.minhash("one two three four five six seven eight")
    >>> st.add_story("https://www.spacewar.com/reports/A_999.html", "00ff00ff00ff00ff", sig)
    >>> st.seen_url("https://www.spacewar.com/reports/A_999.html")
    'https://www.spacewar.com/reports/A_999.html'
    >>> st.find_fingerprint("00ff00ff00ff00ff")
    'https://www.spacewar.com/reports/A_999.html'
    >>> st.find_similar(similarity.minhash("One two three four five six seven eight!"))[:2]
    ('https://www.spacewar.com/reports/A_999.html', 1.0)
    >>> st.close()
    """

    def __init__(self, path: str | Path, commit_every: int = 500, cache_mb: int = 16) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self.commit_every = max(1, commit_every)
        self._db: sqlite3.Connection | None = sqlite3.connect(self.path)
        db = self._db
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(f"PRAGMA cache_size={-1024 * max(1, cache_mb)}")
        db.execute("PRAGMA temp_store=MEMORY")
        db.executescript(_SCHEMA)
        layout = self._check_params()
        db.executescript(_INDEXES)
        if layout != LAYOUT:  # a new file, or an earlier layout (see the module's reasoning)
            db.execute("DROP TABLE IF EXISTS keyfilter")  # the filter table of recent+keyfilter
            if layout in (None, "recent+keyfilter"):  # stories stored with their lead keys
                self._index_openings()
            db.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (LAYOUT,))
        self.recent_limit = RECENT_ROWS_PER_MB * max(1, cache_mb)
        """Rows of ``recent`` past which the next commit merges it into ``bands``."""
        self._rows: int = db.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
        self._recent: int = db.execute("SELECT COUNT(*) FROM recent").fetchone()[0]
        self._filter = self._stored_filter() or self._built_filter()
        self._recent_filter = self._empty_recent_filter()
        """The keys in ``recent``, in memory only (built again on open, emptied by a merge)."""
        self._recent_filter.add(key for (key,) in db.execute("SELECT key FROM recent"))
        db.commit()
        self._writes = 0

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection; an error after :meth:`close`."""
        if self._db is None:
            raise RuntimeError("state is closed")
        return self._db

    def _check_params(self) -> str | None:
        """Refuses a state of other parameters, migrates a format-1 one; the stored layout."""
        stored = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        layout = stored.pop("layout", None)
        wanted = state_params()
        if not stored:
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
        elif migratable(stored):
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(stories)")}
            for name, kind in _FORMAT_2_COLUMNS.items():
                if name not in columns:
                    self.db.execute(f"ALTER TABLE stories ADD COLUMN {name} {kind}")
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", wanted.items())
        elif stored != wanted:
            raise ValueError(
                f"state file {self.path} was built with other parameters {stored}, "
                f"this code uses {wanted}: use a new SMN_STATE_PATH"
            )
        return layout

    # -- the bucket table and its filter ----------------------------------------------------
    def _stored_filter(self) -> KeyFilter | None:
        """The filter stored at the last close, if it covers every row of ``bands``."""
        row = self.db.execute("SELECT rows, capacity, count, bits FROM bandfilter").fetchone()
        return KeyFilter.from_bytes(*row[1:]) if row is not None and row[0] == self._rows else None

    def _built_filter(self) -> KeyFilter:
        """A filter of every key in ``bands``, with room for as many again."""
        self._filter = KeyFilter.sized(0)  # the old one goes before the new one is built
        built = KeyFilter.sized(2 * self._rows)
        built.add(key for (key,) in self.db.execute("SELECT key FROM bands"))
        return built

    def _add_keys(self, story: int, keys: list[int]) -> None:
        """Store a story's bucket keys (in ``recent``, until the next merge)."""
        cur = self.db.executemany("INSERT OR IGNORE INTO recent VALUES (?, ?)",
                                  [(k, story) for k in keys])  # fmt: skip
        self._recent += cur.rowcount
        self._recent_filter.add(keys)

    def _merge(self) -> None:
        """Move ``recent`` into ``bands`` in one pass in key order, its keys into the filter."""
        cur = self.db.execute("INSERT OR IGNORE INTO bands SELECT key, story FROM recent")
        self._rows += cur.rowcount
        if self._filter.count + self._recent > self._filter.capacity:
            self._filter = self._built_filter()
        else:
            self._filter.add(key for (key,) in self.db.execute("SELECT key FROM recent"))
        self.db.execute("DELETE FROM recent")
        self._recent = 0
        self._recent_filter = self._empty_recent_filter()

    def _empty_recent_filter(self) -> KeyFilter:
        """A filter for ``recent``'s keys, room to spare past the merge limit."""
        return KeyFilter.sized(self.recent_limit * 5 // 4)

    def _index_openings(self) -> None:
        """Each story stored with its lead keys gets its opening key in their place (a file
        from before the opening keys; nothing to do in a new one). A story revised before may
        hold the bands of an earlier revision too, which cannot be told from lead keys: it keeps
        its keys as they are."""
        db = self.db
        with_leads = "SELECT 1 FROM stories WHERE shingles IS NOT NULL LIMIT 1"
        if db.execute(with_leads).fetchone() is None:
            return  # no story with lead keys (format 2 stored them with the shingle count)
        db.execute("PRAGMA temp_store=FILE")  # the index's sort spills to disk, not to memory
        db.execute("CREATE INDEX IF NOT EXISTS bands_story ON bands(story)")
        db.execute("CREATE INDEX IF NOT EXISTS recent_story ON recent(story)")
        db.execute("PRAGMA temp_store=MEMORY")
        last = 0
        while rows := db.execute(
                "SELECT id, signature FROM stories WHERE id > ? AND shingles IS NOT NULL "
                "AND revision = 1 ORDER BY id LIMIT 1000", (last,)).fetchall():
            for story, signature in rows:
                keys = {key for (key,) in db.execute(
                    "SELECT key FROM bands WHERE story = ?1 UNION SELECT key FROM recent "
                    "WHERE story = ?1", (story,))}
                lead = sorted(keys.difference(similarity.band_keys(signature)))
                if not 0 < len(lead) <= similarity.LEAD_KEYS:
                    continue
                for table in ("bands", "recent"):
                    db.executemany(f"DELETE FROM {table} WHERE key = ? AND story = ?",
                                   [(key, story) for key in lead])
                db.execute("INSERT OR IGNORE INTO recent VALUES (?, ?)",
                           (similarity.opening_key(lead), story))
            last = rows[-1][0]
        db.execute("DROP INDEX bands_story")
        db.execute("DROP INDEX recent_story")

    def _wrote(self, n: int = 1) -> None:
        self._writes += n
        if self._writes >= self.commit_every:
            self.flush()

    def _story_url(self, story: int) -> str | None:
        row = self.db.execute("SELECT url FROM stories WHERE id = ?", (story,)).fetchone()
        return row[0] if row else None

    def seen_url(self, url: str) -> str | None:
        row = self.db.execute(
            "SELECT s.url FROM urls u JOIN stories s ON s.id = u.story WHERE u.key = ?",
            (key64(url),),
        ).fetchone()
        return row[0] if row else None

    def add_url(self, url: str, story_url: str) -> None:
        row = self.db.execute(
            "SELECT story FROM urls WHERE key = ?", (key64(story_url),)
        ).fetchone()
        if row is None:
            raise KeyError(f"no stored story {story_url!r}")
        self.db.execute("INSERT OR IGNORE INTO urls VALUES (?, ?)", (key64(url), row[0]))
        self._wrote()

    def find_fingerprint(self, fingerprint: str) -> str | None:
        row = self.db.execute(
            "SELECT url FROM stories WHERE fingerprint = ? ORDER BY id LIMIT 1",
            (fingerprint_key(fingerprint),),
        ).fetchone()
        return row[0] if row else None

    def find_similar(self, sig: MinHash | Sketch,
                     threshold: float = similarity.THRESHOLD) -> Match | None:
        found = self.similar(as_sketch(sig), Rule(jaccard=threshold))
        return found[0] if found else None

    def similar(self, sketch: Sketch, rule: Rule) -> list[Match]:
        opening = sketch.opening
        keys = _bucket_keys(sketch)
        found = []  # each table is read for the keys its filter may hold: few of a new story's
        in_recent = self._recent_filter.may_hold(keys)
        if in_recent:
            found += self.db.execute(_IN_RECENT, _padded(in_recent)).fetchall()
        on_disk = self._filter.may_hold(keys)
        if on_disk:
            found += self.db.execute(_IN_BANDS, _padded(on_disk)).fetchall()
        weight = len(set(sketch.lead)) or 1  # the opening counts once per lead key
        counts: Counter[int] = Counter()
        for key, story in set(found):  # a revised story's unchanged bands are in both tables
            counts[story] += weight if key == opening else 1
        if not counts:
            return []
        ids = candidates(counts)
        rows = self.db.execute(  # one query for all candidates, oldest story first
            f"SELECT url, signature, shingles FROM stories WHERE id IN ({','.join('?' * len(ids))})"
            " ORDER BY id", ids,
        ).fetchall()
        scores = judge_all(sketch, [Sketch(stored, size) for _, stored, size in rows], rule)
        return best_first(Match.scored(row[0], score)
                          for row, score in zip(rows, scores, strict=True) if score is not None)

    def add_story(self, url: str, fingerprint: str, sig: MinHash | Sketch,
                  published: str | None = None, version: str | None = None) -> None:
        sketch = as_sketch(sig)
        cur = self.db.execute(
            "INSERT INTO stories(url, fingerprint, signature, added, shingles, published, host, "
            "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (url, fingerprint_key(fingerprint), sketch.signature, time.time(), sketch.size,
             published, host_of(url), fingerprint_key(version) if version else None),
        )
        story = cur.lastrowid
        assert story is not None
        self.db.execute("INSERT OR REPLACE INTO urls VALUES (?, ?)", (key64(url), story))
        self._add_keys(story, _bucket_keys(sketch))
        self._wrote()

    # -- revisions and revisits -------------------------------------------------------------
    def _story_row(self, url: str) -> tuple[int, StoredStory] | None:
        row = self.db.execute(
            "SELECT s.id, s.url, s.fingerprint, s.version, s.revision, s.published, s.gone "
            "FROM urls u JOIN stories s ON s.id = u.story WHERE u.key = ?",
            (key64(url),)).fetchone()
        if row is None:
            return None
        story, url, fp, version, revision, published, gone = row
        return story, StoredStory(url, fingerprint_hex(fp), _hex(version), revision, published,
                                  gone)

    def story(self, url: str) -> StoredStory | None:
        found = self._story_row(url)
        return found[1] if found else None

    def revise(self, url: str, fingerprint: str, sketch: Sketch, revision: int,
               version: str | None = None) -> None:
        found = self._story_row(url)
        if found is None:
            raise KeyError(f"no stored story {url!r}")
        story = found[0]
        self.db.execute(
            "UPDATE stories SET fingerprint = ?, signature = ?, shingles = ?, revision = ?, "
            "version = ? WHERE id = ?",
            (fingerprint_key(fingerprint), sketch.signature, sketch.size, revision,
             fingerprint_key(version) if version else None, story))
        self._add_keys(story, _bucket_keys(sketch))
        self._wrote()

    def mark_gone(self, url: str, status: int) -> None:
        found = self._story_row(url)
        if found is not None:
            self.db.execute("UPDATE stories SET gone = ? WHERE id = ?", (status, found[0]))
            self._wrote()

    def recent(self, days: int, today: str) -> list[StoredStory]:
        rows = self.db.execute("""
            WITH newest AS (
                SELECT host, max(substr(published, 1, 10)) AS day FROM stories
                WHERE published IS NOT NULL AND substr(published, 1, 10) <= :today
                GROUP BY host)
            SELECT s.url, s.fingerprint, s.version, s.revision, s.published, s.gone
            FROM newest n JOIN stories s ON s.host = n.host
            WHERE s.gone IS NULL AND s.published IS NOT NULL
              AND substr(s.published, 1, 10) >= date(n.day, :back)
              AND substr(s.published, 1, 10) <= :today
            ORDER BY s.id""", {"today": today, "back": f"-{int(days)} days"}).fetchall()
        return [StoredStory(u, fingerprint_hex(fp), _hex(ver), rev, pub, gone)
                for u, fp, ver, rev, pub, gone in rows]  # fmt: skip

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE key = ?",
                              (key64(url),)).fetchone()  # fmt: skip
        return (row[0], row[1]) if row else None

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
                        (key64(url), etag, last_modified))  # fmt: skip
        self._wrote()

    def published_of(self, url: str) -> str | None:
        row = self.db.execute("SELECT published FROM dated WHERE key = ?",
                              (key64(url),)).fetchone()  # fmt: skip
        if row is not None:
            return str(row[0])
        row = self.db.execute(
            "SELECT s.published FROM urls u JOIN stories s ON s.id = u.story WHERE u.key = ?",
            (key64(url),)).fetchone()
        return str(row[0]) if row is not None and row[0] else None

    def note_published(self, url: str, published: str | None) -> None:
        if published is not None:
            self.db.execute("INSERT OR REPLACE INTO dated VALUES (?, ?)", (key64(url), published))
            self._wrote()

    def flush(self) -> None:
        if self._recent >= self.recent_limit:
            self._merge()
        self.db.commit()
        self._writes = 0

    def close(self) -> None:
        if self._db is None:
            return
        self.db.execute("INSERT OR REPLACE INTO bandfilter VALUES (0, ?, ?, ?, ?)",
                        (self._rows, self._filter.capacity, self._filter.count,
                         self._filter.to_bytes()))
        self.flush()
        self._db.execute("PRAGMA optimize")
        self._db.close()
        self._db = None

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and benchmarks (``bands``: both bucket tables)."""
        tables = ("stories", "urls", "bands", "recent", "validators", "dated")
        rows = {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
        rows["bands"] += rows.pop("recent")
        return rows
