"""Security through real crawls of a mirror with hostile pages (``mirror build --hostile``).

A crawl of a mirror fetches every address through the mirror, so any lure the crawler did not
refuse shows up as a ``/_probe/`` hit in the mirror's ``/_mirror/stats``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror import hostile
from crawler.mirror.server import RunningMirror, serve_in_thread
from crawler.navigation.links import refusal_reason
from tests.crawling import ROOT, CrawlResult, run_crawl

pytestmark = pytest.mark.e2e

OUTPUT_NAMES = {"articles.jsonl", "duplicates.jsonl", "rejects.jsonl", "stats.json", "crawl.log",
                "state.sqlite", "state.sqlite-wal", "state.sqlite-shm", "state.sqlite-journal"}


@pytest.fixture(scope="module")
def lured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RunningMirror]]:
    """A 50-article mirror with the hostile pages, served."""
    directory = tmp_path_factory.mktemp("hostile") / "m"
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(directory),
                    "--articles", "50", "--seed", "3", "--hostile"], check=True, cwd=ROOT)
    with serve_in_thread(directory, slow_seconds=2) as running:
        yield directory, running


@pytest.fixture(scope="module")
def crawl(lured: tuple[Path, RunningMirror],
          tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    """One complete crawl of the hostile mirror, its outputs in a folder of their own."""
    out = tmp_path_factory.mktemp("hostile-crawl") / "out"
    return run_crawl(lured[1].base_url, out, settings={"DOWNLOAD_TIMEOUT": 1})


@pytest.fixture(scope="module")
def spec(lured: tuple[Path, RunningMirror]) -> dict[str, Any]:
    """The ``hostile`` entry of faults.json."""
    return dict(json.loads((lured[0] / "faults.json").read_text())["hostile"])


def test_the_crawl_finishes(crawl: CrawlResult) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats["finish_reason"] == "finished"
    assert crawl.stats.get("log_count/CRITICAL", 0) == 0


def test_every_lure_was_met(lured: tuple[Path, RunningMirror], spec: dict[str, Any]) -> None:
    hits = lured[1].hits()
    assert [u for u in spec["urls"] if not hits.get(u)] == []


def test_no_lure_target_was_fetched(crawl: CrawlResult, lured: tuple[Path, RunningMirror]) -> None:
    probes = {u: n for u, n in lured[1].hits().items() if "/_probe/" in u}
    assert probes == {}
    assert "root:x:0:0" not in crawl.files["articles"].read_text(encoding="utf-8")


def test_refused_redirects_are_counted_by_reason(crawl: CrawlResult,
                                                 spec: dict[str, Any]) -> None:
    expected = Counter(reason for _, reason in spec["redirects"].values())
    expected[refusal_reason(spec["refresh_target"]) or "?"] += 1  # the meta refresh
    counted = {k.removeprefix("security/refused/"): v for k, v in crawl.stats.items()
               if k.startswith("security/refused/")}
    assert counted == dict(expected)
    assert crawl.stats.get("errors/RefusedRequest", 0) == sum(expected.values())
    assert crawl.stats.get("offsite/filtered", 0) == 0  # OffsiteMiddleware: no double count
    assert not any(k.startswith("errors/http_3") for k in crawl.stats)


def test_every_lure_target_has_the_expected_reason() -> None:
    wrong = {u: (refusal_reason(u), r) for u, r in {**hostile.TARGETS, **hostile.REDIRECTED}.items()
             if refusal_reason(u) != r}
    assert wrong == {}


def test_the_gzip_bomb_is_refused(crawl: CrawlResult) -> None:
    line = next((ln for ln in crawl.log.splitlines()
                 if "httpcompression" in ln and hostile.BOMB in ln), "")
    assert "exceeded DOWNLOAD_MAXSIZE (10485760 B) during decompression" in line
    assert crawl.stats.get("httpcompression/response_count", 0) == 0


def test_the_hostile_feed_is_read_as_a_feed_without_entities(
    crawl: CrawlResult, lured: tuple[Path, RunningMirror], spec: dict[str, Any]
) -> None:
    assert crawl.stats.get("pages/feed_malformed", 0) >= 1  # it declares undefined entities
    assert f"Malformed feed {spec['feed']}" in crawl.log
    assert not any("xxe" in u for u in lured[1].hits())


def test_outputs_stay_in_the_output_folder(crawl: CrawlResult) -> None:
    out = crawl.files["articles"].parent
    everything = {p.relative_to(out.parent).as_posix() for p in out.parent.rglob("*")}
    assert everything <= {"out"} | {f"out/{n}" for n in OUTPUT_NAMES}, everything
    titles = {a["title"] for a in crawl.articles}
    assert set(hostile.HOSTILE_TITLES) & titles  # the path-like titles were exported


def test_default_feed_with_hostile_titles_writes_only_under_output(
    lured: tuple[Path, RunningMirror], spec: dict[str, Any], tmp_path: Path
) -> None:
    start = ",".join(spec["title_articles"])
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "smn", "-a", f"start_urls={start}",
         "-s", f"MIRROR_URL={lured[1].base_url}", "-s", "SMN_POLITE=False",
         "-s", "LOG_LEVEL=WARNING", "-s", "DEPTH_LIMIT=1"],
        cwd=tmp_path, env=env, check=True, timeout=120, capture_output=True,
    )
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files and all(f.startswith("output/") and "/" not in f[7:] for f in files), files
    names = [f[7:] for f in files]
    assert all(n.startswith(("smn-", "state.sqlite")) for n in names), names
    articles = [n for n in names if n.endswith(".jsonl") and n.count(".") == 1]
    assert len(articles) == 1
    text = (tmp_path / "output" / articles[0]).read_text(encoding="utf-8")
    assert "../../../../etc/passwd" in text  # a title, and only a title
