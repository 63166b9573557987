"""Kill trials: a scheduled run SIGKILLed at ten points, resumed, and nothing lost or doubled;
its WARC files stay valid and every exported record's pointer finds its page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.capture.reader import Captures, check_warc
from crawler.mirror.build import file_for
from crawler.mirror.server import serve_in_thread
from tests.crawling import ROOT, build_mirror, read_jsonl, truth
from tests.runs_helpers import all_lines, crawl_cmd, kill_after_lines, manifest, run_dirs, run_once

pytestmark = pytest.mark.e2e

LINE_POINTS = (1, 20, 60, 110, 170, 230, 290, 350)
"""Kill once the run's articles file holds this many lines (all attempts together)."""
TIME_POINTS = (0.3, 1.2)
"""Kill this many seconds after start: during start-up, repair and state reconciliation."""


def _kill_after_seconds(mirror_url: str, output: Path, seconds: float) -> None:
    proc = subprocess.Popen(crawl_cmd(mirror_url, output), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_ten_kills_then_resume_export_every_article_exactly_once(tmp_path: Path) -> None:
    directory = build_mirror(tmp_path / "m", 600, seed=31)
    out = tmp_path / "out"
    with serve_in_thread(directory, slow_seconds=2) as running:
        killed = 0
        for point in TIME_POINTS[:1] + LINE_POINTS[:4] + TIME_POINTS[1:] + LINE_POINTS[4:]:
            if isinstance(point, float):
                _kill_after_seconds(running.base_url, out, point)
                killed += 1
            else:
                killed += kill_after_lines(running.base_url, out, point)
        final = run_once(running.base_url, out)
    assert killed == 10
    assert final.returncode == 0, final.stderr[-2000:]
    runs = run_dirs(out)
    assert len(runs) == 1  # every start resumed the one unfinished run
    assert manifest(runs[0])["status"] == "ended"
    bad_lines = 0
    for name in ("articles.jsonl", "duplicates.jsonl", "rejects.jsonl"):
        path = runs[0] / name
        raw = path.read_bytes() if path.is_file() else b""
        assert not raw or raw.endswith(b"\n")
        for line in raw.splitlines():
            try:
                json.loads(line)
            except ValueError:
                bad_lines += 1
    articles = [a["url"] for a in all_lines(out, "articles.jsonl")]
    duplicates = [d["url"] for d in all_lines(out, "duplicates.jsonl")]
    exported_twice = [u for u, n in Counter(articles).items() if n > 1]
    expected = truth(directory)
    found = (set(articles) | set(duplicates)) & set(expected)
    print(f"10 kills: {manifest(runs[0])['attempts']} attempts, {len(articles)} exported, "
          f"{len(exported_twice)} exported twice, {bad_lines} bad lines, "
          f"{len(found)}/{len(expected)} of the truth found")
    assert bad_lines == 0
    assert exported_twice == []
    assert len(found) / len(expected) >= 0.99
    _every_warc_valid_and_every_pointer_resolves(runs[0], directory)


def _every_warc_valid_and_every_pointer_resolves(run: Path, mirror: Path) -> None:
    """The WARC files after the kills: valid for warcio, and each record's page is there,
    byte for byte what the mirror served."""
    files = sorted(run.glob("warc/*.warc.gz"))
    checked = subprocess.run([str(Path(sys.executable).with_name("warcio")), "check",
                              *map(str, files)], capture_output=True, text=True, timeout=300)
    assert files and checked.returncode == 0, checked.stdout[-2000:]
    assert [p for f in files for p in check_warc(f)] == []
    captures = Captures([run])
    records = read_jsonl(run / "articles.jsonl")
    resolved = [captures.page(r["warc"]) for r in records]
    print(f"{len(files)} WARC files from {manifest(run)['attempts']} attempts, "
          f"{len(captures)} indexed records, {len(records)} pointers resolved")
    assert all(p.body == (mirror / file_for(p.url)).read_bytes() for p in resolved)
