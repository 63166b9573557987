"""The dedupe pipeline through real crawls with a real SQLite state file."""

from __future__ import annotations

from pathlib import Path

from crawler.pipelines.accounting import totals
from tests.pipeline_support import StoryGen, article, crawl_items, slug_url


def _story(gen: StoryGen, site: str = "spacewar.com", words: int | None = None):
    title = gen.title()
    paras = gen.body(words)
    return title, paras, article(slug_url(site, title), title, paras)


def test_exact_copy_on_another_site(tmp_path: Path) -> None:
    gen = StoryGen(31)
    title, paras, original = _story(gen)
    copy = article(slug_url("spacedaily.com", title), title, paras)
    out = crawl_items([original, copy], tmp_path)
    assert [a["url"] for a in out.articles] == [original.url]
    assert out.duplicates == [
        {"url": copy.url, "duplicate_of": original.url, "kind": "content", "similarity": 1.0,
         "containment": None, "rule": "fingerprint", "also": []}
    ]
    assert out.stats["articles/duplicate/content"] == 1


def test_edited_copies_detected(tmp_path: Path) -> None:
    gen = StoryGen(32)
    title, paras, original = _story(gen, words=400)
    dropped = article(slug_url("terradaily.com", "New " + title), "New " + title,
                      paras[:1] + paras[2:])  # fmt: skip
    added = article(slug_url("marsdaily.com", title), title, [*paras, gen.paragraph(80)])
    retitled = article(slug_url("gpsdaily.com", "Other"), "Other headline", paras)
    out = crawl_items([original, dropped, added, retitled], tmp_path)
    assert [a["url"] for a in out.articles] == [original.url]
    dups = {d["url"]: d for d in out.duplicates}
    for copy in (dropped, added, retitled):
        assert dups[copy.url]["duplicate_of"] == original.url
        assert dups[copy.url]["kind"] == "content"
    assert 0.5 <= dups[dropped.url]["similarity"] < 1.0
    assert 0.5 <= dups[added.url]["similarity"] < 1.0
    assert dups[retitled.url]["similarity"] == 1.0
    assert out.stats["articles/duplicate/content"] == 3


def test_follow_up_sharing_first_paragraphs_is_not_a_duplicate(tmp_path: Path) -> None:
    gen = StoryGen(33)
    title, paras, original = _story(gen, words=350)
    shared = paras[:2]
    new_words = max(300, int(1.5 * sum(len(p.split()) for p in shared)))
    follow = article(slug_url("spacewar.com", "Follow " + title), "Follow " + title,
                     shared + gen.body(new_words))  # fmt: skip
    out = crawl_items([original, follow], tmp_path)
    assert [a["url"] for a in out.articles] == [original.url, follow.url]
    assert out.duplicates == []


def test_same_address_twice(tmp_path: Path) -> None:
    gen = StoryGen(34)
    _, paras, original = _story(gen)
    again = article(original.url, original.title, paras[:2])  # e.g. reached again by an alias
    out = crawl_items([original, again], tmp_path)
    assert len(out.articles) == 1
    assert out.duplicates == [
        {"url": original.url, "duplicate_of": original.url, "kind": "url", "similarity": 1.0,
         "containment": None, "rule": "url", "also": []}
    ]
    assert out.stats["articles/duplicate/url"] == 1


def test_state_persists_across_runs(tmp_path: Path) -> None:
    gen = StoryGen(35)
    state = tmp_path / "state.sqlite"
    title, paras, yesterday = _story(gen)
    _, _, other = _story(gen)
    first = crawl_items([yesterday], tmp_path / "day1", state=state)
    assert len(first.articles) == 1

    copy = article(slug_url("spacedaily.com", title), title, paras[1:])
    again = article(yesterday.url, title, paras)
    second = crawl_items([copy, again, other], tmp_path / "day2", state=state)
    assert [a["url"] for a in second.articles] == [other.url]
    kinds = {d["url"]: (d["kind"], d["duplicate_of"]) for d in second.duplicates}
    assert kinds == {
        copy.url: ("content", yesterday.url),
        yesterday.url: ("url", yesterday.url),
    }


def test_copy_address_remembered_for_later_runs(tmp_path: Path) -> None:
    """A syndicated copy dropped today is known by its address tomorrow."""
    gen = StoryGen(38)
    state = tmp_path / "state.sqlite"
    title, paras, original = _story(gen)
    copy = article(slug_url("spacedaily.com", title), title, paras)
    first = crawl_items([original, copy], tmp_path / "day1", state=state)
    assert [d["kind"] for d in first.duplicates] == ["content"]
    second = crawl_items([copy], tmp_path / "day2", state=state)
    assert second.duplicates == [
        {"url": copy.url, "duplicate_of": original.url, "kind": "url", "similarity": 1.0,
         "containment": None, "rule": "url", "also": []}
    ]


def test_story_dropped_after_dedupe_is_not_remembered(tmp_path: Path) -> None:
    """Only exported stories enter the state: a later pipeline's drop leaves no trace."""
    gen = StoryGen(36)
    _, paras, story = _story(gen)
    copy = article(slug_url("spacedaily.com", "Copy"), "Copy", paras)
    out = crawl_items(
        [story, copy],
        tmp_path,
        ITEM_PIPELINES={
            "crawler.pipelines.accounting.ParsedPipeline": 100,
            "crawler.pipelines.dedupe.DedupePipeline": 300,
            "tests.test_dedupe_pipeline.DropSpacewar": 500,
            "crawler.pipelines.accounting.ExportedPipeline": 900,
        },
    )
    assert [a["url"] for a in out.articles] == [copy.url]
    assert out.duplicates == []


class DropSpacewar:
    """A stand-in for a later pipeline that drops some items."""

    def process_item(self, item):
        from scrapy.exceptions import DropItem

        if "spacewar.com" in item.url:
            raise DropItem("not wanted", log_level="DEBUG")
        return item


def test_counts_add_up(tmp_path: Path) -> None:
    gen = StoryGen(37)
    items = []
    for _ in range(10):
        title, paras, original = _story(gen)
        items += [
            original,
            article(slug_url("spacedaily.com", title), title, paras),
            article(original.url + "#x", title, paras),
        ]
    items.append(article("https://www.spacewar.com/reports/Empty.html", "Empty", [""]))
    out = crawl_items(items, tmp_path)
    counts = totals(out.stats)
    assert counts == {"parsed": 31, "exported": 10, "duplicate": 20, "rejected": 1,
                      "unaccounted": 0}  # fmt: skip
    assert len(out.articles) + len(out.duplicates) + len(out.rejects) == 31
    assert out.stats["item_scraped_count"] == 10


def _words(paras: list[str]) -> int:
    return sum(len(p.split()) for p in paras)


def test_copy_trimmed_to_its_first_half_is_a_duplicate_by_containment(tmp_path: Path) -> None:
    gen = StoryGen(34)
    title, paras, original = _story(gen, words=700)
    keep = next(n for n in range(1, len(paras)) if 2 * _words(paras[:n]) >= _words(paras))
    trimmed = article(slug_url("spacedaily.com", title), title, paras[:keep])
    out = crawl_items([trimmed, original], tmp_path)  # the short copy first: either order works
    assert [a["url"] for a in out.articles] == [trimmed.url]
    [dup] = out.duplicates
    assert dup["url"] == original.url and dup["duplicate_of"] == trimmed.url
    assert dup["rule"] in ("containment", "jaccard") and dup["containment"] >= 0.8
    assert dup["similarity"] < 0.75  # Jaccard alone sees only half of the story


def test_a_copy_decided_by_containment_is_counted_once(tmp_path: Path) -> None:
    gen = StoryGen(38)
    title, paras, original = _story(gen, words=800)
    keep = next(n for n in range(1, len(paras)) if _words(paras[:n]) >= 0.4 * _words(paras))
    assert _words(paras[:keep]) <= 0.45 * _words(paras)  # Jaccard about 0.4: under 0.5
    trimmed = article(slug_url("spacedaily.com", title), title, paras[:keep])
    out = crawl_items([original, trimmed], tmp_path)
    [dup] = out.duplicates
    assert (dup["url"], dup["rule"]) == (trimmed.url, "containment")
    assert out.stats["dedupe/by_containment"] == 1
    assert totals(out.stats) == {"parsed": 2, "exported": 1, "duplicate": 1, "rejected": 0,
                                 "unaccounted": 0}  # fmt: skip


def test_page_running_a_second_story_is_a_copy_of_the_first_only(tmp_path: Path) -> None:
    gen = StoryGen(35)
    title, paras, first = _story(gen, words=600)
    title2, paras2, second = _story(gen, "terradaily.com", words=900)
    opening = paras2[:2]
    assert _words(opening) <= 0.35 * _words(paras2)
    merged = article(slug_url("marsdaily.com", title), title,
                     [*paras, "Washington (AFP) Jan 29, 2024 - " + opening[0], *opening[1:]])
    out = crawl_items([first, second, merged], tmp_path)
    assert [a["url"] for a in out.articles] == [first.url, second.url]
    [dup] = out.duplicates
    assert dup["url"] == merged.url and dup["duplicate_of"] == first.url
    assert dup["also"] == []  # never joined with the second story


def test_short_story_sharing_a_lead_is_not_a_duplicate(tmp_path: Path) -> None:
    gen = StoryGen(36)
    title, paras, original = _story(gen, words=500)
    shared = paras[:1]
    own = gen.body(int(1.6 * _words(shared)) + 40)
    near = article(slug_url("spacewar.com", "Near " + title), "Near " + title, shared + own)
    out = crawl_items([original, near], tmp_path)
    assert [a["url"] for a in out.articles] == [original.url, near.url]
    assert out.duplicates == []


def test_a_story_matching_two_exported_copies_links_both(tmp_path: Path) -> None:
    gen = StoryGen(37)
    title, paras, original = _story(gen, words=800)
    keep = next(n for n in range(1, len(paras)) if 2 * _words(paras[:n]) >= _words(paras))
    trimmed = article(slug_url("spacedaily.com", title), title, paras[:keep])
    # a copy missing a long paragraph of that first half: far from the trimmed copy
    longest = max(range(1, keep), key=lambda k: len(paras[k].split()))
    dropped = article(slug_url("gpsdaily.com", title), title, paras[:longest] + paras[longest + 1:])
    out = crawl_items([trimmed, dropped, original], tmp_path)
    exported = [a["url"] for a in out.articles]
    assert original.url not in exported
    [dup] = [d for d in out.duplicates if d["url"] == original.url]
    assert {dup["duplicate_of"], *dup["also"]} == set(exported) == {trimmed.url, dropped.url}
