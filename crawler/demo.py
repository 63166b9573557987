"""``python -m crawler demo``: build a mirror, serve it, crawl it completely, print a summary."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from crawler.mirror.server import serve_process
from crawler.project import crawl_in_process


def build_mirror(directory: Path, articles: int, seed: int) -> None:
    """Build the mirror unless the directory already holds this build."""
    if (directory / "truth.jsonl").is_file():
        return
    from crawler.mirror.cli import main as mirror_main

    code = mirror_main(["build", str(directory), "--articles", str(articles), "--seed", str(seed)])
    if code:
        raise SystemExit(f"mirror build failed ({code})")


def run(args: argparse.Namespace) -> int:
    """Run the demo; 0 when articles were exported."""
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    mirror_dir = out / f"mirror-{args.articles}-{args.seed}"
    t0 = time.monotonic()
    build_mirror(mirror_dir, args.articles, args.seed)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H-%M-%S")
    articles_file = out / f"demo-{stamp}.jsonl"
    t1 = time.monotonic()
    with serve_process(mirror_dir) as url:
        stats = crawl_in_process(
            {
                "MIRROR_URL": url,
                "SMN_POLITE": False,
                "LOG_LEVEL": "ERROR",
                "DOWNLOAD_TIMEOUT": 3,
                "RETRY_TIMES": 2,
                "FEEDS": {str(articles_file): {"format": "jsonlines", "encoding": "utf-8"}},
                "SMN_STATE_PATH": str(out / f"demo-{stamp}.state.sqlite"),
            },
        )
    t2 = time.monotonic()
    pages = stats.get("response_received_count", 0)
    exported = stats.get("articles/exported", stats.get("item_scraped_count", 0))
    print("SMN crawler demo (politeness off: a loopback mirror of our own)")
    print(f"  mirror:     {mirror_dir} ({args.articles} articles, built/reused in {t1 - t0:.1f} s)")
    print(f"  pages:      {pages} fetched in {t2 - t1:.1f} s ({pages / max(t2 - t1, 1e-9):.0f}/s)")
    print(f"  articles:   {exported} exported")
    print(f"  duplicates: {stats.get('articles/duplicate/url', 0)} same URL, "
          f"{stats.get('articles/duplicate/content', 0)} syndicated copies")
    rejected = {
        k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("articles/rejected/")
    }
    print(f"  rejected:   {sum(rejected.values())} {rejected or ''}")
    print(f"  file:       {articles_file}")
    return 0 if exported else 1
