"""The WARC files of one crawl: rotated at a size, each record appended with one ``write``.

Files are named ``<prefix>-<NNNNN>.warc.gz`` with a prefix unique to the writer (UTC start time
and a random tail: ``smn-20261125T120000Z-a1b2c3``), so the workers of a distributed job and
the attempts of a resumed run never write to the same file, and a file name alone says which
file it is across runs. Each file opens with a ``warcinfo`` record. Each exchange is the main
record (response or revisit) followed by its request record, written together by one ``write``
call on an unbuffered descriptor: a kill cuts at most that exchange, which
:func:`crawler.capture.repair.repair_warc` cuts off before the next attempt. A resumed run
never appends to a file an earlier attempt wrote.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.capture.cdxj import REVISIT_MIME, Entry, LineSpool
from crawler.capture.digests import DigestIndex
from crawler.capture.records import (
    PROFILE_IDENTICAL,
    PROFILE_NOT_MODIFIED,
    SUFFIX,
    Exchange,
    Original,
    RecordMaker,
    payload_digest,
)


def media_type(ex: Exchange) -> str:
    """The media type of a response, as an index line gives it.

    >>> media_type(Exchange("u", "d", "GET", "/", [], b"", 200,
    ...                     [("Content-Type", "text/HTML; charset=UTF-8")], b""))
    'text/html'
    """
    for name, value in ex.response_headers:
        if name.lower() == "content-type":
            return value.split(";")[0].strip().lower()
    return ""


def new_prefix(now: datetime | None = None) -> str:
    """A file-name prefix unique to one writer.

    >>> p = new_prefix(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    >>> p.startswith("smn-20261125T120000Z-"), len(p)
    (True, 27)
    """
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"smn-{stamp}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Pointer:
    """Where one fetched page is: a record of a WARC file."""

    filename: str
    record_id: str
    offset: int
    length: int
    """Bytes of the record's gzip member."""
    payload_digest: str | None
    date: str
    """WARC-Date of the record."""
    kind: str
    """'response' or 'revisit'."""

    def item(self) -> dict[str, Any]:
        """The record field ``warc``: file name, record id, offset, length, payload digest."""
        return {"filename": self.filename, "record_id": self.record_id, "offset": self.offset,
                "length": self.length, "payload_digest": self.payload_digest}


class WarcWriter:
    """Appends exchanges to rotating WARC files in ``directory``.

    ``info`` is the warcinfo content of each file (name: value lines). ``digests`` remembers
    the payloads stored (for revisits); pass a :class:`DigestIndex` shared across runs, or
    None for one kept in memory.
    """

    def __init__(self, directory: Path, *, max_bytes: int, info: dict[str, str],
                 digests: DigestIndex | None = None, prefix: str | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.info = info
        self.prefix = prefix or new_prefix()
        self.digests = digests if digests is not None else DigestIndex("")
        self.maker = RecordMaker()
        self.counts: Counter[str] = Counter()
        self.files: list[str] = []
        self.index_lines: dict[str, LineSpool] = {}
        """CDXJ lines of the records written, per file (the folder's index needs no rescan),
        spooled to temporary files: about 0.5 KB a page that memory does not hold."""
        self._fd: int | None = None
        self._name = ""
        self._size = 0
        self._info_size = 0

    # -- files ------------------------------------------------------------------------
    def _open_next(self) -> None:
        self._close_file()
        self._name = f"{self.prefix}-{len(self.files) + 1:05d}{SUFFIX}"
        path = self.directory / self._name
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        self.files.append(self._name)
        self.index_lines[self._name] = LineSpool()
        self._size = 0
        self._append(self.maker.warcinfo(self._name, self.info).member)
        self._info_size = self._size
        self.counts["warcinfo"] += 1

    def _close_file(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _append(self, data: bytes) -> int:
        """Write ``data`` at the end of the current file; returns its offset."""
        assert self._fd is not None
        offset = self._size
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        self._size += len(data)
        self.counts["bytes"] += len(data)
        return offset

    def close(self) -> None:
        """Close the current file and commit the digest index."""
        self._close_file()
        self.digests.flush()

    # -- records ----------------------------------------------------------------------
    def write(self, ex: Exchange) -> Pointer:
        """Store one exchange; returns where its response (or revisit) record is.

        A 304 is a revisit (server-not-modified); a 200 whose payload the job already stored
        is a revisit (identical-payload-digest) naming the first record; anything else is a
        response record with the body as sent.
        """
        original: Original | None = None
        digest: str | None = None
        if ex.status == 304:
            main = self.maker.revisit(ex, None, None, PROFILE_NOT_MODIFIED)
            kind = "revisit"
        else:
            digest = payload_digest(ex.body)
            if ex.status == 200 and ex.body:
                original = self.digests.find(digest)
            if original is not None:
                main = self.maker.revisit(ex, digest, original, PROFILE_IDENTICAL)
                kind = "revisit"
            else:
                main = self.maker.response(ex, digest)
                kind = "response"
        request = self.maker.request(ex, main.record_id)
        if self._fd is None or (self._size > self._info_size
                                and self._size + len(main.member) + len(request.member)
                                > self.max_bytes):
            self._open_next()
        offset = self._append(main.member + request.member)
        self.counts[kind] += 1
        self.counts["request"] += 1
        if kind == "response" and ex.status == 200 and ex.body and digest:
            self.digests.add(digest, Original(ex.url, ex.date, main.record_id))
        profile = None if kind == "response" else (
            PROFILE_IDENTICAL if original is not None else PROFILE_NOT_MODIFIED)
        self.index_lines[self._name].append(Entry(
            ex.url, ex.date, ex.status, REVISIT_MIME if profile else media_type(ex),
            digest, self._name, offset, len(main.member), main.record_id, kind, profile).line())
        return Pointer(self._name, main.record_id, offset, len(main.member), digest, ex.date,
                       kind)
