"""Benchmark of ``python -m crawler export`` on a million records: peak RSS beside a baseline.

    python bench/bench_export.py                    # 1,000,000 records (a few minutes)
    python bench/bench_export.py --records 100000

What is synthetic: the records. They are schema-valid Article records built from a counter
(realistic SMN addresses, a ~700-character body from a fixed word list, dates spread over
2000-2026), written as two runs the way ``crawl --output`` lays them out:

- run 1 holds 60 % of the stories; run 2 the rest, plus 2 % of run 1's addresses fetched again
  (later ``crawled_at``) and 3 % of run 1's stories exported again from another site with the
  same ``fingerprint`` (a second copy with a record: merged by fingerprint);
- each run's ``duplicates.jsonl`` lists one syndicated copy for 20 % of its stories
  (``url -> duplicate_of``).

Everything after that is the real command, run in a child process. The baseline, measured in
the same run and also in a child process, is the least any export must do: read every line of
the same files and parse it as JSON, holding nothing. The RSS of ``export --help`` (imports
only, no data) is printed too, to separate the fixed cost of the libraries. Peak RSS is each
child's ``ru_maxrss``. The ratio export/baseline shows what grouping, sorting and writing
cost in memory; running with 100k and 1M records shows whether that cost grows with the
input (it should not).

Measured on the 2-core development machine (``--records``: baseline / export peak RSS):
20k: 15 / 123 MiB; 100k: 15 / 149 MiB; 1M (1.5 GB of input): 15 / 137 MiB, 290 s, ratio 9.1.
The imports alone (``export --help``) take 59 MiB of that; matplotlib for the chart most of
the rest. Flat from 100k to 1M: nothing grows with the number of records.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.sites import SITES  # noqa: E402

WORDS = [
    "satellite", "launch", "orbit", "rocket", "defence", "missile", "radar", "nuclear", "reactor",
    "solar", "wind", "mission", "payload", "agency", "contract", "test", "engine", "crew",
    "station", "lunar", "mars", "probe", "signal", "network", "ground", "control", "budget",
    "minister", "treaty",
]


def record(i: int, site: str, crawled: str, rng: random.Random) -> dict[str, Any]:
    """One synthetic, schema-valid record of story ``i`` on ``site``."""
    year = 2000 + i % 27
    published = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    body = " ".join(rng.choice(WORDS) for _ in range(100))
    title = f"Story {i} {WORDS[i % len(WORDS)]}"
    return {
        "url": f"https://www.{site}/reports/Story_{i}_{WORDS[i % len(WORDS)]}_999.html",
        "site": site, "title": title, "published": published,
        "dateline": f"Paris (AFP) Jan 1, {year}", "agency": "AFP", "location": "Paris",
        "byline": "AFP Staff Writers", "authors": [], "section": f"SECTION {i % 9}",
        "body": body + ".\n\n" + body[:200] + ".", "word_count": 130,
        "image_url": None, "related_links": [], "related_articles": [], "language": "en",
        "fingerprint": f"{i:016x}", "extraction": "template", "crawled_at": crawled,
        "schema_version": 1,
    }


def generate(root: Path, n: int) -> int:
    """Write the two synthetic runs under ``root/runs``; returns the number of record lines."""
    rng = random.Random(1)
    sites = [s.domain for s in SITES]
    first = int(n * 0.6)
    lines = 0
    plan = [("20261101T000000Z", range(first), "2026-11-01T00:00:00Z"),
            ("20261102T000000Z", range(first, n), "2026-11-02T00:00:00Z")]
    for run_id, stories, crawled in plan:
        folder = root / "runs" / run_id
        folder.mkdir(parents=True)
        with (folder / "articles.jsonl").open("w") as arts, \
                (folder / "duplicates.jsonl").open("w") as dups:
            for i in stories:
                rec = record(i, sites[i % len(sites)], crawled, rng)
                arts.write(json.dumps(rec) + "\n")
                lines += 1
                if i % 5 == 0:
                    copy = rec["url"].replace(rec["site"], sites[(i + 1) % len(sites)])
                    dups.write(json.dumps({"url": copy, "duplicate_of": rec["url"],
                                           "kind": "content", "similarity": 1.0}) + "\n")
            if run_id.endswith("02T000000Z"):
                for i in range(0, first, 50):  # 2 %: fetched again
                    arts.write(json.dumps(record(i, sites[i % len(sites)], crawled, rng)) + "\n")
                    lines += 1
                for i in range(1, first, 33):  # 3 %: another exported copy, same fingerprint
                    other = sites[(i + 3) % len(sites)]
                    arts.write(json.dumps(record(i, other, crawled, rng)) + "\n")
                    lines += 1
        (folder / "manifest.json").write_text(json.dumps(
            {"run_id": run_id, "started_at": crawled, "finished_at": crawled,
             "finish_reason": "finished", "exit_status": 0}))
    return lines


def measure_baseline(runs: Path) -> None:
    """Child: read and parse every line of the runs, keep nothing."""
    n = 0
    for path in sorted(runs.glob("*/*.jsonl")):
        with path.open("rb") as fh:
            for line in fh:
                json.loads(line)
                n += 1
    print(json.dumps({"lines": n}))


def child(args: list[str]) -> tuple[float, int, str]:
    """Run a child, return (seconds, its peak RSS in bytes, its stdout)."""
    code = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; "
            "run = runpy.run_module if sys.argv[0] == '-m' else runpy.run_path\n"
            "if sys.argv[0] == '-m': sys.argv = sys.argv[1:]\n"
            "rc = 0\ntry:\n    run(sys.argv[0], run_name='__main__')\n"
            "except SystemExit as e:\n    rc = e.code or 0\n"
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "file=sys.stderr)\nsys.exit(rc)")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"child failed: {args}\n{proc.stderr[-3000:]}")
    line = [x for x in proc.stderr.splitlines() if x.startswith("MAXRSS ")][-1]
    return seconds, int(line.split()[1]) * 1024, proc.stdout + proc.stderr


def main() -> int:
    """Generate, measure baseline and export, print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", type=int, default=1_000_000, help="stories (default 1M)")
    p.add_argument("--measure", choices=["baseline"], help=argparse.SUPPRESS)
    p.add_argument("--runs", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    args = p.parse_args()
    if args.measure == "baseline":
        measure_baseline(args.runs)
        return 0
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        lines = generate(root, args.records)
        size = sum(f.stat().st_size for f in root.glob("runs/*/*.jsonl"))
        print(f"synthetic input: {args.records:,} stories, {lines:,} record lines, "
              f"{size / 1e6:,.0f} MB in 2 runs ({time.perf_counter() - t0:.0f} s to generate)")
        base_s, base_rss, _ = child([__file__, "--measure", "baseline", "--runs",
                                     str(root / "runs")])
        _, idle_rss, _ = child(["-m", "crawler", "export", "--help"])
        exp_s, exp_rss, out = child(["-m", "crawler", "export", "--out", str(root / "out"),
                                     "--runs", str(root / "runs"), "--no-progress"])
        with (root / "out" / "manifest.json").open() as fh:
            manifest = json.load(fh)
        with gzip.open(root / "out" / "dataset.jsonl.gz", "rb") as gz:
            written = sum(1 for _ in gz)
        assert written == manifest["records"]["exported"], (written, manifest["records"])
        print(f"baseline (read + parse every line): {base_s:7.1f} s, "
              f"peak RSS {base_rss / 2**20:7.1f} MiB")
        print(f"export (group, sort, write jsonl.gz): {exp_s:7.1f} s, "
              f"peak RSS {exp_rss / 2**20:7.1f} MiB")
        print(f"(the export's imports alone, 'export --help': peak RSS {idle_rss / 2**20:.1f} MiB)")
        print(f"peak RSS ratio export/baseline: {exp_rss / base_rss:.2f}; "
              f"{manifest['records']['exported']:,} stories written, "
              f"{manifest['duplicates_merged']} merged; "
              f"{args.records / exp_s:,.0f} stories/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
