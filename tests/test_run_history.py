"""A job's history of real scheduled runs, and what an operator reads of it: exit statuses,
the Prometheus text file and the HTML run report in a real headless Chromium.

Four runs of ``python -m crawler crawl`` share one output folder:

1. a mirror crawled for spacewar.com: exit 0;
2. a new mirror whose spacewar.com article pages no longer print their dateline (a layout
   change): exit 4, the coverage monitor trips;
3. a mirror address where nothing answers: exit 3, nothing found;
4. a polite (slow) crawl stopped with SIGTERM, as ``systemctl stop`` does: exit 1, failed.

Expected values come from the run folders' own files (articles, duplicates) read here, and
from the process exit codes; never from the code under test.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from prometheus_client.parser import text_string_to_metric_families

from crawler.mirror.server import serve_in_thread, server_path
from tests.browser import headless_chromium
from tests.crawling import build_mirror, read_jsonl, truth
from tests.runs_helpers import crawl_cmd, manifest, run_dirs

pytestmark = pytest.mark.e2e

SITE = "spacewar.com"
FIELDS = ("title", "published", "dateline", "agency", "location", "byline", "authors",
          "section", "body", "image_url", "related_links", "related_articles")
STATUS_NAMES = {0: "ok", 1: "failed", 3: "nothing_found", 4: "monitor"}


@dataclass
class History:
    """The output folder of the four runs and what each process returned."""

    out: Path
    returncodes: list[int]
    stderr: list[str]
    stdout: list[str]


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A scheduled run as cron starts it: from another folder than the checkout, piped."""
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stopped_run(mirror_url: str, out: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A polite run (Crawl-delay 1 s) sent SIGTERM once it has exported an article."""
    cmd = [sys.executable, "-m", "crawler", "crawl", "--mirror", mirror_url, "--output", str(out),
           "--sites", SITE, "-s", "DOWNLOAD_TIMEOUT=2",
           "-s", "CONCURRENT_REQUESTS=2"]  # few requests queued: the graceful stop is short
    before = set(run_dirs(out))
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        new = [d for d in run_dirs(out) if d not in before]
        if new and read_jsonl(new[0] / "articles.jsonl"):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the polite run ended before it could be stopped"
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """The four runs, oldest first."""
    root = tmp_path_factory.mktemp("history")
    out = root / "out"
    results = []
    first = build_mirror(root / "a", 300, seed=21)
    with serve_in_thread(first, slow_seconds=2) as running:
        results.append(_run(crawl_cmd(running.base_url, out, "--sites", SITE), root))
    changed = build_mirror(root / "b", 300, seed=22)
    # The layout change: every dateline the generator printed on the site's pages goes, in
    # the header or in the body (extraction reads it wherever it stands).
    for record in truth(changed).values():
        page = changed / server_path(record["url"]).lstrip("/")
        if record["site"] == SITE and record["dateline"] and page.is_file():
            printed = html.escape(record["dateline"], quote=False).encode("ascii",
                                                                          "xmlcharrefreplace")
            page.write_bytes(page.read_bytes().replace(printed, b""))
    shutil.rmtree(out / "httpcache")
    with serve_in_thread(changed, slow_seconds=2) as running:
        results.append(_run(crawl_cmd(running.base_url, out, "--sites", SITE), root))
    # nothing answers: the HTTP cache still holds the hubs, which must not hide it
    results.append(_run(crawl_cmd(f"http://127.0.0.1:{_closed_port()}", out, "--sites", SITE),
                        root))
    later = build_mirror(root / "c", 300, seed=23)
    with serve_in_thread(later, slow_seconds=2) as running:
        results.append(_stopped_run(running.base_url, out, root))
    return History(out, [r.returncode for r in results], [r.stderr for r in results],
                   [r.stdout for r in results])


def test_exit_statuses_of_real_runs(history: History) -> None:
    assert history.returncodes == [0, 4, 3, 1], history.stderr
    manifests = [manifest(d) for d in run_dirs(history.out)]
    assert [m["exit_status"] for m in manifests] == history.returncodes
    assert manifests[2]["recovered_from_cache"] > 0  # hubs from the cache, no site answered
    assert "nothing_found: 0 responses from the network" in history.stderr[2]
    assert manifests[3]["finish_reason"] == "shutdown"
    assert "finish_reason: crawl ended: shutdown" in history.stderr[3]
    assert "coverage" in history.stderr[1]


def test_each_run_writes_its_crawl_log(history: History) -> None:
    for run, code in zip(run_dirs(history.out), history.returncodes, strict=True):
        log = (run / "crawl.log").read_text(encoding="utf-8")
        m = manifest(run)
        assert f"[crawler.runs] INFO: Run {run.name}, attempt 1" in log
        assert f"[crawler.runs] INFO: Run {run.name} ended: exit status {code}" in log
        assert "[scrapy.core.engine] INFO: Spider opened" in log  # the crawl's own log, at INFO
        assert " DEBUG: " not in log
        failed = re.findall(r"\[smn\] WARNING: Failed (\S+): (\w+)", log)
        assert Counter(reason for _, reason in failed) == Counter(m["errors"])
        for problem in m["problems"]:
            assert f"WARNING: Monitor {problem['monitor']}: {problem['message']}" in log
    layout = manifest(run_dirs(history.out)[1])["problems"]
    assert any("dateline coverage fell" in p["message"] for p in layout)


def test_cron_output_stays_readable(history: History) -> None:
    """What cron appends to its log: the summary lines and one line per problem."""
    for run, out, err in zip(run_dirs(history.out), history.stdout, history.stderr, strict=True):
        assert out.splitlines()[0].startswith(f"run {run.name} ")
        assert len(out.splitlines()) == 4
        assert all(line.startswith("crawl: ") for line in err.splitlines())
        assert len(err.splitlines()) == len(manifest(run)["problems"])
        assert "\r" not in out + err and "\x1b" not in out + err


# -- metrics ------------------------------------------------------------------------------------

def _samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    samples = {}
    for family in text_string_to_metric_families(path.read_text(encoding="utf-8")):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def test_metrics_file_parses_and_equals_the_runs(history: History) -> None:
    path = history.out / "metrics" / "smn.prom"
    samples = _samples(path)
    assert [p.name for p in path.parent.iterdir()] == ["smn.prom"]  # no temporary file left
    for (name, labels), _ in samples.items():
        assert re.fullmatch(r"smn_[a-z_]+", name), name
        assert {key for key, _ in labels} <= {"site", "status"}, (name, labels)
        assert not any("://" in value or "/" in value for _, value in labels)

    runs = run_dirs(history.out)
    by_status = Counter(STATUS_NAMES[code] for code in history.returncodes)
    for status, n in by_status.items():
        assert samples["smn_runs_total", (("status", status),)] == n
    per_site = Counter(rec["site"] for d in runs for rec in read_jsonl(d / "articles.jsonl"))
    assert per_site[SITE] > 20
    for site, n in per_site.items():
        assert samples["smn_articles_exported_total", (("site", site),)] == n
    duplicates = sum(len(read_jsonl(d / "duplicates.jsonl")) for d in runs)
    assert samples["smn_duplicates_total", ()] == duplicates
    manifests = [manifest(d) for d in runs]
    assert samples["smn_requests_total", ()] == sum(m["requests"] for m in manifests)
    stats = [json.loads((d / "stats.json").read_text()) for d in runs]
    recovered = sum(s.get("httpcache/errorrecovery", 0) for s in stats)
    assert recovered > 0
    assert samples["smn_requests_recovered_from_cache_total", ()] == recovered
    statuses: Counter[str] = Counter()
    for m in manifests:
        statuses.update(m["status_counts"])
    for code, n in statuses.items():
        assert samples["smn_responses_total", (("status", code),)] == n
    last = manifests[-1]
    assert samples["smn_run_exit_status", ()] == history.returncodes[-1]
    from datetime import datetime
    took = (datetime.fromisoformat(last["finished_at"].replace("Z", "+00:00"))
            - datetime.fromisoformat(last["started_at"].replace("Z", "+00:00")))
    assert samples["smn_run_duration_seconds", ()] == took.total_seconds()
    last_articles = Counter(rec["site"] for rec in read_jsonl(runs[-1] / "articles.jsonl"))
    assert samples["smn_run_articles_exported", (("site", SITE),)] == last_articles[SITE]


# -- the run report in a real browser ---------------------------------------------------------

def _present(value: Any) -> bool:
    return value not in (None, "", [])


def _coverage(articles: list[dict[str, Any]]) -> dict[str, float]:
    return {f: round(100 * sum(_present(a.get(f)) for a in articles) / len(articles), 2)
            for f in FIELDS}


def test_report_page_in_headless_chromium(history: History, tmp_path: Path) -> None:
    page = tmp_path / "site" / "report.html"
    proc = subprocess.run([sys.executable, "-m", "crawler", "report", "--runs",
                           str(history.out / "runs"), "--out", str(page)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # nothing from a CDN
    runs = run_dirs(history.out)
    ids = [d.name for d in runs]
    with headless_chromium(tmp_path / "profile") as driver:
        driver.get(page.as_uri())
        assert driver.execute_script("return document.body.dataset.ready") == "1"
        console = driver.get_log("browser")
        assert not [e for e in console if e["level"] in ("SEVERE", "WARNING")], console
        fetched = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert fetched == []

        rows = driver.find_elements("css selector", "#runs tbody tr.run")
        shown = {r.get_attribute("data-run"): r.get_attribute("data-status") for r in rows}
        assert shown == {i: STATUS_NAMES[c] for i, c in zip(ids, history.returncodes,
                                                           strict=True)}
        for link in driver.find_elements("css selector", "#runs td.files a"):
            target = Path(unquote(urlsplit(link.get_attribute("href")).path))
            assert target.is_file(), target
            assert target.parent in runs

        chart = driver.find_element("css selector", f'svg[data-chart="coverage-{SITE}"]')
        box = chart.rect
        assert box["width"] > 300 and box["height"] > 100  # laid out and drawn
        points = chart.find_elements("css selector", "circle.pt")
        drawn: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
        for point in points:
            drawn[point.get_attribute("data-series")][point.get_attribute("data-run")] = (
                float(point.get_attribute("data-value")), float(point.get_attribute("cy")))
            assert point.rect["width"] > 0  # rendered, not just in the DOM
        with_articles = [d for d in runs if any(a["site"] == SITE
                                                for a in read_jsonl(d / "articles.jsonl"))]
        assert len(with_articles) >= 2
        for run in with_articles:
            articles = [a for a in read_jsonl(run / "articles.jsonl") if a["site"] == SITE]
            for field, share in _coverage(articles).items():
                assert drawn[field][run.name][0] == pytest.approx(share, abs=0.01), (field, run)
        before, after = with_articles[0].name, with_articles[1].name
        # the layout change is a drop: the dateline point falls on the chart
        assert drawn["dateline"][before][0] > 80 and drawn["dateline"][after][0] < 30
        assert drawn["dateline"][after][1] - drawn["dateline"][before][1] > 60  # pixels down
        assert drawn["title"][after][1] == drawn["title"][before][1]  # 100 % both times

        for run in runs:
            problems = manifest(run)["problems"]
            shown_problems = driver.find_elements(
                "css selector", f'tr[data-problems-of="{run.name}"] li')
            assert [p.text for p in shown_problems] == [f"{p['monitor']}: {p['message']}"
                                                        for p in problems]
        reasons = {r.get_attribute("data-reason")
                   for r in driver.find_elements("css selector", "#errors tr[data-reason]")}
        expected = {reason for d in runs for reason in manifest(d)["errors"]}
        assert expected and reasons >= expected
        bars = driver.find_elements("css selector", 'svg[data-chart="counts"] rect.bar')
        articles_bars = {b.get_attribute("data-run"): int(b.get_attribute("data-value"))
                         for b in bars if b.get_attribute("data-series") == "articles"}
        assert articles_bars == {d.name: len(read_jsonl(d / "articles.jsonl")) for d in runs
                                 if read_jsonl(d / "articles.jsonl")}

        driver.find_element("css selector", '.legend button[data-series="dateline"]').click()
        hidden = chart.find_element("css selector", 'g.series[data-series="dateline"]')
        assert not hidden.is_displayed()
        shot = tmp_path / "report.png"
        driver.execute_script("window.scrollTo(0, 0)")
        driver.find_element("css selector", '.legend button[data-series="dateline"]').click()
        assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"report screenshot: {shot}")


def test_each_run_refreshes_the_report_beside_its_runs(history: History) -> None:
    page = history.out / "report.html"
    html = page.read_text(encoding="utf-8")
    for run in run_dirs(history.out):
        assert f'data-run="{run.name}"' in html
    last = run_dirs(history.out)[-1] / "manifest.json"
    assert os.path.getmtime(page) >= os.path.getmtime(last)
    assert json.loads(last.read_text())["status"] == "ended"
