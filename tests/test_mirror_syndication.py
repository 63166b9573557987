"""The mirror's harder copies and near misses: each is what its truth entry says it is.

Checked against the pages' own truth records (bodies), never against the generator's code.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crawler.similarity import shingles
from tests.crawling import SHARED, build_mirror, truth


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mirror(tmp_path_factory.mktemp("synd") / "m", 2000, seed=4)


@pytest.fixture(scope="module")
def pages(mirror: Path) -> dict[str, dict[str, Any]]:
    return truth(mirror)


@pytest.fixture(scope="module")
def dup(mirror: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((mirror / "duplicates.json").read_text())
    return data


def _paras(rec: dict[str, Any]) -> list[str]:
    """Paragraphs, double quotes as single ones (pages that carry mojibake have only those)."""
    return str(rec["body"]).replace("\u201c", "\u2018").replace("\u201d", "\u2019").split("\n\n")


def _words(paras: list[str]) -> int:
    return sum(len(p.split()) for p in paras)


def _of_kind(dup: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(u, e) for u, e in dup["syndication"].items() if e["kind"] == kind]


def test_every_kind_is_there(dup: dict[str, Any]) -> None:
    kinds = Counter(e["kind"] for e in dup["syndication"].values())
    print(dict(kinds))
    for kind in ("trimmed", "rewritten_lead", "merged", "lead_near_miss", "copy", "follow_up"):
        assert kinds[kind] >= 15, kinds


def test_copies_are_in_the_group_of_their_story_and_near_misses_are_not(
    dup: dict[str, Any]
) -> None:
    group = {u: i for i, g in enumerate(dup["groups"]) for u in g}
    for url, entry in dup["syndication"].items():
        if entry["duplicate"]:
            assert url in group and group[url] == group.get(entry["of"]), (url, entry)
        else:
            assert group.get(url) is None or group.get(url) != group.get(entry["of"])
    near = {tuple(p) for p in dup["near_misses"]}
    for url, entry in _of_kind(dup, "lead_near_miss"):
        assert (entry["of"], url) in near


def test_trimmed_copies_are_the_first_half(
    dup: dict[str, Any], pages: dict[str, dict[str, Any]]
) -> None:
    for url, entry in _of_kind(dup, "trimmed"):
        mine, full = _paras(pages[url]), _paras(pages[entry["of"]])
        assert full[: len(mine)] == mine and len(mine) < len(full)
        assert 2 * _words(mine) >= _words(full)  # it reaches half the words ...
        assert 2 * _words(mine[:-1]) < _words(full)  # ... and stops there


def test_rewritten_leads_change_the_first_paragraph_only(
    dup: dict[str, Any], pages: dict[str, dict[str, Any]]
) -> None:
    for url, entry in _of_kind(dup, "rewritten_lead"):
        mine, full = _paras(pages[url]), _paras(pages[entry["of"]])
        assert mine[0] != full[0] and mine[1:] == full[1:] and len(full) >= 6


def test_merged_pages_run_the_opening_of_a_second_story(
    dup: dict[str, Any], pages: dict[str, dict[str, Any]]
) -> None:
    for url, entry in _of_kind(dup, "merged"):
        mine, first, second = (_paras(pages[u]) for u in (url, entry["of"], entry["second"]))
        assert mine[: len(first)] == first
        rest = mine[len(first):]
        intro = re.match(r"[\w ,.]+ \((?:AFP|UPI|SPX)\) [A-Z][a-z]+ \d\d?, \d{4} - ", rest[0])
        assert intro and rest[0][intro.end():] == second[0]  # a wire dateline, then its lead
        assert rest[1:] == second[1: len(rest)]
        assert _words(rest) <= 0.35 * _words(second) + 12  # + the dateline
        assert _words(rest) <= _words(first) / 2 + 12


def test_near_misses_share_a_minority_lead(
    dup: dict[str, Any], pages: dict[str, dict[str, Any]]
) -> None:
    for url, entry in _of_kind(dup, "lead_near_miss"):
        mine, other = _paras(pages[url]), _paras(pages[entry["of"]])
        shared = [p for p, q in zip(mine, other, strict=False) if p == q]
        assert shared and mine[: len(shared)] == shared
        assert _words(shared) <= 0.3 * _words(other)
        assert _words(mine) - _words(shared) >= 1.5 * _words(shared)


def _containments(texts: list[str], pairs: int, seed: int) -> list[float]:
    sets = [shingles(t) for t in texts]
    combos = list(itertools.combinations(range(len(sets)), 2))
    random.Random(seed).shuffle(combos)
    out = []
    for a, b in combos[:pairs]:
        if sets[a] and sets[b]:
            out.append(len(sets[a] & sets[b]) / min(len(sets[a]), len(sets[b])))
    return out


def test_unrelated_stories_share_few_shingles_as_real_news_does(
    dup: dict[str, Any], pages: dict[str, dict[str, Any]]
) -> None:
    """The text generator must not make every story overlap (the real pages barely do)."""
    real = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "data" / "real-text")
                                                          .glob("*.txt"))]
    if not real:
        pytest.skip("shared real texts absent")  # as the other tests of ../shared/data
    assert len(real) >= 10
    real_median = statistics.median(_containments(real, 1000, 1))
    grouped = {u for g in dup["groups"] for u in g} | set(dup["syndication"])
    singles = [r["body"] for u, r in pages.items() if u not in grouped][:400]
    mirror_median = statistics.median(_containments(singles, 3000, 2))
    print(f"median containment of unrelated pairs: real pages {real_median:.4f}, "
          f"mirror stories {mirror_median:.4f}")
    assert real_median < 0.05
    assert mirror_median < 0.1
