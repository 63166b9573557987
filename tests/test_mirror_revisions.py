"""The mirror's edited and removed stories: ``--grow`` edits recent articles and removes a few.

Checked against the mirror before the grow (its truth and its files) and over loopback.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.mirror.build import file_for
from crawler.mirror.server import serve_in_thread, server_path
from tests.crawling import ROOT, build_mirror, truth


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the mirror as first built, the same mirror grown)."""
    root = tmp_path_factory.mktemp("revisions")
    before = build_mirror(root / "before", 300, seed=3)
    after = root / "after"
    shutil.copytree(before, after)
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(after),
                    "--articles", "500", "--grow", "--revise"], check=True, cwd=ROOT,
                   capture_output=True)
    return before, after


def _revisions(mirror: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((mirror / "revisions.json").read_text())
    return data


def test_a_grow_edits_and_removes_some_recent_articles(grown: tuple[Path, Path]) -> None:
    before, after = grown
    rev = _revisions(after)
    assert json.loads((after / "mirror.json").read_text())["revised_steps"] == [[300, 500]]
    [step] = rev["steps"]
    assert step["from"] == 300 and step["to"] == 500
    assert len(step["edited"]) >= 3 and len(step["removed"]) >= 1
    assert {e["change"] for e in step["edited"]} <= {"paragraph_added", "headline_changed"}
    assert rev["current"] == {e["url"]: 2 for e in step["edited"]}
    assert _revisions(before) == {"steps": [], "current": {}}


def test_the_truth_holds_the_edited_pages_and_not_the_removed_ones(
    grown: tuple[Path, Path]
) -> None:
    before, after = truth(grown[0]), truth(grown[1])
    [step] = _revisions(grown[1])["steps"]
    for edit in step["edited"]:
        old, new = before[edit["url"]], after[edit["url"]]
        if edit["change"] == "paragraph_added":
            assert new["body"].startswith(old["body"] + "\n\n") and new["title"] == old["title"]
        else:
            assert new["title"] != old["title"] and new["body"] == old["body"]
    for removed in step["removed"]:
        assert removed["url"] in before and removed["url"] not in after
    changed = {e["url"] for e in step["edited"]} | {r["url"] for r in step["removed"]}
    assert all(after[u] == rec for u, rec in before.items() if u not in changed)


def test_only_plain_recent_stories_are_touched(grown: tuple[Path, Path]) -> None:
    dup = json.loads((grown[1] / "duplicates.json").read_text())
    involved = {u for g in dup["groups"] for u in g} | {u for p in dup["near_misses"] for u in p}
    involved |= set(dup["aliases"]) | set(dup["aliases"].values()) | set(dup["syndication"])
    [step] = _revisions(grown[1])["steps"]
    before = truth(grown[0])
    newest: dict[str, dt.date] = {}  # each host's newest publication day before the grow
    for url, rec in before.items():
        if rec["published"]:
            host, day = urlsplit(url).hostname or "", dt.date.fromisoformat(rec["published"][:10])
            newest[host] = max(newest.get(host, day), day)
    for url in [e["url"] for e in step["edited"]] + [r["url"] for r in step["removed"]]:
        assert url not in involved
        rec = before[url]
        assert rec["layout"] != "legacy" and rec["published"]
        day = dt.date.fromisoformat(rec["published"][:10])
        # "recent" is per site: within two days of that site's newest story
        assert day >= newest[urlsplit(url).hostname or ""] - dt.timedelta(days=2)


def test_other_article_pages_stay_byte_identical(grown: tuple[Path, Path]) -> None:
    before, after = grown
    [step] = _revisions(after)["steps"]
    changed = {e["url"] for e in step["edited"]} | {r["url"] for r in step["removed"]}
    for url in truth(before):
        if url not in changed:
            assert (after / file_for(url)).read_bytes() == (before / file_for(url)).read_bytes()
    for url in changed - {r["url"] for r in step["removed"]}:
        assert (after / file_for(url)).read_bytes() != (before / file_for(url)).read_bytes()


def _get(base: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(base + server_path(url), headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 (loopback)
            return resp.status, resp.headers
    except urllib.error.HTTPError as err:
        return err.code, err.headers


def test_conditional_requests_see_the_edits_and_removals(grown: tuple[Path, Path]) -> None:
    before, after = grown
    [step] = _revisions(after)["steps"]
    edited = [e["url"] for e in step["edited"]]
    unchanged = [u for u in truth(after) if u in truth(before) and u not in edited][:5]
    with serve_in_thread(before) as old:
        tags = {u: _get(old.base_url, u)[1] for u in edited + unchanged}
    with serve_in_thread(after) as new:
        for url in edited + unchanged:
            status, _ = _get(new.base_url, url, {"If-None-Match": tags[url]["ETag"]})
            assert status == (200 if url in edited else 304), url
            status, _ = _get(new.base_url, url,
                             {"If-Modified-Since": tags[url]["Last-Modified"]})
            assert status == (200 if url in edited else 304), url
        statuses = {r["status"]: _get(new.base_url, r["url"])[0] for r in step["removed"]}
        assert all(status == code for code, status in statuses.items())


def test_later_grows_replay_the_edits(grown: tuple[Path, Path], tmp_path: Path) -> None:
    after = grown[1]
    later = tmp_path / "later"
    shutil.copytree(after, later)
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(later),
                    "--articles", "560", "--grow"], check=True, cwd=ROOT, capture_output=True)
    assert _revisions(later) == _revisions(after)
    [step] = _revisions(after)["steps"]
    for edit in step["edited"]:
        assert (later / file_for(edit["url"])).read_bytes() == (
            after / file_for(edit["url"])).read_bytes()
    assert not set(truth(later)) & {r["url"] for r in step["removed"]}


def test_revise_needs_grow(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler", "mirror", "build",
                           str(tmp_path / "m"), "--articles", "60", "--revise"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "--revise" in proc.stderr
