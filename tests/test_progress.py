"""The live progress line: on a terminal (a real pseudo-terminal) a scheduled crawl and an export
redraw one line; off a terminal (pipes, as under cron) they print none."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.mirror.server import RunningMirror
from crawler.progress import Progress
from tests.crawling import read_jsonl
from tests.runs_helpers import crawl_cmd, run_dirs

ONE_SITE = ("--sites", "spacewar.com")  # a crawl of a few seconds: several redraws
LINE = re.compile(r"\r([a-z][a-z: ]*[a-z])  ([^\r\n\x1b]*)\x1b\[K")


def run_on_terminal(cmd: list[str], cwd: Path, timeout: float = 300) -> tuple[int, str]:
    """Run a command with its stderr on a new pseudo-terminal; returns (status, terminal text)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave, env={**os.environ, "TERM": "xterm"})
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        status = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return status, b"".join(chunks).decode("utf-8", "replace")


def _numbers(text: str) -> dict[str, int]:
    found = re.findall(r"(?<![\d.,])([\d,]+) (pages|articles|errors)(?!/)", text)
    return {name: int(value.replace(",", "")) for value, name in found}


@dataclass
class TerminalRun:
    """A scheduled run started on a pseudo-terminal: its exit status, screen and output."""

    status: int
    screen: str
    out: Path


@pytest.fixture(scope="module")
def terminal_run(
    mirror300: tuple[Path, RunningMirror], tmp_path_factory: pytest.TempPathFactory
) -> TerminalRun:
    """One scheduled run of spacewar.com, its stderr on a pseudo-terminal."""
    root = tmp_path_factory.mktemp("tty")
    status, screen = run_on_terminal(crawl_cmd(mirror300[1].base_url, root / "out", *ONE_SITE),
                                     root)
    return TerminalRun(status, screen, root / "out")


@pytest.mark.e2e
def test_scheduled_crawl_draws_one_live_line_on_a_terminal(terminal_run: TerminalRun) -> None:
    """(Off a terminal the same run prints no such line: test_run_history's cron test.)"""
    status, screen = terminal_run.status, terminal_run.screen
    assert status == 0, screen[-2000:]
    lines = [(kind, text) for kind, text in LINE.findall(screen)]
    assert len(lines) >= 3, screen[-2000:]  # redrawn in place, several times
    assert {kind for kind, _ in lines} == {"crawl"}
    assert "\n" not in screen.rstrip("\r\n")  # one line: nothing else was printed
    pages = [_numbers(text)["pages"] for _, text in lines]
    assert pages == sorted(pages) and pages[0] < pages[-1]
    assert any(re.search(r"[\d.]+ pages/s", text) for _, text in lines)
    assert any(re.search(r"\d+ queued", text) for _, text in lines)
    final = lines[-1][1]
    assert final.endswith("finished")
    [run] = run_dirs(terminal_run.out)
    stats = json.loads((run / "stats.json").read_text())
    assert _numbers(final)["pages"] == stats["response_received_count"]
    assert _numbers(final)["articles"] == len(read_jsonl(run / "articles.jsonl"))
    assert _numbers(final)["errors"] == sum(v for k, v in stats.items()
                                            if k.startswith("errors/"))


@pytest.mark.e2e
def test_export_draws_its_line_on_a_terminal_only(terminal_run: TerminalRun,
                                                  tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "crawler", "export", "--runs", str(terminal_run.out / "runs"),
           "--out", str(tmp_path / "dataset")]
    status, screen = run_on_terminal(cmd, tmp_path)
    assert status == 0, screen[-2000:]
    kinds = [kind for kind, _ in LINE.findall(screen)]
    assert "export: reading runs" in kinds and "export: writing stories" in kinds
    last = [text for kind, text in LINE.findall(screen) if kind == "export: writing stories"][-1]
    manifest = json.loads((tmp_path / "dataset" / "manifest.json").read_text())
    stories = manifest["records"]["stories"]
    assert last.startswith(f"{stories:,}/{stories:,} records (100%)")
    assert f"{manifest['records']['exported']:,} exported" in last

    piped = subprocess.run([*cmd[:-1], str(tmp_path / "again")], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0 and "\r" not in piped.stderr


def test_progress_line_rate_and_time_left() -> None:
    now = [0.0]
    screen = io.StringIO()
    with Progress("backfill", total=1000, unit="pages", stream=screen, enabled=True,
                  clock=lambda: now[0]) as progress:
        for step in range(1, 11):
            now[0] = step * 1.0
            progress.update(advance=20, articles=step * 10, errors=1)
    drawn = LINE.findall(screen.getvalue())
    assert len(drawn) == 11  # each update (a second apart), then the final line
    assert {kind for kind, _ in drawn} == {"backfill"}
    final = drawn[-1][1]
    # 200 of 1,000 pages after 10 s at 20 pages/s: 800 left, 40 s
    assert final == ("200/1,000 pages (20%) · 100 articles · 1 errors · 20.0 pages/s · "
                     "~40 s left")
    assert screen.getvalue().endswith("\n")


def test_progress_is_silent_off_a_terminal() -> None:
    screen = io.StringIO()  # not a terminal
    with Progress("reextract", total=10, stream=screen) as progress:
        for _ in range(10):
            progress.update(advance=1)
    assert screen.getvalue() == ""
    assert progress.done == 10
