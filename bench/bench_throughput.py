"""Throughput at equal settings: the project's full crawl of a mirror against ``scrapy bench``.

Run from the repository root::

    .venv/bin/python bench/bench_throughput.py [--articles 10000] [--concurrency 32,16]
        [--bench-seconds 60] [--download-timeout 3]

For each ``CONCURRENT_REQUESTS`` value N (default 32, the project's own, then 16, Scrapy's
default), in one run:

1. ``scrapy bench`` for ``--bench-seconds`` from an empty folder (no project settings);
2. the project's full crawl of a freshly built ``--articles`` mirror: ``scrapy crawl smn`` over
   loopback from a ``python -m crawler mirror serve`` child process -- fetch, extract, clean,
   validate, dedupe, export to JSON Lines, and WARC capture when the project has it (the
   script looks the switch up in the settings sheet and prints whether capture was on);
3. ``scrapy bench`` again; the *faster* of the two bench runs is the baseline (the stricter one:
   a shared machine's load changes during a run).

Equal settings on both sides, passed with ``-s`` to each: ``CONCURRENT_REQUESTS=N``,
``CONCURRENT_REQUESTS_PER_DOMAIN=N`` (``scrapy bench`` has one host, the mirror 26: with Scrapy's
per-domain default of 8 the bench could never have N requests in flight), ``DOWNLOAD_DELAY=0``,
``AUTOTHROTTLE_ENABLED=False`` (what ``SMN_POLITE=False`` does on the project's side),
``DOWNLOAD_TIMEOUT``, ``LOG_LEVEL=INFO``, ``LOGSTATS_INTERVAL=10``, and the project's own
``CONCURRENT_ITEMS`` (the number of asyncio tasks Scrapy starts per response: a Scrapy tunable
that would speed ``scrapy bench`` up just as much, so the bench gets it too).

How pages are counted, the same way on both sides: ``bench/probe.py`` (a Scrapy extension added
to both) counts responses with status 200 whose Content-Type contains ``html`` -- so robots.txt,
feeds (XML), redirects, 404s, 500s and retries are not pages -- and times the first and the last
of them. The rate is pages / (last - first): start-up and the tail (the mirror's slow fault page
timing out and being retried, ~4x the download timeout) are left out on both sides; the rate
between 10 % and 90 % of the pages (the crawl's end is a few pagination chains fetched one page
after another, which an endless random graph like the bench's never has) and the rate over the
whole run (engine start to close) are printed beside it. Scrapy's own
``downloader/response_status_count/200`` is printed too: it also counts 200s of robots.txt and
feeds, and the probe's content types show which. CPU per page is the crawl process's own CPU
(``getrusage`` in the probe, engine start to close) over its pages: never its server's.

Is ``scrapy bench`` a fair baseline? It is Scrapy's own yardstick, measured on this machine in
the same run, but it is not the same work: its server (``scrapy.utils.benchserver``, Twisted
web, a child process like the mirror's) serves ~1 KB pages of 20 random links on one host, and
its spider runs ``LinkExtractor`` over each page and requests every link -- no robots.txt, no
item, no pipeline, no export. The project's pages are 10-60 KB of real-looking markup with 20 to
250 links, on 26 hosts, each parsed, extracted, cleaned, validated, deduplicated and exported. So
the ratio says "the project's full crawl keeps up with Scrapy's empty benchmark spider" -- a
high bar for a crawl that does real work per page, but not a like-for-like floor: for that see
``bench_cpu.py``, where a null spider crawls the same mirror with the same settings. Two more
caveats: ``scrapy bench`` listens on the fixed port 8998 (two runs at once on one machine
collide), and both servers share the machine's cores with the crawler they serve.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402


def equal_settings(concurrency: int, download_timeout: float) -> dict[str, object]:
    """The settings both sides get."""
    items = common.project_setting("CONCURRENT_ITEMS")
    return {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_ITEMS": int(items) if items is not None else 100,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_TIMEOUT": download_timeout,
        "LOG_LEVEL": "INFO",
        "LOGSTATS_INTERVAL": 10,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", default="32,16",
                        help="CONCURRENT_REQUESTS values, each compared (default 32,16)")
    parser.add_argument("--bench-seconds", type=float, default=60.0,
                        help="duration of each scrapy bench run (default 60)")
    parser.add_argument("--download-timeout", type=float, default=3.0)
    parser.add_argument("--no-capture", action="store_true",
                        help="leave WARC capture off even when the project has it")
    args = parser.parse_args(argv)
    print(common.banner(sys.argv), flush=True)
    capture, capture_line = ([], "capture: off (--no-capture)") if args.no_capture else (
        common.capture_settings())
    print(capture_line, flush=True)
    levels = [int(x) for x in args.concurrency.split(",") if x.strip()]
    results: list[tuple[int, common.Measured, common.Measured, common.Measured]] = []
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as tmp:
        work = Path(tmp)
        mirror = common.build_mirror(work / "mirror", args.articles, args.seed)
        for n in levels:
            same = equal_settings(n, args.download_timeout)
            print(f"\n-- CONCURRENT_REQUESTS={n}: equal settings on both sides: "
                  + ", ".join(f"{k}={v}" for k, v in same.items()), flush=True)
            before = common.scrapy_bench(args.bench_seconds, same, work, "scrapy bench (before)")
            print(before.line(), flush=True)
            project_settings = {**same, "SMN_POLITE": False,
                                **dict(s.split("=", 1) for s in capture)}
            with common.serve(mirror, slow_seconds=10 * args.download_timeout) as url:
                ours = common.crawl_project(url, project_settings, work / f"crawl-{n}",
                                            f"smn crawl, {args.articles} articles")
            print(ours.line(), flush=True)
            print(f"{'':>36}statuses {ours.probe['statuses']}, types "
                  f"{ours.probe['content_types']}; exported {ours.stats.get('articles/exported')}",
                  flush=True)
            after = common.scrapy_bench(args.bench_seconds, same, work, "scrapy bench (after)")
            print(after.line(), flush=True)
            results.append((n, ours, before, after))
    print("\nratio = project pages/s / the faster scrapy bench pages/s (200 HTML responses, "
          "first to last; target >= 1.0x at equal settings)")
    for n, ours, before, after in results:
        base = max(before, after, key=lambda m: m.rate)
        steady = max(before.rate_steady, after.rate_steady)
        print(f"CONCURRENT_REQUESTS={n:3d}: {ours.rate:6.1f} / {base.rate:6.1f} pages/s = "
              f"{ours.rate / base.rate:.2f}x; between 10 % and 90 % of the pages "
              f"{ours.rate_steady:.1f} / {steady:.1f} = {ours.rate_steady / steady:.2f}x; whole "
              f"runs {ours.rate_whole:.1f} / {base.rate_whole:.1f} = "
              f"{ours.rate_whole / base.rate_whole:.2f}x; CPU {ours.cpu_ms_per_page:.2f} vs "
              f"{base.cpu_ms_per_page:.2f} ms/page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
