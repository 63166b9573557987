"""What the crawler remembers across runs: the :class:`State` interface and its answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from crawler import similarity

if TYPE_CHECKING:
    from datasketch import MinHash


class Match(NamedTuple):
    """A stored story that a new one duplicates."""

    url: str
    """URL of the stored (first exported) story."""
    similarity: float
    """Estimated Jaccard similarity of the two bodies' shingles, 0..1."""


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

    def flush(self) -> None:
        """Make every write so far durable."""
        ...

    def close(self) -> None:
        """Flush and release the store."""
        ...
