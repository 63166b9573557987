"""Politeness under pressure: a host answering 429/503 with Retry-After, crawled for real.

The mirror is built with ``--rate-limit www.spacedaily.com``: that host answers 429 or 503 in
windows of a known schedule (``faults.json``), with ``Retry-After`` in seconds, as an HTTP date,
or not at all. One scheduled run crawls spacedaily.com and terradaily.com with a fixed 0.2 s
delay per host; the mirror's request log (arrival time of every request) is the evidence.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import Request, Response
from scrapy.settings import Settings

from crawler.components.httpcache import HubCachePolicy
from crawler.mirror.server import serve_in_thread
from tests.crawling import ROOT, read_jsonl, truth
from tests.runs_helpers import manifest, run_dirs, run_once

pytestmark = pytest.mark.e2e

HOST = "www.spacedaily.com"
SITES = ("spacedaily.com", "terradaily.com")
DELAY = 0.2
BASE = 1.0
"""SMN_BACKOFF_BASE_DELAY of the crawl: the first pause after an answer without Retry-After."""
TOLERANCE = 0.05
THROTTLED = (429, 503)


@dataclass
class Crawl:
    mirror: Path
    schedule: dict[str, Any]
    log: list[tuple[float, str, int]]
    manifest: dict[str, Any]
    found: set[str]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    root = tmp_path_factory.mktemp("backoff")
    mirror = root / "mirror"
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(mirror),
                    "--articles", "300", "--seed", "9", "--rate-limit", HOST],
                   check=True, cwd=ROOT, capture_output=True)
    [schedule] = json.loads((mirror / "faults.json").read_text())["rate_limit"]["schedules"]
    out = root / "out"
    with serve_in_thread(mirror, slow_seconds=3) as running:
        result = run_once(running.base_url, out, "--sites", ",".join(SITES),
                          "-s", f"DOWNLOAD_DELAY={DELAY}", "-s", "DOWNLOAD_DELAY_JITTER=0",
                          "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
                          "-s", f"SMN_BACKOFF_BASE_DELAY={BASE}")
        log = running.request_log()
    assert result.returncode == 0, result.stderr[-3000:]
    run = run_dirs(out)[-1]
    found = {r["url"] for name in ("articles.jsonl", "duplicates.jsonl")
             for r in read_jsonl(run / name)}
    yield Crawl(mirror, schedule, log, manifest(run), found)


def _host(url: str) -> str:
    return url.split("/")[2]


def _mine(crawl: Crawl) -> list[tuple[float, int]]:
    return [(t, s) for t, u, s in crawl.log if _host(u) == HOST]


def _windows(crawl: Crawl) -> list[list[int]]:
    """Indices (in the host's requests) of each run of throttled answers, in order."""
    runs: list[list[int]] = []
    previous = None
    for i, (_, status) in enumerate(_mine(crawl)):
        if status in THROTTLED:
            if previous is None or previous not in THROTTLED:
                runs.append([])
            runs[-1].append(i)
        previous = status
    return runs


def test_every_window_of_the_schedule_was_met(crawl: Crawl) -> None:
    windows = _windows(crawl)
    mine = _mine(crawl)
    assert len(windows) == len(crawl.schedule["windows"])
    for run, window in zip(windows, crawl.schedule["windows"], strict=True):
        assert {mine[i][1] for i in run} == {window["status"]}


def test_the_next_request_waits_as_long_as_each_answer_asks(crawl: Crawl) -> None:
    mine = _mine(crawl)
    report = []
    for run, window in zip(_windows(crawl), crawl.schedule["windows"], strict=True):
        gaps = [mine[i + 1][0] - mine[i][0] for i in run]  # to the next request to the host
        report.append((window["form"], [round(g, 2) for g in gaps]))
        if window["form"] == "none":  # no Retry-After: the pause starts small and doubles
            assert gaps[0] >= BASE - TOLERANCE
            assert all(b >= 1.8 * a for a, b in zip(gaps, gaps[1:], strict=False))
        else:  # seconds, or an HTTP date that many seconds ahead (rounded up)
            assert min(gaps) >= window["retry_after"] - TOLERANCE, (window, gaps)
    print(f"gaps after each 429/503 of {HOST}: {report}")


def test_it_does_not_hammer_the_host(crawl: Crawl) -> None:
    mine = _mine(crawl)
    for run, window in zip(_windows(crawl), crawl.schedule["windows"], strict=True):
        shortest = window.get("retry_after", BASE)
        assert len(run) <= window["hold"] / shortest + 1, (window, len(run))
    throttled = sum(1 for _, s in mine if s in THROTTLED)
    assert throttled <= 3 * len(crawl.schedule["windows"])


def test_other_hosts_keep_their_rate_meanwhile(crawl: Crawl) -> None:
    mine = _mine(crawl)
    spans = [(mine[run[0]][0], mine[run[-1] + 1][0]) for run in _windows(crawl)]
    inside: list[float] = []
    outside: list[float] = []
    for host in sorted({_host(u) for _, u, _ in crawl.log} - {HOST}):
        times = [t for t, u, _ in crawl.log if _host(u) == host]
        for a, b in zip(times, times[1:], strict=False):
            during = any(start <= a and b <= end for start, end in spans)
            (inside if during else outside).append(b - a)
    print(f"other hosts' gaps: {len(inside)} during the pauses (median "
          f"{statistics.median(inside):.3f} s), {len(outside)} outside (median "
          f"{statistics.median(outside):.3f} s); DOWNLOAD_DELAY {DELAY}")
    assert len(inside) >= 10
    assert statistics.median(inside) <= 1.5 * statistics.median(outside) + TOLERANCE
    assert statistics.median(inside) < 2 * DELAY


def test_every_article_of_the_sites_is_still_exported(crawl: Crawl) -> None:
    expected = {u for u, r in truth(crawl.mirror).items() if r["site"] in SITES}
    assert len(expected) >= 40
    assert sorted(expected - crawl.found) == []


def test_counted_per_host_in_the_manifest(crawl: Crawl) -> None:
    mine = _mine(crawl)
    counts = crawl.manifest["backoff"]
    assert set(counts) == {HOST}
    mine_counts = counts[HOST]
    for status in THROTTLED:
        assert mine_counts[str(status)] == sum(1 for _, s in mine if s == status)
    assert mine_counts["retries"] == sum(1 for _, s in mine if s in THROTTLED)
    assert "gave_up" not in mine_counts
    assert mine_counts["without_header"] == sum(
        len(run) for run, w in zip(_windows(crawl), crawl.schedule["windows"], strict=True)
        if w["form"] == "none")
    waited = sum(mine[run[-1] + 1][0] - mine[run[0]][0] for run in _windows(crawl))
    assert 0.8 * waited <= mine_counts["paused_seconds"] <= waited + 1
    assert not {"http_429", "http_503"} & set(crawl.manifest["errors"])  # none given up


def test_a_503_on_a_stored_hub_is_not_covered_by_the_stored_copy() -> None:
    """Scrapy's RFC 2616 policy serves the stored copy on a 5xx; a 503 must reach the backoff."""
    policy = HubCachePolicy(Settings())
    request = Request("https://www.spacedaily.com/index.html", meta={"smn_hub": True})
    stored = Response(request.url, status=200, request=request)
    for status, valid in ((503, False), (429, False), (500, True), (304, True), (200, False)):
        answer = Response(request.url, status=status, request=request)
        assert policy.is_cached_response_valid(stored, answer, request) is valid, status
