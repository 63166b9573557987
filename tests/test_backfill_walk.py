"""The backfill's section walk, step by step (pure: no crawl)."""

from __future__ import annotations

import pytest

from crawler.navigation.backfill import COMPLETE, ERROR, LIMIT, PAGINATION_ENDED, Walks, Window

W = Window.parse("2024-06-01", "2024-06-30")
BASE = "https://www.spacewar.com"


def _walk(max_pages: int = 50) -> tuple[Walks, object]:
    walks = Walks(W, max_pages)
    walk = walks.begin("spacewar.com", f"{BASE}/War_Report.html")
    assert walk is not None
    assert walks.begin("spacewar.com", f"{BASE}/War_Report.html") is None  # once per section
    return walks, walk


def test_listed_dates_decide_without_fetching_outside_the_window() -> None:
    walks, walk = _walk()
    items = [(f"{BASE}/reports/A.html", "2024-07-02"), (f"{BASE}/reports/B.html", "2024-06-15"),
             (f"{BASE}/reports/C.html", None)]
    fetch = walks.page(walk, f"{BASE}/War_Report.html", items, f"{BASE}/War_Report-p2.html", {})
    assert fetch == [f"{BASE}/reports/B.html", f"{BASE}/reports/C.html"]
    assert walks.next_page(walk) is None  # C's date is not known yet
    walks.dated(walk, f"{BASE}/reports/C.html", "2024-06-10")
    assert walks.next_page(walk) == f"{BASE}/War_Report-p2.html"


def test_known_articles_are_not_fetched_again() -> None:
    walks, walk = _walk()
    known = {f"{BASE}/reports/A.html": "2024-06-20", f"{BASE}/reports/B.html": "2024-07-20"}
    items = [(u, None) for u in known]
    assert walks.page(walk, f"{BASE}/War_Report.html", items, None, known) == []
    assert walks.next_page(walk) is None and walk.status == PAGINATION_ENDED  # none older
    assert walk.in_window == 1


def test_the_last_page_reaching_older_stories_completes_the_walk() -> None:
    walks, walk = _walk()
    items = [(f"{BASE}/reports/A.html", "2024-06-20"), (f"{BASE}/reports/B.html", "2024-05-02")]
    walks.page(walk, f"{BASE}/War_Report-p4.html", items, None, {})
    assert walks.next_page(walk) is None and walk.status == COMPLETE


def test_a_page_older_than_since_completes_the_walk() -> None:
    walks, walk = _walk()
    walks.page(walk, f"{BASE}/War_Report-p9.html",
               [(f"{BASE}/reports/Z.html", "2024-05-31"), (f"{BASE}/reports/Y.html", None)],
               f"{BASE}/War_Report-p10.html", {})
    walks.dated(walk, f"{BASE}/reports/Y.html", None)  # undated: does not count
    assert walks.next_page(walk) is None and walk.status == COMPLETE
    cover = walks.coverage()["spacewar.com"]["www.spacewar.com/War_Report.html"]
    assert cover["complete"] and cover["reason"] == COMPLETE and cover["pages"] == 1


@pytest.mark.parametrize("pages, status", [(1, LIMIT), (5, None)])
def test_the_page_limit(pages: int, status: str | None) -> None:
    walks, walk = _walk(max_pages=pages)
    walks.page(walk, f"{BASE}/War_Report.html", [(f"{BASE}/reports/A.html", "2024-06-03")],
               f"{BASE}/War_Report-p2.html", {})
    nxt = walks.next_page(walk)
    assert (walk.status == status) if status else nxt == f"{BASE}/War_Report-p2.html"


def test_a_failed_page_ends_the_walk_with_an_error() -> None:
    walks, walk = _walk()
    walks.failed(walk)
    assert walks.next_page(walk) is None
    assert walks.coverage()["spacewar.com"]["www.spacewar.com/War_Report.html"] == {
        "complete": False, "reason": ERROR, "pages": 0, "newest": None, "oldest": None,
        "in_window": 0}


def test_the_window_refuses_bad_dates() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        Window.parse("yesterday")
    with pytest.raises(ValueError, match="before --since"):
        Window.parse("2024-02-01", "2024-01-31")


def test_the_older_page_is_asked_for_once() -> None:
    walks, walk = _walk()
    walks.page(walk, f"{BASE}/War_Report.html", [(f"{BASE}/reports/A.html", "2024-06-03")],
               f"{BASE}/War_Report-p2.html", {})
    assert walks.next_page(walk) == f"{BASE}/War_Report-p2.html"
    assert walks.next_page(walk) is None  # an article answer arriving later asks again
