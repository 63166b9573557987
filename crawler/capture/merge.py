"""The captures of a dataset: the runs' CDXJ indexes merged into one, and their WARC files
listed (name, run, size, sha256), for ``python -m crawler export``.

WARC file names are unique across runs and workers, so the merged index keeps each line as it
was; a reader finds a file by name under the runs folders (crawler.capture.reader).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.capture.cdxj import INDEX_NAME, merge_indexes
from crawler.capture.runfiles import capture_account


@dataclass(frozen=True)
class RunCaptures:
    """A run's captures as the export sees them."""

    run_id: str
    folder: Path
    """The run's folder of WARC files (a re-extracted run's holds only an index)."""
    manifest: dict[str, Any] | None


def warc_files(run: RunCaptures) -> list[dict[str, Any]]:
    """The WARC files of a run as its manifest lists them (computed for an unfinished run)."""
    account = (run.manifest or {}).get("warc") or capture_account(run.folder) or {}
    return [{"run": str(f.get("run") or run.run_id), "name": f["name"], "bytes": f["bytes"],
             "sha256": f["sha256"]} for f in account.get("files", [])]


def merge_captures(runs: Iterable[RunCaptures], out: Path) -> dict[str, Any] | None:
    """Write ``out/index.cdxj`` from the runs' indexes; returns the export manifest's
    ``captures`` section, or None (and no index) when no run captured anything."""
    runs = list(runs)
    files = [f for run in runs for f in warc_files(run)]
    for run in runs:  # an unfinished run may have no index yet
        if not (run.folder / INDEX_NAME).is_file():
            capture_account(run.folder)
    indexes = [run.folder / INDEX_NAME for run in runs if (run.folder / INDEX_NAME).is_file()]
    target = out / INDEX_NAME
    if not files and not indexes:
        target.unlink(missing_ok=True)
        return None
    lines = merge_indexes(indexes, target)
    return {"index": INDEX_NAME, "lines": lines, "files": files,
            "bytes": sum(int(f["bytes"]) for f in files)}
