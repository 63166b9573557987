"""``python -m crawler export`` over real crawls: three runs of ``scrapy crawl smn`` against a
mirror grown between runs (runs 1-2 share their state, so run 2's copies of run 1's stories are
duplicates; run 3 starts from a fresh state, so it fetches every story again). Expected stories
come from the mirror generator's truth (``truth.jsonl`` + ``duplicates.json`` groups), never from
the export."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from crawler.export.export import export
from crawler.export.filters import Filters
from crawler.export.sources import collect
from crawler.mirror.render import FOOTER
from crawler.mirror.server import serve_in_thread
from crawler.schema import compile_schema
from crawler.sites import SITES
from tests.crawling import ROOT, SCHEMA_PATH, build_mirror, read_jsonl, run_crawl

pytestmark = pytest.mark.e2e

SEED = 11
SIZES = (60, 90, 120)
RUN_IDS = ("20261101T000000Z", "20261102T000000Z", "20261103T000000Z")
SITE_INDEX = {s.domain: i for i, s in enumerate(SITES)}


@dataclass
class Crawled:
    """Three runs under ``root/output/runs`` and the mirror they crawled."""

    root: Path
    runs: Path
    mirror: Path


def _grow(mirror: Path, articles: int) -> None:
    subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(mirror),
                    "--articles", str(articles), "--seed", str(SEED), "--grow"],
                   check=True, cwd=ROOT, capture_output=True)


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m crawler export ARGS`` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "crawler", "export", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    """Three crawls; runs 1 and 2 get a finished manifest, run 3 is left unfinished."""
    root = tmp_path_factory.mktemp("export")
    mirror = build_mirror(root / "mirror", SIZES[0], seed=SEED)
    runs = root / "output" / "runs"
    for i, (run_id, size) in enumerate(zip(RUN_IDS, SIZES, strict=True)):
        if i:
            _grow(mirror, size)
        state = root / ("state.sqlite" if i < 2 else "fresh-state.sqlite")
        with serve_in_thread(mirror, slow_seconds=3) as running:
            result = run_crawl(running.base_url, runs / run_id, state=state,
                               settings={"DOWNLOAD_TIMEOUT": 1})
        assert result.returncode == 0, result.log[-3000:]
        assert result.articles, f"run {run_id} exported nothing"
        if i < 2:
            stats = result.stats
            (runs / run_id / "manifest.json").write_text(json.dumps({
                "run_id": run_id, "status": "ended", "started_at": stats.get("start_time"),
                "finished_at": stats.get("finish_time"),
                "finish_reason": stats.get("finish_reason"), "exit_status": 0}))
    return Crawled(root, runs, mirror)


@pytest.fixture(scope="module")
def dataset(crawled: Crawled) -> Path:
    """The export of the three runs in every format, through the command line."""
    out = crawled.root / "dataset"
    proc = cli("--out", out, "--runs", crawled.runs, "--format", "jsonl,csv,parquet")
    assert proc.returncode == 0, proc.stderr
    return out


def records_of(out: Path) -> list[dict[str, Any]]:
    """The records of an export's dataset.jsonl.gz."""
    with gzip.open(out / "dataset.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def manifest_of(out: Path) -> dict[str, Any]:
    """An export's manifest."""
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    return data


def expected_stories(mirror: Path) -> set[frozenset[str]]:
    """The truth's stories: each duplicates.json group is one story, every other truth page is
    a story of its own; stories whose every page is a fault without a record are left out."""
    truth = [r["url"] for r in read_jsonl(mirror / "truth.jsonl")]
    groups = json.loads((mirror / "duplicates.json").read_text())["groups"]
    faults = json.loads((mirror / "faults.json").read_text())
    no_record = {u for f in faults.values() if not f.get("in_truth") for u in f["urls"]}
    grouped = {u for g in groups for u in g}
    stories = [frozenset(g) for g in groups] + [frozenset([u]) for u in truth if u not in grouped]
    return {s for s in stories if s - no_record}


def aliases(mirror: Path) -> dict[str, str]:
    """Alias address -> canonical address, from the generator."""
    data: dict[str, str] = json.loads((mirror / "duplicates.json").read_text())["aliases"]
    return data


def all_lines(runs: Path, name: str) -> list[dict[str, Any]]:
    """Every line of one kind of file over all runs, oldest run first."""
    return [rec for run in sorted(runs.iterdir()) for rec in read_jsonl(run / name)]


# -- the stories -----------------------------------------------------------------------------

def test_every_story_of_the_truth_exactly_once(crawled: Crawled, dataset: Path) -> None:
    alias = aliases(crawled.mirror)
    got = [frozenset(alias.get(u, u) for u in [r["url"], *r["alternate_urls"]])
           for r in records_of(dataset)]
    expected = expected_stories(crawled.mirror)
    assert len(expected) >= 80  # 120 pages; one in four is a syndicated copy
    assert len(got) == len(set(got)), "a story appears twice"
    assert set(got) == expected


def test_alternate_urls_list_the_syndicated_copies(crawled: Crawled, dataset: Path) -> None:
    dups = json.loads((crawled.mirror / "duplicates.json").read_text())
    groups = [set(g) for g in dups["groups"]]
    by_url = {r["url"]: r for r in records_of(dataset)}
    checked = 0
    for group in groups:
        [canonical] = [u for u in group if u in by_url]
        alternates = by_url[canonical]["alternate_urls"]
        assert group - {canonical} <= set(alternates)
        assert alternates == sorted(alternates) and canonical not in alternates
        checked += 1
    assert checked >= 10
    singles = [r for r in by_url.values() if not r["alternate_urls"]]
    assert singles, "every story had copies: the check above proves little"


def test_canonical_record_follows_the_rule(crawled: Crawled, dataset: Path) -> None:
    """The documented rule, recomputed from the runs' own files."""
    lines = all_lines(crawled.runs, "articles.jsonl")
    have = {r["url"]: r for r in lines}
    pointed = {d["duplicate_of"] for d in all_lines(crawled.runs, "duplicates.jsonl")
               if d["url"] != d["duplicate_of"]}

    def key(url: str) -> tuple[Any, ...]:
        r = have[url]
        return (url not in pointed, r["published"] or "~",
                SITE_INDEX.get(r["site"], 99), len(url), url)

    several = 0
    for record in records_of(dataset):
        candidates = [u for u in [record["url"], *record["alternate_urls"]] if u in have]
        several += len(candidates) > 1
        assert record["url"] == min(candidates, key=key)
    assert several >= 5, "run 3 re-exported copies: several stories must have several records"


def test_a_story_fetched_again_keeps_its_newest_content(crawled: Crawled, dataset: Path) -> None:
    newest: dict[str, dict[str, Any]] = {}
    fetched: dict[str, int] = defaultdict(int)
    for r in all_lines(crawled.runs, "articles.jsonl"):
        fetched[r["url"]] += 1
        if r["url"] not in newest or r["crawled_at"] >= newest[r["url"]]["crawled_at"]:
            newest[r["url"]] = r
    again = 0
    for record in records_of(dataset):
        expected = dict(newest[record["url"]], alternate_urls=record["alternate_urls"])
        assert record == expected
        again += fetched[record["url"]] > 1
    assert again >= 50


def test_records_validate_against_the_schema(dataset: Path) -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    records = records_of(dataset)
    for record in records:
        validator.validate(record)
        assert list(record)[-1] == "alternate_urls"
    keys = [(r["published"] or "~", r["url"]) for r in records]
    assert keys == sorted(keys)


def test_fast_check_agrees_with_jsonschema(crawled: Crawled) -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    check = compile_schema(schema)
    good = all_lines(crawled.runs, "articles.jsonl")[:40]
    broken: list[dict[str, Any]] = []
    for r in good[:5]:
        broken += [
            {k: v for k, v in r.items() if k != "body"}, {**r, "body": ""}, {**r, "title": 3},
            {**r, "url": "ftp://x"}, {**r, "published": "May 2024"}, {**r, "word_count": 0},
            {**r, "word_count": True}, {**r, "extraction": "guess"}, {**r, "schema_version": 2},
            {**r, "authors": [""]}, {**r, "related_links": [{"url": "u"}]},
            {**r, "language": "eng"}, {**r, "site": "Space War"}, {**r, "fingerprint": "ab"},
            {**r, "published": None, "image_url": None, "extra": [1]},
        ]
    for record in good + broken:
        assert check(record) == validator.is_valid(record), record.get("url")
    assert sum(check(r) for r in broken) == 5  # only the last kind of change is still valid


# -- manifest, determinism, files ------------------------------------------------------------

def test_manifest_lists_runs_counts_and_hashes(crawled: Crawled, dataset: Path) -> None:
    m = manifest_of(dataset)
    assert [r["id"] for r in m["runs"]] == list(RUN_IDS)
    assert [r["finished"] for r in m["runs"]] == [True, True, False]
    assert m["unfinished_runs"] == [RUN_IDS[2]]
    for run in m["runs"]:
        folder = crawled.runs / run["id"]
        for kind in ("articles", "duplicates", "rejects"):
            assert run["lines"][kind] == len(read_jsonl(folder / f"{kind}.jsonl"))
    records = records_of(dataset)
    assert m["records"]["exported"] == len(records)
    assert m["schema_version"] == 1
    for name in ("site", "section", "month"):
        assert sum(m["counts"][name].values()) == len(records)
    assert m["counts"]["site"] == {s: sum(r["site"] == s for r in records)
                                   for s in sorted({r["site"] for r in records})}
    assert m["duplicates_merged"]["addresses"] == sum(len(r["alternate_urls"]) for r in records)
    assert m["duplicates_merged"]["refetched"] > 0
    assert set(m["files"]) == {"dataset.jsonl.gz", "dataset.csv", "dataset.parquet",
                               "chart.png", "README.md", "croissant.json", "datapackage.json",
                               "changes.jsonl"}
    for name, info in m["files"].items():
        data = (dataset / name).read_bytes()
        assert info == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_export_twice_is_byte_identical(crawled: Crawled, dataset: Path) -> None:
    again = crawled.root / "again"
    proc = cli("--out", again, "--runs", crawled.runs, "--format", "parquet,csv")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in dataset.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    for name in names:
        assert (dataset / name).read_bytes() == (again / name).read_bytes(), name
    head = (dataset / "dataset.jsonl.gz").read_bytes()[:10]
    assert head[:3] == b"\x1f\x8b\x08" and head[3] & 0x08 == 0  # no file name
    assert struct.unpack("<I", head[4:8])[0] == 0  # no time


def test_files_given_by_path_give_the_same_dataset(crawled: Crawled, dataset: Path) -> None:
    """`scrapy crawl smn -O x.jsonl` files, each with x.duplicates.jsonl beside it."""
    folder = crawled.root / "loose"
    folder.mkdir()
    paths = []
    for n, run_id in enumerate(RUN_IDS):
        for kind in ("articles", "duplicates", "rejects"):
            src = crawled.runs / run_id / f"{kind}.jsonl"
            name = f"smn-{n}.jsonl" if kind == "articles" else f"smn-{n}.{kind}.jsonl"
            if src.is_file():
                shutil.copy(src, folder / name)
        paths.append(folder / f"smn-{n}.jsonl")
    out = crawled.root / "from-paths"
    proc = cli("--out", out, *paths)
    assert proc.returncode == 0, proc.stderr
    assert (out / "dataset.jsonl.gz").read_bytes() == (dataset / "dataset.jsonl.gz").read_bytes()
    m = manifest_of(out)
    assert [r["id"] for r in m["runs"]] == [p.name for p in paths]
    assert m["runs"][0]["lines"]["duplicates"] > 0
    assert not (out / "dataset.csv").exists()


def test_chart_is_a_png_of_readable_size(dataset: Path) -> None:
    data = (dataset / "chart.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 600)
    assert len(data) > 10_000  # bars, labels and legend, not an empty canvas


def test_csv_and_parquet_hold_the_same_records(dataset: Path) -> None:
    import pyarrow.parquet as pq

    records = records_of(dataset)
    with (dataset / "dataset.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(records)
    assert [r["url"] for r in rows] == [r["url"] for r in records]
    assert [json.loads(r["alternate_urls"]) for r in rows] == [r["alternate_urls"] for r in records]
    assert [json.loads(r["authors"]) for r in rows] == [r["authors"] for r in records]
    assert [r["published"] or None for r in rows] == [r["published"] for r in records]
    table = pq.read_table(dataset / "dataset.parquet")
    assert table.num_rows == len(records)
    assert table.column("url").to_pylist() == [r["url"] for r in records]
    assert table.column("alternate_urls").to_pylist() == [r["alternate_urls"] for r in records]
    assert table.column("related_links").to_pylist() == [r["related_links"] for r in records]
    assert table.column("word_count").to_pylist() == [r["word_count"] for r in records]


def test_dataset_card(dataset: Path) -> None:
    text = (dataset / "README.md").read_text()
    records = records_of(dataset)
    schema = json.loads(SCHEMA_PATH.read_text())
    assert f"{len(records)} news articles" in text
    for name, spec in schema["properties"].items():
        assert f"| `{name}` |" in text
        if "description" in spec:
            assert " ".join(spec["description"].split()).replace("|", "\\|") in text
    assert "`alternate_urls`" in text and "![Articles per month per site](chart.png)" in text
    year = max(r["published"] for r in records if r["published"])[:4]
    assert FOOTER.format(year=year) in text
    for run_id in RUN_IDS:
        assert run_id in text
    assert "**no** (unfinished)" in text


# -- release metadata, each checked by its own format's validator ---------------------------

def test_croissant_metadata_passes_mlcroissant_and_reads_the_records(dataset: Path) -> None:
    import mlcroissant

    meta = json.loads((dataset / "croissant.json").read_text())
    for entry in meta["distribution"]:
        data = (dataset / entry["contentUrl"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    croissant = mlcroissant.Dataset(jsonld=dataset / "croissant.json")
    issues = croissant.metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    records = records_of(dataset)
    read = list(croissant.records("articles"))
    assert [r["articles/url"].decode() for r in read] == [r["url"] for r in records]
    assert [r["articles/word_count"] for r in read] == [r["word_count"] for r in records]
    assert [json.loads(r["articles/alternate_urls"]) for r in read] == [
        r["alternate_urls"] for r in records]


def test_datapackage_passes_frictionless(dataset: Path, tmp_path: Path) -> None:
    import frictionless

    report = frictionless.validate(dataset / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows == {"articles-csv": len(records_of(dataset)),
                    "articles-parquet": len(records_of(dataset))}
    # the validator does check the files: one changed byte and the package is invalid
    copy = tmp_path / "copy"
    shutil.copytree(dataset, copy)
    data = bytearray((copy / "dataset.csv").read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    (copy / "dataset.csv").write_bytes(bytes(data))
    broken = frictionless.validate(copy / "datapackage.json")
    assert not broken.valid
    assert "hash-count" in {e.type for task in broken.tasks for e in task.errors}


def _size_category(n: int) -> str:
    for bound, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                        (1_000_000, "100K<n<1M")):
        if n < bound:
            return name
    raise AssertionError(n)


def test_dataset_card_front_matter_is_hugging_face_metadata(dataset: Path) -> None:
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(dataset / "README.md")
    data = card.data.to_dict()
    records = records_of(dataset)
    assert data["language"] == sorted({r["language"] for r in records})
    assert data["license"] == "other" and data["license_name"] and data["license_link"]
    assert data["size_categories"] == [_size_category(len(records))]
    [config] = data["configs"]
    assert config["config_name"] == "default"
    assert (dataset / config["data_files"][0]["path"]).is_file()
    assert card.text.lstrip().startswith("# Space Media Network news articles")


def test_parquet_loads_with_hugging_face_datasets_from_the_folder_alone(
    dataset: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "release"
    shutil.copytree(dataset, folder)
    script = ("import json, sys, datasets\n"
              "d = datasets.load_dataset(sys.argv[1], split='train', cache_dir=sys.argv[2])\n"
              "print(json.dumps({'rows': d.num_rows, 'urls': list(d['url']),\n"
              "                  'links': d[0]['related_links'], 'features': list(d.features)}))")
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf-home"), "HF_DATASETS_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-c", script, str(folder), str(tmp_path / "cache")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    records = records_of(dataset)
    assert loaded["rows"] == len(records)
    assert loaded["urls"] == [r["url"] for r in records]
    assert loaded["links"] == records[0]["related_links"]
    assert loaded["features"] == list(records[0])


# -- filters ---------------------------------------------------------------------------------

def _filtered(crawled: Crawled, name: str, filters: Filters) -> tuple[list[dict[str, Any]],
                                                                     dict[str, Any]]:
    out = crawled.root / f"filtered-{name}"
    export(collect([crawled.runs]), out, filters, progress=False)
    return records_of(out), manifest_of(out)


def test_since_and_until_select_what_they_say(crawled: Crawled, dataset: Path) -> None:
    full = records_of(dataset)
    dated = sorted(r["published"][:10] for r in full if r["published"])
    since, until = dated[len(dated) // 4], dated[3 * len(dated) // 4]
    got, m = _filtered(crawled, "dates", Filters.build(since=since, until=until))
    want = [r for r in full if r["published"] and since <= r["published"][:10] <= until]
    assert got == want and 0 < len(got) < len(full)
    assert m["filtered_out"]["since"] + m["filtered_out"]["until"] == len(full) - len(got)
    assert m["filtered_out"]["since"] > 0 and m["filtered_out"]["until"] > 0


def test_sites_and_sections_select_what_they_say(crawled: Crawled, dataset: Path) -> None:
    full = records_of(dataset)
    got, m = _filtered(crawled, "sites", Filters.build(sites=["www.SpaceWar.com,terradaily.com"]))
    assert got == [r for r in full if r["site"] in {"spacewar.com", "terradaily.com"}]
    assert 0 < len(got) < len(full) and m["filtered_out"]["sites"] == len(full) - len(got)
    section = next(r["section"] for r in full if r["section"])
    got, m = _filtered(crawled, "sections", Filters.build(sections=[section.lower()]))
    assert got == [r for r in full if r["section"] == section]
    assert 0 < len(got) < len(full) and m["filtered_out"]["sections"] == len(full) - len(got)


def test_bad_arguments_and_missing_runs_exit_2(crawled: Crawled) -> None:
    out = crawled.root / "x"
    assert cli("--out", out, "--runs", crawled.runs, "--format", "xml").returncode == 2
    assert cli("--out", out, "--runs", crawled.runs, "--since", "May").returncode == 2
    assert cli("--out", out, "--runs", crawled.root / "nothing").returncode == 2
    assert not out.exists()
