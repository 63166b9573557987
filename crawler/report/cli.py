"""Command line: ``python -m crawler report [--runs DIR] [--out FILE] [--last N]``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from crawler.report.history import read_history
from crawler.report.page import render

DEFAULT_RUNS = Path("output") / "runs"
REPORT_NAME = "report.html"
CHART_RUNS = 90
"""Runs drawn in the charts by default (the table lists every run)."""


def default_out(runs: Path) -> Path:
    """Where the report goes by default: beside the runs folder, in the job's output folder.

    >>> default_out(Path("/srv/smn-data/runs")).as_posix()
    '/srv/smn-data/report.html'
    """
    return runs.resolve().parent / REPORT_NAME


def write_report(runs: Path, out: Path | None = None, chart_runs: int = CHART_RUNS) -> Path:
    """Write the report of the runs under ``runs`` (atomically); returns its path."""
    out = out or default_out(runs)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = read_history(runs)
    title = f"SMN crawler runs: {runs.resolve().parent.name or runs}"
    page = render(rows, out.resolve().parent, title, chart_runs)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the report; 0 when written, 2 when there is no runs folder."""
    p = argparse.ArgumentParser(
        prog="python -m crawler report",
        description="Write one static HTML page of the run history: each run's status, exit "
        "code, duration, counts and problems; per site the coverage of each field across runs; "
        "errors by reason; links to each run's files.")
    p.add_argument("--runs", type=Path, default=DEFAULT_RUNS,
                   help=f"folder of run folders (default {DEFAULT_RUNS}); an output folder "
                   "holding runs/ is accepted too")
    p.add_argument("--out", type=Path, help="the page to write (default: report.html beside "
                   "the runs folder)")
    p.add_argument("--last", type=int, default=CHART_RUNS, metavar="N",
                   help=f"runs drawn in the charts (default {CHART_RUNS}; 0: all)")
    args = p.parse_args(argv)
    runs: Path = args.runs
    if (runs / "runs").is_dir():
        runs = runs / "runs"
    if not runs.is_dir():
        print(f"report: no runs folder: {runs}", file=sys.stderr)
        return 2
    out = write_report(runs, args.out, args.last)
    print(f"report: {out}", file=sys.stderr)
    return 0
