"""Where the records come from: the runs of ``crawl --output DIR`` and files given by path.

A run is a folder ``runs/<run-id>/`` holding ``articles.jsonl``, ``duplicates.jsonl``,
``rejects.jsonl`` and (once it finished) ``manifest.json``. A file given by path is an articles
file such as ``scrapy crawl smn -O x.jsonl`` writes, with its sidecars ``x.duplicates.jsonl`` and
``x.rejects.jsonl`` beside it (see :mod:`crawler.pipelines.outputs`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.pipelines.outputs import sidecar_path

ARTICLES = "articles.jsonl"


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
    lines: dict[str, int] = field(default_factory=dict)
    """Lines read per file: articles, duplicates, rejects, and unreadable (bad JSON) lines."""

    @property
    def finished(self) -> bool:
        """True when the run's manifest says it finished (files by path count as finished)."""
        if self.kind == "file":
            return True
        return bool(self.manifest and self.manifest.get("finished_at"))

    def describe(self) -> dict[str, Any]:
        """The source as listed in the export manifest."""
        info: dict[str, Any] = {"id": self.id, "kind": self.kind, "finished": self.finished}
        for key in ("started_at", "finished_at", "finish_reason", "exit_status"):
            if self.manifest and key in self.manifest:
                info[key] = self.manifest[key]
        info["lines"] = dict(sorted(self.lines.items()))
        return info


def _manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_source(folder: Path) -> Source:
    """The source of one run folder."""
    return Source(folder.name, "run", folder / ARTICLES, folder / "duplicates.jsonl",
                  folder / "rejects.jsonl", _manifest(folder))


def file_source(articles: Path) -> Source:
    """The source of an articles file given by path, with its sidecars beside it."""
    return Source(articles.name, "file", articles, sidecar_path(articles, "duplicates"),
                  sidecar_path(articles, "rejects"))


def runs_in(root: Path) -> list[Source]:
    """The runs under a runs folder, oldest first (run ids sort chronologically)."""
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir() if p.is_dir() and (p / ARTICLES).is_file()]
    return [run_source(p) for p in sorted(folders, key=lambda p: p.name)]


def resolve(path: Path) -> list[Source]:
    """The sources a path names: an articles file, a run folder, a runs folder or an output
    folder holding ``runs/``."""
    if path.is_file():
        return [file_source(path)]
    if (path / ARTICLES).is_file():
        return [run_source(path)]
    if (path / "runs").is_dir():
        return runs_in(path / "runs")
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


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line) of every non-blank line of a JSON Lines file; none if it is absent.

    A last line without a newline (a run cut short) is still read.
    """
    if not path.is_file():
        return
    offset = 0
    with path.open("rb") as fh:
        for line in fh:
            if line.strip():
                yield offset, line
            offset += len(line)


def read_records(path: Path) -> Iterator[tuple[int, int, dict[str, Any] | None]]:
    """(offset, length, record) per line; record is None for a line that is not a JSON object."""
    for offset, line in read_lines(path):
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        yield offset, len(line), record if isinstance(record, dict) else None


def count_lines(path: Path) -> int:
    """Number of non-blank lines of a file (0 when it is absent)."""
    return sum(1 for _ in read_lines(path))
