"""Hub pages are told before the fallback: no trafilatura call, and no article lost (issue 17).

The truth is the mirror generator's own data: ``truth.jsonl`` lists every article page it
wrote; its WordPress category pages and homes are listings of ``<article>`` teasers, and its
about, privacy and newsletter pages are short.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trafilatura.core
from scrapy.http import HtmlResponse

from crawler.mirror.build import build, file_for
from crawler.mirror.server import content_type
from crawler.pages import extract_article


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mirror")
    build(root, 300, 1)
    return root


def response(root: Path, rel: str, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=(root / rel).read_bytes(),
                        headers={"Content-Type": content_type("/" + rel)})  # fmt: skip


def trafilatura_calls(resp: HtmlResponse) -> tuple[int, Any]:
    """(calls of trafilatura's bare_extraction, the result) of one extract_article call."""
    target = trafilatura.core.bare_extraction.__code__
    calls = [0]

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is target:
            calls[0] += 1

    sys.setprofile(hook)
    try:
        result = extract_article(resp)
    finally:
        sys.setprofile(None)
    return calls[0], result


def listing_pages(root: Path) -> Iterator[tuple[str, str]]:
    """(file, live URL) of the WordPress category pages and homes with 3 or more teasers."""
    for path in sorted(root.glob("*/category/**/index.html")) + sorted(root.glob("*/index.html")):
        rel = path.relative_to(root).as_posix()
        host = rel.split("/", 1)[0]
        if host.startswith("www.") or path.read_text(errors="replace").count("<article") < 3:
            continue
        url = "https://" + rel.removesuffix("index.html")
        yield rel, url if "/category/" in rel else "https://" + rel


def test_listing_and_short_pages_cost_no_trafilatura_call(mirror: Path) -> None:
    pages = list(listing_pages(mirror))
    short = [(p.relative_to(mirror).as_posix(), "https://" + p.relative_to(mirror).as_posix())
             for name in ("about.html", "privacy.html", "newsletters.html")
             for p in sorted(mirror.glob(f"www.*/{name}"))]  # fmt: skip
    assert len(pages) >= 4 and len(short) >= 20, (len(pages), len(short))
    for rel, url in pages + short:
        calls, article = trafilatura_calls(response(mirror, rel, url))
        assert (calls, article) == (0, None), rel


def test_no_page_outside_the_truth_costs_a_trafilatura_call(mirror: Path) -> None:
    """Every HTML page the generator wrote that is not one of its articles: homes, sections,
    pagination, archives, about and advertising pages, the last page of a category."""
    articles = {file_for(json.loads(line)["url"])
                for line in (mirror / "truth.jsonl").read_text().splitlines()}  # fmt: skip
    checked, costly = 0, []
    for path in sorted(mirror.rglob("*.htm*")):
        rel = path.relative_to(mirror).as_posix()
        if rel in articles or "html" not in content_type("/" + rel):
            continue
        url = "https://" + (rel.removesuffix("index.html") if rel.count("/") >= 2 else rel)
        calls, _ = trafilatura_calls(response(mirror, rel, url))
        checked += 1
        if calls:
            costly.append(rel)
    assert checked >= 100 and costly == [], (checked, costly)


def test_every_article_of_the_truth_is_still_extracted(mirror: Path) -> None:
    truth = [json.loads(line) for line in (mirror / "truth.jsonl").read_text().splitlines()]
    missing = []
    for rec in truth:
        rel = file_for(rec["url"])
        if not (mirror / rel).is_file():
            continue
        article = extract_article(response(mirror, rel, rec["url"]))
        if article is None or article.title != rec["title"]:
            missing.append(rec["url"])
    assert len(truth) >= 300 and missing == []
