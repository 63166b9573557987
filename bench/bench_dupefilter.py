"""Benchmark the request dupefilter: memory for a million URLs, CompactDupeFilter vs Scrapy's.

Run from the repository root::

    .venv/bin/python bench/bench_dupefilter.py [--urls 1000000]

Each filter runs in its own child process (so one's freed memory cannot hide the other's): it
is built the way Scrapy builds it (``from_crawler``, the crawler's request fingerprinter), fed
``--urls`` distinct article URLs as Scrapy Requests, then fed a sample again. Printed per
filter: resident memory held after feeding (RSS now minus RSS before), peak RSS growth, the
time per request, false "seen" answers on new URLs and missed repeats. The ratio of the two
memory figures is printed last. Target: CompactDupeFilter holds at most 32 MB per million URLs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILTERS = {
    "scrapy RFPDupeFilter": "scrapy.dupefilters.RFPDupeFilter",
    "CompactDupeFilter": "crawler.dupefilter.CompactDupeFilter",
}


def rss_mb() -> float:
    """Resident set size of this process now, in MB (Linux /proc; else the peak)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_mb()


def peak_mb() -> float:
    """Peak resident set size of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def url(i: int) -> str:
    """A distinct, realistic article address."""
    return f"https://www.spacewar.com/reports/Story_number_{i}_of_the_benchmark_999.html"


def measure(class_path: str, n: int) -> dict[str, float]:
    """Feed ``n`` URLs to the dupefilter class ``class_path``; its figures (in this process)."""
    from scrapy import Request
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    crawler = get_crawler()
    cls = load_object(class_path)
    probe = [Request(url(i)) for i in range(100)]  # warm imports and allocator first
    del probe
    gc.collect()
    before, peak_before = rss_mb(), peak_mb()
    dupefilter = cls.from_crawler(crawler)
    started = time.perf_counter()
    false_seen = 0
    for i in range(n):
        false_seen += dupefilter.request_seen(Request(url(i)))
    elapsed = time.perf_counter() - started
    missed = sum(not dupefilter.request_seen(Request(url(i))) for i in range(0, n, 97))
    gc.collect()
    held = rss_mb() - before
    peak = max(peak_mb(), rss_mb()) - max(before, peak_before)
    dupefilter.close("finished")
    return {"held_mb": held, "peak_mb": max(peak, held), "us_per_request": elapsed / n * 1e6,
            "false_seen": false_seen, "missed_repeats": missed}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--timeout", type=float, default=240.0, help="per filter, seconds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.urls)))
        return 0

    results: dict[str, dict[str, float]] = {}
    for label, class_path in FILTERS.items():
        proc = subprocess.run(
            [sys.executable, __file__, "--urls", str(args.urls), "--child", class_path],
            cwd=ROOT, capture_output=True, text=True, timeout=args.timeout, check=True,
        )
        results[label] = r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{label:>22}: {args.urls:,} URLs held {r['held_mb']:7.1f} MB (peak growth "
              f"{r['peak_mb']:7.1f} MB), {r['us_per_request']:5.1f} us/request, false 'seen' "
              f"{r['false_seen']}, missed repeats {r['missed_repeats']}", flush=True)
    default, compact = results["scrapy RFPDupeFilter"], results["CompactDupeFilter"]
    per_million = compact["held_mb"] * 1_000_000 / args.urls
    print(f"CompactDupeFilter / RFPDupeFilter memory: {compact['held_mb'] / default['held_mb']:.3f}"
          f" ({per_million:.1f} MB per million URLs; target <= 32 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
