"""The capture's part of a scheduled run: where its WARC files go and their account in the run
manifest (crawler.runs.folder names the run's ``warc/`` folder and repairs it after a kill).

The payload digests of every run of an output folder live in ``captures.sqlite`` beside the
state, so an unchanged page of a later run is a revisit of its first capture.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from crawler.capture.cdxj import INDEX_NAME, ensure_index
from crawler.capture.records import SUFFIX

DIGESTS_FILE = "captures.sqlite"


def capture_settings(folder: Path, output: Path) -> dict[str, Any]:
    """The capture settings of a scheduled run writing into ``folder`` under the output folder
    ``output`` (``SMN_CAPTURE_ENABLED=False`` still turns capture off)."""
    return {"SMN_CAPTURE_DIR": str(folder),
            "SMN_CAPTURE_INDEX_PATH": str(output.resolve() / DIGESTS_FILE)}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def capture_account(folder: Path) -> dict[str, Any] | None:
    """The manifest's ``warc`` section for a folder of WARC files: the files with sizes and
    sha256, the record counts, the index; None when there is no WARC file. Brings the folder's
    CDXJ index up to date."""
    files = sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else []
    if not files:
        return None
    entries = ensure_index(folder)
    kinds = Counter(e.kind for e in entries)
    listed = [{"name": p.name, "bytes": p.stat().st_size, "sha256": sha256(p)} for p in files]
    return {
        "folder": folder.name,
        "index": f"{folder.name}/{INDEX_NAME}",
        "files": listed,
        "bytes": sum(f["bytes"] for f in listed),
        "records": {"response": kinds["response"], "revisit": kinds["revisit"]},
    }
