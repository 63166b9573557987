"""Helpers for tests of scheduled runs: run ``python -m crawler crawl`` as cron would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.crawling import ROOT, read_jsonl

FAST = ["-s", "SMN_POLITE=False", "-s", "DOWNLOAD_TIMEOUT=1", "-s", "RETRY_TIMES=2"]


def crawl_cmd(mirror_url: str, output: Path, *extra: str) -> list[str]:
    """The command line of one scheduled run against a mirror."""
    return [sys.executable, "-m", "crawler", "crawl", "--mirror", mirror_url,
            "--output", str(output), *FAST, *extra]


def run_once(mirror_url: str, output: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """One scheduled run, to its end."""
    return subprocess.run(crawl_cmd(mirror_url, output, *extra), cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def run_dirs(output: Path) -> list[Path]:
    """Run folders, oldest first."""
    runs = output / "runs"
    return sorted(p for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []


def manifest(run_dir: Path) -> dict[str, Any]:
    """A run's manifest."""
    data: dict[str, Any] = json.loads((run_dir / "manifest.json").read_text())
    return data


def kill_after_lines(mirror_url: str, output: Path, lines: int, timeout: float = 120) -> bool:
    """Start a run and SIGKILL it once its articles file holds ``lines`` lines (or it ended).

    Returns True when the process was killed, False when it finished first.
    """
    proc = subprocess.Popen(crawl_cmd(mirror_url, output), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            dirs = run_dirs(output)
            path = dirs[-1] / "articles.jsonl" if dirs else None
            if path is not None and path.is_file() and path.read_bytes().count(b"\n") >= lines:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.01)
        raise TimeoutError("the run neither reached the line count nor ended")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def all_lines(output: Path, name: str) -> list[dict[str, Any]]:
    """Every line of one kind of file across all runs."""
    return [rec for d in run_dirs(output) for rec in read_jsonl(d / name)]
