"""Shared fixtures: mirrors built by the project's own command and served over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.mirror.server import RunningMirror, serve_in_thread
from tests.crawling import CrawlResult, build_mirror, run_crawl


@pytest.fixture(scope="session")
def mirror300(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, RunningMirror]]:
    """A 300-article mirror, served; its slow page answers after 3 s."""
    directory = build_mirror(tmp_path_factory.mktemp("mirror300") / "m", 300, seed=7)
    with serve_in_thread(directory, slow_seconds=3) as running:
        yield directory, running


@pytest.fixture(scope="session")
def crawl300(
    mirror300: tuple[Path, RunningMirror], tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    """One complete crawl of the 300-article mirror (timeout 1 s: the slow page times out)."""
    _, running = mirror300
    out = tmp_path_factory.mktemp("crawl300")
    result = run_crawl(running.base_url, out, settings={"DOWNLOAD_TIMEOUT": 1})
    assert result.returncode == 0, result.log[-3000:]
    return result
