"""Scheduled runs through ``python -m crawler crawl``: incremental, resumable, locked, judged."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.mirror.markup import BY_LAYOUT
from crawler.mirror.server import RunningMirror, serve_in_thread
from tests.accuracy import FIELDS, below, format_table, variant_table
from tests.crawling import ROOT, build_mirror, read_jsonl, truth
from tests.runs_helpers import (
    manifest,
    run_dirs,
    run_once,
)

pytestmark = pytest.mark.e2e

JUDGED = (*FIELDS, "appended_datelines", "extraction")
MIN_PAGES_PER_VARIANT = 3


@pytest.fixture(scope="module")
def mirror1000(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RunningMirror]]:
    """A 1,000-article mirror (enough pages that hubs are a small share of a full crawl)."""
    directory = build_mirror(tmp_path_factory.mktemp("m1000") / "m", 1000, seed=11)
    with serve_in_thread(directory, slow_seconds=2) as running:
        yield directory, running


@pytest.fixture(scope="module")
def first_run(mirror1000: tuple[Path, RunningMirror], tmp_path_factory: pytest.TempPathFactory
              ) -> Path:
    """The output folder of a first scheduled run over the whole 1,000-article mirror."""
    out = tmp_path_factory.mktemp("runs1000")
    first = run_once(mirror1000[1].base_url, out)
    assert first.returncode == 0, first.stderr[-2000:]
    return out


def test_first_run_is_99_percent_right_on_every_markup_variant(
    mirror1000: tuple[Path, RunningMirror], first_run: Path
) -> None:
    """Every field of every exported record against the mirror's truth, per layout and per
    markup variant of every guessed detail (body by token F1 >= 0.99). ``-s`` shows the table."""
    expected = truth(mirror1000[0])
    run = run_dirs(first_run)[0]
    articles = read_jsonl(run / "articles.jsonl")
    found = {a["url"] for a in articles} | {d["url"] for d in read_jsonl(run / "duplicates.jsonl")}
    share = len(found & set(expected)) / len(expected)
    pairs = [(a, expected[a["url"]]) for a in articles if a["url"] in expected]
    table = variant_table(pairs, JUDGED)
    print(f"\nfound {len(found & set(expected))}/{len(expected)} = {share:.4f}; "
          f"{len(pairs)} exported records judged against the truth (share right, %):")
    print(format_table(table, JUDGED))
    assert share >= 0.99, sorted(set(expected) - found)[:20]
    for layout, details in BY_LAYOUT.items():
        assert table[layout]["title"][1] >= MIN_PAGES_PER_VARIANT, layout
        for detail, values in details.items():
            for value in values:
                row = f"{layout} {detail}={value}"
                assert row in table, f"no exported page of {row}"
                assert table[row]["title"][1] >= MIN_PAGES_PER_VARIANT, row
    assert below(table, 0.99) == []


def test_second_run_over_an_unchanged_mirror_costs_a_few_conditional_requests(
    mirror1000: tuple[Path, RunningMirror], first_run: Path
) -> None:
    tmp_path = first_run
    second = run_once(mirror1000[1].base_url, tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    one, two = (manifest(d) for d in run_dirs(tmp_path)[:2])
    stats_two = json.loads((run_dirs(tmp_path)[1] / "stats.json").read_text())
    # Besides its hubs, a run revisits the stories of each host's last SMN_REFRESH_DAYS (3) days
    # (issue 15): one conditional request each, answered 304 by an unchanged mirror.
    revisits = two["revisits"].get("requested", 0)
    ratio = (two["requests"] - revisits) / one["requests"]
    time_ratio = two["elapsed_seconds"] / one["elapsed_seconds"]
    print(f"first run {one['requests']} requests in {one['elapsed_seconds']:.1f} s, "
          f"second {two['requests']} ({revisits} revisits) in {two['elapsed_seconds']:.2f} s: "
          f"{ratio:.3f} of the requests without the revisits, {time_ratio:.3f} of the time")
    assert one["articles_exported"] > 500
    assert one["revisits"].get("requested", 0) == 0  # its own exports are no revisits
    assert ratio <= 0.05
    assert revisits == len(_refresh_window(run_dirs(tmp_path)[0] / "articles.jsonl", days=3))
    assert two["revisits"].get("unchanged", 0) == revisits  # all 304: nothing more to do
    assert stats_two.get("pages/article", 0) == 0  # no article page fetched again
    assert two["articles_exported"] == 0
    assert two["incremental"]["hubs_revalidated"] > 0  # 304s, not full downloads


def _refresh_window(articles: Path, days: int) -> list[str]:
    """The exported stories published within ``days`` of their host's newest one."""
    records = [r for r in read_jsonl(articles) if r.get("published")]
    newest: dict[str, dt.date] = {}
    for r in records:
        host, day = urlsplit(r["url"]).hostname or "", dt.date.fromisoformat(r["published"][:10])
        newest[host] = max(newest.get(host, day), day)
    return [r["url"] for r in records
            if dt.date.fromisoformat(r["published"][:10])
            >= newest[urlsplit(r["url"]).hostname or ""] - dt.timedelta(days=days)]


def test_after_the_mirror_grows_the_next_run_exports_the_new_articles_only(
    tmp_path: Path,
) -> None:
    directory = build_mirror(tmp_path / "m", 600, seed=12)
    out = tmp_path / "out"
    with serve_in_thread(directory, slow_seconds=2) as running:
        assert run_once(running.base_url, out).returncode == 0
    before = truth(directory)
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(directory),
                    "--articles", "660", "--grow"], cwd=ROOT, check=True)
    new = set(truth(directory)) - set(before)
    assert len(new) >= 60
    with serve_in_thread(directory, slow_seconds=2) as running:
        result = run_once(running.base_url, out)
    assert result.returncode == 0, result.stderr[-2000:]
    last = run_dirs(out)[-1]
    exported = {json.loads(x)["url"] for x in (last / "articles.jsonl").read_text().splitlines()}
    dups = {json.loads(x)["url"] for x in (last / "duplicates.jsonl").read_text().splitlines()}
    found = (exported | dups) & new
    print(f"grown by {len(new)}: exported {len(exported)}, duplicates {len(dups)}, "
          f"new found {len(found)} ({len(found) / len(new):.3f})")
    assert len(found) / len(new) >= 0.99
    assert exported <= new  # nothing old exported again


def test_a_second_run_refuses_while_one_holds_the_lock(
    mirror1000: tuple[Path, RunningMirror], tmp_path: Path
) -> None:
    lock = tmp_path / "runs" / ".lock"
    lock.parent.mkdir(parents=True)
    with lock.open("a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 1 since test\n")
        held.flush()
        started = time.monotonic()
        refused = run_once(mirror1000[1].base_url, tmp_path)
        took = time.monotonic() - started
    assert refused.returncode == 75
    assert "another run of this job is in progress" in refused.stderr
    assert took < 20
    assert not [d for d in run_dirs(tmp_path)]  # nothing started


def test_a_layout_change_trips_the_coverage_and_layout_monitors(tmp_path: Path) -> None:
    first = build_mirror(tmp_path / "a", 300, seed=21)
    out = tmp_path / "out"
    with serve_in_thread(first, slow_seconds=2) as running:
        ok = run_once(running.base_url, out, "--sites", "spacewar.com")
    assert ok.returncode == 0, ok.stderr[-2000:]
    before = manifest(run_dirs(out)[-1])["coverage"]["spacewar.com"]["extraction"]
    changed = build_mirror(tmp_path / "b", 300, seed=22)  # new stories ...
    for page in (changed / "www.spacewar.com" / "reports").glob("*.html"):
        raw = page.read_bytes()  # ... in a layout without the byline and dateline spans
        raw = re.sub(rb'<span class="(?:BY|BHS)">[^<]*</span>|<div class="byline">[^<]*</div>',
                     b"", raw)  # ... nor the classic body anchors: no layout of the network
        page.write_bytes(re.sub(rb"<!--\s*(?:body-2-incontainer\.php|RELATED LINKS)\s*-->",
                                b"", raw))
    shutil.rmtree(out / "httpcache")
    with serve_in_thread(changed, slow_seconds=2) as running:
        tripped = run_once(running.base_url, out, "--sites", "spacewar.com")
    assert tripped.returncode == 4, tripped.stderr[-2000:]
    last = manifest(run_dirs(out)[-1])
    after = last["coverage"]["spacewar.com"]["extraction"]
    print("extraction paths on spacewar.com, before:", before, "after:", after)
    assert before["template"] >= 0.95 * sum(before.values())  # the classic template, mostly
    assert after.get("fallback", 0) > 0.3 * sum(after.values())
    problems = last["problems"]
    assert any(p["monitor"] == "coverage" and "dateline" in p["message"] for p in problems)
    assert any(p["monitor"] == "layout" and "spacewar.com" in p["message"] for p in problems)
    assert "coverage" in tripped.stderr and "layout" in tripped.stderr

