"""A request dupefilter whose memory is 8 bytes per seen request, not ~120.

Scrapy's :class:`~scrapy.dupefilters.RFPDupeFilter` keeps every 20-byte request fingerprint as
a ``bytes`` object in a Python ``set``: about 120 MB per million URLs. :class:`CompactDupeFilter`
keeps the first 64 bits of each fingerprint instead:

* a sorted ``numpy.uint64`` array holds the bulk (8 bytes a key, binary search to look up);
* a small Python ``set`` buffers the newest keys and is merged into the array whenever it
  reaches ``buffer_size`` keys (a linear merge, so the amortized cost per key is tiny).

A false positive needs two different requests whose fingerprints share their first 64 bits:
with a million seen requests the chance that one new request is wrongly dropped is about
``1e6 / 2**64``, i.e. 5e-14.

With ``JOBDIR`` the seen fingerprints persist in ``requests.seen`` in the very format of
RFPDupeFilter (2-byte big-endian length, then the whole fingerprint), so a job may switch
between the two filters. Enable it with::

    DUPEFILTER_CLASS = "crawler.dupefilter.CompactDupeFilter"
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
from scrapy.dupefilters import RFPDupeFilter

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy.http.request import Request
    from scrapy.utils.request import RequestFingerprinterProtocol

__all__ = ["CompactDupeFilter", "KeySet", "fingerprint_key"]

_SIZE_BYTES = 2
"""Length prefix of each record of ``requests.seen`` (Scrapy's format)."""
_READ_CHUNK = 1 << 20
_EMPTY = np.empty(0, dtype=np.uint64)
BUFFER_KEYS = 16384
"""Keys a KeySet buffers in its Python set (about 70 bytes each: 1.1 MB) before merging them
into its array; a merge costs one pass over the array (a million keys: about 5 ms)."""


def fingerprint_key(fp: bytes) -> int:
    """The 64-bit key of a request fingerprint: its first 8 bytes, little-endian.

    >>> fingerprint_key(bytes(range(20)))
    506097522914230528
    """
    return int.from_bytes(fp[:8], "little")


class KeySet:
    """A set of unsigned 64-bit integers at 8 bytes each (plus a bounded write buffer).

    >>> keys = KeySet(buffer_size=2)
    >>> [keys.add(k) for k in (5, 3, 5, 9, 3)]
    [True, True, False, True, False]
    >>> len(keys), 9 in keys, 4 in keys
    (3, True, False)
    """

    def __init__(self, buffer_size: int = BUFFER_KEYS) -> None:
        self.buffer_size = max(1, buffer_size)
        self._sorted: np.ndarray = _EMPTY
        self._buffer: set[int] = set()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._buffer)

    def __contains__(self, key: int) -> bool:
        if key in self._buffer:
            return True
        arr = self._sorted
        n = len(arr)
        if not n:
            return False
        k = np.uint64(key)
        i = int(arr.searchsorted(k))
        return i < n and arr[i] == k

    def contains_many(self, keys: list[int]) -> list[bool]:
        """Membership of many keys at once: one binary search of the array for all of them
        (a page's links), where ``in`` pays numpy's call overhead once per key.

        >>> keys = KeySet(buffer_size=2)
        >>> [keys.add(k) for k in (5, 3, 9)]
        [True, True, True]
        >>> keys.contains_many([3, 4, 9, 2**64 - 1]), keys.contains_many([])
        ([True, False, True, False], [])
        """
        arr = self._sorted
        if not len(arr) or not keys:
            return [key in self._buffer for key in keys]
        wanted = np.array(keys, dtype=np.uint64)
        at = np.minimum(arr.searchsorted(wanted), len(arr) - 1)
        found: list[bool] = (arr[at] == wanted).tolist()
        return [hit or key in self._buffer for key, hit in zip(keys, found, strict=True)]

    def add(self, key: int) -> bool:
        """Add ``key``; True when it was not there yet."""
        if key in self:
            return False
        self._buffer.add(key)
        if len(self._buffer) >= self.buffer_size:
            self.compact()
        return True

    def update(self, keys: np.ndarray) -> None:
        """Add many keys at once (a uint64 array), e.g. when a job is resumed."""
        self.compact()
        if len(keys):
            self._sorted = np.union1d(self._sorted, keys.astype(np.uint64, copy=False))

    def compact(self) -> None:
        """Merge the write buffer into the sorted array."""
        if not self._buffer:
            return
        fresh = np.fromiter(self._buffer, dtype=np.uint64, count=len(self._buffer))
        fresh.sort()
        self._buffer = set()
        if not len(self._sorted):
            self._sorted = fresh
            return
        # Both are sorted and disjoint (add() checks membership first): merge by positions.
        merged = np.empty(len(self._sorted) + len(fresh), dtype=np.uint64)
        where = self._sorted.searchsorted(fresh) + np.arange(len(fresh))
        mask = np.ones(len(merged), dtype=bool)
        mask[where] = False
        merged[where] = fresh
        merged[mask] = self._sorted
        self._sorted = merged

    def nbytes(self) -> int:
        """Approximate bytes held: the array plus the buffer's set and int objects."""
        return int(self._sorted.nbytes) + len(self._buffer) * 48 + 216


def _keys_from_records(data: bytes) -> tuple[np.ndarray, int]:
    """Keys of the complete records at the start of ``data`` and the bytes they span."""
    if len(data) >= 22 and data[:2] == b"\x00\x14":
        # The common case: every record a 20-byte SHA1 fingerprint (22 bytes with its length).
        whole = len(data) // 22
        table = np.frombuffer(data, dtype=np.uint8, count=whole * 22).reshape(whole, 22)
        if (table[:, 0] == 0).all() and (table[:, 1] == 20).all():
            prefixes = np.ascontiguousarray(table[:, 2:10]).view("<u8").ravel()
            return prefixes.astype(np.uint64), whole * 22
    keys: list[int] = []
    pos = 0
    while pos + _SIZE_BYTES <= len(data):
        size = int.from_bytes(data[pos : pos + _SIZE_BYTES], "big")
        if pos + _SIZE_BYTES + size > len(data):
            break
        keys.append(fingerprint_key(data[pos + _SIZE_BYTES : pos + _SIZE_BYTES + size]))
        pos += _SIZE_BYTES + size
    return np.array(keys, dtype=np.uint64), pos


def read_seen_keys(file: IO[bytes], chunk: int = _READ_CHUNK) -> Iterable[np.ndarray]:
    """The keys of a ``requests.seen`` file, read in chunks (a truncated last record is
    ignored, as Scrapy does)."""
    pending = b""
    while True:
        block = file.read(chunk)
        if not block:
            break
        data = pending + block
        keys, used = _keys_from_records(data)
        pending = data[used:]
        if len(keys):
            yield keys


class CompactDupeFilter(RFPDupeFilter):
    """RFPDupeFilter with the seen fingerprints kept as 64-bit keys in a :class:`KeySet`.

    Same fingerprints (``crawler.request_fingerprinter``), same ``JOBDIR`` file and logging;
    memory about 8 bytes per seen request (16 MB for two million) instead of ~120.
    """

    def __init__(
        self,
        path: str | None = None,
        debug: bool = False,
        *,
        fingerprinter: RequestFingerprinterProtocol | None = None,
        buffer_size: int = BUFFER_KEYS,
    ) -> None:
        super().__init__(None, debug, fingerprinter=fingerprinter)
        self.keys = KeySet(buffer_size)
        self.file: IO[bytes] | None = None  # type: ignore[assignment]
        if path:
            self.file = Path(path, "requests.seen").open("a+b")  # noqa: SIM115 (closed in close())
            self.file.seek(0)
            for keys in read_seen_keys(self.file):
                self.keys.update(keys)
            self.file.seek(0, 2)

    def __len__(self) -> int:
        return len(self.keys)

    def request_seen(self, request: Request) -> bool:
        """True when a request with the same fingerprint was seen before; records it if not."""
        fp = self._fingerprint(request)
        if not self.keys.add(fingerprint_key(fp)):
            return True
        if self.file:
            self.file.write(len(fp).to_bytes(_SIZE_BYTES, "big") + fp)
        return False
