"""The validate pipeline through real crawls: rejects are dropped, recorded and counted."""

from __future__ import annotations

from pathlib import Path

from crawler.pipelines.outputs import sidecar_path
from tests.pipeline_support import StoryGen, article, crawl_items, read_jsonl


def _valid(gen: StoryGen, n: int) -> list:
    out = []
    for i in range(n):
        title = gen.title()
        out.append(
            article(f"https://www.spacewar.com/reports/Story_{i}_999.html", title, gen.body())
        )
    return out


def test_invalid_items_rejected_with_reason(tmp_path: Path) -> None:
    gen = StoryGen(21)
    good = _valid(gen, 2)
    no_title = article("https://www.spacewar.com/reports/A_999.html", "", gen.body())
    no_body = article("https://www.spacedaily.com/reports/B_999.html", "B", [])
    bad_date = article("https://www.terradaily.com/reports/C_999.html", "C", gen.body())
    bad_date.published = "May 31, 2024"
    bad_url = article("ftp://www.spacewar.com/reports/D.html", "D", gen.body(), site="spacewar.com")
    out = crawl_items([*good, no_title, no_body, bad_date, bad_url], tmp_path)

    assert len(out.articles) == 2
    by_url = {r["url"]: r for r in out.rejects}
    assert by_url["https://www.spacewar.com/reports/A_999.html"]["reason"] == "title"
    body_reject = by_url["https://www.spacedaily.com/reports/B_999.html"]
    assert body_reject["reasons"] == ["body", "word_count"]
    assert any(e.startswith("$.body:") for e in body_reject["errors"])
    assert by_url["https://www.terradaily.com/reports/C_999.html"]["reason"] == "published"
    assert by_url["ftp://www.spacewar.com/reports/D.html"]["reason"] == "url"
    assert by_url["ftp://www.spacewar.com/reports/D.html"]["item"]["title"] == "D"
    stats = out.stats
    assert stats["articles/rejected/title"] == 1
    assert stats["articles/rejected/body"] == 1
    assert stats["articles/rejected/published"] == 1
    assert stats["articles/rejected/url"] == 1
    rejected = sum(v for k, v in stats.items() if k.startswith("articles/rejected/"))
    assert stats["articles/parsed"] == stats["articles/exported"] + rejected == 6


def test_sidecars_named_after_the_feed(tmp_path: Path) -> None:
    gen = StoryGen(22)
    feed = tmp_path / "smn-2026-11-25T12-00-00.jsonl"
    items = [*_valid(gen, 1), article("https://www.spacewar.com/reports/E.html", "", gen.body())]
    items.append(items[0])
    crawl_items(
        items, tmp_path / "unused", FEEDS={str(feed): {"format": "jsonlines", "overwrite": True}}
    )
    assert len(read_jsonl(feed)) == 1
    rejects = read_jsonl(tmp_path / "smn-2026-11-25T12-00-00.rejects.jsonl")
    duplicates = read_jsonl(tmp_path / "smn-2026-11-25T12-00-00.duplicates.jsonl")
    assert [r["reason"] for r in rejects] == ["title"]
    assert [d["kind"] for d in duplicates] == ["url"]
    assert sidecar_path(feed, "rejects").name == "smn-2026-11-25T12-00-00.rejects.jsonl"


def test_explicit_sidecar_paths(tmp_path: Path) -> None:
    gen = StoryGen(23)
    item = article("https://www.spacewar.com/reports/F.html", "", gen.body())
    crawl_items(
        [item],
        tmp_path,
        SMN_REJECTS_PATH=str(tmp_path / "r" / "rej.jsonl"),
        SMN_DUPLICATES_PATH=str(tmp_path / "r" / "dup.jsonl"),
    )
    assert [r["reason"] for r in read_jsonl(tmp_path / "r" / "rej.jsonl")] == ["title"]
    assert (tmp_path / "r" / "dup.jsonl").is_file()  # created even when empty
    assert not (tmp_path / "rejects.jsonl").exists()


def test_sidecars_overwritten_with_the_feed(tmp_path: Path) -> None:
    gen = StoryGen(24)
    item = article("https://www.spacewar.com/reports/G.html", "", gen.body())
    crawl_items([item], tmp_path)
    crawl_items([item], tmp_path)  # -O semantics: the feed and its sidecars start afresh
    assert len(read_jsonl(tmp_path / "rejects.jsonl")) == 1
