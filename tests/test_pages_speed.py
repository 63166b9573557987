"""The classic path must be at least 5x faster than trafilatura.extract on the same pages.

Run as a script for the numbers:  python -m tests.test_pages_speed
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import pytest
import trafilatura

from crawler.pages import extract_from_bytes
from tests.test_pages import CASES, CASES_DIR

REQUIRED_SPEEDUP = 5.0


def classic_pages() -> list[tuple[bytes, str]]:
    pages = []
    for case in CASES:
        expected = json.loads((CASES_DIR / case / "expected.json").read_text("utf-8"))
        if expected and expected["extraction"] == "template":
            meta = json.loads((CASES_DIR / case / "meta.json").read_text("utf-8"))
            pages.append(((CASES_DIR / case / "page.html").read_bytes(), meta["url"]))
    return pages


def median_seconds(fn: Callable[[bytes, str], object], pages: list[tuple[bytes, str]],
                   rounds: int = 15) -> float:
    """Median over pages of each page's best-of-rounds time (best-of damps scheduler noise)."""
    per_page = []
    for body, url in pages:
        fn(body, url)  # warm caches and imports
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            fn(body, url)
            times.append(time.perf_counter() - t)
        per_page.append(min(times))
    return statistics.median(per_page)


def ours(body: bytes, url: str) -> object:
    article = extract_from_bytes(body, url, {"Content-Type": "text/html"})
    assert article is not None and article.extraction == "template"
    return article


def theirs(body: bytes, url: str) -> object:
    return trafilatura.extract(body.decode("utf-8", "replace"), url=url, with_metadata=True)


def measure() -> tuple[float, float]:
    pages = classic_pages()
    return median_seconds(ours, pages), median_seconds(theirs, pages)


@pytest.mark.slow
def test_classic_path_is_five_times_faster_than_trafilatura() -> None:
    mine, reference = measure()
    assert mine * REQUIRED_SPEEDUP <= reference, (mine, reference)


if __name__ == "__main__":
    mine, reference = measure()
    print(f"classic pages: {len(classic_pages())}")
    print(f"extract_from_bytes median: {mine * 1000:.2f} ms")
    print(f"trafilatura.extract(with_metadata=True) median: {reference * 1000:.2f} ms")
    print(f"speed-up: {reference / mine:.1f}x")
