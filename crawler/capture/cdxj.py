"""The CDXJ index of WARC files: one line per response or revisit record, sorted by address.

A line is ``<SURT> <14-digit timestamp> <JSON>``, as pywb and the IIPC CDXJ draft write it; the
JSON holds ``url``, ``mime`` (``warc/revisit`` for a revisit), ``status``, ``digest`` (the
payload digest, ``sha1:...``), ``length``, ``offset``, ``filename`` (the WARC file's name), and
also ``id`` (WARC-Record-ID),
``date`` (the full WARC-Date) and, for revisits, ``profile``. Request and warcinfo records are
not indexed. File names are unique across runs and workers (crawler.capture.writer), so the
indexes of several runs merge by sorting their lines together.
"""

from __future__ import annotations

import heapq
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from crawler.capture.records import SUFFIX
from crawler.capture.repair import complete_length

INDEX_NAME = "index.cdxj"
INDEXED_TYPES = ("response", "revisit")
REVISIT_MIME = "warc/revisit"
"""The ``mime`` of a revisit line (pywb's convention)."""


def surt(url: str) -> str:
    """The SURT form of a URL, the sort key of a CDXJ line (host reversed, 'www.' dropped).

    >>> surt("https://www.SpaceWar.com/reports/A_999.html?b=2&a=1")
    'com,spacewar)/reports/a_999.html?a=1&b=2'
    >>> surt("https://spacedaily.com/")
    'com,spacedaily)/'
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    key = ",".join(reversed(host.split("."))) + ")" + (parts.path or "/").lower()
    if parts.query:
        key += "?" + "&".join(sorted(parts.query.lower().split("&")))
    return key


def timestamp14(date: str) -> str:
    """The 14-digit timestamp of a WARC date.

    >>> timestamp14("2026-11-25T12:03:04.000005Z")
    '20261125120304'
    """
    return "".join(ch for ch in date[:19] if ch.isdigit())


@dataclass(frozen=True)
class Entry:
    """One indexed record."""

    url: str
    date: str
    status: int
    mime: str
    digest: str | None
    filename: str
    offset: int
    length: int
    record_id: str
    kind: str
    """'response' or 'revisit'."""
    profile: str | None = None
    """The revisit profile (None for a response)."""

    def line(self) -> str:
        """The CDXJ line (no newline)."""
        data: dict[str, Any] = {
            "url": self.url, "mime": self.mime, "status": str(self.status),
            "digest": self.digest, "length": str(self.length), "offset": str(self.offset),
            "filename": self.filename, "id": self.record_id, "date": self.date,
        }
        if self.profile:
            data["profile"] = self.profile
        if self.digest is None:
            del data["digest"]
        return f"{surt(self.url)} {timestamp14(self.date)} {json.dumps(data, sort_keys=True)}"

    @classmethod
    def parse(cls, line: str) -> Entry:
        """The entry of a CDXJ line.

        >>> e = Entry("https://a.com/x", "2026-01-02T03:04:05.000006Z", 200, "text/html",
        ...           "sha1:AB", "f.warc.gz", 10, 99, "<urn:uuid:1>", "response")
        >>> Entry.parse(e.line()) == e
        True
        """
        data = json.loads(line.split(" ", 2)[2])
        return cls(data["url"], data["date"], int(data["status"]), data["mime"],
                   data.get("digest"),
                   data["filename"], int(data["offset"]), int(data["length"]), data["id"],
                   "revisit" if data.get("profile") else "response", data.get("profile"))

    def pointer(self) -> dict[str, Any]:
        """The record field ``warc`` of a page stored here."""
        return {"filename": self.filename, "record_id": self.record_id, "offset": self.offset,
                "length": self.length, "payload_digest": self.digest}


def index_warc(path: Path, limit: int | None = None) -> Iterator[Entry]:
    """The entries of one WARC file, in file order (warcio reads it); with ``limit``, of its
    first ``limit`` bytes only (the complete records of a file still being written)."""
    with path.open("rb") as fh:
        records = ArchiveIterator(fh if limit is None else LimitReader(fh, limit))
        for record in records:
            if record.rec_type not in INDEXED_TYPES:
                continue
            headers = record.rec_headers
            http = record.http_headers
            offset = records.get_record_offset()
            length = records.get_record_length()
            status = int(http.get_statuscode()) if http else 0
            mime = (http.get_header("Content-Type") or "") if http else ""
            if record.rec_type == "revisit":
                mime = REVISIT_MIME
            yield Entry(
                url=headers.get_header("WARC-Target-URI"),
                date=headers.get_header("WARC-Date"),
                status=status,
                mime=mime.split(";")[0].strip().lower(),
                digest=headers.get_header("WARC-Payload-Digest"),
                filename=path.name,
                offset=offset,
                length=length,
                record_id=headers.get_header("WARC-Record-ID"),
                kind=record.rec_type,
                profile=headers.get_header("WARC-Profile") if record.rec_type == "revisit"
                else None,
            )


def sort_key(line: str) -> tuple[str, str]:
    """How CDXJ lines sort: SURT, then timestamp (then the rest, for a stable order)."""
    key, _, rest = line.partition(" ")
    return key, rest


SORT_CHUNK_LINES = 20_000
"""Index lines sorted in memory at once (about 10 MB); more are sorted in runs on disk and
merged, so that indexing a folder of any size takes bounded memory."""


def write_lines(lines: Iterable[str], out: Path, chunk: int | None = None) -> int:
    """Write CDXJ lines to ``out`` sorted (atomically: a reader sees the old or the new
    index), holding at most ``chunk`` lines (:data:`SORT_CHUNK_LINES`) in memory; returns
    their number.

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "index.cdxj"
    >>> write_lines(["c 2 {}", "a 1 {}", "b 9 {}", "a 0 {}"], out, chunk=3)
    4
    >>> out.read_text().splitlines(), sorted(p.name for p in out.parent.iterdir())
    (['a 0 {}', 'a 1 {}', 'b 9 {}', 'c 2 {}'], ['index.cdxj'])
    """
    chunk = chunk or SORT_CHUNK_LINES
    # Scratch names of this writer's own: workers of a job that share a folder may index it
    # at the same moment (the last os.replace wins, each index covering every file it saw).
    scratch = f"{out.name}.{os.getpid()}-{secrets.token_hex(3)}"
    tmp = out.with_name(scratch + ".tmp")
    runs: list[Path] = []
    try:
        batch: list[str] = []
        total = 0
        for line in lines:
            batch.append(line)
            total += 1
            if len(batch) >= chunk:
                runs.append(_sorted_run(batch, out.with_name(f"{scratch}.run{len(runs)}")))
                batch = []
        batch.sort(key=sort_key)
        handles = [run.open(encoding="utf-8") for run in runs]
        try:
            with tmp.open("w", encoding="utf-8") as dest:
                dest.writelines(heapq.merge(*handles, (line + "\n" for line in batch),
                                            key=sort_key))
        finally:
            for handle in handles:
                handle.close()
        os.replace(tmp, out)
        return total
    finally:
        for run in runs:
            run.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


def _sorted_run(batch: list[str], path: Path) -> Path:
    batch.sort(key=sort_key)
    with path.open("w", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in batch)
    return path


class LineSpool:
    """Index lines kept in an anonymous temporary file, not in memory, and read back in order:
    a writer's record of its lines (the file disappears when closed, or with the process)."""

    def __init__(self) -> None:
        self._fh = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed by close)
        self.count = 0

    def append(self, line: str) -> None:
        """Add one line (no newline)."""
        self._fh.write(line + "\n")
        self.count += 1

    def __iter__(self) -> Iterator[str]:
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:
            yield line.rstrip("\n")
        self._fh.seek(0, os.SEEK_END)

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        """Drop the lines."""
        self._fh.close()


def write_index(entries: Iterable[Entry], out: Path) -> int:
    """Write the sorted CDXJ index of ``entries`` to ``out``; returns lines."""
    return write_lines((e.line() for e in entries), out)


def index_folder(directory: Path, known: Mapping[str, Iterable[str]] | None = None) -> int:
    """Write the ``index.cdxj`` of every WARC file of a folder; returns lines.

    ``known`` gives the lines of files the caller wrote (a writer knows its records); lines
    the folder's index already holds are kept (a WARC file is never changed once closed);
    any other file is read. Lines stream through :func:`write_lines`: memory stays bounded.
    """
    return write_lines(_folder_lines(directory, known or {}), directory / INDEX_NAME)


def _folder_lines(directory: Path, known: Mapping[str, Iterable[str]]) -> Iterator[str]:
    files = {path.name: path for path in sorted(directory.glob(f"*{SUFFIX}"))}
    kept: set[str] = set()
    for line in _index_lines(directory / INDEX_NAME):
        try:
            name = Entry.parse(line).filename
        except (ValueError, KeyError, IndexError):
            continue
        if name in files and name not in known:
            kept.add(name)
            yield line
    for name, path in files.items():
        if name in known:
            yield from known[name]
        elif name not in kept:  # complete records only: another writer may be appending now
            yield from (e.line() for e in index_warc(path, complete_length(path)))


def _index_lines(path: Path) -> Iterator[str]:
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield line.rstrip("\n")


def ensure_index(directory: Path) -> list[Entry]:
    """The entries of a folder's WARC files, from its ``index.cdxj`` when that covers every
    file holding pages, else brought up to date first (files it lacks are read)."""
    files = sorted(directory.glob(f"*{SUFFIX}"))
    indexed = list(read_index(directory / INDEX_NAME))
    covered = {e.filename for e in indexed}
    if all(path.name in covered or _holds_no_page(path) for path in files):
        return indexed
    index_folder(directory)
    return list(read_index(directory / INDEX_NAME))


def _holds_no_page(path: Path) -> bool:
    """Whether a WARC file holds no response or revisit (only its warcinfo: never indexed)."""
    return path.stat().st_size < 4096 and not any(True for _ in index_warc(path))


def read_index(path: Path) -> Iterator[Entry]:
    """The entries of a CDXJ file (lines that do not parse are skipped)."""
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                yield Entry.parse(line)
            except (ValueError, KeyError, IndexError):
                continue


def merge_indexes(indexes: Iterable[Path], out: Path) -> int:
    """Merge sorted CDXJ files into one sorted file; returns lines."""
    handles = [path.open(encoding="utf-8") for path in indexes if path.is_file()]
    try:
        tmp = out.with_name(out.name + ".tmp")
        count = 0
        with tmp.open("w", encoding="utf-8") as dest:
            for line in heapq.merge(*handles, key=sort_key):
                if line.strip():
                    dest.write(line if line.endswith("\n") else line + "\n")
                    count += 1
        os.replace(tmp, out)
        return count
    finally:
        for handle in handles:
            handle.close()
