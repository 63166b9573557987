"""One scheduled run, start to end: lock, resume, crawl, account, monitors, exit status.

A run killed at any moment leaves a manifest with status "running" (crawler.runs.folder): the
next start resumes that run in the same folder, first cutting a partial last line off its files
and bringing the state up to date with the lines that did reach them, so every article is
exported once.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.capture.runfiles import capture_settings
from crawler.project import crawl_in_process, project_settings
from crawler.runs import manifest as account
from crawler.runs import monitors
from crawler.runs.folder import (
    RUNS,
    RunFolder,
    is_finished,
    new_run_id,
    previous_manifest,
    run_folders,
    unfinished_run,
    utc_now,
)
from crawler.runs.lock import Locked, job_lock
from crawler.runs.log import logger, run_log
from crawler.runs.status import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_MONITOR,
    EXIT_NOTHING,
    EXIT_OK,
    status_name,
)


@dataclass
class RunOptions:
    """What one scheduled run is asked to do."""

    output: Path
    sites: str | None = None
    mirror: str | None = None
    redis: str | None = None
    job: str | None = None
    settings: dict[str, str] | None = None
    since: str | None = None
    """A backfill: the first day of its window (ISO date); None: a regular run."""
    until: str | None = None
    """A backfill: the last day of its window (None: up to today)."""


def default_job() -> str:
    """The distributed job name workers started in the same UTC hour agree on.

    >>> default_job().startswith("smn-")
    True
    """
    return "smn-" + datetime.now(UTC).strftime("%Y%m%dT%H")


def crawl_settings(opts: RunOptions, run: RunFolder) -> dict[str, Any]:
    """The Scrapy settings of a run: where its files go (WARC capture included), the state,
    the HTTP cache."""
    out = opts.output.resolve()
    settings: dict[str, Any] = {
        "FEEDS": {
            str(run.articles): {
                "format": "jsonlines",
                "encoding": "utf-8",
                "overwrite": False,
            }
        },
        "SMN_DUPLICATES_PATH": str(run.duplicates),
        "SMN_REJECTS_PATH": str(run.rejects),
        "SMN_GONE_PATH": str(run.gone),
        "SMN_STATS_PATH": str(run.stats),
        "SMN_STATE_PATH": str(out / "state.sqlite"),
        "LOG_FILE": str(run.log),
        "LOG_FILE_APPEND": True,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_DIR": str(out / "httpcache"),
        "HTTPCACHE_POLICY": "crawler.components.httpcache.HubCachePolicy",
        "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
    }
    settings.update(capture_settings(run.warc, out))
    if opts.mirror:
        settings["MIRROR_URL"] = opts.mirror
    if opts.redis:
        from crawler.distributed.keys import distributed_settings

        settings.update(distributed_settings(opts.redis, job=opts.job or default_job()))
    settings.update(opts.settings or {})
    return settings


def reconcile(run: RunFolder, settings: dict[str, Any]) -> int:
    """Bring the state up to date with the lines a killed attempt wrote; returns lines added."""
    from crawler.state import open_state
    from crawler.state.sync import record_run_files

    state = open_state(project_settings(settings))
    try:
        return record_run_files(state, run.path)
    finally:
        state.close()


def run(opts: RunOptions) -> int:
    """One scheduled run, start to end; returns the exit status."""
    runs = opts.output / RUNS
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
    run = resumed or RunFolder(runs / new_run_id())
    run.path.mkdir(parents=True, exist_ok=True)
    settings = crawl_settings(opts, run)
    with run_log(run.log, project_settings(settings)):
        return _run_logged(opts, runs, run, settings, resumed is not None)


def _run_logged(opts: RunOptions, runs: Path, run: RunFolder, settings: dict[str, Any],
                resumed: bool) -> int:
    earlier = run.manifest() or {}
    attempts = int(earlier.get("attempts", 0)) + 1
    logger.info("Run %s, attempt %d%s: output %s", run.id, attempts,
                " (resuming a run that did not end)" if resumed else "", opts.output.resolve())
    repaired = run.repair()
    recovered = reconcile(run, settings) if resumed else 0
    if any(repaired.values()) or recovered:
        logger.info("Repaired %s; %d lines of the earlier attempt recorded in the state",
                    {k: v for k, v in repaired.items() if v}, recovered)
    window = earlier.get("backfill") or (
        {"since": opts.since, "until": opts.until} if opts.since else None)
    if resumed and window and (opts.since, opts.until) != (window["since"], window["until"]):
        print(f"crawl: resuming run {run.id}, a backfill of {window['since']}.."
              f"{window['until'] or 'today'} (the window given now waits for the next run)",
              file=sys.stderr)
    manifest: dict[str, Any] = {
        "run_id": run.id,
        "status": "running",
        "started_at": earlier.get("started_at") or utc_now(),
        "attempts": attempts,
        "resumed": resumed,
        "sites": opts.sites or "all",
        "mirror": opts.mirror or None,
        "repaired_bytes": {k: v for k, v in repaired.items() if v},
        "recovered_lines": recovered,
    }
    if window:
        manifest["backfill"] = {"since": window["since"], "until": window["until"]}
    run.write_manifest(manifest)
    spider_args = {"resume": "1"} if resumed else {}
    if opts.sites:
        spider_args["sites"] = opts.sites
    if window:
        spider_args["since"] = window["since"]
        if window["until"]:
            spider_args["until"] = window["until"]
    try:
        # The log goes to crawl.log through run_log, not through Scrapy's own root handler.
        stats = crawl_in_process(
            {**settings, "LOG_INSTALL_ROOT_HANDLER": False}, spider_args
        )
        error: str | None = None
    except Exception as exc:  # a crash of the crawl itself: recorded, never lost
        logger.exception("The crawl crashed")
        stats, error = {}, f"{type(exc).__name__}: {exc}"
    manifest.update(account.account(run, stats))
    if window and "backfill" not in manifest:  # the crawl crashed before it could say
        manifest["backfill"] = {"since": window["since"], "until": window["until"]}
    manifest["finished_at"] = utc_now()
    manifest["status"] = "ended"
    # A backfill's stories are older than a regular run's: each compares with its own kind.
    previous = previous_manifest(runs, run, backfill=bool(window))
    checked = project_settings(settings)
    before: list[dict[str, Any]] = []
    for folder in run_folders(runs):
        finished = folder.manifest()
        if (folder.id < run.id and finished is not None and is_finished(finished)
                and bool(finished.get("backfill")) == bool(window)):
            before.append(finished)
    baseline = monitors.coverage_baseline(before,
                                          checked.getint("SMN_MONITOR_MIN_SITE_ARTICLES"))
    problems = monitors.check(manifest, previous, checked, baseline)
    if error:
        problems.insert(0, {"monitor": "crash", "message": error})
    manifest["problems"] = problems
    code = exit_status(problems)
    manifest["exit_status"] = code
    run.write_manifest(manifest)
    write_operator_views(opts, runs)
    for problem in problems:
        logger.warning("Monitor %s: %s", problem["monitor"], problem["message"])
    logger.info("Run %s ended: exit status %d (%s)\n%s", run.id, code, status_name(code),
                account.summary(manifest, run))
    print(account.summary(manifest, run))
    for problem in problems:
        print(f"crawl: {problem['monitor']}: {problem['message']}", file=sys.stderr)
    return code


def write_operator_views(opts: RunOptions, runs: Path) -> None:
    """Rewrite the job's Prometheus text file and run report from every run's manifest.

    Neither may change the run's outcome: a failure to write is one line on stderr.
    """
    from crawler.report.cli import write_report
    from crawler.runs.metrics import metrics_path, write_metrics

    settings = project_settings(opts.settings or {})
    path = metrics_path(settings.get("SMN_METRICS_PATH"), opts.output)
    manifests = [m for m in (f.manifest() for f in run_folders(runs)) if m]
    for name, write in (("metrics", lambda: write_metrics(path, manifests)),
                        ("report", lambda: write_report(runs))):
        try:
            write()
        except OSError as exc:
            print(f"crawl: could not write the {name}: {exc}", file=sys.stderr)


def exit_status(problems: list[dict[str, Any]]) -> int:
    """0 when the run went well; else the first problem's code.

    >>> exit_status([]), exit_status([{"monitor": "coverage"}, {"monitor": "crash"}])
    (0, 4)
    """
    if not problems:
        return EXIT_OK
    kind = problems[0]["monitor"]
    if kind in ("crash", "finish_reason"):
        return EXIT_FAILED
    if kind == "nothing_found":
        return EXIT_NOTHING
    return EXIT_MONITOR
