"""One scheduled run: its folder, its lock, its resumption, its manifest and its exit status.

Layout under the output folder (``--output``, default ``output``)::

    runs/.lock                  held (flock) while a run of this job is going on
    runs/<run-id>/articles.jsonl, duplicates.jsonl, rejects.jsonl, crawl.log, stats.json
    runs/<run-id>/manifest.json the run's account; ``status`` is "running" until it ends
    state.sqlite                what every run has seen and exported (crawler.state)
    httpcache/                  hubs and robots.txt, for conditional requests

A run killed at any moment leaves a manifest with status "running": the next start resumes
that run in the same folder, first cutting a partial last line off its files and bringing the
state up to date with the lines that did reach them, so every article is exported once.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from crawler import monitors

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NOTHING = 3
EXIT_MONITOR = 4
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later

RUN_FILES = ("articles.jsonl", "duplicates.jsonl", "rejects.jsonl")


class Locked(Exception):
    """Another run of the same job holds the lock."""


def utc_now() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id() -> str:
    """A run id that sorts chronologically, e.g. '20261125T120000Z'."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


@contextmanager
def job_lock(path: Path) -> Iterator[IO[str]]:
    """Hold the job's lock; raise Locked at once if another process holds it.

    An flock dies with its process, so a killed run never leaves the lock stuck.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise Locked(holder) from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {utc_now()}\n")
        fh.flush()
        yield fh
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def repair_jsonl(path: Path) -> int:
    """Cut a partial last line (no newline) off a JSON Lines file; returns bytes removed.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = p.write_bytes(b'{"a": 1}\\n{"b": ')
    >>> repair_jsonl(p), p.read_bytes()
    (6, b'{"a": 1}\\n')
    """
    if not path.is_file():
        return 0
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        pos = size
        chunk = 65536
        while pos > 0:
            start = max(0, pos - chunk)
            fh.seek(start)
            data = fh.read(pos - start)
            if start + len(data) == size and data.endswith(b"\n"):
                return 0
            nl = data.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                fh.truncate(keep)
                return size - keep
            pos = start
        fh.truncate(0)
        return size


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    """The manifest of a run folder, or None."""
    try:
        data: dict[str, Any] = json.loads((run_dir / "manifest.json").read_text("utf-8"))
        return data
    except (OSError, ValueError):
        return None


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest atomically (a reader sees the old or the new one, whole)."""
    tmp = run_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, run_dir / "manifest.json")


def run_dirs(runs: Path) -> list[Path]:
    """Run folders, oldest first."""
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith("."))


def unfinished_run(runs: Path) -> Path | None:
    """The latest run folder that did not end (killed), if any."""
    dirs = run_dirs(runs)
    if not dirs:
        return None
    manifest = read_manifest(dirs[-1])
    if manifest is None or manifest.get("status") == "running":
        return dirs[-1]
    return None


def previous_manifest(runs: Path, current: Path) -> dict[str, Any] | None:
    """The manifest of the last run that ended before this one."""
    for run_dir in reversed(run_dirs(runs)):
        if run_dir.name >= current.name:
            continue
        manifest = read_manifest(run_dir)
        if manifest and manifest.get("status") == "ended":
            return manifest
    return None


def count_lines(path: Path) -> int:
    """Number of lines in a file (0 when absent)."""
    if not path.is_file():
        return 0
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


@dataclass
class RunOptions:
    """What one scheduled run is asked to do."""

    output: Path
    sites: str | None = None
    mirror: str | None = None
    redis: str | None = None
    job: str | None = None
    settings: dict[str, str] | None = None


def default_job() -> str:
    """The distributed job name workers started in the same UTC hour agree on.

    >>> default_job().startswith("smn-")
    True
    """
    return "smn-" + datetime.now(UTC).strftime("%Y%m%dT%H")


def crawl_settings(opts: RunOptions, run_dir: Path) -> dict[str, Any]:
    """The Scrapy settings of a run: where its files go, the state, the HTTP cache."""
    out = opts.output.resolve()
    settings: dict[str, Any] = {
        "FEEDS": {
            str(run_dir / "articles.jsonl"): {
                "format": "jsonlines",
                "encoding": "utf-8",
                "overwrite": False,
            }
        },
        "SMN_DUPLICATES_PATH": str(run_dir / "duplicates.jsonl"),
        "SMN_REJECTS_PATH": str(run_dir / "rejects.jsonl"),
        "SMN_STATS_PATH": str(run_dir / "stats.json"),
        "SMN_STATE_PATH": str(out / "state.sqlite"),
        "LOG_FILE": str(run_dir / "crawl.log"),
        "LOG_FILE_APPEND": True,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(out / "httpcache"),
        "HTTPCACHE_POLICY": "crawler.httpcache.HubCachePolicy",
        "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
    }
    if opts.mirror:
        settings["MIRROR_URL"] = opts.mirror
    if opts.redis:
        from crawler.distributed import distributed_settings

        settings.update(distributed_settings(opts.redis, job=opts.job or default_job()))
    settings.update(opts.settings or {})
    return settings


def reconcile(run_dir: Path, settings: dict[str, Any]) -> int:
    """Bring the state up to date with the lines a killed attempt wrote; returns lines added."""
    from scrapy.settings import Settings

    from crawler.state import open_state

    state = open_state(Settings(settings))
    try:
        from crawler.state_sync import record_run_files

        return record_run_files(state, run_dir)
    finally:
        state.close()


def crawl(settings: dict[str, Any], spider_args: dict[str, str]) -> dict[str, Any]:
    """Run the smn spider in this process; returns its stats."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    project = get_project_settings()
    for key, value in settings.items():
        project.set(key, value, priority="cmdline")
    project.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(project)
    crawler = process.create_crawler("smn")
    process.crawl(crawler, **spider_args)
    process.start()
    assert crawler.stats is not None
    return dict(crawler.stats.get_stats())


def run(opts: RunOptions) -> int:
    """One scheduled run, start to end; returns the exit status."""
    runs = opts.output / "runs"
    try:
        with job_lock(runs / ".lock"):
            return _run_locked(opts, runs)
    except Locked as exc:
        print(
            f"crawl: another run of this job is in progress ({exc}); "
            f"lock {runs / '.lock'}: not starting a second one",
            file=sys.stderr,
        )
        return EXIT_LOCKED


def _run_locked(opts: RunOptions, runs: Path) -> int:
    resumed = unfinished_run(runs)
    run_dir = resumed or runs / new_run_id()
    run_dir.mkdir(parents=True, exist_ok=True)
    earlier = read_manifest(run_dir) or {}
    attempts = int(earlier.get("attempts", 0)) + 1
    settings = crawl_settings(opts, run_dir)
    repaired = {name: repair_jsonl(run_dir / name) for name in RUN_FILES}
    recovered = reconcile(run_dir, settings) if resumed else 0
    manifest: dict[str, Any] = {
        "run_id": run_dir.name,
        "status": "running",
        "started_at": earlier.get("started_at") or utc_now(),
        "attempts": attempts,
        "resumed": bool(resumed),
        "sites": opts.sites or "all",
        "mirror": opts.mirror or None,
        "repaired_bytes": {k: v for k, v in repaired.items() if v},
        "recovered_lines": recovered,
    }
    write_manifest(run_dir, manifest)
    spider_args = {"resume": "1"} if resumed else {}
    if opts.sites:
        spider_args["sites"] = opts.sites
    try:
        stats = crawl(settings, spider_args)
        error: str | None = None
    except Exception as exc:  # a crash of the crawl itself: recorded, never lost
        stats, error = {}, f"{type(exc).__name__}: {exc}"
    manifest.update(monitors.account(run_dir, stats))
    manifest["finished_at"] = utc_now()
    manifest["status"] = "ended"
    previous = previous_manifest(runs, run_dir)
    problems = monitors.check(manifest, previous, settings_of(opts))
    if error:
        problems.insert(0, {"monitor": "crash", "message": error})
    manifest["problems"] = problems
    code = exit_status(manifest, problems)
    manifest["exit_status"] = code
    write_manifest(run_dir, manifest)
    print(monitors.summary(manifest, run_dir))
    for problem in problems:
        print(f"crawl: {problem['monitor']}: {problem['message']}", file=sys.stderr)
    return code


def settings_of(opts: RunOptions) -> dict[str, Any]:
    """Monitor thresholds, from -s options or defaults."""
    extra = opts.settings or {}
    return {
        "coverage_drop": float(extra.get("SMN_MONITOR_COVERAGE_DROP", 5.0)),
        "min_site_articles": int(extra.get("SMN_MONITOR_MIN_SITE_ARTICLES", 20)),
        "max_error_rate": float(extra.get("SMN_MONITOR_MAX_ERROR_RATE", 0.10)),
    }


def exit_status(manifest: dict[str, Any], problems: list[dict[str, Any]]) -> int:
    """0 when the run went well; else the first problem's code."""
    if not problems:
        return EXIT_OK
    kind = problems[0]["monitor"]
    if kind in ("crash", "finish_reason"):
        return EXIT_FAILED
    if kind == "nothing_found":
        return EXIT_NOTHING
    return EXIT_MONITOR
