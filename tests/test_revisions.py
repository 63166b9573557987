"""Edited and removed stories, by real scheduled runs and exports of a mirror grown with
``--revise`` (its ``revisions.json`` is the truth: which stories were edited, which removed).

Run 1 crawls a 300-article mirror and is exported; the mirror grows to 420 articles, editing
some recent stories and removing a few; run 2 revisits the recent stories with conditional
requests, and the second export into the same folder lists what changed.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.mirror.server import serve_in_thread
from tests.crawling import ROOT, build_mirror, read_jsonl, truth
from tests.runs_helpers import manifest, run_dirs, run_once

pytestmark = pytest.mark.e2e


@dataclass
class Revised:
    mirror: Path
    before: dict[str, dict[str, Any]]
    """The truth before the grow."""
    step: dict[str, Any]
    """revisions.json's step of the grow."""
    runs: list[Path]
    first_export: list[dict[str, Any]]
    changes: list[dict[str, Any]]
    dataset: list[dict[str, Any]]
    export_manifest: dict[str, Any]


def _export(out: Path, dataset: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler", "export", "--out", str(dataset),
                           "--runs", str(out / "runs")], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def _records(dataset: Path) -> list[dict[str, Any]]:
    with gzip.open(dataset / "dataset.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory) -> Revised:
    root = tmp_path_factory.mktemp("revisions")
    mirror = build_mirror(root / "m", 300, seed=13)
    out, dataset = root / "out", root / "dataset"
    with serve_in_thread(mirror, slow_seconds=2) as running:
        first = run_once(running.base_url, out)
    assert first.returncode == 0, first.stderr[-2000:]
    _export(out, dataset)
    first_export = _records(dataset)
    before = truth(mirror)
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(mirror),
                    "--articles", "420", "--grow", "--revise"], check=True, cwd=ROOT,
                   capture_output=True)  # fmt: skip
    [step] = json.loads((mirror / "revisions.json").read_text())["steps"]
    with serve_in_thread(mirror, slow_seconds=2) as running:
        second = run_once(running.base_url, out)
    assert second.returncode == 0, second.stderr[-2000:]
    _export(out, dataset)
    return Revised(mirror, before, step, run_dirs(out), first_export,
                   read_jsonl(dataset / "changes.jsonl"), _records(dataset),
                   json.loads((dataset / "manifest.json").read_text()))


def test_the_grow_edited_and_removed_stories_the_first_run_exported(revised: Revised) -> None:
    exported = {r["url"] for r in read_jsonl(revised.runs[0] / "articles.jsonl")}
    edited = {e["url"] for e in revised.step["edited"]}
    removed = {r["url"] for r in revised.step["removed"]}
    print(f"edited {len(edited)}, removed {len(removed)}")
    assert len(edited) >= 3 and removed
    assert edited | removed <= exported


def test_each_edited_story_is_exported_once_as_its_next_revision(revised: Revised) -> None:
    first = {r["url"]: r for r in read_jsonl(revised.runs[0] / "articles.jsonl")}
    now = truth(revised.mirror)
    second = read_jsonl(revised.runs[1] / "articles.jsonl")
    revisions = [r for r in second if r["revision"] > 1]
    edited = {e["url"] for e in revised.step["edited"]}
    assert sorted(r["url"] for r in revisions) == sorted(edited)  # none missed, none twice
    change = {e["url"]: e["change"] for e in revised.step["edited"]}
    for record in revisions:
        before = first[record["url"]]
        assert record["revision"] == 2
        assert record["previous_fingerprint"] == before["fingerprint"]
        if change[record["url"]] == "paragraph_added":
            assert record["fingerprint"] != before["fingerprint"]
        else:  # a new headline over the same body
            assert record["title"] != before["title"]
            assert record["fingerprint"] == before["fingerprint"]
        assert (record["title"], record["body"]) == (now[record["url"]]["title"],
                                                     now[record["url"]]["body"])
    # nothing unchanged exported again: every other record is a story new to the mirror
    assert [r["url"] for r in second if r["revision"] == 1 and r["url"] in revised.before] == []


def test_removed_stories_are_found_gone(revised: Revised) -> None:
    gone = {g["url"]: g["status"] for g in read_jsonl(revised.runs[1] / "gone.jsonl")}
    assert gone == {r["url"]: r["status"] for r in revised.step["removed"]}
    m = manifest(revised.runs[1])
    assert m["gone"] == len(gone)
    assert m["revisits"]["revised"] == len(revised.step["edited"])
    assert m["revisits"]["unchanged"] >= 1  # 304s: the rest of the refresh window
    assert m["revisits"]["requested"] == (m["revisits"]["unchanged"] + m["revisits"]["revised"]
                                          + m["revisits"]["gone"]
                                          + m["revisits"].get("same_body", 0))


def test_the_changes_file_matches_the_truth(revised: Revised) -> None:
    by_change: dict[str, dict[str, dict[str, Any]]] = {}
    for line in revised.changes:
        by_change.setdefault(line["change"], {})[line["url"]] = line
    edited = {e["url"] for e in revised.step["edited"]}
    removed = {r["url"]: r["status"] for r in revised.step["removed"]}
    assert set(by_change.get("revised", {})) == edited
    assert {u: c["status"] for u, c in by_change.get("gone", {}).items()} == removed
    new_pages = set(truth(revised.mirror)) - set(revised.before)
    added = by_change.get("added", {})
    assert added and set(added) <= new_pages
    story_of = {a: r["url"] for r in revised.dataset for a in [r["url"], *r["alternate_urls"]]}
    old_stories = {story_of.get(u) for u in revised.before}
    # every new page belongs to an added story, or to a story the first export had already
    assert all(story_of[u] in added or story_of[u] in old_stories
               for u in new_pages if u in story_of)
    counts = revised.export_manifest["changes"]
    assert (counts["added"], counts["revised"], counts["gone"]) == (
        len(added), len(edited), len(removed))


def test_the_dataset_keeps_the_newest_revision_and_leaves_gone_stories_out(
    revised: Revised
) -> None:
    by_url = {r["url"]: r for r in revised.dataset}
    edited = {e["url"] for e in revised.step["edited"]}
    now = truth(revised.mirror)
    for url in edited:
        assert by_url[url]["revision"] == 2 and by_url[url]["body"] == now[url]["body"]
    addresses = {a for r in revised.dataset for a in [r["url"], *r["alternate_urls"]]}
    assert not addresses & {r["url"] for r in revised.step["removed"]}
    assert revised.export_manifest["revisions"]["revised_stories"] == len(edited)
    assert {r["url"] for r in revised.first_export} >= edited
