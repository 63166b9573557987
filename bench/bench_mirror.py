"""Benchmark the mirror: generation time of 10,000 articles, and loopback pages/second.

Run from the repository root::

    .venv/bin/python bench/bench_mirror.py [--articles 10000] [--seconds 5] [--clients 2]

The server is measured in a child process (``mirror serve``) with keep-alive clients: several
processes, each with a few threads of ``http.client``, fetching article pages round-robin. The
baseline is Python's ``http.server`` (``python -m http.server``) serving the same directory,
measured in the same run with the same client; the ratio is printed beside both.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.mirror.build import build, file_for  # noqa: E402
from crawler.mirror.server import serve_process  # noqa: E402


def _worker(base: str, paths: list[str], seconds: float, threads: int, out: mp.Queue) -> None:
    """One client process: ``threads`` keep-alive connections fetching for ``seconds``."""
    parts = urlsplit(base)
    counts = [0] * threads
    errors = [0] * threads
    deadline = time.perf_counter() + seconds

    def run(k: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        i = k
        while time.perf_counter() < deadline:
            try:
                conn.request("GET", paths[i % len(paths)])
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    counts[k] += 1
                else:
                    errors[k] += 1
                if resp.will_close:
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            i += threads
        conn.close()

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((sum(counts), sum(errors)))


def measure(base: str, paths: list[str], seconds: float, clients: int, threads: int) -> float:
    """Pages per second answered 200 by the server at ``base``."""
    q: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_worker, args=(base, paths[c::clients], seconds, threads, q))
             for c in range(clients)]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    took = time.perf_counter() - started
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors:
        print(f"  ({errors} errors)")
    return ok / min(took, seconds + 0.5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _article_paths(root: Path, limit: int) -> list[str]:
    import json

    paths = []
    with (root / "truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            url = json.loads(line)["url"]
            paths.append("/" + file_for(url))
            if len(paths) == limit:
                break
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--clients", type=int, default=2, help="client processes")
    ap.add_argument("--threads", type=int, default=4, help="keep-alive connections per client")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mirror-") as tmp:
        root = Path(tmp) / "mirror"
        started = time.perf_counter()
        build(root, args.articles, seed=1)
        gen_s = time.perf_counter() - started
        print(f"generation: {args.articles} articles in {gen_s:.1f} s")
        paths = _article_paths(root, 2000)
        avg = sum((root / p.lstrip("/")).stat().st_size for p in paths) / len(paths)
        print(f"pages: {len(paths)} article pages, {avg / 1024:.1f} KiB on average")
        with serve_process(root) as base:
            ours = measure(base, paths, args.seconds, args.clients, args.threads)
        print(f"mirror serve:     {ours:8.0f} pages/s")
        port = _free_port()
        baseline = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            base_rate = measure(f"http://127.0.0.1:{port}", paths, args.seconds, args.clients,
                                args.threads)
        finally:
            baseline.terminate()
            baseline.wait()
        print(f"http.server:      {base_rate:8.0f} pages/s (baseline)")
        print(f"ratio:            {ours / base_rate:8.1f}x  (cores: {os.cpu_count()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
