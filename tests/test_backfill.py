"""Backfill of a date window, by real scheduled runs of a grown mirror.

A regular run crawls three sites of a 300-article mirror; the mirror grows to 700; a backfill
of a window in the middle collects the stories of that window; a second backfill of the same
window finds nothing new and sends only hub requests. The truth is the mirror's: its records
(dates, sections, layouts) and the pagination constants of its generator.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.sections import SECTIONS, category_path, section_path
from crawler.mirror.server import serve_in_thread
from crawler.mirror.timeline import day_of
from crawler.sites import SITES_BY_DOMAIN, looks_like_article_url
from tests.crawling import ROOT, build_mirror, read_jsonl, truth
from tests.runs_helpers import manifest, run_dirs, run_once

pytestmark = pytest.mark.e2e

SITES = ("spacewar.com", "marsdaily.com", "spacedaily.com")
SINCE, UNTIL = day_of(250), day_of(550)


@dataclass
class Backfilled:
    mirror: Path
    runs: list[Path]
    """The regular run, the backfill, the second backfill."""
    second_log: list[tuple[float, str, int]]
    """The mirror's request log during the second backfill."""


def _backfill(mirror: Path, out: Path) -> list[tuple[float, str, int]]:
    with serve_in_thread(mirror, slow_seconds=2) as running:
        result = run_once(running.base_url, out, "--sites", ",".join(SITES),
                          "--since", SINCE.isoformat(), "--until", UNTIL.isoformat())
        log = running.request_log()
    assert result.returncode == 0, result.stderr[-2000:]
    return log


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Backfilled:
    root = tmp_path_factory.mktemp("backfill")
    mirror = build_mirror(root / "m", 300, seed=19)
    out = root / "out"
    with serve_in_thread(mirror, slow_seconds=2) as running:
        first = run_once(running.base_url, out, "--sites", ",".join(SITES))
    assert first.returncode == 0, first.stderr[-2000:]
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(mirror),
                    "--articles", "700", "--grow"], check=True, cwd=ROOT, capture_output=True)
    _backfill(mirror, out)
    second_log = _backfill(mirror, out)
    return Backfilled(mirror, run_dirs(out), second_log)


def _in_window(published: str | None) -> bool:
    return bool(published) and SINCE <= dt.date.fromisoformat(published[:10]) <= UNTIL


def _listings(mirror: Path) -> dict[str, list[list[dict[str, Any]]]]:
    """Per section (host and path, as the manifest names it): its pages of truth records,
    newest first, read from the section pages the generator wrote (classic sections,
    WordPress categories, the archive of old pages)."""
    records = truth(mirror)
    aliases = json.loads((mirror / "duplicates.json").read_text())["aliases"]
    out: dict[str, list[list[dict[str, Any]]]] = {}

    def pages(host: str, paths: Iterator[str]) -> list[list[dict[str, Any]]]:
        found = []
        for path in paths:
            page = mirror / host / (path.lstrip("/") + ("index.html" if path.endswith("/")
                                                        else ""))
            if not page.is_file():
                break
            hrefs = [aliases.get(h, h) for h in  # a bare-host link names the www page
                     re.findall(r'href="([^"]+)"', page.read_text("utf-8", errors="replace"))]
            listed = [records[h] for h in dict.fromkeys(hrefs) if h in records
                      and not str(records[h]["story_id"]).startswith("fault-")]
            found.append(listed)
        return found

    for domain in SITES:
        host = SITES_BY_DOMAIN[domain].host
        for label in SECTIONS[domain]:
            out[f"{host}{section_path(label)}"] = pages(
                host, (section_path(label, n) for n in itertools.count(1)))
            out[f"{domain}{category_path(label)}"] = pages(
                domain, (category_path(label, n) for n in itertools.count(1)))
        out[f"{host}/news/archive.html"] = pages(host, iter(["/news/archive.html"]))
    return {k: v for k, v in out.items() if v and v[0]}


def _pages(items: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _expected_reason(pages: list[list[dict[str, Any]]]) -> str:
    """The walk's rule, applied to the truth: complete at the first page whose dated stories
    are all older than the window, or at the last page once older stories were reached."""
    oldest = None
    for page in pages:
        days = [dt.date.fromisoformat(r["published"][:10]) for r in page if r["published"]]
        if days and max(days) < SINCE:
            return "complete"
        oldest = min([*days, *([oldest] if oldest else [])]) if days else oldest
    return "complete" if oldest is not None and oldest < SINCE else "pagination_ended"


def test_every_story_of_the_window_and_nothing_outside(backfilled: Backfilled) -> None:
    listed = {r["url"] for pages in _listings(backfilled.mirror).values()
              for page in pages for r in page}
    expected = {r["url"] for r in truth(backfilled.mirror).values()
                if r["url"] in listed and _in_window(r["published"])}
    aliases: dict[str, str] = {}
    found: set[str] = set()
    for run in backfilled.runs[:2]:
        found |= {r["url"] for r in read_jsonl(run / "articles.jsonl")}
        found |= {r["url"] for r in read_jsonl(run / "duplicates.jsonl")}
        aliases |= {d["url"]: d["duplicate_of"] for d in read_jsonl(run / "duplicates.jsonl")}
    exported = read_jsonl(backfilled.runs[1] / "articles.jsonl")
    new = {u for u in expected if u not in {r["url"] for r in
                                            read_jsonl(backfilled.runs[0] / "articles.jsonl")}}
    print(f"window {SINCE}..{UNTIL}: {len(expected)} listed stories in the truth, "
          f"{len(new)} new to the backfill; it exported {len(exported)}")
    assert len(new) >= 50
    assert sorted(expected - found) == []
    assert [r["url"] for r in exported if not _in_window(r["published"])] == []
    assert {r["url"] for r in exported} <= expected


def test_the_coverage_flags(backfilled: Backfilled) -> None:
    backfill = manifest(backfilled.runs[1])["backfill"]
    assert (backfill["since"], backfill["until"]) == (SINCE.isoformat(), UNTIL.isoformat())
    got = {key: walk["reason"] for site in backfill["coverage"].values()
           for key, walk in site.items()}
    expected = {key: _expected_reason(pages) for key, pages in _listings(backfilled.mirror).items()}
    print(f"coverage: {sorted(got.items())}")
    assert got == expected
    assert "complete" in got.values() and "pagination_ended" in got.values()
    for site in backfill["coverage"].values():
        for walk in site.values():
            assert walk["complete"] == (walk["reason"] == "complete")


def test_a_second_backfill_of_the_window_sends_only_hub_requests(backfilled: Backfilled) -> None:
    articles = [u for _, u, _ in backfilled.second_log if looks_like_article_url(u)]
    m = manifest(backfilled.runs[2])
    print(f"second backfill: {len(backfilled.second_log)} requests, {len(articles)} to articles")
    assert backfilled.second_log and articles == []
    assert m["articles_exported"] == 0
    assert m["backfill"]["coverage"] == manifest(backfilled.runs[1])["backfill"]["coverage"]


def test_a_window_needs_a_start_and_valid_dates(tmp_path: Path) -> None:
    for args, message in ((["--until", "2024-06-30"], "--until needs --since"),
                          (["--since", "2024-13-01"], "YYYY-MM-DD"),
                          (["--since", "2024-07-01", "--until", "2024-06-30"], "before")):
        proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--output",
                               str(tmp_path), *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)  # fmt: skip
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
        assert not (tmp_path / "runs").exists()
