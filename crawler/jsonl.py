"""Reading JSON Lines files that a killed writer may have left with a partial line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Each whole, parseable line of a JSON Lines file; nothing for an absent file.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.jsonl"
    >>> _ = p.write_text('{"a": 1}\\n{"b": ')
    >>> list(iter_jsonl(p)), list(iter_jsonl(p.with_name("absent.jsonl")))
    ([{'a': 1}], [])
    """
    if not path.is_file():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                yield record
