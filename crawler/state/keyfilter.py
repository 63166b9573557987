"""A Bloom filter of bucket keys: which keys the SQLite state's large bucket table may hold.

A search reads a story's 32 band keys and its opening key; in a large state almost none of
them are on disk, and each absent key still costs a B-tree descent through pages that no longer
fit the page cache. The filter answers "certainly absent" for all but 1 to 6 % of them from
memory (:data:`BITS_PER_KEY` bits per key of its capacity, which is one to two times the keys
it holds: 0.75 to 1.5 bytes a key).

The keys are already uniform 64-bit hashes (:mod:`crawler.similarity`), so the filter does not
hash them again: the probes are drawn from the key's two 32-bit halves (double hashing, Kirsch
and Mitzenmacher), vectorised with numpy. A Bloom library would hash each key again in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

BITS_PER_KEY = 6
"""Filter bits per key of its capacity (with :data:`PROBES` probes, false positives: about 1 %
at half the capacity, 6 % at the capacity)."""
PROBES = 4
"""Bits set, and tested, per key."""
MIN_CAPACITY = 1 << 16
"""Keys the smallest filter is sized for (48 kB)."""
_CHUNK = 1 << 13
_LOW = np.uint64(0xFFFF_FFFF)
_SHIFT = np.uint64(32)
_STEPS = np.arange(PROBES, dtype=np.uint64)


class KeyFilter:
    """A Bloom filter over signed 64-bit keys: no false negatives, a few false positives.

    >>> f = KeyFilter.sized(1000)
    >>> f.add([2**40 + 7, -5])
    >>> f.may_hold([2**40 + 7, -5]) == [2**40 + 7, -5]
    True
    >>> f.may_hold([12345, 67890])  # absent keys (a false positive would be kept, rarely)
    []
    >>> g = KeyFilter.from_bytes(f.capacity, f.count, f.to_bytes())
    >>> g.may_hold([-5]), g.count
    ([-5], 2)
    """

    def __init__(self, capacity: int, count: int, bits: np.ndarray) -> None:
        self.capacity = capacity
        """Keys the filter is sized for; past it, false positives grow (the owner rebuilds)."""
        self.count = count
        """Keys added so far (a key added twice counts twice)."""
        self.bits = bits
        """The bit array, ``capacity * BITS_PER_KEY`` bits as bytes."""
        self._size = np.uint64(len(bits) * 8)

    @classmethod
    def sized(cls, capacity: int) -> KeyFilter:
        """An empty filter for ``capacity`` keys (at least :data:`MIN_CAPACITY`).

        >>> KeyFilter.sized(10).capacity == MIN_CAPACITY, len(KeyFilter.sized(10**5).bits)
        (True, 75000)
        """
        capacity = max(MIN_CAPACITY, capacity)
        return cls(capacity, 0, np.zeros(capacity * BITS_PER_KEY // 8, dtype=np.uint8))

    @classmethod
    def from_bytes(cls, capacity: int, count: int, data: bytes) -> KeyFilter:
        """The filter :meth:`to_bytes` stored."""
        bits = np.frombuffer(data, dtype=np.uint8).copy()
        if len(bits) != capacity * BITS_PER_KEY // 8:
            raise ValueError(f"a key filter for {capacity} keys has {capacity * BITS_PER_KEY // 8}"
                             f" bytes, not {len(bits)}")
        return cls(capacity, count, bits)

    def to_bytes(self) -> bytes:
        """The bit array, to store beside the table it describes."""
        return self.bits.tobytes()

    def _probes(self, keys: Sequence[int]) -> np.ndarray:
        k = np.asarray(keys, dtype=np.int64).view(np.uint64)
        step = (k >> _SHIFT) | np.uint64(1)
        return ((k & _LOW)[:, None] + _STEPS[None, :] * step[:, None]) % self._size

    def add(self, keys: Iterable[int]) -> None:
        """Add keys (any iterable; read in chunks, so a table scan does not sit in memory)."""
        chunk: list[int] = []
        for key in keys:
            chunk.append(key)
            if len(chunk) == _CHUNK:
                self._add(chunk)
                chunk = []
        if chunk:
            self._add(chunk)

    def _add(self, keys: Sequence[int]) -> None:
        probes = self._probes(keys).ravel()
        np.bitwise_or.at(self.bits, (probes >> np.uint64(3)).astype(np.intp),
                         (np.uint8(1) << (probes & np.uint64(7)).astype(np.uint8)))
        self.count += len(keys)

    def may_hold(self, keys: Sequence[int]) -> list[int]:
        """The keys that may have been added, in their order: every added key, and a few per
        cent of the others when the filter is within its capacity."""
        if not keys:
            return []
        probes = self._probes(keys)
        hit = (self.bits[(probes >> np.uint64(3)).astype(np.intp)]
               >> (probes & np.uint64(7)).astype(np.uint8)) & 1
        held: list[bool] = np.all(hit, axis=1).tolist()
        return [key for key, h in zip(keys, held, strict=True) if h]
