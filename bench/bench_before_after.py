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
whether the two versions' last crawls gave the same output: the records both exported equal
field by field apart from ``crawled_at`` (and, with capture on, where the ``warc`` pointer
points: its payload digest is compared), the same number of them, the same stories (an exported
address with the addresses recorded as its duplicates: which copy of a syndicated story is
exported depends on the order responses arrive in, even between two crawls of one version),
and the same rejects.
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
PER_CAPTURE = ("filename", "record_id", "offset", "length")
"""Parts of a record's ``warc`` pointer that differ between any two captures (file names and
record ids are new each time, offsets follow the order responses arrive in): with ``-s
SMN_CAPTURE_DIR=...`` only the pointer's payload digest is compared."""


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
            if isinstance(rec.get("warc"), dict):
                rec["warc"] = {k: v for k, v in rec["warc"].items() if k not in PER_CAPTURE}
            out[str(rec.get("url"))] = rec
    return out


def lines(path: Path) -> set[str]:
    """The lines of a sidecar file as a set (order depends on concurrency)."""
    return set(path.read_text(encoding="utf-8").splitlines()) if path.is_file() else set()


def clusters(folder: Path) -> set[frozenset[str]]:
    """The stories of a crawl: each exported URL with every address recorded as its duplicate.

    Which copy of a syndicated story is exported depends on the order pages arrive in (32
    requests in flight), so crawls are compared by these groups, not by the exported URLs.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for url in records(folder / "articles.jsonl"):
        find(url)
    dup_file = folder / "duplicates.jsonl"
    if dup_file.is_file():
        for line in dup_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                parent[find(str(rec["url"]))] = find(str(rec["duplicate_of"]))
    groups: dict[str, set[str]] = {}
    for url in list(parent):
        groups.setdefault(find(url), set()).add(url)
    return {frozenset(g) for g in groups.values()}


def compare(a: Path, b: Path) -> list[str]:
    """Differences between the outputs of two crawls (empty: the same).

    Records exported by both (by URL) must be equal field by field apart from ``crawled_at``;
    the stories (:func:`clusters`) must be the same groups of addresses; the rejects the same.
    """
    diffs: list[str] = []
    ra, rb = records(a / "articles.jsonl"), records(b / "articles.jsonl")
    for url in sorted(set(ra) & set(rb)):
        fields = sorted(k for k in set(ra[url]) | set(rb[url]) if ra[url].get(k) != rb[url].get(k))
        if fields:
            diffs.append(f"{url}: fields differ: {', '.join(fields)}")
    ca, cb = clusters(a), clusters(b)
    if ca != cb:
        diffs.append(f"stories: {len(ca - cb)} groups only before, {len(cb - ca)} only after, "
                     f"e.g. {sorted(sorted(g) for g in ca ^ cb)[:2]}")
    if len(ra) != len(rb):
        diffs.append(f"articles exported: {len(ra)} before, {len(rb)} after")
    la, lb = lines(a / "rejects.jsonl"), lines(b / "rejects.jsonl")
    if la != lb:
        diffs.append(f"rejects: {len(la - lb)} lines only before, {len(lb - la)} only after")
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
        n_same = len(set(records(work / f"crawl-after-{last}" / "articles.jsonl"))
                     & set(records(work / f"crawl-before-{last}" / "articles.jsonl")))
    b, a = best["before"], best["after"]
    print(f"\nCPU per page (lowest of {args.rounds}): before {b.cpu_ms_per_page:.2f} ms, after "
          f"{a.cpu_ms_per_page:.2f} ms = {a.cpu_ms_per_page / b.cpu_ms_per_page:.3f}x; pages/s "
          f"{b.rate:.1f} -> {a.rate:.1f}")
    if diffs:
        print(f"records: {len(diffs)} differences (apart from {', '.join(VOLATILE)} and where "
              f"the warc pointer points):")
        for d in diffs[:20]:
            print("  " + d)
        return 1
    print(f"records: the same ({n_records} articles exported by each; the {n_same} exported by "
          f"both equal field by field apart from {', '.join(VOLATILE)} and where the warc "
          f"pointer points; the same stories, i.e. "
          f"groups of an exported address and its duplicates; the same rejects)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
