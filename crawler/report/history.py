"""The run history as the report shows it: one :class:`RunRow` per run folder, oldest first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.runs.folder import LOG, MANIFEST, RECORD_FILES, STATS, is_finished, run_folders
from crawler.runs.metrics import run_duration
from crawler.runs.status import status_name

RUN_FILES = (*RECORD_FILES, LOG, STATS, MANIFEST)
"""The files of a run folder the report links to, when they exist."""


@dataclass
class RunRow:
    """One run as the report shows it."""

    run_id: str
    """The run folder's name (its UTC start time)."""
    folder: Path
    """The run folder."""
    status: str
    """Exit status name ('ok', 'monitor', ...), 'unfinished' while the manifest says running."""
    exit_status: int | None
    """The process exit status, None when the run has not ended."""
    started_at: str | None
    """UTC start time, ISO 8601."""
    duration: float | None
    """Wall-clock seconds from start to end, all attempts."""
    attempts: int
    """Attempts (more than 1 after a resume)."""
    requests: int
    """Requests sent over the network."""
    responses: int
    """Responses received."""
    articles: int
    """Articles exported."""
    duplicates: int
    """Articles recorded as duplicates."""
    rejects: int
    """Articles rejected by validation."""
    errors: dict[str, int] = field(default_factory=dict)
    """Failed requests by reason ('http_404', 'DownloadTimeoutError', ...)."""
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    """Rejected articles by validation reason."""
    problems: list[str] = field(default_factory=list)
    """The monitors' findings, as '<monitor>: <message>'."""
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per site: {'articles': n, 'fields': {field: share 0-100}}."""
    files: list[str] = field(default_factory=list)
    """The run's files that exist, among RUN_FILES."""

    @property
    def error_count(self) -> int:
        """Failed requests, all reasons."""
        return sum(self.errors.values())


def errors_of(manifest: Mapping[str, Any]) -> dict[str, int]:
    """Failed requests of a run by reason, those answered from the HTTP cache included.

    >>> errors_of({"errors": {"http_404": 2}, "recovered_from_cache": 3})
    {'http_404': 2, 'answered_from_cache': 3}
    """
    errors = {str(k): int(v) for k, v in (manifest.get("errors") or {}).items()}
    if manifest.get("recovered_from_cache"):
        errors["answered_from_cache"] = int(manifest["recovered_from_cache"])
    return errors


def row_of(folder: Path, manifest: Mapping[str, Any] | None) -> RunRow:
    """A run's row from its folder and manifest (a folder without one is 'unfinished')."""
    m: Mapping[str, Any] = manifest or {}
    ended = is_finished(dict(m)) if m else False
    code = m.get("exit_status") if ended else None
    return RunRow(
        run_id=folder.name,
        folder=folder,
        status=status_name(code),
        exit_status=code,
        started_at=m.get("started_at"),
        duration=run_duration(m) if ended else None,
        attempts=int(m.get("attempts") or 0),
        requests=int(m.get("requests") or 0),
        responses=int(m.get("responses") or 0),
        articles=int(m.get("articles_exported") or 0),
        duplicates=int(m.get("duplicates") or 0),
        rejects=int(m.get("rejects") or 0),
        errors=errors_of(m),
        rejects_by_reason={str(k): int(v) for k, v in (m.get("rejects_by_reason") or {}).items()},
        problems=[f"{p.get('monitor')}: {p.get('message')}" for p in m.get("problems") or []],
        coverage=dict(m.get("coverage") or {}),
        files=[name for name in RUN_FILES if (folder / name).is_file()],
    )


def read_history(runs: Path) -> list[RunRow]:
    """Every run folder under ``runs``, oldest first."""
    return [row_of(folder.path, folder.manifest()) for folder in run_folders(runs)]
