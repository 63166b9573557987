"""Shared fixtures: mirrors built by the project's own command and served over loopback."""

from __future__ import annotations

import os
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


CHECKOUT_OUTPUT = Path(__file__).resolve().parents[1] / "output"
GUARDED = "SMN_TEST_GUARDED_OUTPUT"
"""Environment variable naming another folder to guard (the guard's own test uses it)."""


def _listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


@pytest.fixture(scope="session", autouse=True)
def nothing_written_to_the_checkout_output() -> Iterator[None]:
    """Tests write under temporary folders only: the checkout's ``output/`` folder holds the same
    entries after the session as before it (else the session ends in an error naming them)."""
    guarded = Path(os.environ.get(GUARDED) or CHECKOUT_OUTPUT)
    before = _listing(guarded)
    yield
    new = sorted(_listing(guarded) - before)
    if new:
        pytest.fail(f"tests wrote into the checkout's output/: {', '.join(new[:10])}")
