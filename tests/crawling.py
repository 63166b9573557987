"""Test helpers: build and serve mirrors, run real crawls in child processes, read outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCHEMA_PATH = ROOT / "crawler" / "schema" / "article.schema.json"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON Lines file (an absent file reads as empty)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def build_mirror(directory: Path, articles: int, seed: int = 1) -> Path:
    """Build a mirror with the project's own command."""
    subprocess.run(
        [sys.executable, "-m", "crawler", "mirror", "build", str(directory),
         "--articles", str(articles), "--seed", str(seed)],
        check=True, cwd=ROOT,
    )
    return directory


def truth(directory: Path) -> dict[str, dict[str, Any]]:
    """The mirror's truth, keyed by live URL."""
    return {rec["url"]: rec for rec in read_jsonl(directory / "truth.jsonl")}


@dataclass
class CrawlResult:
    """What one crawl wrote."""

    articles: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    returncode: int
    files: dict[str, Path] = field(default_factory=dict)


def run_crawl(
    mirror_url: str,
    out: Path,
    *spider_args: str,
    settings: dict[str, Any] | None = None,
    state: Path | None = None,
    timeout: float = 300,
) -> CrawlResult:
    """Run ``scrapy crawl smn`` against a mirror in a child process, as a user would."""
    out.mkdir(parents=True, exist_ok=True)
    articles = out / "articles.jsonl"
    stats_path = out / "stats.json"
    log = out / "crawl.log"
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "smn", "-O", str(articles),
        "-s", f"MIRROR_URL={mirror_url}",
        "-s", "SMN_POLITE=False",
        "-s", f"SMN_STATE_PATH={state or out / 'state.sqlite'}",
        "-s", f"SMN_STATS_PATH={stats_path}",
        "-s", "LOG_LEVEL=INFO",
        "-s", f"LOG_FILE={log}",
    ]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    for arg in spider_args:
        cmd += ["-a", arg]
    proc = subprocess.run(cmd, cwd=ROOT, timeout=timeout, capture_output=True, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stats = json.loads(stats_path.read_text()) if stats_path.is_file() else {}
    return CrawlResult(
        articles=read_jsonl(articles),
        duplicates=read_jsonl(out / "duplicates.jsonl"),
        rejects=read_jsonl(out / "rejects.jsonl"),
        stats=stats,
        log=(log.read_text(errors="replace") if log.is_file() else "") + proc.stderr,
        returncode=proc.returncode,
        files={"articles": articles, "stats": stats_path, "log": log},
    )
