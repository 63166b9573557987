"""Extraction against the page fixtures: one test per (case, field).

Expected records come from the mirror data the pages were rendered from
(tests/fixtures/make_fixtures.py), never from the extractor's own output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import crawler.pages
from crawler.items import Article
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
