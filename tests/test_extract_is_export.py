"""The record ``python -m crawler extract`` prints is the very record a crawl exports: page
objects make every field final, and no pipeline changes it afterwards."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

from crawler.mirror.server import RunningMirror, server_path
from crawler.pages import extract_from_bytes
from tests.crawling import ROOT, CrawlResult


def _fetch(running: RunningMirror, live_url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(running.base_url + server_path(live_url), timeout=10) as resp:
        return resp.read(), dict(resp.headers.items())


def _without_time(record: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in record.items() if k != "crawled_at"}


def test_every_exported_record_is_what_extraction_gives(
    crawl300: CrawlResult, mirror300: tuple[Path, RunningMirror]
) -> None:
    _, running = mirror300
    paths: Counter[str] = Counter()
    for record in crawl300.articles:
        body, headers = _fetch(running, record["url"])
        article = extract_from_bytes(body, record["url"], headers)
        assert article is not None, record["url"]
        assert _without_time(article.to_dict()) == _without_time(record), record["url"]
        paths[record["extraction"]] += 1
    assert set(paths) == {"template", "metadata", "fallback"}, paths


def test_extract_command_prints_the_exported_record(
    crawl300: CrawlResult, mirror300: tuple[Path, RunningMirror], tmp_path: Path
) -> None:
    _, running = mirror300
    by_path: dict[str, dict[str, object]] = {}
    for record in crawl300.articles:  # one page of each extraction path, from a saved file
        by_path.setdefault(str(record["extraction"]), record)
    for record in by_path.values():
        body, _ = _fetch(running, str(record["url"]))
        page = tmp_path / "page.html"
        page.write_bytes(body)
        out = subprocess.run(
            [sys.executable, "-m", "crawler", "extract", str(page), "--url", str(record["url"])],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
        )
        assert _without_time(json.loads(out.stdout)) == _without_time(record), record["url"]
