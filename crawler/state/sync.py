"""Bring the persistent state up to date with a run's files (after a kill)."""

from __future__ import annotations

from pathlib import Path

from crawler import similarity
from crawler.jsonl import iter_jsonl
from crawler.state.protocol import State


def record_run_files(state: State, run_dir: Path) -> int:
    """Record every exported, duplicate and gone line the state does not know yet (revisions
    too); returns how many.

    The files are the run's log of record: a line reaches them before the state commits it,
    so after a kill the state may lag behind them, never run ahead.
    """
    added = 0
    for line in iter_jsonl(run_dir / "articles.jsonl"):
        url = str(line.get("url") or "")
        if not url:
            continue
        stored = state.story(url)
        value = line.get("revision")
        revision = value if isinstance(value, int) else 1
        if stored is not None and revision <= stored.revision:
            continue
        body = str(line.get("body") or "")
        fingerprint = str(line.get("fingerprint") or "")
        version = similarity.version_of(str(line.get("title") or ""), body)
        if stored is None:
            state.add_story(url, fingerprint, similarity.sketch(body), line.get("published"),
                            version)
        else:  # a new revision the state missed
            state.revise(url, fingerprint, similarity.sketch(body), revision, version)
        added += 1
    for line in iter_jsonl(run_dir / "duplicates.jsonl"):
        url, story = str(line.get("url") or ""), str(line.get("duplicate_of") or "")
        if url and story and state.seen_url(url) is None:
            state.add_url(url, story)
            added += 1
    for line in iter_jsonl(run_dir / "gone.jsonl"):
        url, status = str(line.get("url") or ""), line.get("status")
        stored = state.story(url) if url else None
        if stored is not None and stored.gone is None and isinstance(status, int):
            state.mark_gone(url, status)
            added += 1
    state.flush()
    return added
