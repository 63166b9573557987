"""What WARC capture costs: the same crawl with and without it, in one run.

Run from the repository root::

    .venv/bin/python bench/bench_capture.py [--articles 2000] [--repeats 2]

Steps, every one bounded in time:

1. Build a mirror (``python -m crawler mirror build``) and serve it in a child process.
2. Crawl it with ``scrapy crawl smn`` (fresh state, ``SMN_POLITE=False``, the same settings),
   alternately without and with ``-s SMN_CAPTURE_DIR=...``, ``--repeats`` times each; rate =
   ``response_received_count / elapsed_time_seconds``, also CPU ms per page (``wait4``). The
   best rate of each kind is compared (a shared machine's load only ever slows a crawl down):
   target with/without >= 0.90.
3. Disk: compressed WARC bytes per captured page (response records), beside the bodies'
   own size; the time to index the folder and hash its files (what a scheduled run adds at
   its end).
4. Revisits: two scheduled runs (``python -m crawler crawl``) over the unchanged mirror, the
   second revalidating hubs (304: revisit records); and one more ``scrapy crawl`` with a fresh
   state and no HTTP cache but the first crawl's digest index, which fetches every page again
   (identical payloads: revisit records). For each, the bytes written beside the bytes the
   same records would have taken in full.

Servers and crawls are child processes that are always stopped, also on errors or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.capture.cdxj import Entry, ensure_index  # noqa: E402
from crawler.capture.reader import Captures  # noqa: E402
from crawler.capture.runfiles import capture_account  # noqa: E402
from crawler.mirror.server import serve_process  # noqa: E402


@dataclass
class Crawl:
    """One measured crawl."""

    label: str
    responses: int
    elapsed: float
    cpu_s: float
    stats: dict[str, Any]
    warc: Path | None

    @property
    def rate(self) -> float:
        """Responses per second."""
        return self.responses / self.elapsed if self.elapsed else 0.0


def run_child(cmd: list[str], timeout: float, log: Path) -> tuple[int, float]:
    """Run ``cmd`` from the repository; (exit code, CPU seconds). Killed at ``timeout``."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    return proc.returncode, usage.ru_utime + usage.ru_stime
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{cmd[:4]} ran over {timeout:.0f} s")
                time.sleep(0.05)
        finally:
            if proc.returncode is None:
                proc.kill()
                proc.wait()


def scrapy_crawl(label: str, base_url: str, out: Path, timeout: float, capture: bool,
                 extra: list[str]) -> Crawl:
    """``scrapy crawl smn`` against the mirror into ``out`` (a fresh folder)."""
    out.mkdir(parents=True)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "smn", "-O", str(out / "articles.jsonl"),
           "-s", f"MIRROR_URL={base_url}", "-s", "SMN_POLITE=False",
           "-s", f"SMN_STATE_PATH={out / 'state.sqlite'}",
           "-s", f"SMN_STATS_PATH={out / 'stats.json'}", "-s", "DOWNLOAD_TIMEOUT=1",
           "-s", "LOG_LEVEL=INFO", *extra]  # fmt: skip
    if capture:
        cmd += ["-s", f"SMN_CAPTURE_DIR={out / 'warc'}"]
    code, cpu = run_child(cmd, timeout, out / "crawl.log")
    if code != 0:
        tail = (out / "crawl.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{label} failed ({code}):\n{tail}")
    stats = json.loads((out / "stats.json").read_text())
    return Crawl(label, int(stats["response_received_count"]),
                 float(stats["elapsed_time_seconds"]), cpu, stats,
                 out / "warc" if capture else None)


def full_size(entry: Entry, captures: Captures) -> int:
    """Bytes the response record behind a revisit takes (what storing it again would cost)."""
    if entry.kind == "response":
        return entry.length
    if entry.status == 304:
        earlier = [e for e in captures.by_url.get(entry.url, ())
                   if e.status == 200 and e.date < entry.date]
        return earlier[-1].length if earlier else entry.length
    original = captures.by_digest.get(entry.digest or "")
    return original.length if original else entry.length


def revisit_line(label: str, folder: Path, captures: Captures) -> str:
    """Bytes of a crawl's page records (responses and revisits) beside what the same pages
    would take as full response records."""
    entries = ensure_index(folder)
    if not entries:
        return f"{label}: nothing captured"
    written = sum(p.stat().st_size for p in folder.glob("*.warc.gz"))
    revisits = [e for e in entries if e.kind == "revisit"]
    stored = sum(e.length for e in entries)
    full = sum(full_size(e, captures) for e in entries)
    return (f"{label}: {len(entries)} page records ({len(revisits)} revisits) take {stored} "
            f"bytes, {full} as full responses: revisits save {1 - stored / full:.1%}; "
            f"{written} bytes written in all (request records and warcinfo included)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2,
                        help="crawls of each kind, alternating (default 2)")
    parser.add_argument("--crawl-timeout", type=float, default=600.0)
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        help="extra NAME=VALUE setting for every crawl (repeatable)")
    args = parser.parse_args(argv)
    extra = [arg for s in args.settings for arg in ("-s", s)]

    with tempfile.TemporaryDirectory(prefix="bench-capture-") as tmp:
        work = Path(tmp)
        mirror = work / "mirror"
        subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(mirror),
                        "--articles", str(args.articles), "--seed", str(args.seed)],
                       cwd=ROOT, check=True, timeout=600, stdout=subprocess.DEVNULL)
        with serve_process(mirror, slow_seconds=5) as base_url:
            crawls: list[Crawl] = []
            for i in range(args.repeats):
                for capture in (False, True):
                    label = f"{'with' if capture else 'without'} capture #{i + 1}"
                    crawl = scrapy_crawl(label, base_url, work / label.replace(" ", "-")
                                         .replace("#", ""), args.crawl_timeout, capture, extra)
                    crawls.append(crawl)
                    print(f"{label:>22}: {crawl.responses} responses in {crawl.elapsed:6.1f} s "
                          f"= {crawl.rate:6.1f} pages/s, CPU "
                          f"{crawl.cpu_s / crawl.responses * 1e3:5.2f} ms/page", flush=True)
            scheduled = work / "scheduled"
            for _ in range(2):
                code, _cpu = run_child(
                    [sys.executable, "-m", "crawler", "crawl", "--mirror", base_url,
                     "--output", str(scheduled), "-s", "SMN_POLITE=False",
                     "-s", "DOWNLOAD_TIMEOUT=1", *extra],
                    args.crawl_timeout, work / "scheduled.log")
                if code not in (0, 4):  # 4: a monitor's warning, not a failure of the run
                    raise RuntimeError((work / "scheduled.log").read_text()[-2000:])
            first_capture = next(c for c in crawls if c.warc is not None)
            assert first_capture.warc is not None
            digest_index = work / "digests.sqlite"
            again = work / "digest-revisits"
            seeded = scrapy_crawl("seed digests", base_url, work / "seed-digests",
                                  args.crawl_timeout, True,
                                  [*extra, "-s", f"SMN_CAPTURE_INDEX_PATH={digest_index}"])
            repeat = scrapy_crawl("digest revisits", base_url, again, args.crawl_timeout, True,
                                  [*extra, "-s", f"SMN_CAPTURE_INDEX_PATH={digest_index}"])

        without = max((c for c in crawls if c.warc is None), key=lambda c: c.rate)
        with_ = max((c for c in crawls if c.warc is not None), key=lambda c: c.rate)
        print(f"pages/s with capture / without: {with_.rate:.1f} / {without.rate:.1f} = "
              f"{with_.rate / without.rate:.3f} (best of {args.repeats} each; target >= 0.90)")
        print(f"CPU per page with / without: {with_.cpu_s / with_.responses * 1e3:.2f} / "
              f"{without.cpu_s / without.responses * 1e3:.2f} ms")

        folder = first_capture.warc
        shutil.copytree(folder, work / "rerun" / "warc")
        (work / "rerun" / "warc" / "index.cdxj").unlink()
        started = time.perf_counter()
        capture_account(work / "rerun" / "warc")  # what a scheduled run does at its end
        index_s = time.perf_counter() - started
        entries = ensure_index(folder)
        responses = [e for e in entries if e.kind == "response"]
        pages = [e for e in responses if e.status == 200 and e.mime == "text/html"]
        total = sum(p.stat().st_size for p in folder.glob("*.warc.gz"))
        captures = Captures([folder])
        body_bytes = sum(len(captures.page(e).body) for e in pages)
        print(f"disk: {total} bytes of WARC for {len(entries)} captured responses "
              f"({len(responses)} response records) = {total / len(responses):.0f} bytes "
              f"per captured page (compressed, request record included); HTML pages: "
              f"{len(pages)}, bodies {body_bytes / len(pages):.0f} bytes each uncompressed, "
              f"{sum(e.length for e in pages) / len(pages):.0f} bytes per response record")
        print(f"index and account at the end of a run: {index_s:.2f} s for {len(entries)} "
              f"records ({total / 1e6:.1f} MB)")

        runs = sorted(p for p in (scheduled / "runs").iterdir() if p.is_dir())
        both = Captures(runs)
        print(revisit_line("scheduled run 1", runs[0] / "warc", both))
        print(revisit_line("scheduled run 2 (unchanged, 304s)", runs[1] / "warc", both))
        digest_captures = Captures([work / "seed-digests", again])
        assert seeded.warc is not None and repeat.warc is not None
        print(revisit_line("crawl with the digests of an earlier one (no HTTP cache)",
                           repeat.warc, digest_captures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
