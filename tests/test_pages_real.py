"""Pages made from the real texts of ../shared/data/real-text/, in several markups each.

The truth is the text (tests/real_pages.py states the rules that read it); the pages are
rendered by the mirror's renderers from that truth. Every seen field must come out exactly,
the body with token F1 >= 0.99, whatever the markup; a front page is no article.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import crawler.pages
from crawler.pages import extract_from_bytes
from tests.accuracy import token_f1
from tests.real_pages import real_pages

SEEN_FIELDS = ("title", "byline", "authors", "dateline", "published", "agency", "location",
               "section", "appended_datelines")
PAGES = real_pages()
CASES = [(p, m) for p in PAGES for m in p.markups()]


def _ids() -> Iterator[str]:
    for page, markup in CASES:
        yield f"{page.name.split('__')[-1][:40]}-{markup}"


@pytest.fixture(autouse=True)
def _raise_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crawler.pages, "RAISE_ERRORS", True)


def test_every_real_text_is_used_in_two_markups_or_more() -> None:
    if not PAGES:
        pytest.skip("shared real texts absent")
    assert len(PAGES) >= 20
    assert all(len(p.markups()) >= 2 for p in PAGES)
    assert {p.kind for p in PAGES} == {"classic", "spacewar2026", "afp", "flattened", "front"}


@pytest.mark.parametrize(("page", "markup"), CASES, ids=list(_ids()))
def test_seen_fields_are_exact_and_body_f1_at_least_099(page: Any, markup: str) -> None:
    body = page.render(markup)
    record = extract_from_bytes(body, page.url, {"Content-Type": "text/html"})
    if page.expected is None:
        assert record is None, f"{page.name} is no article"
        return
    assert record is not None, f"{page.name} ({markup}): no article"
    found = record.to_dict()
    wrong = {f: (found.get(f), page.expected[f]) for f in SEEN_FIELDS
             if found.get(f) != page.expected[f]}
    assert not wrong, wrong
    f1 = token_f1(found["body"], page.expected["body"])
    assert f1 >= 0.99, (f1, found["body"][:300])
