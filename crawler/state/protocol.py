"""What the crawler remembers across runs: the :class:`State` interface and its answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from crawler import similarity
from crawler.similarity import Score
from crawler.state.keys import MAX_CANDIDATES

if TYPE_CHECKING:
    from datasketch import MinHash


class Match(NamedTuple):
    """A stored story that a new one duplicates, with the scores of the decision."""

    url: str
    """URL of the stored (first exported) story."""
    similarity: float
    """Estimated Jaccard similarity of the two bodies' shingles, 0..1."""
    containment: float | None = None
    """Estimated containment of the smaller body in the larger (crawler.similarity), or None."""
    rule: str = "jaccard"
    """What made it a duplicate: 'url', 'fingerprint', 'jaccard' or 'containment'."""

    @classmethod
    def scored(cls, url: str, score: Score) -> Match:
        """The match of a stored story with the scores of the decision."""
        return cls(url, score.similarity, score.containment, score.rule)


class StoredStory(NamedTuple):
    """What the state knows of an exported story (revisits, backfill)."""

    url: str
    """URL of the story (its exported record's)."""
    fingerprint: str | None
    """Body fingerprint of its latest revision (16 hex digits); None when it is not known."""
    version: str | None
    """Headline-and-body fingerprint of its latest revision (crawler.similarity.version_of):
    a revisit that finds another one found the story edited; None when it is not known."""
    revision: int
    """Its latest revision: 1 when first exported."""
    published: str | None
    """Its publication date (ISO), when the record had one."""
    gone: int | None
    """404 or 410 once a revisit found the story gone; None while it is there."""


def candidates(counts: Mapping[int, int]) -> list[int]:
    """The stories to verify, oldest first: the :data:`MAX_CANDIDATES` that share the most
    bucket keys with the new story (``counts``: story id -> keys shared; ties: oldest first).

    >>> found = candidates({7: 1, 3: 2, 5: 2, 9: 1} | {100 + i: 1 for i in range(30)})
    >>> len(found), found[:5], found[-1]
    (24, [3, 5, 7, 9, 100], 119)
    """
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]
    return sorted(story for story, _ in ranked)


def best_first(matches: Iterable[Match]) -> list[Match]:
    """Matches by strength (the larger of Jaccard and containment), strongest first; ties keep
    their order (oldest story first).

    >>> [m.url for m in best_first([Match("a", 0.6), Match("b", 0.5, 0.9), Match("c", 0.7)])]
    ['b', 'c', 'a']
    """
    return sorted(matches, key=lambda m: -max(m.similarity, m.containment or 0.0))


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

    def find_similar(self, sig: MinHash | similarity.Sketch,
                     threshold: float = similarity.THRESHOLD) -> Match | None:
        """The closest stored story the rule (Jaccard >= threshold, or containment) makes
        ``sig`` a duplicate of, or None."""
        ...

    def similar(self, sketch: similarity.Sketch, rule: similarity.Rule) -> list[Match]:
        """Every stored story among the candidates that ``rule`` makes ``sketch`` a duplicate
        of, closest first."""
        ...

    def add_story(self, url: str, fingerprint: str, sig: MinHash | similarity.Sketch,
                  published: str | None = None, version: str | None = None) -> None:
        """Record an exported story: its URL, body fingerprint, sketch (or bare signature),
        publication date and headline-and-body version."""
        ...

    def story(self, url: str) -> StoredStory | None:
        """The exported story ``url`` is an address of, or None."""
        ...

    def revise(self, url: str, fingerprint: str, sketch: similarity.Sketch, revision: int,
               version: str | None = None) -> None:
        """Record a new revision of the stored story ``url``: its body's fingerprint and
        sketch (later copies of either revision are its duplicates) and its version."""
        ...

    def mark_gone(self, url: str, status: int) -> None:
        """Record that the stored story ``url`` answered 404 or 410: it is not revisited."""
        ...

    def recent(self, days: int, today: str) -> list[StoredStory]:
        """Stories to revisit: published within ``days`` days of the newest story of the same
        host (dates after ``today`` are ignored), not gone; oldest first."""
        ...

    def validators(self, url: str) -> tuple[str | None, str | None] | None:
        """The ETag and Last-Modified an exported article was fetched with, or None."""
        ...

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        """Remember an exported article's ETag and Last-Modified (conditional revisits)."""
        ...

    def published_of(self, url: str) -> str | None:
        """The publication date known for an address: the one noted for its own page (a copy,
        or a page fetched and not exported: :meth:`note_published`), else its story's."""
        ...

    def note_published(self, url: str, published: str | None) -> None:
        """Remember the date of a page fetched but not exported (a backfill outside its
        window), so that the next backfill need not fetch it again ("": it has none)."""
        ...

    def flush(self) -> None:
        """Make every write so far durable."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...
