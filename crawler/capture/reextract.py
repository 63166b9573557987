"""``python -m crawler reextract --runs DIR [--out DIR]``: today's extractor and pipelines over
the pages past runs captured, with no network.

A real Scrapy crawl does the work: :class:`ReextractSpider` (the ``smn`` spider, links not
followed) requests each captured page, and :class:`~crawler.capture.replay.WarcReplayHandler`
answers from the WARC files, so the very same middlewares, extraction and pipelines (clean,
validate, dedupe against a fresh state) run as in the crawl. Pages are requested one at a time
in a fixed order, runs oldest first: first the pages each run exported, in the order it exported
them, then its other captured pages (duplicates, rejects, hubs). Deduplication then meets the
stories in the order the crawl exported them, and an unchanged extractor reproduces the export.

Writes one new run folder ``OUT/runs/<run-id>/`` (articles, duplicates, rejects, stats, log,
manifest) that ``python -m crawler export --runs OUT/runs`` reads like any run, and
``diff.json`` beside them: what changed, field by field, against what the runs exported. The
new records point into the source runs' WARC files; the new run's manifest lists those files
and its ``warc/index.cdxj`` merges their indexes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.capture.cdxj import INDEX_NAME, Entry, merge_indexes
from crawler.capture.diff import field_diff, summary
from crawler.capture.merge import RunCaptures, warc_files
from crawler.capture.reader import Captures, folder_entries
from crawler.capture.replay import REPLAY_META
from crawler.jsonl import iter_jsonl
from crawler.navigation.spider import SmnSpider
from crawler.project import crawl_in_process
from crawler.runs.folder import RUNS, RunFolder, new_run_id, utc_now

PAGE_TYPES = ("text/html", "application/xhtml+xml", "")
"""Content types of the captured pages given to the extractor (others cannot be articles)."""
DEFAULT_OUT = Path("output") / "reextract"
DIFF = "diff.json"


def run_folders(path: Path) -> list[RunFolder]:
    """The runs under ``path`` (a run, a runs folder, an output folder), oldest first; runs
    that are themselves re-extractions are left out."""
    from crawler.export.sources import collect

    return [RunFolder(s.articles.parent) for s in collect([path])
            if s.kind == "run" and (s.manifest or {}).get("kind") != "reextract"]


def _place(pointer: dict[str, Any] | Entry) -> tuple[str, int]:
    if isinstance(pointer, Entry):
        return pointer.filename, pointer.offset
    return str(pointer.get("filename")), int(pointer.get("offset") or -1)


def plan(runs: Iterable[RunFolder], captures: Captures) -> list[Entry]:
    """The captured pages to extract again, in order (see the module's docstring)."""
    by_place = {(e.filename, e.offset): e for e in captures.entries}
    done: set[tuple[str, int]] = set()
    pages: list[Entry] = []
    for run in runs:
        for record in iter_jsonl(run.articles):
            pointer = record.get("warc")
            if not isinstance(pointer, dict):
                continue
            entry = by_place.get(_place(pointer))
            if entry is not None and _place(entry) not in done:
                done.add(_place(entry))
                pages.append(entry)
        others = sorted(folder_entries(run.warc), key=lambda e: (e.date, e.offset)) \
            if run.warc.is_dir() else []
        for entry in others:
            if (entry.status == 200 and _place(entry) not in done
                    and (entry.kind == "response" or entry.digest)
                    and (entry.mime in PAGE_TYPES or entry.kind == "revisit")):
                done.add(_place(entry))
                pages.append(entry)
    return pages


class ReextractSpider(SmnSpider):
    """The ``smn`` spider over captured pages: the same parsing, no link followed.

    Argument ``runs``: run folders separated by ``os.pathsep``.
    """

    name = "smn-reextract"

    def __init__(self, runs: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.runs = [RunFolder(Path(p)) for p in runs.split(os.pathsep) if p]
        self.captures = Captures(r.path for r in self.runs)
        self.pages = plan(self.runs, self.captures)
        self.stop_pagination = False

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> ReextractSpider:
        """Build the spider; pagination is never cut short here."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.stop_pagination = False
        assert isinstance(spider, ReextractSpider)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """One request per captured page, in the plan's order (highest priority first)."""
        total = len(self.pages)
        for index, entry in enumerate(self.pages):
            yield scrapy.Request(
                entry.url, callback=self.parse, errback=self.on_error, dont_filter=True,
                priority=total - index, meta={REPLAY_META: entry.pointer(), "smn_hub": False},
            )

    def follow(self, response: Response, hrefs: Iterable[str], hub_depth: int
               ) -> Iterator[scrapy.Request]:
        """No link is followed."""
        return iter(())

    def new_links(self, response: Response, hrefs: Iterable[str]) -> list[str]:
        """No link is followed."""
        return []


def reextract_settings(run: RunFolder, state_path: Path) -> dict[str, Any]:
    """The settings of the re-extraction crawl: files in ``run``, no network, one page at a
    time, no capture."""
    return {
        "FEEDS": {str(run.articles): {"format": "jsonlines", "encoding": "utf-8",
                                      "overwrite": True}},
        "SMN_DUPLICATES_PATH": str(run.duplicates),
        "SMN_REJECTS_PATH": str(run.rejects),
        "SMN_STATS_PATH": str(run.stats),
        "SMN_STATE_PATH": str(state_path),
        "LOG_FILE": str(run.log),
        "LOG_INSTALL_ROOT_HANDLER": False,
        "LOG_LEVEL": "INFO",
        "DOWNLOAD_HANDLERS": {"http": "crawler.capture.replay.WarcReplayHandler",
                              "https": "crawler.capture.replay.WarcReplayHandler"},
        "SMN_CAPTURE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 1,
        # Strict priority order (Scrapy's default queue interleaves hosts by downloader slot).
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
        "RETRY_ENABLED": False,
        "REDIS_URL": "",
        "MIRROR_URL": "",
    }


def exported_before(runs: Iterable[RunFolder]) -> tuple[list[dict[str, Any]], int]:
    """The records the runs exported that have a capture, and how many had none."""
    records: list[dict[str, Any]] = []
    uncaptured = 0
    for run in runs:
        for record in iter_jsonl(run.articles):
            if isinstance(record.get("warc"), dict):
                records.append(record)
            else:
                uncaptured += 1
    return records, uncaptured


def reextract(runs: list[RunFolder], out: Path) -> dict[str, Any]:
    """Re-extract the captures of ``runs`` into a new run folder under ``out/runs``; returns
    its manifest."""
    from crawler.runs.manifest import account

    run = RunFolder(out / RUNS / new_run_id())
    run.path.mkdir(parents=True, exist_ok=True)
    started = utc_now()
    with tempfile.TemporaryDirectory(prefix="smn-reextract-") as tmp:
        stats = crawl_in_process(
            reextract_settings(run, Path(tmp) / "state.sqlite"),
            {"runs": os.pathsep.join(str(r.path.resolve()) for r in runs)},
            spider=ReextractSpider)
    before, uncaptured = exported_before(runs)
    diff = field_diff(before, iter_jsonl(run.articles))
    diff["not_captured"] = uncaptured
    (run.path / DIFF).write_text(json.dumps(diff, indent=2, ensure_ascii=False) + "\n",
                                 encoding="utf-8")
    manifest: dict[str, Any] = {
        "run_id": run.id, "kind": "reextract", "status": "ended",
        "started_at": started, "sources": [r.id for r in runs],
        "pages_replayed": stats.get("response_received_count", 0),
    }
    manifest.update(account(run, stats))
    manifest["diff"] = {"compared": diff["compared"], "changed": diff["changed"],
                        "fields": {k: v["records"] for k, v in diff["fields"].items()}}
    manifest["warc"] = source_captures(runs, run)
    manifest["finished_at"] = utc_now()
    run.write_manifest(manifest)
    return manifest


def source_captures(runs: list[RunFolder], run: RunFolder) -> dict[str, Any]:
    """The captures the new records point to: the source runs' WARC files, listed, and their
    indexes merged into the new run's ``warc/index.cdxj`` (the export merges it like any
    run's)."""
    files = [f for r in runs for f in warc_files(RunCaptures(r.id, r.warc, r.manifest()))]
    run.warc.mkdir(exist_ok=True)
    lines = merge_indexes([r.warc / INDEX_NAME for r in runs], run.warc / INDEX_NAME)
    return {"folder": None, "index": f"{run.warc.name}/{INDEX_NAME}", "lines": lines,
            "files": files, "bytes": sum(int(f["bytes"]) for f in files)}


def main(argv: list[str] | None = None) -> int:
    """Run ``reextract``; 0 when done, 2 when there is nothing to re-extract."""
    parser = argparse.ArgumentParser(prog="python -m crawler reextract", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=Path, required=True,
                        help="a run folder, a runs folder or an output folder of past runs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"where the new run folder goes (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if not args.runs.exists():
        print(f"reextract: no such folder: {args.runs}", file=sys.stderr)
        return 2
    runs = run_folders(args.runs)
    if not any(r.warc.is_dir() for r in runs):
        print(f"reextract: no captured run (no warc/ folder) under {args.runs}",
              file=sys.stderr)
        return 2
    manifest = reextract(runs, args.out)
    diff = json.loads((args.out / RUNS / manifest["run_id"] / DIFF).read_text())
    print(f"reextract: {manifest['pages_replayed']} pages from {len(runs)} run(s), "
          f"{manifest['articles_exported']} articles -> "
          f"{args.out / RUNS / manifest['run_id']}")
    for line in summary(diff):
        print(line)
    return 0
