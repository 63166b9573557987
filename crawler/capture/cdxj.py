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
from collections.abc import Iterable, Iterator
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


def write_lines(lines: Iterable[str], out: Path) -> int:
    """Write CDXJ lines to ``out`` sorted (atomically: a reader sees the old or the new
    index); returns their number."""
    ordered = sorted(lines, key=sort_key)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in ordered), encoding="utf-8")
    os.replace(tmp, out)
    return len(ordered)


def write_index(entries: Iterable[Entry], out: Path) -> int:
    """Write the sorted CDXJ index of ``entries`` to ``out``; returns lines."""
    return write_lines((e.line() for e in entries), out)


def index_folder(directory: Path, known: dict[str, list[str]] | None = None) -> int:
    """Write the ``index.cdxj`` of every WARC file of a folder; returns lines.

    ``known`` gives the lines of files the caller wrote (a writer knows its records); lines
    the folder's index already holds are kept (a WARC file is never changed once closed);
    any other file is read.
    """
    known = known or {}
    kept: dict[str, list[str]] = {}
    for line in _index_lines(directory / INDEX_NAME):
        try:
            kept.setdefault(Entry.parse(line).filename, []).append(line)
        except (ValueError, KeyError, IndexError):
            continue
    lines: list[str] = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        if path.name in known:
            lines += known[path.name]
        elif path.name in kept:
            lines += kept[path.name]
        else:  # complete records only: another writer may be appending to it right now
            lines += [e.line() for e in index_warc(path, complete_length(path))]
    return write_lines(lines, directory / INDEX_NAME)


def _index_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


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
