"""Reliability: a real crawl of a fault-heavy mirror (one article page in five faulty).

Every fault must end as a counted outcome in the crawl's stats, never as an unhandled
exception; transient errors are retried; every article a fault did not affect is exported
(or recorded as a syndicated duplicate).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import RunningMirror, serve_in_thread
from tests.crawling import ROOT, CrawlResult, run_crawl, truth

pytestmark = pytest.mark.e2e

RATE = 0.2
RETRY_TIMES = 3
REDIRECT_MAX_TIMES = 10


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RunningMirror]]:
    """A 300-article mirror with injected faults, served; slow pages answer after 5 s."""
    directory = tmp_path_factory.mktemp("faulty") / "m"
    subprocess.run(
        [sys.executable, "-m", "crawler", "mirror", "build", str(directory),
         "--articles", "300", "--seed", "7", "--faults", str(RATE)],
        check=True, cwd=ROOT,
    )
    with serve_in_thread(directory, slow_seconds=5) as running:
        yield directory, running


@pytest.fixture(scope="module")
def crawl(faulty: tuple[Path, RunningMirror],
          tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One complete crawl of the fault-heavy mirror (DOWNLOAD_TIMEOUT 2 s)."""
    return run_crawl(faulty[1].base_url, tmp_path_factory.mktemp("faulty-crawl"),
                     settings={"DOWNLOAD_TIMEOUT": 2})


@pytest.fixture(scope="module")
def spec(faulty: tuple[Path, RunningMirror]) -> dict[str, Any]:
    """The ``injected`` entry of faults.json."""
    return dict(json.loads((faulty[0] / "faults.json").read_text())["injected"])


@pytest.fixture(scope="module")
def kinds(spec: dict[str, Any]) -> Counter[str]:
    """How many faults of each kind the mirror holds."""
    return Counter(f["kind"] for f in spec["faults"])


def _hits(faulty: tuple[Path, RunningMirror], kind: str, spec: dict[str, Any]) -> list[int]:
    hits = faulty[1].hits()
    return [hits.get(f["url"], 0) for f in spec["faults"] if f["kind"] == kind]


def test_the_mirror_is_fault_heavy(spec: dict[str, Any], kinds: Counter[str]) -> None:
    assert len(spec["faults"]) >= 40  # about 0.2 of the 270 articles after the seed
    assert len(kinds) >= 8, kinds
    assert len(spec["unaffected"]) >= 200


def test_the_crawl_finishes_without_unhandled_exceptions(crawl: CrawlResult) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"
    assert crawl.stats.get("log_count/CRITICAL", 0) == 0
    assert crawl.stats.get("spider_exceptions", 0) == 0
    assert not any(k.startswith("spider_exceptions/") for k in crawl.stats)
    assert "Traceback" not in crawl.log, crawl.log[crawl.log.find("Traceback"):][:2000]


def test_every_unaffected_article_is_exported_or_a_duplicate(
    crawl: CrawlResult, spec: dict[str, Any]
) -> None:
    found = {a["url"] for a in crawl.articles} | {d["url"] for d in crawl.duplicates}
    missing = sorted(set(spec["unaffected"]) - found)
    print(f"unaffected articles found: {len(spec['unaffected']) - len(missing)}"
          f"/{len(spec['unaffected'])}")
    assert missing == []


def test_only_truth_articles_are_exported(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror]
) -> None:
    expected = truth(faulty[0])
    assert [a["url"] for a in crawl.articles if a["url"] not in expected] == []


def test_every_fault_was_met(faulty: tuple[Path, RunningMirror], spec: dict[str, Any]) -> None:
    hits = faulty[1].hits()
    assert [f["url"] for f in spec["faults"] if not hits.get(f["url"])] == []


def test_transient_500s_are_retried_then_exported(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror], spec: dict[str, Any],
    kinds: Counter[str]
) -> None:
    assert kinds["flaky"] >= 1
    assert _hits(faulty, "flaky", spec) == [3] * kinds["flaky"]  # 500, 500, 200
    flaky = {f["url"] for f in spec["faults"] if f["kind"] == "flaky"}
    found = {a["url"] for a in crawl.articles} | {d["url"] for d in crawl.duplicates}
    assert flaky <= found


def test_permanent_500s_are_retried_a_bounded_number_of_times(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror], spec: dict[str, Any],
    kinds: Counter[str]
) -> None:
    assert _hits(faulty, "always_500", spec) == [1 + RETRY_TIMES] * kinds["always_500"]
    # the mirror's fixed fault address answers 500 too
    assert crawl.stats.get("errors/http_500", 0) == kinds["always_500"] + 1
    assert crawl.stats["retry/max_reached"] >= kinds["always_500"] + 1


def test_404s_are_counted_once(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror], spec: dict[str, Any],
    kinds: Counter[str]
) -> None:
    assert _hits(faulty, "not_found", spec) == [1] * kinds["not_found"]
    assert crawl.stats.get("errors/http_404", 0) == kinds["not_found"] + 1  # + the fixed one


FINAL_OUTCOMES: dict[str, set[str]] = {
    "not_found": {"http_404"},
    "always_500": {"http_500"},
    "slow": {"DownloadTimeoutError"},
    "redirect_chain": {"IgnoreRequest"},
    # A busy loopback may time a big body out before the size limit cuts it.
    "oversize": {"DownloadCancelledError"},
    "oversize_stream": {"DownloadCancelledError", "DownloadTimeoutError"},
    "gzip_bomb": {"decompression_bomb", "DownloadTimeoutError"},
}
"""The reason the spider's errback logs ('Failed URL: reason') for each failing kind."""
_FAILED_RE = re.compile(r"\[smn\] WARNING: Failed (\S+): (\w+) ")


def _failures(crawl: CrawlResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for url, reason in _FAILED_RE.findall(crawl.log):
        out.setdefault(url.split("?")[0], []).append(reason)  # a chain ends at '?hop=10'
    return out


def test_each_failing_fault_ends_in_one_logged_and_counted_failure(
    crawl: CrawlResult, spec: dict[str, Any]
) -> None:
    failures = _failures(crawl)
    wrong = {f["url"]: (f["kind"], failures.get(f["url"])) for f in spec["faults"]
             if f["kind"] in FINAL_OUTCOMES
             and (len(failures.get(f["url"], [])) != 1
                  or failures[f["url"]][0] not in FINAL_OUTCOMES[f["kind"]])}
    assert wrong == {}
    # the log and the stats agree, reason by reason
    logged = Counter(r for reasons in failures.values() for r in reasons)
    counted = {k.removeprefix("errors/"): v for k, v in crawl.stats.items()
               if k.startswith("errors/")}
    assert dict(logged) == counted


def test_faults_that_are_pages_never_fail(crawl: CrawlResult, spec: dict[str, Any]) -> None:
    failures = _failures(crawl)
    pages = [f["url"] for f in spec["faults"] if f["kind"] not in FINAL_OUTCOMES]
    assert pages
    assert [u for u in pages if u in failures] == []


def test_oversize_bodies_are_not_read(crawl: CrawlResult, kinds: Counter[str]) -> None:
    s = crawl.stats
    assert s.get("errors/DownloadCancelledError", 0) >= kinds["oversize"] + 1  # + the fixed one
    assert s["downloader/response_bytes"] < 64 * 1024 * 1024
    assert s.get("retry/reason_count/scrapy.exceptions.DownloadTimeoutError", 0) >= (
        RETRY_TIMES * kinds["slow"])


def test_redirect_chains_stop_at_the_redirect_limit(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror], spec: dict[str, Any],
    kinds: Counter[str]
) -> None:
    assert kinds["redirect_chain"] >= 1
    assert _hits(faulty, "redirect_chain", spec) == [1 + REDIRECT_MAX_TIMES] * kinds[
        "redirect_chain"]
    assert crawl.log.count("max redirections reached") >= kinds["redirect_chain"]


_BOMB_LOG = "[scrapy.downloadermiddlewares.httpcompression] WARNING: Ignored response"


def test_gzip_bombs_are_refused_at_the_size_limit(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror], spec: dict[str, Any],
    kinds: Counter[str]
) -> None:
    assert kinds["gzip_bomb"] >= 1
    assert min(_hits(faulty, "gzip_bomb", spec)) >= 1
    refused = crawl.log.count(_BOMB_LOG)
    assert refused >= 1
    assert "B decompressed so far) exceeded DOWNLOAD_MAXSIZE (10485760 B)" in crawl.log
    assert crawl.stats.get("httpcompression/response_count", 0) == 0  # none got through


def test_every_ignored_request_is_explained(crawl: CrawlResult, kinds: Counter[str]) -> None:
    """IgnoreRequest reaches the errback for robots.txt and redirect limits; bombs are named."""
    s = crawl.stats
    explained = s.get("robotstxt/forbidden", 0) + kinds["redirect_chain"]
    assert s.get("errors/IgnoreRequest", 0) == explained
    assert s.get("errors/decompression_bomb", 0) == crawl.log.count(_BOMB_LOG)


def test_non_html_pages_are_counted(crawl: CrawlResult, kinds: Counter[str]) -> None:
    assert crawl.stats.get("pages/not_html", 0) == kinds["not_html"]


def test_every_200_is_a_counted_page(
    crawl: CrawlResult, faulty: tuple[Path, RunningMirror], spec: dict[str, Any],
    kinds: Counter[str]
) -> None:
    for kind in ("truncated", "malformed"):
        assert _hits(faulty, kind, spec) == [1] * kinds[kind]
    s = crawl.stats
    responses = s["downloader/response_status_count/200"]
    pages = sum(s.get(f"pages/{k}", 0) for k in ("article", "hub", "feed", "not_html"))
    # every 200 is a page of one kind, except robots.txt files and refused bombs
    assert pages == responses - s["robotstxt/response_count"] - crawl.log.count(_BOMB_LOG)


def test_accounting_adds_up(crawl: CrawlResult) -> None:
    s = crawl.stats
    rejected = sum(v for k, v in s.items() if k.startswith("articles/rejected/"))
    dups = s.get("articles/duplicate/url", 0) + s.get("articles/duplicate/content", 0)
    assert s["articles/parsed"] == s["articles/exported"] + dups + rejected
    assert s["articles/exported"] == len(crawl.articles)
