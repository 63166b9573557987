"""Cut the incomplete last gzip member a kill may leave at the end of a WARC file.

Every record is one gzip member written by one ``write`` call (crawler.capture.writer), so a
killed writer leaves at most one incomplete member, at the end. :func:`repair_warc` walks the
members from the start, decompressing without keeping the output, and truncates the file where
the last complete member ends: what comes before is never touched. A file left empty (the kill
came while its warcinfo was written) is removed.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from crawler.capture.records import SUFFIX

_CHUNK = 1 << 20
_SEQUENCE_RE = re.compile(r"^(?P<prefix>.+)-(?P<seq>\d{5})\.warc\.gz$")


def complete_length(path: Path) -> int:
    """Bytes of ``path`` up to the end of its last complete gzip member.

    >>> import gzip, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.warc.gz"
    >>> one, two = gzip.compress(b"first record"), gzip.compress(b"second record")
    >>> _ = p.write_bytes(one + two[:-5])
    >>> complete_length(p) == len(one)
    True
    """
    good = 0
    position = 0
    decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
    with path.open("rb") as fh:
        data = fh.read(_CHUNK)
        while data:
            try:
                decompressor.decompress(data)
            except zlib.error:
                return good
            if decompressor.eof:  # a member ended inside ``data``: the next one starts there
                rest = decompressor.unused_data
                position += len(data) - len(rest)
                good = position
                decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
                data = rest or fh.read(_CHUNK)
            else:
                position += len(data)
                data = fh.read(_CHUNK)
    return good


def repair_warc(path: Path) -> int:
    """Truncate ``path`` after its last complete gzip member; returns the bytes removed.

    >>> import gzip, tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.warc.gz"
    >>> one = gzip.compress(b"first record")
    >>> _ = p.write_bytes(one + gzip.compress(b"second")[:9])
    >>> repair_warc(p), p.read_bytes() == one, repair_warc(p)
    (9, True, 0)
    """
    size = path.stat().st_size
    keep = complete_length(path)
    if keep == size:
        return 0
    if keep == 0:
        path.unlink()
    else:
        with path.open("rb+") as fh:
            fh.truncate(keep)
    return size - keep


def last_files(directory: Path) -> list[Path]:
    """The last file of each writer in a folder of WARC files: the only ones a kill can cut.

    A writer closes a file completely before it opens the next, so earlier files are whole.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for n in ("smn-a-00001", "smn-a-00002", "smn-b-00001"):
    ...     _ = (d / f"{n}.warc.gz").write_bytes(b"")
    >>> [p.name for p in last_files(d)]
    ['smn-a-00002.warc.gz', 'smn-b-00001.warc.gz']
    """
    last: dict[str, Path] = {}
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        match = _SEQUENCE_RE.match(path.name)
        last[match.group("prefix") if match else path.name] = path
    return sorted(last.values())


def repair_folder(directory: Path) -> dict[str, int]:
    """Repair the last file of each writer in ``directory``; returns bytes removed per file."""
    if not directory.is_dir():
        return {}
    removed = {path.name: repair_warc(path) for path in last_files(directory)}
    return {name: n for name, n in removed.items() if n}
