"""Benchmark of the persistent state store at a million stories, beside an in-memory baseline.

    python bench/bench_state.py                 # 1,000,000 stories (several minutes)
    python bench/bench_state.py --stories 100000

What is synthetic: the 1M stories' URLs (realistic SMN addresses built from a counter),
fingerprints (random 64-bit) and MinHash signatures (random minima, not computed from text:
computing 1M real MinHashes would only measure datasketch). Everything after the signature is
the real code: ``SqliteState.add_story`` stores the story, its URL key and its 32 LSH band keys;
lookups go through ``seen_url``, ``find_fingerprint`` and ``find_similar`` (band lookup plus
verification of each candidate's stored signature). Near-duplicate queries are stored
signatures with 20 % of their minima replaced (J ~ 0.8); misses are fresh random signatures.
One real MinHash of a 500-word body is timed too.

The baseline is what a process would hold without the store: Python dicts of the same keys
(URL -> story, fingerprint -> story, band key -> story, story -> signature), measured in the
same run: RAM by RSS growth, lookups with the same verification.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crawler import similarity  # noqa: E402
from crawler.similarity import band_keys  # noqa: E402
from crawler.state import SqliteState, fingerprint_key  # noqa: E402

SITES = ["spacewar.com", "spacedaily.com", "terradaily.com", "energy-daily.com", "marsdaily.com"]


class Sig:
    """A stand-in for a datasketch MinHash: only ``hashvalues`` is read by the store."""

    def __init__(self, hashvalues: np.ndarray) -> None:
        self.hashvalues = hashvalues


def rss_mb() -> float:
    """Resident set size of this process, MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def story_url(i: int) -> str:
    site = SITES[i % len(SITES)]
    return f"https://www.{site}/reports/Story_number_{i}_about_space_and_defence_999.html"


def signatures(seed: int, count: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(
        0, 2**32, size=(count, similarity.NUM_PERM), dtype=np.uint64
    )


def near(sig: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A signature agreeing with ``sig`` on ~80 % of its minima."""
    out = sig.copy()
    idx = rng.choice(similarity.NUM_PERM, size=similarity.NUM_PERM // 5, replace=False)
    out[idx] = rng.integers(0, 2**32, size=len(idx), dtype=np.uint64)
    return out


def rate(fn: Callable[[Any], Any], queries: list[Any]) -> float:
    t0 = time.perf_counter()
    for q in queries:
        fn(q)
    return len(queries) / (time.perf_counter() - t0)


def build_state(path: Path, n: int, chunk: int = 50_000) -> tuple[list[float], float]:
    st = SqliteState(path, commit_every=10_000)
    fps = np.random.default_rng(1).integers(0, 2**63, size=n, dtype=np.int64)
    rss = [rss_mb()]
    t0 = time.perf_counter()
    for start in range(0, n, chunk):
        sigs = signatures(start, min(chunk, n - start))
        for j, sig in enumerate(sigs):
            i = start + j
            st.add_story(story_url(i), f"{int(fps[i]):016x}", Sig(sig))  # type: ignore[arg-type]
        rss.append(rss_mb())
        done = start + len(sigs)
        print(f"  stored {done:>9,}  {done / (time.perf_counter() - t0):8,.0f}/s  "
              f"RSS {rss[-1]:7.1f} MB", flush=True)  # fmt: skip
    st.close()
    return rss, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stories", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=20_000)
    ap.add_argument("--dir", default=None, help="folder for the state file (default: a temp dir)")
    args = ap.parse_args(argv)
    n, q = args.stories, args.queries
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench-state-"))
    path = folder / "bench-state.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)

    print(f"Building a state of {n:,} synthetic stories in {path}")
    rss_build, build_s = build_state(path, n)
    size = path.stat().st_size

    rng = random.Random(7)
    nrng = np.random.default_rng(7)
    hit_ids = [rng.randrange(n) for _ in range(q)]
    url_hits = [story_url(i) for i in hit_ids]
    url_misses = [story_url(n + i) for i in range(q)]
    fps_all = np.random.default_rng(1).integers(0, 2**63, size=n, dtype=np.int64)
    fp_hits = [f"{int(fps_all[i]):016x}" for i in hit_ids]
    stored = {}
    for i in sorted(set(hit_ids)):
        chunk_start = i - i % 50_000
        if chunk_start not in stored:
            stored[chunk_start] = signatures(chunk_start, min(50_000, n - chunk_start))
    sim_hits = [Sig(near(stored[i - i % 50_000][i % 50_000], nrng)) for i in hit_ids]
    sim_misses = [Sig(s) for s in signatures(10**9, q)]
    del stored  # the query signatures are built; RSS below is the store's
    gc.collect()

    body = " ".join(random.Random(3).choice(["alpha", "beta", "gamma", "delta", "orbit", "launch",
                                             "satellite", "missile", "nato", "said"] * 40)
                    for _ in range(500))  # fmt: skip
    t0 = time.perf_counter()
    for _ in range(200):
        similarity.minhash(body)
    minhash_ms = (time.perf_counter() - t0) / 200 * 1000

    st = SqliteState(path)
    rss_lookup0 = rss_mb()
    found = sum(1 for s in sim_hits[:1000] if st.find_similar(s))  # type: ignore[arg-type]
    state_rates = {
        "seen_url (hit)": rate(st.seen_url, url_hits),
        "seen_url (miss)": rate(st.seen_url, url_misses),
        "find_fingerprint (hit)": rate(st.find_fingerprint, fp_hits),
        "find_similar (J~0.8)": rate(st.find_similar, sim_hits),
        "find_similar (miss)": rate(st.find_similar, sim_misses),
    }
    rss_lookup1 = rss_mb()
    st.close()

    print("Building the in-memory baseline (dicts of the same keys)")
    rss0 = rss_mb()
    urls: dict[str, int] = {}
    fp_index: dict[int, int] = {}
    bands: dict[int, int] = {}
    sigs_mem: list[bytes] = []
    for start in range(0, n, 50_000):
        for j, sig in enumerate(signatures(start, min(50_000, n - start))):
            i = start + j
            raw = similarity.signature_bytes(Sig(sig))  # type: ignore[arg-type]
            urls[story_url(i)] = i
            fp_index[fingerprint_key(f"{int(fps_all[i]):016x}")] = i
            for k in band_keys(raw):
                bands[k] = i
            sigs_mem.append(raw)
    baseline_mb = rss_mb() - rss0

    def mem_similar(sig: Sig) -> int | None:
        raw = similarity.signature_bytes(sig)  # type: ignore[arg-type]
        for k in band_keys(raw):
            i = bands.get(k)
            if i is not None and similarity.similarity(raw, sigs_mem[i]) >= similarity.THRESHOLD:
                return i
        return None

    base_rates = {
        "seen_url (hit)": rate(urls.get, url_hits),
        "seen_url (miss)": rate(urls.get, url_misses),
        "find_fingerprint (hit)": rate(lambda f: fp_index.get(fingerprint_key(f)), fp_hits),
        "find_similar (J~0.8)": rate(mem_similar, sim_hits),
        "find_similar (miss)": rate(mem_similar, sim_misses),
    }

    state_bytes = size / n
    base_bytes = baseline_mb * 2**20 / n
    print()
    print(f"State store at {n:,} stories (SQLite, WAL, 16 MB page cache); built in {build_s:.0f} s")
    print(f"  file {size / 2**20:,.1f} MB  ->  {state_bytes:,.0f} bytes/article on disk")
    print(f"  baseline dicts: {baseline_mb:,.1f} MB RAM -> {base_bytes:,.0f} bytes/article in RAM")
    state_ram = max(0.0, rss_build[-1] - rss_build[1]) * 2**20 / n
    print(f"  RAM growth per article: state {state_ram:,.1f} B vs baseline {base_bytes:,.0f} B")
    print(f"  bytes/article: state on disk / baseline in RAM = {state_bytes / base_bytes:.2f}")
    print(f"  near-duplicate queries found: {found}/1000")
    print(f"  one real MinHash of a 500-word body: {minhash_ms:.2f} ms")
    print(f"  {'lookup':<24}{'state/s':>12}{'dict/s':>12}{'state/dict':>12}")
    for name, r in state_rates.items():
        b = base_rates[name]
        print(f"  {name:<24}{r:>12,.0f}{b:>12,.0f}{r / b:>12.3f}")
    grow = rss_build[-1] - rss_build[1] if len(rss_build) > 1 else 0.0
    print(f"  RSS while storing: first chunk {rss_build[1]:.1f} MB, last {rss_build[-1]:.1f} MB "
          f"(growth {grow:+.1f} MB over {n:,} stories); during lookups "
          f"{rss_lookup0:.1f} -> {rss_lookup1:.1f} MB")  # fmt: skip
    if not args.dir:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.rmdir(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
