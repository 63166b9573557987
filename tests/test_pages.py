"""Extraction against the page fixtures: one test per (case, field).

Expected records come from the mirror data the pages were rendered from
(tests/fixtures/make_fixtures.py), never from the extractor's own output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import crawler.pages
from crawler.items import Article
from crawler.mirror.render import render
from crawler.mirror.seed import seed_article
from crawler.pages import extract_from_bytes

CASES_DIR = Path(__file__).parent / "fixtures" / "pages"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "page.html").exists())
CRAWLED_AT = "2026-04-01T12:00:00Z"


@pytest.fixture(autouse=True)
def _raise_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Programming errors must fail the tests, not turn into a silent None."""
    monkeypatch.setattr(crawler.pages, "RAISE_ERRORS", True)


def load(case: str) -> tuple[bytes, dict[str, Any], dict[str, Any] | None]:
    d = CASES_DIR / case
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    expected = json.loads((d / "expected.json").read_text("utf-8"))
    return (d / "page.html").read_bytes(), meta, expected


@cache
def extracted(case: str) -> Article | None:
    crawler.pages.RAISE_ERRORS = True
    try:
        body, meta, _ = load(case)
        return extract_from_bytes(body, meta["url"], meta["headers"], crawled_at=CRAWLED_AT)
    finally:
        crawler.pages.RAISE_ERRORS = False


def case_fields() -> Iterator[Any]:
    for case in CASES:
        _, _, expected = load(case)
        if expected is None:
            yield pytest.param(case, None, id=f"{case}-not_an_article")
            continue
        for name in expected:
            yield pytest.param(case, name, id=f"{case}-{name}")


def test_seed_case_comes_first() -> None:
    assert CASES[0].endswith("_seed") and len(CASES) >= 15


@pytest.mark.parametrize(("case", "field"), list(case_fields()))
def test_field(case: str, field: str | None) -> None:
    _, _, expected = load(case)
    article = extracted(case)
    if field is None:
        assert article is None
        return
    assert article is not None, f"{case}: no article extracted"
    assert article.to_dict()[field] == expected[field]  # type: ignore[index]


def article_cases() -> list[str]:
    return [case for case in CASES if load(case)[2] is not None]


@pytest.mark.parametrize("case", article_cases())
def test_word_count_is_the_number_of_body_words(case: str) -> None:
    _, _, expected = load(case)
    article = extracted(case)
    assert expected is not None and article is not None
    assert article.word_count == len(expected["body"].split())


def test_fingerprints_tell_stories_apart() -> None:
    prints = {case: extracted(case).fingerprint for case in article_cases()}  # type: ignore[union-attr]
    assert all(re.fullmatch(r"[0-9a-f]{16}", fp) for fp in prints.values()), prints
    bodies = {" ".join(load(case)[2]["body"].lower().split()) for case in prints}  # type: ignore[index]
    assert len(set(prints.values())) == len(bodies)


def _seed_variant(change: Callable[[str], str]) -> Article | None:
    page = seed_article()
    page.paragraphs = [change(p) for p in page.paragraphs]
    return extract_from_bytes(render(page), page.url, {"Content-Type": "text/html"},
                              crawled_at=CRAWLED_AT)


def test_fingerprint_is_blind_to_case_quotes_and_spacing_only() -> None:
    seed = extracted(CASES[0])
    assert seed is not None
    shouted = _seed_variant(lambda p: p.upper().replace("\u201c", '"').replace(", ", " ,  "))
    edited = _seed_variant(lambda p: p.replace("Stoltenberg", "Rutte", 1))
    assert shouted is not None and edited is not None
    assert shouted.fingerprint == seed.fingerprint
    assert edited.fingerprint != seed.fingerprint
