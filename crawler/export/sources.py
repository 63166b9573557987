"""Where the records come from: the runs of ``crawl --output DIR`` and files given by path.

A run is a folder ``runs/<run-id>/`` (crawler.runs.folder describes it). A file given by path is
an articles file such as ``scrapy crawl smn -O x.jsonl`` writes, with its sidecars
``x.duplicates.jsonl``, ``x.rejects.jsonl`` and ``x.gone.jsonl`` beside it (see
:mod:`crawler.pipelines.outputs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.pipelines.outputs import sidecar_path
from crawler.runs.folder import RUNS, RunFolder, is_finished, run_folders


@dataclass
class Source:
    """One run (or one articles file) to read."""

    id: str
    """The run id (its folder name), or the file name of an articles file given by path."""
    kind: str
    """'run' or 'file'."""
    articles: Path
    duplicates: Path
    rejects: Path
    manifest: dict[str, Any] | None = None
    """The run's ``manifest.json`` when there is one."""
    gone: Path | None = None
    """Stories a revisit found gone (404/410), when the run found any."""
    lines: dict[str, int] = field(default_factory=dict)
    """Lines read per file: articles, duplicates, rejects, and unreadable (bad JSON) lines."""

    @property
    def finished(self) -> bool:
        """True when the run's manifest says it finished (files by path count as finished)."""
        return self.kind == "file" or is_finished(self.manifest)

    def describe(self) -> dict[str, Any]:
        """The source as listed in the export manifest."""
        info: dict[str, Any] = {"id": self.id, "kind": self.kind, "finished": self.finished}
        for key in ("started_at", "finished_at", "finish_reason", "exit_status"):
            if self.manifest and key in self.manifest:
                info[key] = self.manifest[key]
        info["lines"] = dict(sorted(self.lines.items()))
        return info


def run_source(run: RunFolder) -> Source:
    """The source of one run folder."""
    return Source(run.id, "run", run.articles, run.duplicates, run.rejects, run.manifest(),
                  gone=run.gone)


def file_source(articles: Path) -> Source:
    """The source of an articles file given by path, with its sidecars beside it."""
    return Source(articles.name, "file", articles, sidecar_path(articles, "duplicates"),
                  sidecar_path(articles, "rejects"), gone=sidecar_path(articles, "gone"))


def runs_in(root: Path) -> list[Source]:
    """The runs under a runs folder that have records, oldest first."""
    return [run_source(run) for run in run_folders(root) if run.articles.is_file()]


def resolve(path: Path) -> list[Source]:
    """The sources a path names: an articles file, a run folder, a runs folder or an output
    folder holding ``runs/``."""
    if path.is_file():
        return [file_source(path)]
    if RunFolder(path).articles.is_file():
        return [run_source(RunFolder(path))]
    if (path / RUNS).is_dir():
        return runs_in(path / RUNS)
    return runs_in(path)


def collect(paths: list[Path]) -> list[Source]:
    """The sources of several paths, each file once: runs oldest first, then files by path in
    the order given."""
    seen: set[Path] = set()
    runs: list[Source] = []
    files: list[Source] = []
    for path in paths:
        for source in resolve(path):
            key = source.articles.resolve()
            if key not in seen:
                seen.add(key)
                (runs if source.kind == "run" else files).append(source)
    runs.sort(key=lambda s: s.id)
    return runs + files
