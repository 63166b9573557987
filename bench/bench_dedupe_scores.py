"""How far apart duplicates and non-duplicates score: the chart behind the dedupe thresholds.

    .venv/bin/python bench/bench_dedupe_scores.py        # --articles 6000 --seed 5 --order 1

Builds a mirror (its truth says which pages are copies of one story: verbatim and lightly
edited copies, copies trimmed to their first half, with a rewritten lede, pages that run a
second story after the first; and which are near misses that only share a lead), then runs
every article body through the real store and rule (:class:`crawler.state.SqliteState`,
:mod:`crawler.similarity`) in a shuffled order, as a crawl meets them. For every candidate the
store retrieves (LSH bands and lead keys) it records the estimated Jaccard and containment, and
whether the truth makes the pair one story. Writes ``bench/dedupe_scores.png``: the two score
distributions with the thresholds drawn, and prints pair precision and recall of the decisions.

Exact copies (equal fingerprints) are decided before any score and are left out of the chart.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler import similarity  # noqa: E402
from crawler.mirror.build import build  # noqa: E402
from crawler.similarity import fingerprint  # noqa: E402
from crawler.state import SqliteState  # noqa: E402

OUT = ROOT / "bench" / "dedupe_scores.png"
DUP, NEAR, OTHER = "one story (truth)", "near miss or second story (truth)", "other candidates"


def collect(mirror: Path, order: int,
            rule: similarity.Rule) -> tuple[list[tuple[str, float, float | None]], dict]:
    """(label, Jaccard, containment) of every candidate pair, and the decision counts."""
    records = [json.loads(line) for line in (mirror / "truth.jsonl").open(encoding="utf-8")]
    truth = json.loads((mirror / "duplicates.json").read_text())
    group = {u: i for i, g in enumerate(truth["groups"]) for u in g}
    near = {frozenset(p) for p in truth["near_misses"]}
    near |= {frozenset((u, e["second"])) for u, e in truth["syndication"].items()
             if "second" in e}
    random.Random(order).shuffle(records)
    state = SqliteState(":memory:")
    everything = similarity.Rule(jaccard=0.0, containment=0.0)
    scores: list[tuple[str, float, float | None]] = []
    links: list[tuple[str, list[str]]] = []
    for rec in records:
        url, body = rec["url"], rec["body"]
        found = state.find_fingerprint(fingerprint(body))
        if found:
            links.append((url, [found]))
            state.add_url(url, found)
            continue
        sketch = similarity.sketch(body)
        for m in state.similar(sketch, everything):
            same = url in group and group[url] == group.get(m.url)
            label = DUP if same else NEAR if frozenset((url, m.url)) in near else OTHER
            scores.append((label, m.similarity, m.containment))
        matches = state.similar(sketch, rule)
        if matches:
            links.append((url, [m.url for m in matches]))
            state.add_url(url, matches[0].url)
        else:
            state.add_story(url, fingerprint(body), sketch)
    state.close()
    return scores, pair_scores(links, truth["groups"])


def pair_scores(links: list[tuple[str, list[str]]], groups: list[list[str]]) -> dict:
    """Pair precision and recall of the decisions (clusters joined by every link)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for url, targets in links:
        for target in targets:
            a, b = root(url), root(target)
            if a != b:
                parent[a] = b
    clusters: dict[str, set[str]] = {}
    for url in list(parent):
        clusters.setdefault(root(url), {root(url)}).add(url)
    pairs = {p for c in clusters.values() for p in itertools.combinations(sorted(c), 2)}
    true = {p for g in groups for p in itertools.combinations(sorted(g), 2)}
    tp = len(pairs & true)
    return {"predicted": len(pairs), "true": len(true), "correct": tp,
            "precision": tp / max(1, len(pairs)), "recall": tp / max(1, len(true))}


def chart(scores: list[tuple[str, float, float | None]], title: str) -> bytes:
    """The PNG: Jaccard and containment histograms per truth label, thresholds drawn."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 5.5), dpi=100)
    colors = {DUP: "#1f77b4", NEAR: "#d62728", OTHER: "#b0b0b0"}
    bins = [i / 50 for i in range(51)]
    panels = (
        (0, "estimated Jaccard similarity", similarity.THRESHOLD, "SMN_DEDUPE_THRESHOLD"),
        (1, "estimated containment (size ratio >= "
            f"{similarity.MIN_SIZE_RATIO})", similarity.CONTAINMENT_THRESHOLD,
         "SMN_DEDUPE_CONTAINMENT"),
    )
    for k, (which, xlabel, threshold, name) in enumerate(panels):
        ax = fig.add_subplot(1, 2, k + 1)
        for label in (OTHER, NEAR, DUP):
            values = [s[1 + which] for s in scores if s[0] == label and s[1 + which] is not None]
            ax.hist(values, bins=bins, color=colors[label], alpha=0.75,
                    label=f"{label} ({len(values)})")
        ax.axvline(threshold, color="black", linestyle="--", linewidth=1.5)
        ax.text(threshold, 0.97, f"{name} = {threshold} ", transform=ax.get_xaxis_transform(),
                va="top", ha="right", fontsize=9)
        ax.set_yscale("log")
        ax.set_xlim(0, 1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("candidate pairs (log scale)")
        ax.grid(alpha=0.3)
        ax.set_axisbelow(True)
        if k == 0:
            ax.legend(loc="upper right", bbox_to_anchor=(1.0, 0.9), frameon=False, fontsize=9)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=5, help="mirror seed")
    parser.add_argument("--order", type=int, default=1, help="seed of the shuffled order")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--containment", type=float, default=similarity.CONTAINMENT_THRESHOLD,
                        help="containment threshold of the decisions (above 1: Jaccard only)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smn-dedupe-bench-") as tmp:
        started = time.perf_counter()
        build(Path(tmp) / "m", args.articles, args.seed)
        built = time.perf_counter() - started
        rule = similarity.Rule(containment=args.containment)
        scores, pairs = collect(Path(tmp) / "m", args.order, rule)
        took = time.perf_counter() - started - built
        kinds = Counter(e["kind"] for e in json.loads(
            (Path(tmp) / "m" / "duplicates.json").read_text())["syndication"].values())
    labels = Counter(s[0] for s in scores)
    print(f"mirror: {args.articles} articles (seed {args.seed}) built in {built:.1f} s; "
          f"pages by kind {dict(kinds)}")
    print(f"{len(scores)} candidate pairs scored in {took:.1f} s: {dict(labels)}")
    for label in (DUP, NEAR, OTHER):
        js = [s[1] for s in scores if s[0] == label]
        cs = [s[2] for s in scores if s[0] == label and s[2] is not None]
        if js:
            print(f"  {label:36s} Jaccard {min(js):.3f}..{max(js):.3f}, containment "
                  + (f"{min(cs):.3f}..{max(cs):.3f}" if cs else "-"))
    print(f"decisions (containment threshold {args.containment}): pairs predicted "
          f"{pairs['predicted']}, true {pairs['true']}, correct {pairs['correct']}: "
          f"precision {pairs['precision']:.4f}, recall {pairs['recall']:.4f}")
    title = (f"Dedupe scores of LSH candidates, {args.articles}-article mirror (seed {args.seed}): "
             f"pair precision {pairs['precision']:.4f}, recall {pairs['recall']:.4f}")
    args.out.write_bytes(chart(scores, title))
    print(f"chart: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
