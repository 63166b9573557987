"""Politeness: robots.txt Crawl-delay honoured, SMN_POLITE only for mirrors; the extract CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.components.addons import Politeness
from crawler.mirror.server import RunningMirror
from tests.crawling import ROOT, run_crawl

HOME = "https://www.spacewar.com/index.html"


def _crawl_five_pages(mirror: RunningMirror, out: Path, polite: bool) -> dict[str, float]:
    result = run_crawl(
        mirror.base_url, out, f"start_urls={HOME}", "sites=spacewar.com",
        settings={"SMN_POLITE": polite, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
                  "CLOSESPIDER_PAGECOUNT": 6, "DOWNLOAD_TIMEOUT": 1,
                  "CONCURRENT_REQUESTS": 2},  # few in the downloader: the close drains fast
    )
    assert result.returncode == 0, result.log[-2000:]
    return result.stats


@pytest.mark.e2e
def test_robots_crawl_delay_spaces_requests_to_a_host(
    mirror300: tuple[Path, RunningMirror], tmp_path: Path
) -> None:
    robots = (mirror300[0] / "www.spacewar.com" / "robots.txt").read_text()
    delay = float(next(line.split(":")[1] for line in robots.splitlines()
                       if line.lower().startswith("crawl-delay")))
    polite = _crawl_five_pages(mirror300[1], tmp_path / "polite", polite=True)
    fast = _crawl_five_pages(mirror300[1], tmp_path / "fast", polite=False)
    print(f"Crawl-delay {delay}: polite {polite['elapsed_time_seconds']:.2f} s, "
          f"without politeness {fast['elapsed_time_seconds']:.2f} s")
    assert polite["robotstxt/crawl_delay/www.spacewar.com"] == delay
    # six responses from one host: at least four full delays between them
    assert polite["elapsed_time_seconds"] >= 4 * delay
    assert fast["elapsed_time_seconds"] < 4 * delay


def test_smn_polite_false_is_refused_without_a_mirror() -> None:
    live = Settings({"SMN_POLITE": False, "AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 0.5})
    Politeness().update_settings(live)
    assert live.getbool("SMN_POLITE") is True
    assert live.getbool("AUTOTHROTTLE_ENABLED") is True
    assert live.getfloat("DOWNLOAD_DELAY") == 0.5
    mirror = Settings({"SMN_POLITE": False, "AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 0.5,
                       "MIRROR_URL": "http://127.0.0.1:1", "CONCURRENT_REQUESTS": 32})
    Politeness().update_settings(mirror)
    assert mirror.getbool("AUTOTHROTTLE_ENABLED") is False
    assert mirror.getfloat("DOWNLOAD_DELAY") == 0
    assert mirror.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 32


def test_extract_command_prints_the_record_of_a_saved_page() -> None:
    case = ROOT / "tests" / "fixtures" / "pages" / "01_seed"
    expected = json.loads((case / "expected.json").read_text())
    meta = json.loads((case / "meta.json").read_text())
    out = subprocess.run(
        [sys.executable, "-m", "crawler", "extract", str(case / "page.html"), "--url", meta["url"]],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )
    record = json.loads(out.stdout)
    assert record["title"] == expected["title"]
    assert record["body"] == expected["body"]
    assert record["extraction"] == "template"


def test_extract_command_says_when_a_page_is_not_an_article(tmp_path: Path) -> None:
    page = tmp_path / "hub.html"
    page.write_text("<html><body><a href='/a'>A</a><a href='/b'>B</a></body></html>")
    out = subprocess.run([sys.executable, "-m", "crawler", "extract", str(page)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "not an article" in out.stderr
