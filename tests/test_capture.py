"""WARC capture through the real thing: scheduled runs against the mirror, their WARC files
checked by warcio, read back against the mirror's own files, re-extracted with no network,
replayed by ``mirror serve --warc`` and crawled again.

One mirror (120 articles) and two scheduled runs for the module; one of its article pages is
served gzip-encoded, so the capture must keep the encoded bytes the mirror sent.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crawler.capture.reader import Captures, check_warc
from crawler.capture.records import crawled_at
from crawler.mirror.build import file_for
from crawler.mirror.server import serve_in_thread, serve_process
from tests.crawling import ROOT, build_mirror, read_jsonl, run_crawl, truth
from tests.runs_helpers import manifest, run_dirs, run_once

pytestmark = pytest.mark.e2e

WARCIO = Path(sys.executable).with_name("warcio")


@dataclass
class Captured:
    """A mirror and the output folder of two scheduled runs over it."""

    mirror: Path
    out: Path
    runs: list[Path]
    encoded_url: str
    """An article page the mirror serves gzip-encoded (its file holds the gzip bytes)."""

    def articles(self, run: int = 0) -> list[dict[str, Any]]:
        return read_jsonl(self.runs[run] / "articles.jsonl")

    def served(self, url: str) -> bytes:
        """The bytes the mirror serves for a live URL: its file."""
        return (self.mirror / file_for(url)).read_bytes()


def _encode_one_page(directory: Path) -> str:
    """Serve one classic article page gzip-encoded (the mirror's ``encoded`` route)."""
    routes = json.loads((directory / "routes.json").read_text())
    taken = set(routes["redirects"]) | set(routes["status"]) | set(routes["flaky"])
    url = next(u for u, rec in truth(directory).items()
               if rec["layout"] == "classic" and u not in taken
               and (directory / file_for(u)).is_file())
    page = directory / file_for(url)
    page.write_bytes(gzip.compress(page.read_bytes(), mtime=0))
    routes.setdefault("encoded", {})[url] = "gzip"
    (directory / "routes.json").write_text(json.dumps(routes))
    return url


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Captured:
    root = tmp_path_factory.mktemp("capture")
    directory = build_mirror(root / "m", 120, seed=41)
    encoded = _encode_one_page(directory)
    out = root / "out"
    with serve_in_thread(directory, slow_seconds=2) as running:
        for _ in range(2):  # the second run finds the mirror unchanged
            done = run_once(running.base_url, out)
            assert done.returncode == 0, done.stderr[-2000:]
    return Captured(directory, out, run_dirs(out), encoded)


def test_every_warc_file_passes_warcio_check(captured: Captured) -> None:
    files = sorted(captured.out.glob("runs/*/warc/*.warc.gz"))
    checked = subprocess.run([str(WARCIO), "check", *map(str, files)], capture_output=True,
                             text=True, timeout=300)
    assert len(files) >= 2 and checked.returncode == 0, checked.stdout[-2000:]
    assert [p for f in files for p in check_warc(f)] == []
    listed = {f["name"]: f for r in captured.runs for f in manifest(r)["warc"]["files"]}
    assert set(listed) == {f.name for f in files}
    assert all(listed[f.name]["bytes"] == f.stat().st_size for f in files)


def test_captured_bodies_are_the_bytes_the_mirror_served(captured: Captured) -> None:
    captures = Captures([captured.runs[0]])
    pages = [e for e in captures.entries if e.status == 200]
    same = sum(captures.page(e).body == captured.served(e.url) for e in pages)
    print(f"{len(pages)} pages captured with status 200, {same} byte-identical to the mirror")
    assert len(pages) >= len(truth(captured.mirror)) and same == len(pages)
    encoded = captures.page(captures.latest(captured.encoded_url) or pages[0])
    assert encoded.url == captured.encoded_url
    assert ("Content-Encoding", "gzip") in encoded.headers
    assert encoded.body[:2] == b"\x1f\x8b" and encoded.body == captured.served(encoded.url)


def test_each_redirect_hop_is_captured_with_its_location(captured: Captured) -> None:
    routes = json.loads((captured.mirror / "routes.json").read_text())["redirects"]
    captures = Captures([captured.runs[0]])
    hops = {url: captures.latest(url) for url in routes if captures.latest(url) is not None}
    assert hops, "the crawl met none of the mirror's redirects"
    for url, entry in hops.items():
        assert entry is not None and entry.status == 301
        assert ("Location", routes[url]) in captures.page(entry).headers


def test_every_exported_record_points_to_its_page(captured: Captured) -> None:
    articles = captured.articles()
    captures = Captures([captured.runs[0]])
    expected = truth(captured.mirror)
    for record in articles:
        page = captures.page(record["warc"])
        assert page.body == captured.served(page.url)
        assert record["crawled_at"] == crawled_at(page.date)
        assert record["warc"]["payload_digest"] == page.payload_digest
    encoded = [r for r in articles if r["url"] == captured.encoded_url]
    assert encoded and encoded[0]["title"] == expected[captured.encoded_url]["title"]


def test_an_unchanged_second_run_stores_revisits_only(captured: Captured) -> None:
    first, second = (manifest(r)["warc"] for r in captured.runs)
    print(f"first run {first['bytes']} bytes {first['records']}, second {second['bytes']} "
          f"bytes {second['records']}")
    assert second["records"]["response"] == 0 and second["records"]["revisit"] > 0
    assert second["bytes"] < 0.1 * first["bytes"]
    both = Captures(captured.runs)
    for entry in Captures([captured.runs[1]]).entries:
        page = both.page(entry)  # a 304 revisit resolves to the page it confirmed
        assert page.body == captured.served(page.url)


def _reextract(captured: Captured, out: Path, patch: str = "") -> Path:
    """Run ``python -m crawler reextract`` (with a monkeypatch of the extractor first, in the
    re-extraction process); returns the new run folder."""
    code = (f"{patch}\nimport sys\nfrom crawler.__main__ import main\n"
            "sys.exit(main(sys.argv[1:]))")
    done = subprocess.run([sys.executable, "-c", code, "reextract", "--runs",
                           str(captured.out), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (run,) = run_dirs(out)
    return run


UPPER_LOCATION = """
import crawler.pages as pages
_extract = pages._extract
def extract(*args, **kwargs):
    article = _extract(*args, **kwargs)
    if article is not None and article.location:
        article.location = article.location.upper()
    return article
pages._extract = extract
"""


@pytest.fixture(scope="module")
def reextracted(captured: Captured, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of ``reextract`` over the two runs, extractor unchanged."""
    out = tmp_path_factory.mktemp("reextracted")
    _reextract(captured, out)
    return out


def test_reextract_reproduces_the_export_and_names_a_changed_field(
    captured: Captured, reextracted: Path, tmp_path: Path
) -> None:
    before = {r["url"]: r for r in captured.articles()}
    (same,) = run_dirs(reextracted)
    again = {r["url"]: r for r in read_jsonl(same / "articles.jsonl")}
    assert again == before  # every field, crawled_at and the warc pointer included
    diff = json.loads((same / "diff.json").read_text())
    assert (diff["fields"], diff["compared"]) == ({}, len(before))

    changed = _reextract(captured, tmp_path / "changed", UPPER_LOCATION)
    diff = json.loads((changed / "diff.json").read_text())
    expected = [r for r in before.values()
                if r["location"] and r["location"] != r["location"].upper()]
    print(f"location changed on {diff['fields'].get('location', {}).get('records')} records, "
          f"{len(expected)} expected")
    assert list(diff["fields"]) == ["location"]
    assert diff["fields"]["location"]["records"] == len(expected) > 0
    example = diff["fields"]["location"]["examples"][0]
    assert example["after"] == before[example["url"]]["location"].upper()


def test_a_dataset_of_reextracted_records_equals_the_original_dataset(
    captured: Captured, reextracted: Path, tmp_path: Path
) -> None:
    for name, runs in (("original", captured.out / "runs"), ("reextracted", reextracted)):
        subprocess.run([sys.executable, "-m", "crawler", "export", "--out", str(tmp_path / name),
                        "--runs", str(runs), "--no-progress"],
                       cwd=ROOT, check=True, capture_output=True, timeout=300)
    original, again = (gzip.decompress((tmp_path / n / "dataset.jsonl.gz").read_bytes())
                       for n in ("original", "reextracted"))
    assert original == again
    merged = (tmp_path / "original" / "index.cdxj").read_text().splitlines()
    per_run = [line for r in captured.runs
               for line in (r / "warc" / "index.cdxj").read_text().splitlines()]
    assert sorted(merged) == sorted(per_run) and len(merged) == len(per_run)
    listed = json.loads((tmp_path / "original" / "manifest.json").read_text())["captures"]
    assert {f["name"] for f in listed["files"]} == {
        p.name for p in captured.out.glob("runs/*/warc/*.warc.gz")}


@pytest.fixture()
def replay(captured: Captured) -> Iterator[str]:
    """``python -m crawler mirror serve --warc OUT``: the captured runs served."""
    with serve_process(warc=captured.out) as base_url:
        yield base_url


def test_a_crawl_of_the_replayed_captures_gives_the_same_records(
    captured: Captured, replay: str, tmp_path: Path
) -> None:
    again = run_crawl(replay, tmp_path / "again",  # captured too: one setting for scrapy crawl
                      settings={"DOWNLOAD_TIMEOUT": 1, "SMN_CAPTURE_DIR": tmp_path / "warc"})
    assert again.returncode == 0, again.log[-2000:]
    first = {r["url"]: r for r in captured.articles()}
    first_dups = {d["url"] for d in read_jsonl(captured.runs[0] / "duplicates.jsonl")}
    new = {r["url"]: r for r in again.articles}
    new_dups = {d["url"] for d in again.duplicates}
    ignored = ("crawled_at", "warc")  # a new fetch: its own time, no capture of its own

    def fields(record: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in ignored}

    swapped = set(first) ^ set(new)  # which copy of a story came first may differ
    print(f"original {len(first)} + {len(first_dups)} duplicates, replayed {len(new)} + "
          f"{len(new_dups)}, {len(swapped)} addresses swapped between copies")
    assert len(new) == len(first)
    assert set(first) | first_dups == set(new) | new_dups
    assert swapped <= first_dups | new_dups
    assert [u for u in set(first) & set(new) if fields(first[u]) != fields(new[u])] == []
    # What the replay served is what the sites sent: the same payloads, captured again.
    assert (tmp_path / "warc" / "index.cdxj").is_file()
    assert [u for u in set(first) & set(new)
            if first[u]["warc"]["payload_digest"] != new[u]["warc"]["payload_digest"]] == []
