"""The export's changes file against a previous export (no crawl: records written by hand)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from crawler.export.changes import ChangeLog, PreviousExport

A, B, C, D, E = (f"https://www.spacewar.com/reports/{x}_999.html" for x in "ABCDE")
B2 = "https://www.spacedaily.com/reports/B_999.html"


def _rec(url: str, fingerprint: str, revision: int = 1, alternates: tuple[str, ...] = ()
         ) -> dict[str, Any]:
    return {"url": url, "fingerprint": fingerprint, "revision": revision,
            "alternate_urls": list(alternates)}


def _changes(tmp_path: Path, before: list[dict[str, Any]], after: list[dict[str, Any]],
             gone: dict[str, int]) -> list[dict[str, Any]]:
    dataset = tmp_path / "dataset.jsonl.gz"
    if before:
        with gzip.open(dataset, "wt", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in before)
    with PreviousExport(dataset) as previous:
        log = ChangeLog(previous, tmp_path / "changes.jsonl")
        for record in after:
            log.story(record)
        log.gone(gone)
        log.close()
    return [json.loads(x) for x in (tmp_path / "changes.jsonl").read_text().splitlines()]


def test_added_revised_gone_and_unchanged(tmp_path: Path) -> None:
    before = [_rec(A, "a1"), _rec(B, "b1", alternates=(B2,)), _rec(C, "c1"), _rec(D, "d1")]
    after = [_rec(A, "a1"), _rec(B2, "b2", revision=2, alternates=(B,)), _rec(E, "e1")]
    lines = _changes(tmp_path, before, after, {C: 410, E: 404})
    assert [(x["change"], x["url"]) for x in lines] == [
        ("revised", B2), ("added", E), ("gone", C)]
    assert lines[0]["previous_fingerprint"] == "b1" and lines[0]["revision"] == 2
    assert lines[2]["status"] == 410 and lines[2]["previous_fingerprint"] == "c1"
    # D left the dataset without being found gone (a filter, say): not a change


def test_a_same_address_with_another_body_is_revised(tmp_path: Path) -> None:
    lines = _changes(tmp_path, [_rec(A, "a1")], [_rec(A, "a2")], {})
    assert [(x["change"], x["previous_fingerprint"]) for x in lines] == [("revised", "a1")]


def test_a_first_export_adds_everything(tmp_path: Path) -> None:
    lines = _changes(tmp_path, [], [_rec(A, "a1"), _rec(B, "b1")], {A: 404})
    assert [x["change"] for x in lines] == ["added", "added"]
