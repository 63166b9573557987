"""The persistent store of what the crawler has seen, kept across runs.

:class:`State` is the small interface the pipelines and middlewares use; :class:`SqliteState`
is the embedded implementation (one SQLite file, WAL mode, commits per batch). A Redis
implementation for distributed crawls only needs the same dozen methods: URLs and fingerprints
map to a story, LSH band keys map to stories, a story has a url and a 256-byte signature.

Memory does not grow with the number of stories: every answer comes from indexed tables on disk
through SQLite's page cache, whose size is bounded (``SMN_STATE_CACHE_MB``).

Layout of the SQLite file (keys are signed 64-bit integers, the compact form of strings)::

    stories(id, url, fingerprint, signature, added)   one row per exported story
    urls(key -> story)                                 every address of a story (hash of the URL)
    bands(key, story)                                  LSH buckets: hash(band number, band rows)
    fetched(key -> at)                                 pages fetched, for incremental crawls
    validators(url -> etag, last_modified)             hub pages, for conditional requests
    meta(key -> value)                                 format version and similarity parameters
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

from scrapy.exceptions import NotConfigured

from crawler import similarity
from crawler.similarity import band_keys, signature_bytes

if TYPE_CHECKING:
    from datasketch import MinHash
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

DEFAULT_STATE_PATH = "output/state.sqlite"
FORMAT_VERSION = "1"
_MAX_CANDIDATES = 16


class Match(NamedTuple):
    """A stored story that a new one duplicates."""

    url: str
    """URL of the stored (first exported) story."""
    similarity: float
    """Estimated Jaccard similarity of the two bodies' shingles, 0..1."""


class Validators(NamedTuple):
    """HTTP validators of a page, for conditional requests."""

    etag: str | None
    last_modified: str | None


@runtime_checkable
class State(Protocol):
    """What the crawler remembers across runs. Writes become durable at :meth:`flush`."""

    def seen_url(self, url: str) -> str | None:
        """URL of the exported story that ``url`` is an address of, or None."""
        ...

    def add_url(self, url: str, story_url: str) -> None:
        """Record ``url`` as one more address of the stored story ``story_url``."""
        ...

    def find_fingerprint(self, fingerprint: str) -> str | None:
        """URL of the stored story with this body fingerprint, or None."""
        ...

    def find_similar(self, sig: MinHash, threshold: float = similarity.THRESHOLD) -> Match | None:
        """The most similar stored story with estimated Jaccard >= threshold, or None."""
        ...

    def add_story(self, url: str, fingerprint: str, sig: MinHash) -> None:
        """Record an exported story: its URL, fingerprint and MinHash signature."""
        ...

    def mark_fetched(self, url: str) -> None:
        """Record that ``url`` was fetched (incremental crawling)."""
        ...

    def was_fetched(self, url: str) -> bool:
        """True when ``url`` was fetched by this or an earlier run."""
        ...

    def get_validators(self, url: str) -> Validators | None:
        """The ETag / Last-Modified last seen for a hub page, or None."""
        ...

    def set_validators(self, url: str, validators: Validators) -> None:
        """Remember the ETag / Last-Modified of a hub page."""
        ...

    def flush(self) -> None:
        """Make every write so far durable."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...


def key64(text: str) -> int:
    """A signed 64-bit key for a string (blake2b), the compact indexed form of a URL.

    >>> key64("https://www.spacewar.com/") == key64("https://www.spacewar.com/")
    True
    >>> -2**63 <= key64("x") < 2**63
    True
    """
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little",
                          signed=True)  # fmt: skip


def fingerprint_key(fingerprint: str) -> int:
    """The integer form of a fingerprint: its own 64 bits when it is 16 hex digits.

    >>> fingerprint_key("ffffffffffffffff")
    -1
    >>> fingerprint_key("not-hex!") == key64("not-hex!")
    True
    """
    if len(fingerprint) == 16:
        try:
            return int.from_bytes(bytes.fromhex(fingerprint), "big", signed=True)
        except ValueError:
            pass
    return key64(fingerprint)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories(
    id INTEGER PRIMARY KEY, url TEXT NOT NULL, fingerprint INTEGER NOT NULL,
    signature BLOB NOT NULL, added REAL NOT NULL);
CREATE INDEX IF NOT EXISTS stories_fingerprint ON stories(fingerprint);
CREATE TABLE IF NOT EXISTS urls(key INTEGER PRIMARY KEY, story INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bands(
    key INTEGER NOT NULL, story INTEGER NOT NULL, PRIMARY KEY(key, story)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fetched(key INTEGER PRIMARY KEY, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS validators(
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT) WITHOUT ROWID;
"""


def _params() -> dict[str, str]:
    """The similarity parameters a stored state was built with; they must not change under it."""
    return {
        "format": FORMAT_VERSION,
        "num_perm": str(similarity.NUM_PERM),
        "bands": f"{similarity.BANDS}x{similarity.ROWS}",
        "shingle_words": str(similarity.SHINGLE_WORDS),
        "minhash": f"datasketch/{similarity.SCHEME}/seed={similarity.SEED}/b16",
    }


class SqliteState:
    """:class:`State` in one SQLite file (WAL mode), committed every ``commit_every`` writes.

    >>> st = SqliteState(":memory:")
    >>> sig = similarity.minhash("one two three four five six seven eight")
    >>> st.add_story("https://www.spacewar.com/reports/A_999.html", "00ff00ff00ff00ff", sig)
    >>> st.seen_url("https://www.spacewar.com/reports/A_999.html")
    'https://www.spacewar.com/reports/A_999.html'
    >>> st.find_fingerprint("00ff00ff00ff00ff")
    'https://www.spacewar.com/reports/A_999.html'
    >>> st.find_similar(similarity.minhash("One two three four five six seven eight!"))
    Match(url='https://www.spacewar.com/reports/A_999.html', similarity=1.0)
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
        self._check_params()
        db.commit()
        self._writes = 0

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection; an error after :meth:`close`."""
        if self._db is None:
            raise RuntimeError("state is closed")
        return self._db

    def _check_params(self) -> None:
        stored = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        wanted = _params()
        if not stored:
            self.db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
        elif stored != wanted:
            raise ValueError(
                f"state file {self.path} was built with other parameters {stored}, "
                f"this code uses {wanted}: use a new SMN_STATE_PATH"
            )

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

    def find_similar(self, sig: MinHash, threshold: float = similarity.THRESHOLD) -> Match | None:
        raw = signature_bytes(sig)
        keys = band_keys(raw)
        marks = ",".join("?" * len(keys))
        candidates = self.db.execute(
            f"SELECT story, COUNT(*) AS n FROM bands WHERE key IN ({marks}) "
            f"GROUP BY story ORDER BY n DESC, story LIMIT {_MAX_CANDIDATES}",
            keys,
        ).fetchall()
        best: tuple[float, int, str] | None = None
        for story, _ in candidates:
            url, stored = self.db.execute(
                "SELECT url, signature FROM stories WHERE id = ?", (story,)
            ).fetchone()
            score = similarity.similarity(raw, stored)
            if score >= threshold and (best is None or (score, -story) > (best[0], -best[1])):
                best = (score, story, url)
        return Match(best[2], best[0]) if best else None

    def add_story(self, url: str, fingerprint: str, sig: MinHash) -> None:
        raw = signature_bytes(sig)
        cur = self.db.execute(
            "INSERT INTO stories(url, fingerprint, signature, added) VALUES (?, ?, ?, ?)",
            (url, fingerprint_key(fingerprint), raw, time.time()),
        )
        story = cur.lastrowid
        self.db.execute("INSERT OR REPLACE INTO urls VALUES (?, ?)", (key64(url), story))
        self.db.executemany(
            "INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, story) for k in band_keys(raw)]
        )
        self._wrote()

    def mark_fetched(self, url: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO fetched VALUES (?, ?)", (key64(url), time.time()))
        self._wrote()

    def was_fetched(self, url: str) -> bool:
        row = self.db.execute("SELECT 1 FROM fetched WHERE key = ?", (key64(url),)).fetchone()
        return row is not None

    def get_validators(self, url: str) -> Validators | None:
        row = self.db.execute(
            "SELECT etag, last_modified FROM validators WHERE url = ?", (url,)
        ).fetchone()
        return Validators(*row) if row else None

    def set_validators(self, url: str, validators: Validators) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO validators VALUES (?, ?, ?)",
            (url, validators.etag, validators.last_modified),
        )
        self._wrote()

    def flush(self) -> None:
        self.db.commit()
        self._writes = 0

    def close(self) -> None:
        if self._db is None:
            return
        self.flush()
        self._db.execute("PRAGMA optimize")
        self._db.close()
        self._db = None

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and benchmarks."""
        tables = ("stories", "urls", "bands", "fetched", "validators")
        return {t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def open_state(settings: BaseSettings) -> State:
    """The state store the settings name.

    With ``REDIS_URL`` set, the Redis state shared by the workers of a distributed crawl
    (:class:`crawler.redis_state.RedisState`). Otherwise ``SMN_STATE_PATH`` (default
    ``output/state.sqlite``) is a SQLite file; ``SMN_STATE_COMMIT_EVERY`` (default 500) writes
    make one transaction; ``SMN_STATE_CACHE_MB`` (default 16) bounds SQLite's page cache.
    """
    if settings.get("REDIS_URL"):  # a distributed crawl: the state every worker shares
        from crawler.redis_state import RedisState

        return RedisState.from_settings(settings)
    path = str(settings.get("SMN_STATE_PATH") or DEFAULT_STATE_PATH)
    if path.startswith(("redis://", "rediss://")):
        raise NotConfigured("a Redis state is chosen by REDIS_URL, not SMN_STATE_PATH")
    return SqliteState(
        path,
        commit_every=settings.getint("SMN_STATE_COMMIT_EVERY", 500),
        cache_mb=settings.getint("SMN_STATE_CACHE_MB", 16),
    )


_SHARED: weakref.WeakKeyDictionary[Any, State] = weakref.WeakKeyDictionary()


def shared_state(crawler: Crawler) -> State:
    """The one state store of a crawler, opened on first use and closed when the engine stops.

    Pipelines and middlewares of one crawl share it (one SQLite connection, one transaction).
    """
    state = _SHARED.get(crawler)
    if state is None:
        state = _SHARED[crawler] = open_state(crawler.settings)

        def _close() -> None:
            closing = _SHARED.pop(crawler, None)
            if closing is not None:
                closing.close()

        from scrapy import signals

        crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return state
