"""What an operator meets at the command line: bad arguments and missing extras end in one
line and exit status 2, with no traceback and nothing started; a ``-O`` file is the only file
a crawl writes its articles to."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from crawler.mirror.server import RunningMirror
from tests.crawling import ROOT, read_jsonl
from tests.missing import env_without

KNOWN = ("spacewar.com", "spacedaily.com", "terradaily.com")
"""Sites the README names first; the refusal must name them."""


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _assert_one_line_refusal(proc: subprocess.CompletedProcess[str], prefix: str) -> str:
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    [line] = [x for x in _lines(proc.stderr) if x.startswith(prefix)]
    assert line == _lines(proc.stderr)[-1]
    return line


def test_scrapy_crawl_with_an_unknown_site_is_one_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "smn", "-a",
                           "sites=bogus.com,spacewar.com",
                           "-s", f"SMN_STATE_PATH={tmp_path / 'state.sqlite'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    line = _assert_one_line_refusal(proc, "scrapy crawl smn: unknown site: bogus.com (known: ")
    assert all(site in line for site in KNOWN)
    assert not (tmp_path / "state.sqlite").exists()  # nothing started


def test_scheduled_run_with_an_unknown_site_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--sites", "bogus.com",
                           "--output", str(out)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    line = _assert_one_line_refusal(proc, "crawl: unknown site: bogus.com (known: ")
    assert all(site in line for site in KNOWN)
    assert not out.exists()


def test_redis_without_its_extra_is_one_line(tmp_path: Path) -> None:
    env = env_without(tmp_path / "site", "redis", "scrapy_redis")
    cli = subprocess.run([sys.executable, "-m", "crawler", "crawl", "--redis",
                          "redis://127.0.0.1:1/0", "--output", str(tmp_path / "out")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    line = _assert_one_line_refusal(cli, "crawl: --redis (distributed crawling) needs the "
                                         "'redis' extra")
    assert "pip install 'smn-crawler[redis]'" in line
    assert not (tmp_path / "out").exists()
    scrapy = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "smn", "-s",
                             "REDIS_URL=redis://127.0.0.1:1/0",
                             "-s", f"SMN_STATE_PATH={tmp_path / 'state.sqlite'}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    line = _assert_one_line_refusal(scrapy, "scrapy crawl smn: REDIS_URL")
    assert "pip install 'smn-crawler[redis]'" in line


def test_parquet_without_pyarrow_is_one_line(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    env = env_without(tmp_path / "site", "pyarrow")
    proc = subprocess.run([sys.executable, "-m", "crawler", "export", "--runs", str(runs),
                           "--out", str(tmp_path / "dataset"), "--format", "jsonl,parquet"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    line = _assert_one_line_refusal(proc, "export: Parquet output")
    assert "pip install 'smn-crawler[parquet]'" in line
    assert not (tmp_path / "dataset").exists()


def test_an_o_file_is_the_only_articles_file(
    mirror300: tuple[Path, RunningMirror], tmp_path: Path
) -> None:
    articles = tmp_path / "articles.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "smn", "-O", str(articles),
         "-a", "start_urls=https://www.spacewar.com/index.html", "-a", "sites=spacewar.com",
         "-s", f"MIRROR_URL={mirror300[1].base_url}", "-s", "SMN_POLITE=False",
         "-s", "CLOSESPIDER_ITEMCOUNT=3", "-s", "DOWNLOAD_TIMEOUT=1",
         "-s", f"SMN_STATE_PATH={tmp_path / 'state.sqlite'}",
         "-s", f"SMN_DEFAULT_FEED={tmp_path / 'default' / 'smn-%(time)s.jsonl'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(read_jsonl(articles)) >= 3
    assert not (tmp_path / "default").exists()
    assert json.loads(articles.read_text().splitlines()[0])["site"] == "spacewar.com"
