"""The suite's guard: a test that writes into the checkout's output/ makes the session fail."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.crawling import ROOT

LEAKY = '''
from pathlib import Path
import os

def test_writes_where_it_should_not():
    Path(os.environ["SMN_TEST_GUARDED_OUTPUT"], "smn-leak.jsonl").write_text("{}\\n")
'''


def test_a_test_writing_into_output_fails_the_session(tmp_path: Path) -> None:
    guarded = tmp_path / "output"
    guarded.mkdir()
    (guarded / "kept-from-before.jsonl").write_text("{}\n")  # earlier files are no failure
    (tmp_path / "test_leaky.py").write_text(LEAKY)
    env = {**os.environ, "SMN_TEST_GUARDED_OUTPUT": str(guarded)}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
           "-n", "0", "-p", "tests.conftest", "--rootdir", str(tmp_path), "-c", os.devnull,
           str(tmp_path / "test_leaky.py")]
    leaky = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert leaky.returncode != 0, leaky.stdout
    assert "tests wrote into the checkout's output/: smn-leak.jsonl" in leaky.stdout
    (guarded / "smn-leak.jsonl").unlink()
    (tmp_path / "test_leaky.py").write_text("def test_clean():\n    pass\n")
    clean = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stdout
