"""Reading captures back: one record by its pointer, a revisit resolved to its payload, a
folder of WARC files checked.

:class:`Captures` opens the WARC files under one or more folders (a ``warc`` folder, a run
folder, a runs folder or an output folder) with their CDXJ indexes, and answers "what did the
site send for this record" (:meth:`Captures.page`) or "for this address" (:meth:`Captures.latest`).
A revisit is resolved to the response record that holds its payload: by payload digest for an
identical-payload revisit, by address (the latest earlier 200) for a 304.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.capture.cdxj import Entry, ensure_index
from crawler.capture.records import PROFILE_NOT_MODIFIED, SUFFIX

_MAX_REVISIT_HOPS = 8


class CaptureMissing(LookupError):
    """A record, or the payload a revisit refers to, is not in the folders given."""


@dataclass
class Page:
    """What the site sent, as stored: status, headers and the body before content decoding."""

    url: str
    date: str
    """WARC-Date of the record asked for (a revisit's own date)."""
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    record_id: str
    payload_digest: str | None
    kind: str
    """'response', or 'revisit' when the body came from an earlier record."""


@dataclass
class Record:
    """One WARC record read whole."""

    rec_type: str
    warc_headers: dict[str, str]
    status: int
    headers: list[tuple[str, str]]
    payload: bytes


def warc_folders(path: Path) -> list[Path]:
    """The folders of WARC files under ``path``: itself, ``warc/``, or ``*/warc`` of runs.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "runs" / "r1" / "warc").mkdir(parents=True)
    >>> _ = (root / "runs" / "r1" / "warc" / "a.warc.gz").write_bytes(b"")
    >>> [p.relative_to(root).as_posix() for p in warc_folders(root)]
    ['runs/r1/warc']
    """
    if any(path.glob(f"*{SUFFIX}")):
        return [path]
    found: list[Path] = []
    for candidate in (path / "warc", *sorted(path.glob("*/warc")),
                      *sorted(path.glob("runs/*/warc"))):
        if candidate.is_dir() and any(candidate.glob(f"*{SUFFIX}")) and candidate not in found:
            found.append(candidate)
    return found


def read_record(path: Path, offset: int, length: int) -> Record:
    """The record at ``offset`` (its gzip member ``length`` bytes long) of a WARC file."""
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise CaptureMissing(f"{path.name}: no record of {length} bytes at offset {offset}")
    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data))))
    except (StopIteration, ArchiveLoadFailed, OSError, EOFError) as exc:
        raise CaptureMissing(f"{path.name}: no record at offset {offset} ({exc})") from None
    http = record.http_headers
    return Record(
        rec_type=record.rec_type,
        warc_headers=dict(record.rec_headers.headers),
        status=int(http.get_statuscode()) if http else 0,
        headers=list(http.headers) if http else [],
        payload=record.raw_stream.read(),
    )


def folder_entries(directory: Path) -> list[Entry]:
    """The index entries of a folder of WARC files (its index, brought up to date)."""
    return ensure_index(directory)


class Captures:
    """The captures under some folders, indexed by record, address and payload digest."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.files: dict[str, Path] = {}
        self.by_url: dict[str, list[Entry]] = defaultdict(list)
        self.by_digest: dict[str, Entry] = {}
        self.entries: list[Entry] = []
        for path in paths:
            for folder in warc_folders(Path(path)):
                for warc in sorted(folder.glob(f"*{SUFFIX}")):
                    self.files.setdefault(warc.name, warc)
                self.entries += folder_entries(folder)
        self.entries.sort(key=lambda e: (e.date, e.filename, e.offset))
        for entry in self.entries:
            self.by_url[entry.url].append(entry)
            if entry.kind == "response" and entry.digest and entry.status == 200:
                self.by_digest.setdefault(entry.digest, entry)

    def __len__(self) -> int:
        return len(self.entries)

    def record(self, filename: str, offset: int, length: int) -> Record:
        """One record by its place."""
        path = self.files.get(filename)
        if path is None:
            raise CaptureMissing(f"no WARC file {filename} in the folders given")
        return read_record(path, offset, length)

    def page(self, pointer: dict[str, Any] | Entry) -> Page:
        """The page a pointer (a record field ``warc`` or an index entry) names, revisits
        resolved to their payload."""
        if isinstance(pointer, Entry):
            pointer = pointer.pointer()
        rec = self.record(str(pointer["filename"]), int(pointer["offset"]),
                          int(pointer["length"]))
        head = rec.warc_headers
        url, date = head.get("WARC-Target-URI", ""), head.get("WARC-Date", "")
        body, kind = rec.payload, rec.rec_type
        if rec.rec_type == "revisit":
            body = self._revisited_payload(head, url, date)
        return Page(url, date, rec.status, rec.headers, body, head.get("WARC-Record-ID", ""),
                    head.get("WARC-Payload-Digest"), kind)

    def _revisited_payload(self, head: dict[str, str], url: str, date: str) -> bytes:
        for _ in range(_MAX_REVISIT_HOPS):
            if head.get("WARC-Profile") == PROFILE_NOT_MODIFIED:
                earlier = [e for e in self.by_url.get(url, ()) if e.date < date
                           and e.status == 200]
                if not earlier:
                    raise CaptureMissing(f"no earlier capture of {url} for its 304 revisit")
                original: Entry | None = earlier[-1]
            else:
                original = self.by_digest.get(head.get("WARC-Payload-Digest") or "")
                if original is None:
                    raise CaptureMissing(
                        f"the payload {head.get('WARC-Payload-Digest')} of a revisit of {url} "
                        "is in none of the folders given")
            assert original is not None
            rec = self.record(original.filename, original.offset, original.length)
            if rec.rec_type != "revisit":
                return rec.payload
            head, url, date = rec.warc_headers, original.url, original.date
        raise CaptureMissing(f"revisits of {url} refer to each other")

    def latest(self, url: str) -> Entry | None:
        """The last capture of an address that holds a page, or None: a 304 revisit stands for
        the capture before it, and a server error counts only when nothing else was captured."""
        entries = [e for e in self.by_url.get(url, ()) if e.status != 304]
        if not entries:
            return None
        usable = [e for e in entries if e.status < 500] or entries
        return usable[-1]


def check_warc(path: Path) -> list[str]:
    """Problems of one WARC file: unreadable gzip or records, wrong block or payload digests
    (warcio's ``check``, whose command line is ``warcio check FILE``). Empty when valid."""
    problems: list[str] = []
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh, check_digests=True)
            for record in records:
                while record.raw_stream.read(1 << 20):  # the payload as stored, not decoded
                    pass
                if record.digest_checker.passed is False:
                    problems += [f"{path.name} @{records.get_record_offset()}: {p}"
                                 for p in record.digest_checker.problems]
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        problems.append(f"{path.name}: {exc}")
    return problems


def iter_pages(captures: Captures, entries: Iterable[Entry]) -> Iterator[tuple[Entry, Page]]:
    """The pages of some entries (those whose payload cannot be found are left out)."""
    for entry in entries:
        try:
            yield entry, captures.page(entry)
        except CaptureMissing:
            continue
