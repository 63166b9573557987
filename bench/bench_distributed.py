"""Benchmark distributed crawling: one worker against two on the same mirror, politeness off.

Run from the repository root (needs ``redis-server``)::

    .venv/bin/python bench/bench_distributed.py [--articles 2000] [--workers 1,2]

The mirror (``mirror serve``) and a redis-server run in child processes on loopback. For each
worker count a fresh job crawls the whole mirror (``scrapy crawl smn`` workers started
together, LOG_LEVEL=INFO) and the figure is responses per second: the responses of all workers
over the time from the start to the last response, i.e. the wall time without the idle delay
at the end (``SMN_IDLE_CLOSE_SECONDS``). A plain single crawl without Redis (SQLite state) runs
first as the baseline. The ratio of each to the one-worker figure is printed beside it.

Workers share the machine's CPUs with the mirror and Redis: on a machine with fewer cores than
workers + 1, two workers mostly compete for CPU and the ratio says so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.mirror.build import build  # noqa: E402
from crawler.mirror.server import serve_process  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

IDLE_CLOSE = 1.0


def crawl(mirror: str, out: Path, n: int, redis_url: str | None, job: str) -> dict[str, Any]:
    """Run ``n`` workers together (or one plain crawl when redis_url is None); their figures."""
    procs = []
    started = time.time()
    for i in range(n):
        folder = out / f"{job}-w{i}"
        folder.mkdir(parents=True)
        settings = {"MIRROR_URL": mirror, "SMN_POLITE": "False", "LOG_LEVEL": "INFO",
                    "LOG_FILE": str(folder / "crawl.log"),
                    "SMN_STATS_PATH": str(folder / "stats.json"),
                    "SMN_STATE_PATH": str(folder / "state.sqlite"), "DOWNLOAD_TIMEOUT": "2"}
        if redis_url:
            settings.update({"REDIS_URL": redis_url, "SMN_JOB": job,
                             "SMN_REDIS_STATE_KEY": f"state:{job}",
                             "SMN_IDLE_CLOSE_SECONDS": str(IDLE_CLOSE)})  # fmt: skip
        cmd = [sys.executable, "-m", "scrapy", "crawl", "smn", "-a", "resume=1",
               "-O", str(folder / "articles.jsonl")]  # fmt: skip
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        procs.append((subprocess.Popen(cmd, cwd=ROOT, env={**os.environ},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                      folder))  # fmt: skip
    for proc, _ in procs:
        proc.wait()
    wall = time.time() - started
    responses = articles = 0
    for proc, folder in procs:
        stats = json.loads((folder / "stats.json").read_text())
        if proc.returncode != 0 or stats.get("finish_reason") != "finished":
            raise RuntimeError(f"worker in {folder} failed: {stats.get('finish_reason')}")
        responses += int(stats.get("downloader/response_count", 0))
        articles += int(stats.get("articles/exported", 0))
    active = wall - (IDLE_CLOSE if redis_url else 0.0)
    return {"workers": n, "redis": bool(redis_url), "responses": responses,
            "articles": articles, "seconds": active,
            "pages_per_second": responses / active}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        root = Path(tmp)
        build(root / "mirror", articles=args.articles, seed=args.seed)
        with serve_process(root / "mirror", slow_seconds=1) as mirror, RedisServer() as server:
            rows = [("plain crawl (SQLite, no Redis)",
                     crawl(mirror, root / "runs", 1, None, "plain"))]  # fmt: skip
            for n in counts:
                rows.append((f"{n} Redis worker{'s' if n > 1 else ''}",
                             crawl(mirror, root / "runs", n, server.url, f"w{n}")))  # fmt: skip
    base = next((r for _, r in rows if r["workers"] == 1 and r["redis"]), rows[0][1])
    print(f"mirror: {args.articles} articles, {os.cpu_count()} CPUs; politeness off; "
          "ratio: to one Redis worker")
    print(f"{'':34} {'responses':>9} {'articles':>8} {'seconds':>8} {'pages/s':>8} {'ratio':>6}")
    for label, r in rows:
        ratio = r["pages_per_second"] / base["pages_per_second"]
        print(f"{label:34} {r['responses']:>9} {r['articles']:>8} {r['seconds']:>8.1f} "
              f"{r['pages_per_second']:>8.1f} {ratio:>6.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
