"""Command line: ``python -m crawler export --out DIR [options] [PATH ...]``.

``main(argv)`` takes the arguments after the word 'export'::

    main(["--out", "dataset"])                                  # every run under output/runs
    main(["--out", "dataset", "--runs", "data/runs", "--since", "2024-01"])
    main(["--out", "d", "x.jsonl", "--format", "jsonl,csv,parquet"])  # a `scrapy -O x.jsonl`
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.export.export import export
from crawler.export.filters import Filters, split_list
from crawler.export.sources import collect
from crawler.export.writers import FORMATS
from crawler.extras import MissingExtra, require

DEFAULT_RUNS = Path("output") / "runs"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m crawler export",
        description="Turn crawl runs into one dataset: one record per story (syndicated copies "
        "merged, their addresses in alternate_urls), dataset.jsonl.gz (+ CSV/Parquet), "
        "manifest.json, README.md (dataset card) and chart.png.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                   help="more inputs: an articles file (e.g. `scrapy crawl smn -O x.jsonl`, "
                   "read with x.duplicates.jsonl beside it), a run folder or a runs folder")
    p.add_argument("--out", required=True, type=Path, help="folder to write the dataset into")
    p.add_argument("--runs", type=Path, default=None,
                   help=f"folder of runs (<run-id>/articles.jsonl ...); default {DEFAULT_RUNS}, "
                   "read when it exists and no PATH is given")
    p.add_argument("--since", help="keep stories published on or after this date (YYYY[-MM[-DD]])")
    p.add_argument("--until", help="keep stories published on or before this date (inclusive)")
    p.add_argument("--sites", nargs="+", metavar="SITE",
                   help="keep stories whose record is on these sites (e.g. spacewar.com)")
    p.add_argument("--sections", nargs="+", metavar="SECTION",
                   help="keep stories with these section labels (case-insensitive)")
    p.add_argument("--format", default="jsonl",
                   help="comma-separated: jsonl (always written), csv, parquet")
    p.add_argument("--temp-dir", type=Path, help="where the temporary database goes")
    bar = p.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar (default: when stderr is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the export; 0 when done, 2 on bad arguments, no input or a missing extra."""
    parser = _parser()
    args = parser.parse_args(argv)
    formats = split_list([args.format])
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        parser.error(f"unknown format(s): {', '.join(unknown)} (choose from {', '.join(FORMATS)})")
    if "parquet" in formats:  # before anything is read or written
        try:
            require("parquet", "Parquet output (--format parquet)")
        except MissingExtra as exc:
            print(f"export: {exc}", file=sys.stderr)
            return 2
    try:
        filters = Filters.build(args.since, args.until, args.sites, args.sections)
    except ValueError as exc:
        parser.error(str(exc))
    inputs = list(args.paths)
    if args.runs is not None or not inputs:
        runs = args.runs if args.runs is not None else DEFAULT_RUNS
        if not runs.is_dir():
            print(f"export: no runs folder: {runs}", file=sys.stderr)
            return 2
        inputs.insert(0, runs)
    missing = [p for p in inputs if not p.exists()]
    if missing:
        print(f"export: no such file or folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    sources = collect(inputs)
    if not sources:
        print("export: no runs or articles files found in the inputs", file=sys.stderr)
        return 2
    manifest = export(sources, args.out, filters, formats, args.temp_dir, args.progress)
    unfinished = manifest["unfinished_runs"]
    print(f"export: {manifest['records']['exported']} stories from {len(sources)} source(s) "
          f"({manifest['duplicates_merged']['addresses']} duplicate addresses merged"
          + (f"; unfinished: {', '.join(unfinished)}" if unfinished else "")
          + f") -> {args.out}", file=sys.stderr)
    c = manifest["changes"]
    print(f"export: since the previous export: {c['added']} added, {c['revised']} revised, "
          f"{c['gone']} gone (changes.jsonl)", file=sys.stderr)
    return 0
