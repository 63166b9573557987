"""Extraction: ``crawler.pages.extract_article`` against ``trafilatura.extract``, by the mean.

Run from the repository root::

    .venv/bin/python bench/bench_extract.py [--articles 1000] [--pages 0] [--seed 1]

Pages, all read into memory first, the same bytes for both extractors:

* **mirror articles**: every article page of a freshly built mirror (``python -m crawler mirror
  build``), every layout and markup variant its ``truth.jsonl`` names (``--pages N`` takes N of
  them round-robin over the variants; 0: all);
* **real texts**: each text of ``../shared/data/real-text`` (read at run time, never copied),
  read by the tests' own reader (``tests/real_pages.py``: its truth and the markups it is
  rendered in by the mirror's renderers); the front pages among them count as non-article
  pages;
* **non-article pages**: every other HTML file of the mirror (home, section, pagination, archive,
  about, privacy ... pages), for which the crawl also calls ``extract_article``.

Timed, page by page and alternately: ``extract_article(response)`` on a fresh ``HtmlResponse``
with the Content-Type the mirror serves (building the response is the downloader's work in a
crawl, so it is not timed; decoding, path choice, extraction, word count and fingerprint are),
and ``trafilatura.extract(body, url=..., with_metadata=True)``. Printed per group: the mean (the
headline: the crawl pays the mean, not the median), p50 and p99 of both, the ratio of the means
(target >= 10x) and of the medians, and each body's token F1 against the truth.

Also counted, in a separate untimed pass with a profile hook: how many times each group calls
trafilatura's ``bare_extraction`` (which ``extract`` calls too). Non-article pages should cost
none: a hub is told from cheap signals before the fallback.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

sys.path.insert(0, str(common.ROOT))

import trafilatura  # noqa: E402
import trafilatura.core  # noqa: E402
from scrapy.http import HtmlResponse  # noqa: E402

from crawler.mirror.server import content_type  # noqa: E402
from crawler.pages import extract_article  # noqa: E402
from tests.accuracy import token_f1  # noqa: E402  (the tests' one measure of a body)
from tests.real_pages import real_pages  # noqa: E402  (the tests' one reader of the real texts)

_HEADER_RE = re.compile(r"\A---\n.*?\n---\n", re.S)

Page = dict[str, Any]
"""url, body (bytes), ctype, group, truth (body text or None)."""


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest rank.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile(list(map(float, range(100))), 0.99)
    (2.0, 98.0)
    """
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


def live_url(mirror: Path, path: Path) -> str:
    """The live address a mirror file answers for."""
    rel = path.relative_to(mirror).as_posix()
    if rel.endswith("/index.html") and rel.count("/") >= 2:
        return "https://" + rel[: -len("index.html")]
    return "https://" + rel


def variant_of(rec: dict[str, Any]) -> str:
    """The group of a truth record: its layout, and its markup variant when the mirror names one."""
    extra = next((str(rec[k]) for k in ("variant", "markup", "template") if rec.get(k)), "")
    return f"mirror {rec.get('layout')}" + (f" / {extra}" if extra else "")


def mirror_pages(mirror: Path, limit: int) -> tuple[list[Page], list[Page]]:
    """(article pages, non-article HTML pages) of a built mirror."""
    articles: dict[str, Page] = {}
    with (mirror / "truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            articles[rec["url"]] = {"url": rec["url"], "group": variant_of(rec),
                                    "truth": rec["body"]}  # fmt: skip
    found: list[Page] = []
    others: list[Page] = []
    for path in sorted(mirror.rglob("*.htm*")):
        url = live_url(mirror, path)
        ctype = content_type("/" + path.relative_to(mirror).as_posix())
        page = articles.get(url) or articles.get(url.removesuffix("index.html"))
        if page is not None:
            found.append({**page, "body": path.read_bytes(), "ctype": ctype})
        elif "html" in ctype:
            others.append({"url": url, "body": path.read_bytes(), "ctype": ctype,
                           "group": "mirror non-article pages", "truth": None})  # fmt: skip
    if limit and limit < len(found):  # round-robin over the groups
        queues: dict[str, list[Page]] = defaultdict(list)
        for page in found:
            queues[page["group"]].append(page)
        picked: list[Page] = []
        while len(picked) < limit:
            for queue in queues.values():
                if queue and len(picked) < limit:
                    picked.append(queue.pop(0))
        found = picked
    return found, others


def real_text_pages() -> tuple[list[Page], str]:
    """Pages of the real texts in every markup the tests render them in (tests/real_pages.py);
    a note."""
    pages: list[Page] = []
    texts = real_pages()
    for page in texts:
        for markup in page.markups():
            article = page.expected is not None
            pages.append({"url": page.url, "body": page.render(markup), "ctype": "text/html",
                          "group": f"real text / {page.kind}" if article else
                          "real text non-article pages",
                          "truth": page.expected["body"] if page.expected else None})  # fmt: skip
    if not texts:
        return [], "real texts: ../shared/data/real-text not found, skipped"
    return pages, f"real texts: {len(texts)} texts, {len(pages)} pages in the tests' markups"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def response_of(page: Page) -> HtmlResponse:
    return HtmlResponse(url=page["url"], body=page["body"], headers={"Content-Type": page["ctype"]})


def count_trafilatura_calls(pages: list[Page]) -> Counter[str]:
    """Calls of trafilatura's ``bare_extraction`` made by ``extract_article``, per group."""
    target = trafilatura.core.bare_extraction.__code__
    calls: Counter[str] = Counter()
    current = [""]

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is target:
            calls[current[0]] += 1

    for page in pages:
        current[0] = page["group"]
        response = response_of(page)
        sys.setprofile(hook)
        try:
            extract_article(response)
        finally:
            sys.setprofile(None)
    return calls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=0,
                        help="mirror article pages to time (0: all of them)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    print(common.banner(sys.argv), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        mirror = common.build_mirror(Path(tmp) / "mirror", args.articles, args.seed)
        articles, others = mirror_pages(mirror, args.pages)
    real, note = real_text_pages()
    print(note)
    pages = articles + real + others

    for page in pages[:: max(1, len(pages) // 10)]:  # warm both: imports, regexes, XPath
        extract_article(response_of(page))
        trafilatura.extract(page["body"], url=page["url"], with_metadata=True)

    ours: dict[str, list[float]] = defaultdict(list)
    theirs: dict[str, list[float]] = defaultdict(list)
    f1_ours: dict[str, list[float]] = defaultdict(list)
    f1_theirs: dict[str, list[float]] = defaultdict(list)
    found: Counter[str] = Counter()
    for page in pages:
        group = page["group"]
        response = response_of(page)
        t, article = timed(lambda: extract_article(response))  # noqa: B023
        ours[group].append(t)
        found[group] += article is not None
        t, text = timed(lambda: trafilatura.extract(page["body"], url=page["url"],  # noqa: B023
                                                    with_metadata=True))
        theirs[group].append(t)
        if page["truth"] is not None:
            f1_ours[group].append(token_f1(article.body if article else None, page["truth"]))
            f1_theirs[group].append(token_f1(_HEADER_RE.sub("", text or ""), page["truth"]))

    calls = count_trafilatura_calls(pages)

    def row(name: str, a: list[float], b: list[float], extra: str) -> str:
        ma, mb = statistics.fmean(a), statistics.fmean(b)
        pa, pb = statistics.median(a), statistics.median(b)
        return (f"| {name} | {len(a)} | {ma * 1e3:.2f} / {pa * 1e3:.2f} / "
                f"{percentile(a, 0.99) * 1e3:.2f} | {mb * 1e3:.2f} / {pb * 1e3:.2f} / "
                f"{percentile(b, 0.99) * 1e3:.2f} | **{mb / ma:.1f}x** | {pb / pa:.1f}x | "
                f"{extra} |")

    print("\nTimes in ms: mean / p50 / p99. Speed-up = trafilatura / extract_article.\n")
    print("| pages | n | extract_article | trafilatura.extract | by mean | by p50 | "
          "F1 ours vs trafilatura; articles found; trafilatura calls |")
    print("|---|---:|---|---|---:|---:|---|")
    for group in sorted(ours):
        f1 = (f"{statistics.fmean(f1_ours[group]):.3f} vs {statistics.fmean(f1_theirs[group]):.3f}"
              if f1_ours[group] else "-")
        print(row(group, ours[group], theirs[group],
                  f"{f1}; {found[group]}/{len(ours[group])}; {calls[group]}"))

    def pooled(keep: Callable[[str], bool]) -> tuple[list[float], list[float]]:
        a = [t for g, ts in ours.items() if keep(g) for t in ts]
        b = [t for g, ts in theirs.items() if keep(g) for t in ts]
        return a, b

    for name, keep in (("all mirror article pages", lambda g: g.startswith("mirror ")
                        and "non-article" not in g),
                       ("all real-text article pages", lambda g: g.startswith("real text")
                        and "non-article" not in g),
                       ("all article pages", lambda g: "non-article" not in g),
                       ("every page (a crawl's mix)", lambda g: True)):  # fmt: skip
        a, b = pooled(keep)
        if a:
            print(row(name, a, b, ""))
    a, b = pooled(lambda g: "non-article" not in g)
    hubs = [g for g in ours if "non-article" in g]
    print(f"\narticle pages: mean speed-up {statistics.fmean(b) / statistics.fmean(a):.1f}x "
          f"(target >= 10x); non-article pages: {sum(calls[g] for g in hubs)} trafilatura calls "
          f"for {sum(len(ours[g]) for g in hubs)} pages (target 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
