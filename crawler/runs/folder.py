"""A run folder, described once: its files, its manifest and what "finished" means.

Layout under the output folder (``--output``, default ``output``)::

    runs/.lock                  held (flock) while a run of this job is going on
    runs/<run-id>/articles.jsonl, duplicates.jsonl, rejects.jsonl   the records (JSON Lines)
    runs/<run-id>/gone.jsonl    stories a revisit found gone (404/410), when there are any
    runs/<run-id>/crawl.log, stats.json                             the crawl's log and stats
    runs/<run-id>/manifest.json the run's account; ``status`` is "running" until it ends
    runs/<run-id>/warc/         the pages as the sites sent them, and index.cdxj (crawler.capture)
    state.sqlite                what every run has seen and exported (crawler.state)
    captures.sqlite             payload digests of every run's captures (revisits across runs)
    httpcache/                  hubs and robots.txt, for conditional requests

A run is **finished** when its manifest says ``status: "ended"``: the crawl came to an end and
was accounted for, whatever its exit status. A folder whose manifest says "running", or has none,
is a run that was killed: the next run of the job resumes it. Runs, monitors, the export and the
distributed merge all read run folders through :class:`RunFolder`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.capture.repair import repair_folder
from crawler.jsonl import repair_jsonl

ARTICLES = "articles.jsonl"
DUPLICATES = "duplicates.jsonl"
REJECTS = "rejects.jsonl"
GONE = "gone.jsonl"
RECORD_FILES = (ARTICLES, DUPLICATES, REJECTS, GONE)
"""The JSON Lines files of a run, in the order a record may reach them."""
MANIFEST = "manifest.json"
LOG = "crawl.log"
STATS = "stats.json"
WARC = "warc"
"""The folder of the run's WARC files (crawler.capture)."""
RUNS = "runs"
"""The folder of the runs under an output folder."""


def utc_now() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    """A run id that sorts chronologically, e.g. '20261125T120000Z'."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def is_finished(manifest: dict[str, Any] | None) -> bool:
    """Whether a manifest is that of a run that ended (see the module).

    >>> is_finished({"status": "ended", "exit_status": 4}), is_finished({"status": "running"})
    (True, False)
    >>> is_finished(None)
    False
    """
    return bool(manifest) and manifest.get("status") == "ended"  # type: ignore[union-attr]


@dataclass(frozen=True)
class RunFolder:
    """One run's folder ``runs/<run-id>/``."""

    path: Path
    """The folder itself."""

    @property
    def id(self) -> str:
        """The run id: the folder's name."""
        return self.path.name

    @property
    def articles(self) -> Path:
        """The exported records."""
        return self.path / ARTICLES

    @property
    def duplicates(self) -> Path:
        """Each duplicate, with the story it duplicates."""
        return self.path / DUPLICATES

    @property
    def rejects(self) -> Path:
        """Each record that failed validation, with its reasons."""
        return self.path / REJECTS

    @property
    def gone(self) -> Path:
        """Each story a revisit found gone (404/410), with the status and time."""
        return self.path / GONE

    @property
    def log(self) -> Path:
        """The crawl's log."""
        return self.path / LOG

    @property
    def stats(self) -> Path:
        """The crawl's stats (JSON), written when the crawl ends."""
        return self.path / STATS

    @property
    def warc(self) -> Path:
        """The pages as the sites sent them: WARC files and their CDXJ index."""
        return self.path / WARC

    def manifest(self) -> dict[str, Any] | None:
        """The run's manifest, or None (absent or unreadable)."""
        try:
            data = json.loads((self.path / MANIFEST).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically (a reader sees the old or the new one, whole)."""
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)

    @property
    def finished(self) -> bool:
        """Whether the run ended (see :func:`is_finished`)."""
        return is_finished(self.manifest())

    def repair(self) -> dict[str, int]:
        """Cut a partial last line off each record file and an incomplete last record off
        each WARC writer's last file (a killed writer's); bytes removed per file."""
        removed = {name: repair_jsonl(self.path / name) for name in RECORD_FILES}
        removed.update({f"{WARC}/{name}": n for name, n in repair_folder(self.warc).items()})
        return removed


def run_folders(runs: Path) -> list[RunFolder]:
    """The run folders under a runs folder, oldest first (run ids sort chronologically)."""
    if not runs.is_dir():
        return []
    return [RunFolder(p) for p in sorted(runs.iterdir())
            if p.is_dir() and not p.name.startswith(".")]  # fmt: skip


def unfinished_run(runs: Path) -> RunFolder | None:
    """The latest run folder, when it did not finish (killed), else None."""
    folders = run_folders(runs)
    if folders and not folders[-1].finished:
        return folders[-1]
    return None


def previous_manifest(runs: Path, current: RunFolder,
                      backfill: bool | None = None) -> dict[str, Any] | None:
    """The manifest of the last run that finished before this one; with ``backfill`` given,
    the last one of that kind (a backfill's stories are older and compare only with
    another backfill's)."""
    for folder in reversed(run_folders(runs)):
        if folder.id >= current.id:
            continue
        manifest = folder.manifest()
        if is_finished(manifest) and (backfill is None or backfill == bool(
                manifest and manifest.get("backfill"))):
            return manifest
    return None
