"""Scale: the project's crawl of a 100,000-article mirror beside a 1,000-article one.

Run from the repository root (the large crawl takes a while: ~130,000 pages)::

    .venv/bin/python bench/bench_scale.py [--sizes 1000,100000] [--concurrency 32]

For each size, smallest first, in one run: build a mirror (``python -m crawler mirror
build``), serve it (``mirror serve``), and run the project's full crawl of it (``scrapy crawl
smn``, ``SMN_POLITE=False``, capture when the project has it) with the probe of
``bench/probe.py``. Printed per size: pages (200 HTML responses) per second between the first and
the last page (and over the whole run), CPU per page, the crawl process's peak RSS; and at the
end of each crawl the state and the dupefilter:

* state: the bytes of the SQLite state file (with its WAL and shared-memory files, if any) per
  exported article;
* dupefilter: the request dupefilter's memory (``memory_bytes()`` of the project's compact
  filter) per article exported and per request it holds.

Targets, largest size against the smallest: pages/s >= 0.9x, peak RSS <= 1.3x.

The mirrors' page mix differs with size: every site has its home, sections, feeds and
robots.txt whatever its size, so at 1,000 articles about a fifth of the pages are such hubs,
which cost less than an article page, and at 100,000 a tenth. The rate of article pages
(``articles/parsed`` over the same window) is printed beside the target's ratio.

The smallest crawl lasts a few seconds and its rate moves by up to 10 % from one run to the
next, so it is crawled ``--small-runs`` times (each from an empty state), half of them before
the larger crawls and half after (the machine's speed drifts over the minutes a large crawl
takes), and the ratios use the mean of its runs: pages/s, CPU per page and peak RSS alike.
Every run's line is printed.

With ``--profile``, each mirror is crawled a second time under ``py-spy record`` (outside the
process, as in ``bench_cpu.py``; the measured crawl above runs without it) and the CPU per page
of each stage (``bench/stages.py``) is printed for every size side by side: where a larger
crawl's extra cost goes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import stages  # noqa: E402


def state_bytes(workdir: Path) -> int:
    """Bytes on disk of the crawl's SQLite state (main file, WAL and shm)."""
    return sum(p.stat().st_size for p in workdir.glob("state.sqlite*") if p.is_file())


def article_share(run: common.Measured) -> float:
    """Share of the counted pages that were article pages (parsed as articles)."""
    return int(run.stats.get("articles/parsed", 0)) / run.pages if run.pages else 0.0


def article_rate(run: common.Measured) -> float:
    """Article pages per second, over the same first-to-last-page window as pages/s."""
    return int(run.stats.get("articles/parsed", 0)) / run.window if run.window > 0 else 0.0


def small_crawls(url: str, settings: dict[str, object], work: Path, size: int,
                 numbers: range) -> list[common.Measured]:
    """Crawls of the smallest mirror beside the one whose outputs are reported, each printed."""
    done = []
    for i in numbers:
        run = common.crawl_project(url, settings, work / f"crawl-{size}-run{i}",
                                   f"smn crawl, {size} articles, run {i}", timeout=6 * 3600)
        print(run.line(), flush=True)
        if run.usage_line():
            print(f"{'':>36}{run.usage_line()}", flush=True)
        done.append(run)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--download-timeout", type=float, default=10.0,
                        help="DOWNLOAD_TIMEOUT (default 10 s: a pagination page that times out "
                             "for good cuts its section's older pages off the crawl)")
    parser.add_argument("--no-capture", action="store_true")
    parser.add_argument("--small-runs", type=int, default=6,
                        help="crawls of the smallest size, half before and half after the "
                             "others; the ratios use their mean (default 6)")
    parser.add_argument("--profile", action="store_true",
                        help="crawl each mirror again under py-spy and print CPU per page by stage")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep mirrors, logs and outputs here (default: a temporary folder); a "
                             "mirror found there is reused, each crawl's folder emptied first")
    args = parser.parse_args(argv)
    print(common.banner(sys.argv), flush=True)
    capture, capture_line = ([], "capture: off (--no-capture)") if args.no_capture else (
        common.capture_settings())
    print(capture_line, flush=True)
    settings = {"CONCURRENT_REQUESTS": args.concurrency, "SMN_POLITE": False,
                "DOWNLOAD_TIMEOUT": args.download_timeout, "LOG_LEVEL": "INFO",
                "LOGSTATS_INTERVAL": 10, **dict(s.split("=", 1) for s in capture)}  # fmt: skip
    print("settings: the project's, and " + ", ".join(f"{k}={v}" for k, v in settings.items()))
    sizes = sorted(int(x) for x in args.sizes.split(",") if x.strip())
    runs = []
    small_runs: list[common.Measured] = []
    profiles: list[tuple[str, Counter[str], float]] = []
    stage_rules = stages.rules(stages.project_files(common.ROOT, common.child_env())) if (
        args.profile) else []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        work = args.workdir or Path(tmp)
        for size in sizes:
            mirror = common.build_mirror(work / f"mirror-{size}", size, args.seed)
            crawl_dir = work / f"crawl-{size}"
            with common.serve(mirror, slow_seconds=10 * args.download_timeout) as url:
                if size == sizes[0] and len(sizes) > 1:  # the first half; the last one below
                    small_runs += small_crawls(url, settings, work, size,
                                               range(2, args.small_runs // 2 + 1))
                run = common.crawl_project(url, settings, crawl_dir,
                                           f"smn crawl, {size} articles", timeout=6 * 3600)
                if size == sizes[0]:
                    small_runs.append(run)
                if args.profile:
                    raw = work / f"profile-{size}.txt"
                    prof = common.crawl_project(url, settings, work / f"crawl-{size}-profiled",
                                                f"smn crawl under py-spy, {size} articles",
                                                timeout=6 * 3600, prefix=stages.pyspy_prefix(raw))
                    profiles.append((str(size), stages.breakdown(raw.read_text(), stage_rules),
                                     prof.cpu_ms_per_page))
            exported = int(run.stats.get("articles/exported", 0)) or 1
            state = state_bytes(crawl_dir)
            df_bytes = run.probe.get("dupefilter_bytes") or 0
            df_entries = run.probe.get("dupefilter_entries") or 0
            print(run.line(), flush=True)
            if run.usage_line():
                print(f"{'':>36}{run.usage_line()}", flush=True)
            print(f"{'':>36}exported {exported}; state {state / 1e6:.1f} MB = "
                  f"{state / exported:,.0f} B/article; dupefilter {df_bytes / 1e6:.2f} MB for "
                  f"{df_entries} requests = {df_bytes / exported:,.1f} B/article "
                  f"({df_bytes / max(df_entries, 1):.1f} B/request); the spider's set of requested "
                  f"addresses {(run.probe.get('spider_requested_bytes') or 0) / 1e6:.2f} MB",
                  flush=True)
            runs.append(run)
            progress = run.probe.get("progress") or []
            if progress:
                step = progress[:: max(1, len(progress) // 8)]
                print(f"{'':>36}requests waiting in the scheduler: up to "
                      f"{max((p[1] or 0) for p in progress)}; every few 1,000 pages: "
                      f"{', '.join(str(p[1]) for p in step)} requests, RSS "
                      f"{', '.join(f'{p[2]:.0f}' for p in step)} MB", flush=True)
            print(f"{'':>36}finish reason {run.probe.get('finish_reason')}; scheduler: "
                  f"{run.stats.get('scheduler/enqueued', 0)} enqueued, dupefilter dropped "
                  f"{run.stats.get('dupefilter/filtered', 0)}", flush=True)
            if args.workdir is None and size != sizes[0]:  # the smallest is crawled again
                shutil.rmtree(mirror, ignore_errors=True)  # 100k articles: ~2.4 GB of pages
        after = range(max(2, args.small_runs // 2 + 1), args.small_runs + 1)
        if len(runs) >= 2 and after:  # the second half of the smallest crawls
            with common.serve(work / f"mirror-{sizes[0]}",
                              slow_seconds=10 * args.download_timeout) as url:
                small_runs += small_crawls(url, settings, work, sizes[0], after)
    if len(runs) >= 2:
        large = runs[-1]
        rate, whole, cpu, rss = (
            statistics.fmean(figure(run) for run in small_runs) for figure in (
                lambda r: r.rate, lambda r: r.rate_whole, lambda r: r.cpu_ms_per_page,
                lambda r: r.probe["peak_rss_mb"]))
        if len(small_runs) > 1:
            print(f"\n{sizes[0]} articles, mean of {len(small_runs)} runs: {rate:.1f} pages/s "
                  f"(from {min(r.rate for r in small_runs):.1f} to "
                  f"{max(r.rate for r in small_runs):.1f}), CPU {cpu:.2f} ms/page, peak RSS "
                  f"{rss:.0f} MB")
        print(f"\nscaling: pages/s at {sizes[-1]} / at {sizes[0]} = "
              f"{large.rate / rate:.3f} first-to-last page (whole runs "
              f"{large.rate_whole / whole:.3f}; target >= 0.9); CPU/page "
              f"{large.cpu_ms_per_page:.2f} vs {cpu:.2f} ms")
        print(f"memory: peak RSS {large.probe['peak_rss_mb']:.0f} MB / {rss:.0f} MB = "
              f"{large.probe['peak_rss_mb'] / rss:.3f} (target <= 1.3)")
        share = statistics.fmean(article_share(run) for run in small_runs)
        articles = statistics.fmean(article_rate(run) for run in small_runs)
        print(f"page mix: article pages are {100 * share:.1f} % of the pages at {sizes[0]}, "
              f"{100 * article_share(large):.1f} % at {sizes[-1]} (hubs, feeds and robots.txt "
              f"cost less); article pages per second {article_rate(large):.1f} vs "
              f"{articles:.1f} = {article_rate(large) / articles:.3f} (beside the target, "
              "not instead of it)")
    if profiles:
        print(f"\nCPU per page by stage, ms (py-spy at {stages.PYSPY_RATE} Hz, a second crawl of "
              "each mirror with the same settings; each stage's share of the samples x the CPU "
              "per page the probe measured in that crawl):\n")
        print(stages.by_size(profiles))
    return 0


if __name__ == "__main__":
    sys.exit(main())
