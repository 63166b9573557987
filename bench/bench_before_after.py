"""A change measured in one run: the crawl at commit BEFORE and at AFTER, and their records.

Run from the repository root::

    .venv/bin/python bench/bench_before_after.py --before HEAD~1 [--after WORKTREE]
        [--articles 2000] [--rounds 2]

Both versions are extracted with ``git archive`` into a temporary folder (``--after WORKTREE``,
the default, takes this checkout as it is, uncommitted changes included) and crawl the same
served mirror alternately, ``--rounds`` times each (before, after, before, after, ...), with
``SMN_POLITE=False`` and ``CONCURRENT_REQUESTS=32``; each crawl runs in a child process whose
``PYTHONPATH`` starts with its version's folder, with the probe of ``bench/probe.py``.

Printed: each crawl's figures, the lowest CPU per page of each version and their ratio, and
whether the two versions exported the same records: every line of the articles file of the
last crawl of each, keyed by URL, compared field by field apart from ``crawled_at`` (and the
duplicates and rejects files likewise, as sets of lines).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

VOLATILE = ("crawled_at",)


def export_tree(rev: str, dest: Path) -> Path:
    """The files of commit ``rev`` (or this checkout for ``WORKTREE``) in ``dest``."""
    dest.mkdir(parents=True)
    if rev == "WORKTREE":
        files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                                "--exclude-standard"], cwd=common.ROOT, check=True,
                               capture_output=True).stdout.split(b"\0")  # fmt: skip
        with tarfile.open(dest / "t.tar", "w") as tar:
            for name in filter(None, files):
                path = common.ROOT / name.decode()
                if path.is_file():
                    tar.add(path, arcname=name.decode())
    else:
        with (dest / "t.tar").open("wb") as out:
            subprocess.run(["git", "archive", rev], cwd=common.ROOT, check=True, stdout=out)
    with tarfile.open(dest / "t.tar") as tar:
        tar.extractall(dest, filter="data")
    (dest / "t.tar").unlink()
    return dest


def records(path: Path) -> dict[str, dict[str, Any]]:
    """The records of an articles file by URL, without the volatile fields."""
    out: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            for key in VOLATILE:
                rec.pop(key, None)
            out[str(rec.get("url"))] = rec
    return out


def lines(path: Path) -> set[str]:
    """The lines of a sidecar file as a set (order depends on concurrency)."""
    return set(path.read_text(encoding="utf-8").splitlines()) if path.is_file() else set()


def compare(a: Path, b: Path) -> list[str]:
    """Differences between the records of two crawl folders (empty: identical)."""
    diffs: list[str] = []
    ra, rb = records(a / "articles.jsonl"), records(b / "articles.jsonl")
    for url in sorted(set(ra) ^ set(rb)):
        diffs.append(f"only in {'before' if url in ra else 'after'}: {url}")
    for url in sorted(set(ra) & set(rb)):
        fields = sorted(k for k in set(ra[url]) | set(rb[url]) if ra[url].get(k) != rb[url].get(k))
        if fields:
            diffs.append(f"{url}: fields differ: {', '.join(fields)}")
    for name in ("duplicates.jsonl", "rejects.jsonl"):
        la, lb = lines(a / name), lines(b / name)
        if la != lb:
            diffs.append(f"{name}: {len(la - lb)} lines only before, {len(lb - la)} only after")
    return diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="HEAD~1")
    parser.add_argument("--after", default="WORKTREE")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        help="extra NAME=VALUE setting for both versions")
    args = parser.parse_args(argv)
    print(common.banner(sys.argv), flush=True)
    revs = {"before": args.before, "after": args.after}
    for name, rev in revs.items():
        if rev != "WORKTREE":
            sha = subprocess.run(["git", "rev-parse", "--short=12", rev], cwd=common.ROOT,
                                 check=True, text=True, capture_output=True).stdout.strip()
            print(f"{name}: {rev} = {sha}")
        else:
            print(f"{name}: this checkout's files ({common.git_commit()})")
    settings = {"CONCURRENT_REQUESTS": args.concurrency, "SMN_POLITE": False,
                "DOWNLOAD_TIMEOUT": 3.0, "LOG_LEVEL": "INFO", "LOGSTATS_INTERVAL": 10,
                **dict(s.split("=", 1) for s in args.settings)}  # fmt: skip
    runs: dict[str, list[common.Measured]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory(prefix="bench-before-after-") as tmp:
        work = Path(tmp)
        trees = {name: export_tree(rev, work / name) for name, rev in revs.items()}
        mirror = common.build_mirror(work / "mirror", args.articles, args.seed)
        with common.serve(mirror, slow_seconds=30) as url:
            for i in range(args.rounds):
                for name in ("before", "after"):
                    run = common.crawl_project(url, settings, work / f"crawl-{name}-{i}",
                                               f"{name} #{i + 1}", root=trees[name])
                    runs[name].append(run)
                    print(run.line(), flush=True)
        best = {name: min(r, key=lambda m: m.cpu_ms_per_page) for name, r in runs.items()}
        last = args.rounds - 1
        diffs = compare(work / f"crawl-before-{last}", work / f"crawl-after-{last}")
        n_records = len(records(work / f"crawl-after-{last}" / "articles.jsonl"))
    b, a = best["before"], best["after"]
    print(f"\nCPU per page (lowest of {args.rounds}): before {b.cpu_ms_per_page:.2f} ms, after "
          f"{a.cpu_ms_per_page:.2f} ms = {a.cpu_ms_per_page / b.cpu_ms_per_page:.3f}x; pages/s "
          f"{b.rate:.1f} -> {a.rate:.1f}")
    if diffs:
        print(f"records: {len(diffs)} differences (apart from {', '.join(VOLATILE)}):")
        for d in diffs[:20]:
            print("  " + d)
        return 1
    print(f"records: identical ({n_records} articles, duplicates and rejects files; apart from "
          f"{', '.join(VOLATILE)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
