"""The whole export: read the sources, group stories, write the dataset, chart, card and
manifest. :func:`export` is what the command line calls."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from crawler.capture.merge import RunCaptures, merge_captures
from crawler.export import card, chart, metadata
from crawler.export.canonical import month_of
from crawler.export.changes import CHANGES, ChangeLog, PreviousExport
from crawler.export.filters import ORDER, Filters
from crawler.export.sources import Source
from crawler.export.store import StoryStore
from crawler.export.writers import FILE_NAMES, FORMATS, open_writers, ordered
from crawler.jsonl import count_records, read_records
from crawler.progress import Progress
from crawler.runs.folder import RunFolder
from crawler.schema import is_valid, load_schema

EXPORT_VERSION = 1
"""Version of the export's layout (files and manifest fields)."""
CHART = "chart.png"
CARD = "README.md"
MANIFEST = "manifest.json"
NO_SECTION = "(none)"


def sha256(path: Path) -> str:
    """Hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _progress(total: int, desc: str, unit: str, enabled: bool | None) -> Progress:
    """The export's progress line (crawler.progress): on a terminal unless told otherwise."""
    return Progress(f"export: {desc}", total=total, unit=unit, enabled=enabled)


def _load(store: StoryStore, sources: Sequence[Source], show: bool | None) -> None:
    """Every record and duplicate line of every source into the store; counts lines."""
    total = sum(p.stat().st_size for s in sources for p in (s.articles, s.duplicates)
                if p.is_file())
    with _progress(total, "reading runs", "B", show) as bar:
        for index, source in enumerate(sources):
            lines = Counter({"articles": 0, "duplicates": 0, "gone": 0, "unreadable": 0})
            for pos, length, record in read_records(source.articles):
                lines["articles"] += 1
                if record is None or not store.add_record(index, pos, length, record):
                    lines["unreadable"] += 1
                bar.update(advance=length)
            for _, length, record in read_records(source.duplicates):
                lines["duplicates"] += 1
                if record is None or not store.add_duplicate(record):
                    lines["unreadable"] += 1
                bar.update(advance=length)
            lines["rejects"] = count_records(source.rejects)
            if source.gone is not None:
                for _, _, record in read_records(source.gone):
                    lines["gone"] += 1
                    if record is None or not store.add_gone(record):
                        lines["unreadable"] += 1
            source.lines = dict(lines)


def export(sources: Sequence[Source], out: Path, filters: Filters | None = None,
           formats: Sequence[str] = ("jsonl",), temp_dir: Path | None = None,
           progress: bool | None = None) -> dict[str, Any]:
    """Write the dataset of ``sources`` into ``out``; returns the manifest."""
    filters = filters or Filters()
    show = progress
    out.mkdir(parents=True, exist_ok=True)
    schema = load_schema()
    fields = list(schema["properties"])
    columns = [*fields, "alternate_urls"]
    for fmt in FORMATS:  # no stale file of a format not asked for this time
        if fmt not in formats:
            (out / FILE_NAMES[fmt]).unlink(missing_ok=True)

    filtered = Counter({name: 0 for name in (*ORDER, "invalid")})
    per_site: Counter[str] = Counter()
    per_section: Counter[str] = Counter()
    per_month: Counter[str] = Counter()
    per_month_site: Counter[tuple[str, str]] = Counter()
    per_language: Counter[str] = Counter()
    first = last = crawled_max = None
    exported = revised = 0
    with StoryStore(temp_dir) as store, PreviousExport(out / FILE_NAMES["jsonl"],
                                                       temp_dir) as previous:
        _load(store, sources, show)
        store.group()
        counts = store.counts
        changes = ChangeLog(previous, out / CHANGES)
        writers = open_writers(out, formats, columns)
        handles: dict[int, IO[bytes]] = {}
        try:
            with _progress(counts.stories, "writing stories", "records", show) as bar:
                for story in store.stories():
                    bar.update(advance=1, exported=exported)
                    fh = handles.get(story.src)
                    if fh is None:
                        fh = handles[story.src] = sources[story.src].articles.open("rb")
                    fh.seek(story.pos)
                    record = json.loads(fh.read(story.length))
                    record.setdefault("revision", 1)  # records of runs before revisions
                    record.setdefault("previous_fingerprint", None)
                    reason = filters.rejects(record)
                    if reason is None:
                        record["alternate_urls"] = story.alternate_urls
                        if not is_valid(record):
                            reason = "invalid"
                    if reason is not None:
                        filtered[reason] += 1
                        continue
                    record = ordered(record, columns)
                    for writer in writers:
                        writer.write(record)
                    changes.story(record)
                    exported += 1
                    revised += record["revision"] > 1
                    month, site = month_of(record["published"]), record["site"]
                    per_site[site] += 1
                    per_section[record["section"] or NO_SECTION] += 1
                    per_month[month] += 1
                    per_month_site[month, site] += 1
                    per_language[record["language"]] += 1
                    if record["published"]:
                        first = first or record["published"]
                        last = record["published"]
                    crawled_max = max(crawled_max or "", record["crawled_at"])
                bar.update(exported=exported, force=True)  # the last story's outcome too
        finally:
            for handle in handles.values():
                handle.close()
        for writer in writers:
            writer.close()
        changes.gone(store.gone_statuses())
        changes.close()

    year = (last or crawled_max or "")[:4] or "present"
    (out / CHART).write_bytes(chart.render(
        per_month_site, f"Space Media Network articles per month per site ({exported} stories)"))
    manifest: dict[str, Any] = {
        "export_version": EXPORT_VERSION,
        "schema_version": schema["properties"]["schema_version"]["const"],
        "schema_id": schema.get("$id"),
        "runs": [s.describe() for s in sources],
        "unfinished_runs": [s.id for s in sources if not s.finished],
        "records": {"read": counts.versions, "addresses": counts.addresses,
                    "stories": counts.stories, "exported": exported},
        "duplicates_merged": {"addresses": counts.merged_addresses,
                              "records": counts.merged_records,
                              "refetched": counts.versions - counts.addresses,
                              "groups_without_record": counts.without_record},
        "revisions": {"revised_stories": revised,
                      "gone_records_left_out": counts.gone},
        "changes": {"previous_stories": previous.stories, **dict(changes.counts)},
        "filters": filters.describe(),
        "filtered_out": dict(filtered),
        "published": {"first": first, "last": last, "undated": per_month.get("undated", 0)},
        "counts": {"site": dict(sorted(per_site.items())),
                   "section": dict(sorted(per_section.items())),
                   "month": dict(sorted(per_month.items())),
                   "language": dict(sorted(per_language.items()))},
        "formats": [f for f in FORMATS if f in formats or f == "jsonl"],
        "files": {},
    }
    manifest["captures"] = merge_captures(
        [RunCaptures(s.id, RunFolder(s.articles.parent).warc, s.manifest) for s in sources
         if s.kind == "run"], out)
    names = [FILE_NAMES[f] for f in manifest["formats"]] + [CHART, CHANGES]
    if manifest["captures"]:
        names.append(manifest["captures"]["index"])
    manifest["files"] = {n: {"bytes": (out / n).stat().st_size, "sha256": sha256(out / n)}
                         for n in names}
    languages = [code for code, _ in per_language.most_common()]
    card_text = (metadata.front_matter(manifest, languages)
                 + card.render(schema, manifest, CHART, year))
    (out / CARD).write_text(card_text, encoding="utf-8")
    _write_json(out / metadata.CROISSANT,
                metadata.croissant(schema, manifest, card_text, languages,
                                   (crawled_max or "1970-01-01")[:10]))
    _write_json(out / metadata.DATAPACKAGE, metadata.datapackage(schema, manifest, card_text))
    for name in (CARD, metadata.CROISSANT, metadata.DATAPACKAGE):
        manifest["files"][name] = {"bytes": (out / name).stat().st_size,
                                   "sha256": sha256(out / name)}
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    return manifest
