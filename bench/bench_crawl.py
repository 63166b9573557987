"""Benchmark whole crawls of the mirror against ``scrapy bench`` in the same run.

Run from the repository root::

    .venv/bin/python bench/bench_crawl.py [--sizes 1000,10000] [--bench-seconds 20]

Steps, every one bounded in time:

1. ``scrapy bench`` in a child process, from an empty temporary folder (so no project settings
   apply), for ``--bench-seconds``; its rate is ``response_received_count / elapsed`` from the
   final stats in its log. It runs before and after the crawls; the faster of the two is the
   baseline (the load of a shared machine may change during the run).
2. For each size: build a mirror (``python -m crawler mirror build``), serve it in a child
   process (``mirror serve``), and run the project's own ``scrapy crawl smn`` against it with
   ``SMN_POLITE=False`` (no delays: the mirror is ours), a small ``DOWNLOAD_TIMEOUT`` (the
   mirror's slow page times out; the 11 MB page exceeds ``DOWNLOAD_MAXSIZE``; both counted)
   and the project's full pipeline: fetch over loopback, extract, clean, validate, dedupe,
   export. Rate: ``response_received_count / elapsed_time_seconds`` from the crawl's stats;
   also the steady rate between 10 % and 90 % of the responses (per-second LogStats lines),
   which leaves out start-up and the tail of timed-out retries, fixed costs that weigh more
   on a small crawl; peak RSS and CPU time of the crawl process from ``wait4``.
3. Print the rates, the ratio of each to ``scrapy bench``, and between the largest and the
   smallest size: the pages/second ratio (scaling) and the peak-RSS ratio (memory).

Servers and crawls are child processes that are always stopped, also on errors or Ctrl-C.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.mirror.server import serve_process  # noqa: E402

_STATS_RE = re.compile(r"Dumping Scrapy stats:\n(\{.*?\})\n", re.S)
_LOGSTATS_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \[scrapy\.extensions\.logstats\] "
                          r"INFO: Crawled (\d+) pages", re.M)


@dataclass
class Run:
    """One measured crawl."""

    label: str
    responses: int
    elapsed: float
    peak_rss_mb: float
    cpu_s: float
    """User + system CPU seconds of the crawling process (not its server)."""
    stats: dict[str, Any]
    steady: float = 0.0
    """Pages/s between 10 % and 90 % of the responses (no start-up, no timed-out tail)."""

    @property
    def rate(self) -> float:
        """Responses per second over the whole crawl."""
        return self.responses / self.elapsed if self.elapsed else 0.0


def run_child(cmd: list[str], cwd: Path, timeout: float, log: Path) -> tuple[int, float, float]:
    """Run ``cmd``; (exit code, peak RSS in MB, CPU seconds) of it. Killed at ``timeout``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    cpu = usage.ru_utime + usage.ru_stime
                    return proc.returncode, usage.ru_maxrss / 1024, cpu
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{cmd[:4]} ran over {timeout:.0f} s")
                time.sleep(0.05)
        finally:
            if proc.returncode is None:
                proc.kill()
                proc.wait()


def scrapy_bench(seconds: float, workdir: Path) -> Run:
    """``scrapy bench`` for ``seconds``, outside the project: the baseline rate."""
    folder = Path(tempfile.mkdtemp(prefix="scrapy-bench-", dir=workdir))
    log = folder.with_suffix(".log")
    cmd = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
           "-s", "LOG_LEVEL=INFO"]
    env_module = os.environ.pop("SCRAPY_SETTINGS_MODULE", None)
    try:
        code, rss, cpu = run_child(cmd, folder, seconds + 60, log)
    finally:
        if env_module is not None:
            os.environ["SCRAPY_SETTINGS_MODULE"] = env_module
    text = log.read_text(errors="replace")
    found = _STATS_RE.search(text)
    if code != 0 or found is None:
        raise RuntimeError(f"scrapy bench failed ({code}):\n{text[-2000:]}")
    body = re.sub(r"datetime\.datetime\([^)]*\)", "None", found.group(1))
    stats = ast.literal_eval(body)
    return Run("scrapy bench", int(stats["response_received_count"]),
               float(stats["elapsed_time_seconds"]), rss, cpu, stats)


def build_mirror(articles: int, seed: int, workdir: Path) -> Path:
    """A fresh mirror of ``articles`` articles built by the project's own command."""
    directory = workdir / f"mirror-{articles}"
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(directory),
                    "--articles", str(articles), "--seed", str(seed)],
                   cwd=ROOT, check=True, timeout=300, stdout=subprocess.DEVNULL)  # fmt: skip
    return directory


def crawl(articles: int, seed: int, workdir: Path, download_timeout: float,
          timeout: float, extra: list[str]) -> Run:
    """Build, serve and crawl a mirror of ``articles`` articles; the crawl's figures."""
    directory = build_mirror(articles, seed, workdir)
    out = workdir / f"crawl-{articles}"
    out.mkdir()
    with serve_process(directory, slow_seconds=max(5.0, 10 * download_timeout)) as base_url:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "smn",
               "-O", str(out / "articles.jsonl"),
               "-s", f"MIRROR_URL={base_url}", "-s", "SMN_POLITE=False",
               "-s", f"SMN_STATE_PATH={out / 'state.sqlite'}",
               "-s", f"SMN_STATS_PATH={out / 'stats.json'}",
               "-s", f"DOWNLOAD_TIMEOUT={download_timeout}",
               "-s", "LOG_LEVEL=INFO", "-s", "LOGSTATS_INTERVAL=1", *extra]  # fmt: skip
        code, rss, cpu = run_child(cmd, ROOT, timeout, out / "crawl.log")
    if code != 0:
        tail = (out / "crawl.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"crawl of {articles} articles failed ({code}):\n{tail}")
    stats = json.loads((out / "stats.json").read_text())
    responses = int(stats["response_received_count"])
    steady = steady_rate((out / "crawl.log").read_text(errors="replace"), responses)
    return Run(f"smn crawl, {articles} articles", responses,
               float(stats["elapsed_time_seconds"]), rss, cpu, stats, steady)


def steady_rate(log_text: str, total: int) -> float:
    """Pages/s between the per-second LogStats lines at 10 % and at 90 % of ``total``."""
    from datetime import datetime

    points = [(datetime.fromisoformat(t).timestamp(), int(n))
              for t, n in _LOGSTATS_RE.findall(log_text)]  # fmt: skip
    low = next((p for p in points if p[1] >= 0.1 * total), None)
    high = next((p for p in points if p[1] >= 0.9 * total), None)
    if low is None or high is None or high[0] <= low[0]:
        return 0.0
    return (high[1] - low[1]) / (high[0] - low[0])


def describe(run: Run) -> str:
    """One line of figures for a crawl."""
    s = run.stats
    timeouts = sum(v for k, v in s.items() if k.startswith("downloader/exception_type_count/")
                   and "Timeout" in k)  # fmt: skip
    cancelled = sum(v for k, v in s.items() if k.startswith("downloader/exception_type_count/")
                    and "Cancelled" in k)  # fmt: skip
    return (f"{run.label:>28}: {run.responses:6d} responses in {run.elapsed:6.1f} s = "
            f"{run.rate:6.1f} pages/s ({run.rate * 60:6.0f} pages/min; steady "
            f"{run.steady:.1f} pages/s), peak RSS {run.peak_rss_mb:5.0f} MB, "
            f"CPU {run.cpu_s / run.responses * 1e3:4.1f} ms/page;\n"
            f"{'':>30}exported {s.get('articles/exported', 0)}, duplicates "
            f"{sum(v for k, v in s.items() if k.startswith('articles/duplicate/'))}, rejected "
            f"{sum(v for k, v in s.items() if k.startswith('articles/rejected/'))}, "
            f"timeouts {timeouts}, over max size {cancelled}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="comma-separated mirror sizes to crawl (default 1000,10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bench-seconds", type=float, default=20.0,
                        help="duration of the scrapy bench baseline (default 20)")
    parser.add_argument("--download-timeout", type=float, default=1.0,
                        help="DOWNLOAD_TIMEOUT of the crawls (default 1 s)")
    parser.add_argument("--crawl-timeout", type=float, default=420.0,
                        help="kill a crawl that runs longer than this (default 420 s)")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        help="extra NAME=VALUE setting for the crawls (repeatable)")
    args = parser.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    extra = [arg for s in args.settings for arg in ("-s", s)]

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        workdir = Path(tmp)
        before = scrapy_bench(args.bench_seconds, workdir)
        print(describe_baseline(before), flush=True)
        runs = []
        for size in sizes:
            run = crawl(size, args.seed, workdir, args.download_timeout, args.crawl_timeout,
                        extra)
            runs.append(run)
            print(describe(run), flush=True)
        after = scrapy_bench(args.bench_seconds, workdir)
        print(describe_baseline(after), flush=True)

    # The machine's load may change during the run: compare with the faster of the two
    # scrapy bench runs (the stricter baseline).
    baseline = max(before, after, key=lambda r: r.rate)
    print(f"baseline: scrapy bench at {baseline.rate:.1f} pages/s (the faster of "
          f"{before.rate:.1f} before and {after.rate:.1f} after the crawls)")
    for run in runs:
        print(f"{run.label:>28}: {run.rate:.1f} pages/s = {run.rate / baseline.rate:.2f}x "
              f"scrapy bench (target >= 0.70x)")

    if len(runs) >= 2:
        small, large = min(runs, key=lambda r: r.responses), max(runs, key=lambda r: r.responses)
        print(f"scaling: pages/s at the largest size / at the smallest = "
              f"{large.rate / small.rate:.3f} over the whole crawls, "
              f"{large.steady / small.steady if small.steady else 0:.3f} steady "
              f"(10 %..90 % of responses; target 0.90..1.10)")
        print(f"memory: peak RSS at the largest size / at the smallest = "
              f"{large.peak_rss_mb / small.peak_rss_mb:.3f} (target <= 1.30)")
    return 0


def describe_baseline(run: Run) -> str:
    """One line for the scrapy bench baseline."""
    return (f"{run.label:>28}: {run.responses:6d} responses in {run.elapsed:6.1f} s = "
            f"{run.rate:6.1f} pages/s ({run.rate * 60:6.0f} pages/min), peak RSS "
            f"{run.peak_rss_mb:5.0f} MB (CPU incl. its own server: "
            f"{run.cpu_s / run.responses * 1e3:4.1f} ms/page)")


if __name__ == "__main__":
    sys.exit(main())
