"""CPU per page against the engine's own floor: the project's crawl beside a null spider's.

Run from the repository root::

    .venv/bin/python bench/bench_cpu.py [--articles 10000] [--concurrency 32] [--no-profile]

In one run, over one freshly built mirror served by ``python -m crawler mirror serve``:

1. the null spider (``bench/null_spider.py``: follows the same links -- homes, sections,
   pagination, feeds, related links -- from the same seeds and yields nothing) under the
   project's own settings, plus ``SMN_POLITE=False`` and ``CONCURRENT_REQUESTS`` as given;
2. the project's full crawl, ``scrapy crawl smn`` with the same settings (extract, clean,
   validate, dedupe, export; capture when the project has it, see ``bench_throughput.py``);
3. the null spider again: the floor is the lower of its two figures (the stricter one);
   with capture on, a third null crawl under the project's capture settings too (the issue's
   "same settings" read to the letter: the null spider then archives every response as the
   project does), whose ratio is printed on a second line beside the target's;
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
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402
import stages  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
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
            null1 = common.crawl_null(url, same, work / "null-1", seeds, domains,
                                      "null spider (before)")
            print(null1.line(), flush=True)
            ours = common.crawl_project(url, project, work / "crawl",
                                        f"smn crawl, {args.articles} articles")
            print(ours.line(), flush=True)
            null2 = common.crawl_null(url, same, work / "null-2", seeds, domains,
                                      "null spider (after)")
            print(null2.line(), flush=True)
            null_cap = None if not capture else common.crawl_null(
                url, project, work / "null-capture", seeds, domains,
                "null spider, capture on too")
            if null_cap is not None:
                print(null_cap.line(), flush=True)
            floor = min(null1, null2, key=lambda m: m.cpu_ms_per_page)
            ratio = ours.cpu_ms_per_page / floor.cpu_ms_per_page
            print(f"\nCPU per page: project {ours.cpu_ms_per_page:.2f} ms, null spider "
                  f"{floor.cpu_ms_per_page:.2f} ms (the lower of {null1.cpu_ms_per_page:.2f} and "
                  f"{null2.cpu_ms_per_page:.2f}) = {ratio:.2f}x (target <= 1.5x); pages "
                  f"{ours.pages} vs {floor.pages}; exported {ours.stats.get('articles/exported')}",
                  flush=True)
            if null_cap is not None:
                print(f"with capture on both sides (the null spider given the project's "
                      f"capture settings too): project {ours.cpu_ms_per_page:.2f} ms, null spider "
                      f"{null_cap.cpu_ms_per_page:.2f} ms = "
                      f"{ours.cpu_ms_per_page / null_cap.cpu_ms_per_page:.2f}x", flush=True)
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
