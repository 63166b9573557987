"""The one reader of JSON Lines files (articles, duplicates, rejects), and the repair of a file
that a killed writer left with a partial last line.

Every component that reads run files (runs, monitors, state sync, export, distributed merge)
reads them here: a line that is not a JSON object (cut by a kill, or garbage) is skipped by
:func:`iter_jsonl` and reported as ``None`` by :func:`read_records`, never raised.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def read_records(path: Path) -> Iterator[tuple[int, int, dict[str, Any] | None]]:
    """(byte offset, length, record) of every non-blank line; record is None for a line that
    is not a JSON object. Nothing for an absent file; a last line without a newline is read.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = p.write_text('{"a": 1}\\n\\n[2]\\n{"b": ')
    >>> list(read_records(p))
    [(0, 9, {'a': 1}), (10, 4, None), (14, 6, None)]
    """
    if not path.is_file():
        return
    offset = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                yield offset, len(line), record if isinstance(record, dict) else None
            offset += len(line)


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Each whole, parseable record of a JSON Lines file; nothing for an absent file.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = p.write_text('{"a": 1}\\n{"b": ')
    >>> list(iter_jsonl(p)), list(iter_jsonl(p.with_name("absent.jsonl")))
    ([{'a': 1}], [])
    """
    for _, _, record in read_records(path):
        if record is not None:
            yield record


def count_records(path: Path) -> int:
    """Number of non-blank lines of a JSON Lines file (0 when it is absent).

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = p.write_text('{"a": 1}\\n\\n{"b": 2}\\n')
    >>> count_records(p)
    2
    """
    return sum(1 for _ in read_records(path))


def repair_jsonl(path: Path) -> int:
    """Cut a partial last line (no newline) off a JSON Lines file; returns bytes removed.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_bytes(b'{"a": 1}\\n{"b": ')
    >>> repair_jsonl(p), p.read_bytes()
    (6, b'{"a": 1}\\n')
    """
    if not path.is_file():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        pos = size
        chunk = 65536
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            data = fh.read(pos - start)
            if start + len(data) == size and data.endswith(b"\n"):
                return 0
            nl = data.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                fh.truncate(keep)
                return size - keep
            pos = start
        fh.truncate(0)
        return size
