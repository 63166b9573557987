"""Pair precision and recall of duplicate detection on a synthetic news stream.

500 stories; 20 % of them syndicated to another site (half verbatim, half edited: a paragraph
dropped, a paragraph added, or the headline changed, with the headline sometimes repeated in the
body); 10 % followed by a follow-up story that repeats their first two paragraphs and is
otherwise new (>= 60 % of its words). Everything goes through one real crawl.
"""

from __future__ import annotations

import random
from pathlib import Path

from crawler.items import Article
from tests.pipeline_support import SITE_DOMAINS, StoryGen, article, crawl_items, slug_url

STORIES = 500


def synthetic_stream(seed: int = 2026) -> tuple[list[Article], dict[str, str]]:
    """The items in crawl order, and the truth: copy URL -> original URL."""
    gen = StoryGen(seed)
    rng = random.Random(seed)
    originals: list[tuple[str, list[str], Article]] = []
    items: list[Article] = []
    truth: dict[str, str] = {}
    for i in range(STORIES):
        title = f"{gen.title()} {i}"
        paras = gen.body()
        item = article(slug_url(rng.choice(SITE_DOMAINS), title), title, paras)
        originals.append((title, paras, item))
        items.append(item)
    later: list[Article] = []
    picks = rng.sample(range(STORIES), STORIES * 30 // 100)
    for n, idx in enumerate(picks):
        title, paras, original = originals[idx]
        site = rng.choice([d for d in SITE_DOMAINS if d != original.site])
        if n < STORIES * 10 // 100:  # follow-up: first two paragraphs, then >= 60 % new text
            shared = paras[:2]
            new = max(rng.randint(300, 700), int(1.6 * sum(len(p.split()) for p in shared)))
            ftitle = "Follow-up " + title
            later.append(article(slug_url(original.site, ftitle), ftitle, shared + gen.body(new)))
            continue
        edit = rng.choice(["none", "none", "none", "drop", "add", "headline"])
        ctitle, cparas = title, list(paras)
        if edit == "drop":
            cparas.pop(rng.randrange(1, len(cparas)))
        elif edit == "add":
            cparas.insert(rng.randrange(1, len(cparas) + 1), gen.paragraph())
        elif edit == "headline":
            ctitle = gen.title()
        if rng.random() < 0.3:
            cparas.insert(0, ctitle)  # the headline repeated in the body, cleaned away
        copy = article(slug_url(site, ctitle), ctitle, cparas)
        truth[copy.url] = original.url
        later.append(copy)
    rng.shuffle(later)
    return items + later, truth


def test_precision_and_recall(tmp_path: Path, capsys) -> None:
    items, truth = synthetic_stream()
    out = crawl_items(items, tmp_path)
    predicted = {d["url"]: d["duplicate_of"] for d in out.duplicates if d["kind"] == "content"}
    true_positive = sum(1 for url, of in predicted.items() if truth.get(url) == of)
    precision = true_positive / len(predicted) if predicted else 1.0
    recall = true_positive / len(truth)
    sims = sorted(d["similarity"] for d in out.duplicates)
    with capsys.disabled():
        print(
            f"\n[dedupe quality] {len(items)} items, {len(truth)} true copies, "
            f"{len(predicted)} flagged, {true_positive} correct: "
            f"precision {precision:.4f}, recall {recall:.4f}; "
            f"lowest flagged similarity {sims[0] if sims else None}"
        )
    assert precision >= 0.99
    assert recall >= 0.95
    assert len(out.articles) == len(items) - len(predicted)
