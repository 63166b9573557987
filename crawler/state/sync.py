"""Bring the persistent state up to date with a run's files (after a kill)."""

from __future__ import annotations

from pathlib import Path

from crawler import similarity
from crawler.jsonl import iter_jsonl
from crawler.state.protocol import State


def record_run_files(state: State, run_dir: Path) -> int:
    """Record every exported and duplicate line the state does not know yet; returns how many.

    The files are the run's log of record: a line reaches them before the state commits it,
    so after a kill the state may lag behind them, never run ahead.
    """
    added = 0
    for line in iter_jsonl(run_dir / "articles.jsonl"):
        url = str(line.get("url") or "")
        if not url or state.seen_url(url) is not None:
            continue
        body = str(line.get("body") or "")
        state.add_story(url, str(line.get("fingerprint") or ""), similarity.sketch(body))
        added += 1
    for line in iter_jsonl(run_dir / "duplicates.jsonl"):
        url, story = str(line.get("url") or ""), str(line.get("duplicate_of") or "")
        if url and story and state.seen_url(url) is None:
            state.add_url(url, story)
            added += 1
    state.flush()
    return added
