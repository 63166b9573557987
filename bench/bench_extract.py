"""Benchmark extraction: the project's page objects vs ``trafilatura.extract`` on mirror pages.

Run from the repository root::

    .venv/bin/python bench/bench_extract.py [--articles 1000] [--pages 600] [--seed 1]

A mirror is built (``python -m crawler mirror build``) into a temporary folder; the article
pages of its ``truth.jsonl`` (every layout: classic, WordPress, legacy) are read into memory.
For each page, in the same run and on the same bytes:

* the project: :func:`crawler.pages.extract_from_bytes` (decoding, path choice, extraction,
  word count, fingerprint) with the Content-Type the mirror serves;
* the baseline: ``trafilatura.extract(html, url=..., with_metadata=True)``.

Printed: the median and mean time per page of each, their ratio, and each body's token F1
against the truth body (lower-cased word tokens, multiset overlap), mean over the pages. For
trafilatura the metadata header it writes before the text (``---`` ... ``---``) is not body and
is left out of its F1. Target: the project's median >= 5x lower, and its F1 higher.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from crawler.mirror.build import file_for  # noqa: E402
from crawler.mirror.server import content_type  # noqa: E402
from crawler.pages import extract_from_bytes  # noqa: E402

_WORD_RE = re.compile(r"\w+")
_HEADER_RE = re.compile(r"\A---\n.*?\n---\n", re.S)


def token_f1(found: str | None, truth: str) -> float:
    """F1 of the multisets of lower-cased word tokens of ``found`` and ``truth``.

    >>> token_f1("The cat sat.", "the cat sat")
    1.0
    >>> round(token_f1("the cat", "the cat sat on the mat"), 3)
    0.5
    >>> token_f1(None, "x")
    0.0
    """
    a = Counter(_WORD_RE.findall((found or "").lower()))
    b = Counter(_WORD_RE.findall(truth.lower()))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def load_pages(directory: Path, limit: int) -> list[tuple[str, bytes, str, dict[str, Any]]]:
    """(url, body, content type, truth record) of up to ``limit`` article pages, all layouts."""
    by_layout: dict[str, list[tuple[str, bytes, str, dict[str, Any]]]] = {}
    with (directory / "truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            path = directory / file_for(rec["url"])
            if not path.is_file():
                continue
            ctype = content_type("/" + file_for(rec["url"]))
            by_layout.setdefault(str(rec.get("layout")), []).append(
                (rec["url"], path.read_bytes(), ctype, rec)
            )
    # Round-robin over layouts so that a small --pages still covers every one.
    pages: list[tuple[str, bytes, str, dict[str, Any]]] = []
    queues = [list(reversed(v)) for v in by_layout.values()]
    while len(pages) < limit and any(queues):
        for queue in queues:
            if queue and len(pages) < limit:
                pages.append(queue.pop())
    return pages


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="mirror size (default 1000)")
    parser.add_argument("--pages", type=int, default=600, help="pages measured (default 600)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        directory = Path(tmp) / "mirror"
        subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(directory),
                        "--articles", str(args.articles), "--seed", str(args.seed)],
                       cwd=ROOT, check=True, timeout=300, stdout=subprocess.DEVNULL)  # fmt: skip
        pages = load_pages(directory, args.pages)

    # Warm both (imports, regex and XPath compilation) on a few pages first.
    for url, body, ctype, _ in pages[:5]:
        extract_from_bytes(body, url, {"Content-Type": ctype})
        trafilatura.extract(body, url=url, with_metadata=True)

    ours_t: list[float] = []
    theirs_t: list[float] = []
    ours_f1: list[float] = []
    theirs_f1: list[float] = []
    layouts: Counter[str] = Counter()
    for url, body, ctype, rec in pages:
        layouts[str(rec.get("layout"))] += 1
        headers = {"Content-Type": ctype}
        t, article = timed(lambda: extract_from_bytes(body, url, headers))  # noqa: B023
        ours_t.append(t)
        ours_f1.append(token_f1(article.body if article else None, rec["body"]))
        t, text = timed(lambda: trafilatura.extract(body, url=url, with_metadata=True))  # noqa: B023
        theirs_t.append(t)
        theirs_f1.append(token_f1(_HEADER_RE.sub("", text or ""), rec["body"]))

    ours_med, theirs_med = statistics.median(ours_t), statistics.median(theirs_t)
    print(f"pages: {len(pages)} ({', '.join(f'{k} {v}' for k, v in sorted(layouts.items()))})")
    print(f"{'project extract_article':>26}: median {ours_med * 1e3:6.2f} ms, mean "
          f"{statistics.fmean(ours_t) * 1e3:6.2f} ms, body token F1 "
          f"{statistics.fmean(ours_f1):.4f}")
    print(f"{'trafilatura.extract':>26}: median {theirs_med * 1e3:6.2f} ms, mean "
          f"{statistics.fmean(theirs_t) * 1e3:6.2f} ms, body token F1 "
          f"{statistics.fmean(theirs_f1):.4f}")
    print(f"median speed-up: {theirs_med / ours_med:.1f}x (target >= 5x); F1 "
          f"{statistics.fmean(ours_f1):.4f} vs {statistics.fmean(theirs_f1):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
