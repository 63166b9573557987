"""Benchmark what a scheduled run costs when little changed, against the first full run.

Run from the repository root::

    .venv/bin/python bench/bench_incremental.py [--articles 2000] [--grow 100]

Builds a mirror, serves it in a child process, and runs ``python -m crawler crawl`` (the
scheduled-run command, politeness off: the mirror is ours) three times into one output folder:
a first full run, a second run over the unchanged mirror (the baseline is the first run,
measured in the same script), and a third after the mirror grew by ``--grow`` articles.
Prints requests sent and elapsed time of each run from its manifest, and the ratios
(targets: second run <= 5% of the first run's requests and <= 10% of its time).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.mirror.server import serve_process  # noqa: E402


def _run(base_url: str, output: Path) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--mirror", base_url, "--output", str(output),
         "-s", "SMN_POLITE=False", "-s", "DOWNLOAD_TIMEOUT=1"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL, timeout=1800,
    )
    last = sorted(p for p in (output / "runs").iterdir() if p.is_dir())[-1]
    manifest: dict[str, Any] = json.loads((last / "manifest.json").read_text())
    return manifest


def _line(name: str, m: dict[str, Any]) -> str:
    return (f"{name:>22}: {m['requests']:6d} requests, {m['elapsed_seconds']:7.2f} s, "
            f"exported {m['articles_exported']}, duplicates {m['duplicates']}, "
            f"unchanged hubs {m['incremental']['hubs_unchanged']}")


def main() -> int:
    """Run the three crawls and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--grow", type=int, default=100)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="smn-bench-inc-") as tmp:
        mirror, output = Path(tmp) / "mirror", Path(tmp) / "output"
        build = [sys.executable, "-m", "crawler", "mirror", "build", str(mirror),
                 "--seed", str(args.seed)]
        subprocess.run([*build, "--articles", str(args.articles)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        with serve_process(mirror, slow_seconds=5) as base_url:
            first = _run(base_url, output)
            second = _run(base_url, output)
        subprocess.run([*build, "--articles", str(args.articles + args.grow), "--grow"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        with serve_process(mirror, slow_seconds=5) as base_url:
            third = _run(base_url, output)
    print(f"mirror of {args.articles} articles, then grown by {args.grow}")
    print(_line("first run (baseline)", first))
    print(_line("second run, unchanged", second))
    print(_line(f"third run, +{args.grow}", third))
    print(f"second/first: requests {second['requests'] / first['requests']:.3f} (target <= 0.05), "
          f"time {second['elapsed_seconds'] / first['elapsed_seconds']:.3f} (target <= 0.10)")
    print(f"third/first: requests {third['requests'] / first['requests']:.3f}, "
          f"time {third['elapsed_seconds'] / first['elapsed_seconds']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
