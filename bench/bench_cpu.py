"""CPU per page against the engine's own floor: the project's crawl beside a null spider's.

Run from the repository root::

    .venv/bin/python bench/bench_cpu.py [--articles 10000] [--rounds 3] [--no-profile]

In one run, over one freshly built mirror served by ``python -m crawler mirror serve``,
``--rounds`` rounds (default 3) of three crawls each, in this order:

1. the null spider (``bench/null_spider.py``: follows the same links -- homes, sections,
   pagination, feeds, related links -- from the same seeds and yields nothing) under the
   project's own settings, plus ``SMN_POLITE=False`` and ``CONCURRENT_REQUESTS`` as given;
2. the project's full crawl, ``scrapy crawl smn`` with the same settings (extract, clean,
   validate, dedupe, export; capture when the project has it, see ``bench_throughput.py``);
3. with capture on, the null spider under the project's capture settings too (the issue's
   "same settings" read to the letter: it then archives every response as the project does),
   whose ratio is printed on a line of its own beside the target's, which stays the stricter
   one, the null spider without capture.

The ratios are of the means over the rounds, each side crawled as often as the other and in
turn: the machine's speed drifts by several per cent within minutes, and a single crawl of
each side (an earlier version of this script took the lower of two null crawls against one
project crawl) moved the ratio by up to 0.2 from one run of the script to the next.

4. unless ``--no-profile``: the same project crawl again under ``py-spy record`` (a sampling
   profiler outside the process, ``--nonblocking``), its samples broken down by stage
   (``bench/stages.py``: download handling, extraction and trafilatura, each item pipeline,
   export, capture, state, spider, scheduler, Scrapy's own item processing, logging), and the
   null spider's crawl likewise, so the two tables can be read side by side.

CPU per page = the crawl process's user + system CPU from engine start to spider close
(``bench/probe.py``, ``getrusage`` in the process: never the server's) / its 200 HTML responses
(the same pages on both sides: both counts are printed). Target: project <= 1.5x null spider.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import stages  # noqa: E402


def ratio_line(title: str, ours: list[common.Measured], floor: list[common.Measured],
               floor_name: str) -> str:
    """The ratio of the mean CPU per page of two sides, with each side's range and each
    round's own ratio.

    >>> class M:
    ...     def __init__(self, ms): self.cpu_ms_per_page = ms
    >>> line = ratio_line("CPU per page", [M(3.0), M(3.4)], [M(2.0), M(1.6)], "null spider")
    >>> line.split(": ")[1].split(" = ")[0]
    'project 3.20 ms (3.00 to 3.40), null spider 1.80 ms (1.60 to 2.00)'
    >>> line.split(" = ")[1]
    '1.78x; round by round 1.50x, 2.12x'
    """
    a = statistics.fmean(m.cpu_ms_per_page for m in ours)
    b = statistics.fmean(m.cpu_ms_per_page for m in floor)
    lo_a, hi_a = min(m.cpu_ms_per_page for m in ours), max(m.cpu_ms_per_page for m in ours)
    lo_b, hi_b = min(m.cpu_ms_per_page for m in floor), max(m.cpu_ms_per_page for m in floor)
    each = ", ".join(f"{o.cpu_ms_per_page / f.cpu_ms_per_page:.2f}x"
                     for o, f in zip(ours, floor, strict=True))
    return (f"{title}, mean of {len(ours)} rounds: project {a:.2f} ms ({lo_a:.2f} to "
            f"{hi_a:.2f}), {floor_name} {b:.2f} ms ({lo_b:.2f} to {hi_b:.2f}) = {a / b:.2f}x; "
            f"round by round {each}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--download-timeout", type=float, default=3.0)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--no-capture", action="store_true")
    args = parser.parse_args(argv)
    print(common.banner(sys.argv), flush=True)
    capture, capture_line = ([], "capture: off (--no-capture)") if args.no_capture else (
        common.capture_settings())
    print(capture_line, flush=True)
    same = {"CONCURRENT_REQUESTS": args.concurrency, "SMN_POLITE": False,
            "DOWNLOAD_TIMEOUT": args.download_timeout, "LOG_LEVEL": "INFO",
            "LOGSTATS_INTERVAL": 10}  # fmt: skip
    project = {**same, **dict(s.split("=", 1) for s in capture)}
    print("settings of both: the project's, and " + ", ".join(f"{k}={v}" for k, v in same.items()),
          flush=True)
    seeds, domains = common.network_seeds()
    files = stages.project_files(common.ROOT, common.child_env())
    with tempfile.TemporaryDirectory(prefix="bench-cpu-") as tmp:
        work = Path(tmp)
        mirror = common.build_mirror(work / "mirror", args.articles, args.seed)
        with common.serve(mirror, slow_seconds=10 * args.download_timeout) as url:
            rounds: list[tuple[common.Measured, common.Measured, common.Measured | None]] = []
            for r in range(1, args.rounds + 1):
                null = common.crawl_null(url, same, work / f"null-{r}", seeds, domains,
                                         f"null spider, round {r}")
                print(null.line(), flush=True)
                ours = common.crawl_project(url, project, work / f"crawl-{r}",
                                            f"smn crawl, {args.articles} articles, round {r}")
                print(ours.line(), flush=True)
                null_cap = None if not capture else common.crawl_null(
                    url, project, work / f"null-capture-{r}", seeds, domains,
                    f"null spider, capture on too, round {r}")
                if null_cap is not None:
                    print(null_cap.line(), flush=True)
                rounds.append((null, ours, null_cap))
            print(flush=True)
            print(ratio_line("CPU per page", [o for _, o, _ in rounds],
                             [n for n, _, _ in rounds], "null spider") + " (target <= 1.5x); "
                  f"pages {ours.pages} vs {null.pages}; exported "
                  f"{ours.stats.get('articles/exported')}", flush=True)
            if capture:
                print(ratio_line("with capture on both sides (the null spider given the "
                                 "project's capture settings too)", [o for _, o, _ in rounds],
                                 [c for _, _, c in rounds if c is not None], "null spider"),
                      flush=True)
            if args.no_profile:
                return 0
            raw = work / "project.pyspy.txt"
            prof = common.crawl_project(url, project, work / "crawl-profiled",
                                        "smn crawl under py-spy", prefix=stages.pyspy_prefix(raw))
            raw_null = work / "null.pyspy.txt"
            prof_null = common.crawl_null(url, same, work / "null-profiled", seeds, domains,
                                          "null spider under py-spy",
                                          prefix=stages.pyspy_prefix(raw_null))
        print(f"\nProfile of the project's crawl (py-spy at {stages.PYSPY_RATE} Hz, same settings; "
              f"{prof.pages} pages, {prof.cpu_ms_per_page:.2f} ms/page under the profiler):\n")
        rule_list = stages.rules(files)
        print(stages.table(stages.breakdown(raw.read_text(), rule_list), prof.cpu_ms_per_page,
                           prof.pages, stages.PYSPY_RATE))
        print(f"\nProfile of the null spider's crawl ({prof_null.pages} pages, "
              f"{prof_null.cpu_ms_per_page:.2f} ms/page under the profiler):\n")
        print(stages.table(stages.breakdown(raw_null.read_text(), rule_list),
                           prof_null.cpu_ms_per_page, prof_null.pages, stages.PYSPY_RATE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
