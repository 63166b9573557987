"""Merge the files of the workers of one distributed job into one set of files.

Each worker writes its own articles file (its ``-O``) and sidecars (``duplicates.jsonl``,
``rejects.jsonl``: see :mod:`crawler.pipelines.outputs`). Their union is the job's output, with
two corrections that only a worker killed mid-crawl makes necessary:

* an article exported twice (the killed worker exported it, its request was put back and
  exported again; see :mod:`crawler.distributed.dedupe`) is kept once, the first seen;
* a duplicate record of an address that is exported is dropped (the same re-crawl, when the
  killed worker had recorded and exported the story: it is not a copy of itself);
* a killed worker's last line may be cut short: it is skipped, and counted.

``python -m crawler export`` builds the dataset from run folders and files the same way (one
record per story); this is the plain merge, for tests and small jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.jsonl import read_records
from crawler.pipelines.outputs import sidecar_path


@dataclass
class Merged:
    """The union of the workers' records."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    reexported: int = 0
    """Articles dropped because another worker's file already held their address."""
    cut_lines: int = 0
    """Unreadable (cut) lines skipped."""

    def counts(self) -> dict[str, int]:
        """Numbers of records of each kind, and of corrections."""
        return {"articles": len(self.articles), "duplicates": len(self.duplicates),
                "rejects": len(self.rejects), "reexported": self.reexported,
                "cut_lines": self.cut_lines}  # fmt: skip


def _records(path: Path, merged: Merged) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file; a line cut short by a kill is skipped and counted."""
    for _, _, record in read_records(path):
        if record is None:
            merged.cut_lines += 1
        else:
            yield record


def merge_outputs(articles_files: Iterable[Path]) -> Merged:
    """Merge the workers' articles files with their sidecars (found beside each one)."""
    files = list(articles_files)
    merged = Merged()
    exported: set[str] = set()
    for path in files:
        for record in _records(path, merged):
            url = str(record.get("url"))
            if url in exported:
                merged.reexported += 1
                continue
            exported.add(url)
            merged.articles.append(record)
    for kind, target in (("duplicates", merged.duplicates), ("rejects", merged.rejects)):
        seen: set[str] = set()
        for path in files:
            for record in _records(sidecar_path(path, kind), merged):
                url = str(record.get("url"))
                if url in seen or (kind == "duplicates" and url in exported):
                    continue
                seen.add(url)
                target.append(record)
    return merged
