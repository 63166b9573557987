"""``python -m crawler crawl --redis URL`` on two "machines" joins one job; export merges them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from crawler.mirror.server import RunningMirror
from tests.crawling import ROOT, read_jsonl, truth
from tests.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)
from tests.runs_helpers import FAST, run_dirs

pytestmark = [pytest.mark.redis, pytest.mark.e2e]


def test_two_scheduled_runs_join_one_job_and_export_merges_them(
    mirror300: tuple[Path, RunningMirror], redis_server: RedisServer, tmp_path: Path  # noqa: F811
) -> None:
    outputs = [tmp_path / "machine-a", tmp_path / "machine-b"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "crawler", "crawl", "--mirror", mirror300[1].base_url,
             "--redis", redis_server.url, "--job", "nightly", "--output", str(out), *FAST,
             "-s", "SMN_IDLE_CLOSE_SECONDS=3"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for out in outputs
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
    per_worker = [read_jsonl(run_dirs(out)[-1] / "articles.jsonl") for out in outputs]
    assert all(per_worker)  # both machines did part of the work
    urls = [a["url"] for rows in per_worker for a in rows]
    assert [u for u, n in Counter(urls).items() if n > 1] == []  # no story exported twice
    dataset = tmp_path / "dataset"
    subprocess.run(
        [sys.executable, "-m", "crawler", "export", "--out", str(dataset),
         *[str(out / "runs") for out in outputs]],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )
    with gzip.open(dataset / "dataset.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    expected = truth(mirror300[0])
    groups = json.loads((mirror300[0] / "duplicates.json").read_text())["groups"]
    story_of = {u: min(g) for g in groups for u in g}
    stories = {story_of.get(u, u) for u in expected}
    got = {story_of.get(r["url"], r["url"]) for r in records}
    print(f"two machines: {len(per_worker[0])} + {len(per_worker[1])} exported, dataset "
          f"{len(records)} records for {len(stories)} stories of the truth")
    assert len(got & stories) / len(stories) >= 0.99
    assert len(records) == len(got)  # each story once
    # Each worker captured into its own WARC files; the dataset's index merges theirs.
    files = [{p.name for p in out.glob("runs/*/warc/*.warc.gz")} for out in outputs]
    indexed = {json.loads(line.split(" ", 2)[2])["filename"]
               for line in (dataset / "index.cdxj").read_text().splitlines()}
    pointed = {r["warc"]["filename"] for r in records}
    assert all(files) and not files[0] & files[1]
    assert pointed <= indexed <= files[0] | files[1]
    assert pointed & files[0] and pointed & files[1]
