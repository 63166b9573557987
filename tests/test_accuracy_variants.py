"""Accuracy per markup variant: a real crawl of a 1,000-article mirror, every field judged.

The mirror draws, per page, one markup variant of every detail the site notes mark as guessed
(crawler.mirror.markup) and records it in its truth. A real ``scrapy crawl`` over loopback
exports the records; each field of each record is compared with the truth (body by token F1 >=
0.99, the others by equality), per layout and per variant. Run with ``-s`` to see the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from crawler.mirror.markup import BY_LAYOUT
from crawler.mirror.server import serve_in_thread
from tests.accuracy import FIELDS, below, format_table, variant_table
from tests.crawling import CrawlResult, build_mirror, run_crawl, truth

pytestmark = pytest.mark.e2e

ARTICLES = 1000
JUDGED = (*FIELDS, "appended_datelines", "extraction")
MIN_PAGES_PER_VARIANT = 3


@pytest.fixture(scope="module")
def crawl1000(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[dict[str, dict[str, Any]], CrawlResult]]:
    directory = build_mirror(tmp_path_factory.mktemp("mirror1000") / "m", ARTICLES, seed=11)
    with serve_in_thread(directory, slow_seconds=3) as running:
        result = run_crawl(running.base_url, tmp_path_factory.mktemp("crawl1000"),
                           settings={"DOWNLOAD_TIMEOUT": 1}, timeout=900)
    assert result.returncode == 0, result.log[-3000:]
    yield truth(directory), result


def test_the_crawl_finds_99_percent_of_the_truth(
    crawl1000: tuple[dict[str, dict[str, Any]], CrawlResult],
) -> None:
    expected, result = crawl1000
    found = {a["url"] for a in result.articles} | {d["url"] for d in result.duplicates}
    share = len(found & set(expected)) / len(expected)
    print(f"found {len(found & set(expected))}/{len(expected)} = {share:.4f}")
    assert share >= 0.99, sorted(set(expected) - found)[:20]


def test_every_field_is_99_percent_right_on_every_markup_variant(
    crawl1000: tuple[dict[str, dict[str, Any]], CrawlResult],
) -> None:
    expected, result = crawl1000
    pairs = [(a, expected[a["url"]]) for a in result.articles if a["url"] in expected]
    table = variant_table(pairs, JUDGED)
    print(f"\n{len(pairs)} exported records judged against the truth (share right, %):")
    print(format_table(table, JUDGED))
    for layout, details in BY_LAYOUT.items():
        assert table[layout]["title"][1] >= MIN_PAGES_PER_VARIANT, layout
        for detail, values in details.items():
            for value in values:
                row = f"{layout} {detail}={value}"
                assert row in table, f"no exported page of {row}"
                assert table[row]["title"][1] >= MIN_PAGES_PER_VARIANT, row
    assert below(table, 0.99) == []
