"""The :class:`~crawler.state.State` of a distributed crawl, in Redis, shared by every worker.

:func:`crawler.state.open_state` returns a :class:`RedisState` when the setting ``REDIS_URL``
is set. It answers the same questions as :class:`~crawler.state.SqliteState` with the same
keys (:mod:`crawler.state.keys`: 64-bit hashes of URLs and fingerprints, LSH band keys of
:mod:`crawler.similarity`), so the two are interchangeable. Every write is visible to the
other workers at once: there is no batching, :meth:`RedisState.flush` has nothing to do.

Layout under the prefix ``P`` (setting ``SMN_REDIS_STATE_KEY``); the
state outlives jobs, like the SQLite file outlives runs::

    P:meta        hash   format version and similarity parameters (checked on open)
    P:seq         string last story id
    P:story:url   hash   story id -> URL
    P:story:sig   hash   story id -> 256-byte signature
    P:story:by    hash   story id -> worker that recorded it
    P:story:size  hash   story id -> shingle count (format 2; absent for older stories)
    P:story:fphex hash   story id -> fingerprint of its latest revision (16 hex digits)
    P:story:version hash story id -> headline-and-body fingerprint of its latest revision
    P:story:pub   hash   story id -> publication date (ISO)
    P:story:rev   hash   story id -> latest revision (absent: 1)
    P:story:gone  hash   story id -> 404 or 410, once a revisit found it gone
    P:recent:<host> zset story id scored by its publication day (revisits, per host)
    P:hosts       set    hosts with such a zset
    P:urls        hash   key64(url) -> story id          every address of a story
    P:fp          hash   fingerprint key -> story id     the first story with that body
    P:bands       hash   bucket key -> "id,id,..."       LSH bands and lead keys
    P:validators  hash   key64(url) -> JSON [etag, last_modified] of an article page
    P:dated       hash   key64(url) -> publication date of a page fetched, not exported

Hash fields are the 8 little-endian bytes of the signed keys. A format-1 state is migrated
when opened, as the SQLite one is (:func:`crawler.state.keys.migratable`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import redis

from crawler import similarity
from crawler.similarity import Rule, Sketch, as_sketch, judge_all
from crawler.state.keys import (
    fingerprint_key,
    host_of,
    key64,
    migratable,
    state_params,
)
from crawler.state.protocol import Match, StoredStory, best_first, candidates

if TYPE_CHECKING:
    from datasketch import MinHash
    from scrapy.settings import BaseSettings

DEFAULT_PREFIX = "smn:state"
"""Key prefix of a state built directly (the crawl reads ``SMN_REDIS_STATE_KEY``)."""

# KEYS: seq, story:url, story:sig, story:by, urls, fp, bands, story:size, story:fphex,
#       story:pub, recent:<host>, hosts, story:version
# ARGV: url, url key, fingerprint key, signature, owner, shingle count ('' unknown),
#       fingerprint, published ('' unknown), publication day, host, version ('' unknown),
#       bucket keys...
_ADD_STORY = """
local id = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], id, ARGV[1])
redis.call('HSET', KEYS[3], id, ARGV[4])
redis.call('HSET', KEYS[4], id, ARGV[5])
redis.call('HSET', KEYS[5], ARGV[2], id)
redis.call('HSETNX', KEYS[6], ARGV[3], id)
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[8], id, ARGV[6])
end
redis.call('HSET', KEYS[9], id, ARGV[7])
if ARGV[8] ~= '' then
  redis.call('HSET', KEYS[10], id, ARGV[8])
  redis.call('ZADD', KEYS[11], ARGV[9], id)
  redis.call('SADD', KEYS[12], ARGV[10])
end
if ARGV[11] ~= '' then
  redis.call('HSET', KEYS[13], id, ARGV[11])
end
for i = 12, #ARGV do
  local old = redis.call('HGET', KEYS[7], ARGV[i])
  if old then
    redis.call('HSET', KEYS[7], ARGV[i], old .. ',' .. id)
  else
    redis.call('HSET', KEYS[7], ARGV[i], id)
  end
end
return id
"""

# KEYS: story:sig, story:size, story:fphex, story:rev, fp, bands, story:version
# ARGV: story id, signature, shingle count ('' unknown), fingerprint, revision,
#       fingerprint key, version ('' unknown), bucket keys...
_REVISE = """
local id = ARGV[1]
redis.call('HSET', KEYS[1], id, ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], id, ARGV[3])
end
redis.call('HSET', KEYS[3], id, ARGV[4])
redis.call('HSET', KEYS[4], id, ARGV[5])
redis.call('HSETNX', KEYS[5], ARGV[6], id)
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[7], id, ARGV[7])
end
for i = 8, #ARGV do
  local old = redis.call('HGET', KEYS[6], ARGV[i])
  if not old then
    redis.call('HSET', KEYS[6], ARGV[i], id)
  elseif not string.find(',' .. old .. ',', ',' .. id .. ',', 1, true) then
    redis.call('HSET', KEYS[6], ARGV[i], old .. ',' .. id)
  end
end
return id
"""


def _field(key: int) -> bytes:
    """The hash field of a signed 64-bit key.

    >>> _field(-1)
    b'\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff'
    """
    return key.to_bytes(8, "little", signed=True)


def _ordinal(published: str | None) -> int | None:
    """The day number of an ISO date or datetime (zset score), or None.

    >>> _ordinal("2024-05-31T10:00:00+10:00") == _ordinal("2024-05-31"), _ordinal(None)
    (True, None)
    """
    try:
        return dt.date.fromisoformat(published[:10]).toordinal() if published else None
    except ValueError:
        return None


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


class RedisState:
    """:class:`~crawler.state.State` in Redis; ``owner`` names the worker recording stories.

    Connection errors are not retried here: a crawl whose state is unreachable stops with the
    error rather than exporting stories it cannot remember.
    """

    def __init__(
        self, client: redis.Redis, prefix: str = DEFAULT_PREFIX, owner: str = ""
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.owner = owner
        self._add_story = client.register_script(_ADD_STORY)
        self._revise = client.register_script(_REVISE)
        self._check_params()

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_PREFIX, owner: str = "") -> RedisState:
        """A state on the Redis server at ``url`` (``redis://host:port/db``)."""
        return cls(redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=30),
                   prefix, owner)  # fmt: skip

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisState:
        """From ``REDIS_URL``, ``SMN_REDIS_STATE_KEY`` and the worker id ``SMN_WORKER_ID``."""
        return cls.from_url(
            str(settings.get("REDIS_URL")),
            prefix=str(settings.get("SMN_REDIS_STATE_KEY")),
            owner=str(settings.get("SMN_WORKER_ID")),
        )

    def key(self, name: str) -> str:
        """The Redis key of one structure, e.g. ``smn:state:urls``."""
        return f"{self.prefix}:{name}"

    def _check_params(self) -> None:
        wanted = state_params()
        meta = self.key("meta")
        self.client.hsetnx(meta, "format", wanted["format"])  # the first worker writes them all
        stored: dict[Any, Any] = {
            _text(k): _text(v) for k, v in self.client.hgetall(meta).items()
        }
        if len(stored) == 1 or migratable(stored):
            self.client.hset(meta, mapping=dict[Any, Any](wanted))
            stored = dict(wanted)
        if stored != wanted:
            raise ValueError(
                f"Redis state {self.prefix} was built with other parameters {stored}, "
                f"this code uses {wanted}: use another SMN_REDIS_STATE_KEY"
            )

    # -- stories --------------------------------------------------------------------------
    def _story_url(self, story: bytes | str | None) -> str | None:
        if story is None:
            return None
        return _text(self.client.hget(self.key("story:url"), story))

    def seen_url(self, url: str) -> str | None:
        return self._story_url(self.client.hget(self.key("urls"), _field(key64(url))))

    def story_owner(self, url: str) -> str | None:
        """The worker that recorded the story at ``url``, or None (not a story of this state)."""
        story = self.client.hget(self.key("urls"), _field(key64(url)))
        if story is None:
            return None
        return _text(self.client.hget(self.key("story:by"), story))

    def add_url(self, url: str, story_url: str) -> None:
        urls = self.key("urls")
        story = self.client.hget(urls, _field(key64(story_url)))
        if story is None:
            raise KeyError(f"no stored story {story_url!r}")
        self.client.hsetnx(urls, _field(key64(url)), story)

    def find_fingerprint(self, fingerprint: str) -> str | None:
        story = self.client.hget(self.key("fp"), _field(fingerprint_key(fingerprint)))
        return self._story_url(story)

    def find_similar(self, sig: MinHash | Sketch,
                     threshold: float = similarity.THRESHOLD) -> Match | None:
        found = self.similar(as_sketch(sig), Rule(jaccard=threshold))
        return found[0] if found else None

    def similar(self, sketch: Sketch, rule: Rule) -> list[Match]:
        bands, leads = sketch.query_keys
        buckets = self.client.hmget(self.key("bands"), [_field(k) for k in (*bands, *leads)])
        members = [{int(s) for s in str(_text(b)).split(",")} if b else set() for b in buckets]
        counts: Counter[int] = Counter()
        for band in members[: len(bands)]:
            counts.update(band)
        if leads:  # the stories in every lead key's bucket, counted once per lead key
            counts.update(dict.fromkeys(set.intersection(*members[len(bands):]), len(leads)))
        if not counts:
            return []
        ids = candidates(counts)
        with self.client.pipeline(transaction=False) as pipe:
            pipe.hmget(self.key("story:sig"), ids)
            pipe.hmget(self.key("story:url"), ids)
            pipe.hmget(self.key("story:size"), ids)
            sigs, urls, sizes = pipe.execute()
        found = [(url.decode(), Sketch(stored, int(size) if size else None))
                 for stored, url, size in zip(sigs, urls, sizes, strict=True)
                 if stored is not None and url is not None]
        scores = judge_all(sketch, [stored for _, stored in found], rule)
        return best_first(Match.scored(url, score)
                          for (url, _), score in zip(found, scores, strict=True)
                          if score is not None)

    def add_story(self, url: str, fingerprint: str, sig: MinHash | Sketch,
                  published: str | None = None, version: str | None = None) -> None:
        sketch = as_sketch(sig)
        host = host_of(url)
        keys = [self.key(k) for k in ("seq", "story:url", "story:sig", "story:by", "urls", "fp",
                                      "bands", "story:size", "story:fphex", "story:pub",
                                      f"recent:{host}", "hosts", "story:version")]  # fmt: skip
        day = _ordinal(published)
        args: list[Any] = [url, _field(key64(url)), _field(fingerprint_key(fingerprint)),
                           sketch.signature, self.owner,
                           "" if sketch.size is None else str(sketch.size), fingerprint,
                           published if day is not None else "", day or 0, host,
                           version or ""]  # fmt: skip
        args += [_field(k) for k in sketch.keys]
        self._add_story(keys=keys, args=args)

    # -- revisions and revisits -------------------------------------------------------------
    def _story_id(self, url: str) -> Any:
        return self.client.hget(self.key("urls"), _field(key64(url)))

    def _stored(self, ids: list[Any]) -> list[StoredStory]:
        if not ids:
            return []
        with self.client.pipeline(transaction=False) as pipe:
            for name in ("story:url", "story:fphex", "story:version", "story:rev", "story:pub",
                         "story:gone"):
                pipe.hmget(self.key(name), ids)
            urls, fps, versions, revs, pubs, gones = pipe.execute()
        return [StoredStory(str(_text(u)), _text(f), _text(v), int(r or 1), _text(p),
                            int(g) if g else None)
                for u, f, v, r, p, g in zip(urls, fps, versions, revs, pubs, gones, strict=True)
                if u is not None]  # fmt: skip

    def story(self, url: str) -> StoredStory | None:
        story = self._story_id(url)
        found = self._stored([story]) if story is not None else []
        return found[0] if found else None

    def revise(self, url: str, fingerprint: str, sketch: Sketch, revision: int,
               version: str | None = None) -> None:
        story = self._story_id(url)
        if story is None:
            raise KeyError(f"no stored story {url!r}")
        keys = [self.key(k) for k in ("story:sig", "story:size", "story:fphex", "story:rev",
                                      "fp", "bands", "story:version")]  # fmt: skip
        args: list[Any] = [story, sketch.signature,
                           "" if sketch.size is None else str(sketch.size), fingerprint,
                           revision, _field(fingerprint_key(fingerprint)),
                           version or ""]  # fmt: skip
        args += [_field(k) for k in sketch.keys]
        self._revise(keys=keys, args=args)

    def mark_gone(self, url: str, status: int) -> None:
        story = self._story_id(url)
        if story is not None:
            self.client.hset(self.key("story:gone"), story, status)

    def recent(self, days: int, today: str) -> list[StoredStory]:
        limit = _ordinal(today) or dt.date.today().toordinal()
        ids: list[int] = []
        for host in sorted(str(_text(h)) for h in self.client.smembers(self.key("hosts"))):
            zset = self.key(f"recent:{host}")
            newest: Any = self.client.zrevrangebyscore(zset, limit, "-inf", start=0, num=1,
                                                       withscores=True)  # fmt: skip
            if newest:
                day = int(float(newest[0][1]))
                members: Any = self.client.zrangebyscore(zset, day - days, day)
                ids += [int(i) for i in members]
        return [s for s in self._stored(sorted(ids)) if s.gone is None]

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        value = self.client.hget(self.key("validators"), _field(key64(url)))
        if value is None:
            return None
        etag, last_modified = json.loads(value)
        return etag, last_modified

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.client.hset(self.key("validators"), _field(key64(url)),
                         json.dumps([etag, last_modified]))  # fmt: skip

    def published_of(self, url: str) -> str | None:
        dated = self.client.hget(self.key("dated"), _field(key64(url)))
        if dated is not None:
            return _text(dated)
        story = self._story_id(url)
        if story is None:
            return None
        return _text(self.client.hget(self.key("story:pub"), story))

    def note_published(self, url: str, published: str | None) -> None:
        if published is not None:
            self.client.hset(self.key("dated"), _field(key64(url)), published)

    def flush(self) -> None:
        """Nothing to do: every write went to the server when it was made."""

    def close(self) -> None:
        self.client.close()

    def counts(self) -> dict[str, int]:
        """Entries per structure, for reports and benchmarks (like SqliteState.counts)."""
        with self.client.pipeline(transaction=False) as pipe:
            for name in ("story:url", "urls", "bands"):
                pipe.hlen(self.key(name))
            stories, urls, bands = pipe.execute()
        return {"stories": stories, "urls": urls, "bands": bands}
