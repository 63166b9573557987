"""The package as a user installs it: a wheel built from the project, installed in a fresh
virtual environment, runs ``smn-crawler demo`` from an empty folder.

The wheel is built from a copy of the sources (the checkout gets no build/ folder). The fresh
environment gets the wheel alone; the project's dependencies come from the test environment's
site-packages through a ``.pth`` line, so the test needs no network and no second download of
Scrapy, while the project itself can only come from the wheel.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from crawler.mirror.server import RunningMirror
from tests.crawling import ROOT, read_jsonl, truth

pytestmark = pytest.mark.slow


def _sources(dest: Path) -> Path:
    """The project's files (tracked or new, not ignored) copied to ``dest``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    for name in listed:
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the project's wheel installed; its bin folder."""
    root = tmp_path_factory.mktemp("install")
    src = _sources(root / "src")
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(wheels), str(src)], check=True, cwd=root, timeout=300)
    [wheel] = wheels.glob("smn_crawler-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "crawler/schema/article.schema.json" in names
    assert "crawler/mirror/data/seed-article.txt" in names
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "--no-deps", "--quiet", str(wheel)], check=True, timeout=300)
    site = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def test_the_wheel_is_what_runs(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run([str(installed / "python"), "-c",
                            "import crawler, importlib.metadata as m; print(crawler.__file__); "
                            "print(m.version('smn-crawler'))"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    module, version = where.stdout.split()
    assert Path(module).is_relative_to(installed.parent)
    assert not Path(module).is_relative_to(ROOT)
    assert version == "0.1.0"


def test_demo_runs_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = subprocess.run([str(installed / "smn-crawler"), "demo", "--articles", "100"],
                          cwd=empty, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    exported = int(proc.stdout.split("articles:")[1].split()[0])
    truth = (empty / "output" / "mirror-100-1" / "truth.jsonl").read_text().splitlines()
    assert exported >= 0.8 * len(truth)
    assert not (ROOT / "output" / "mirror-100-1").exists()


def test_console_script_crawls_from_any_folder(
    installed: Path, mirror300: tuple[Path, RunningMirror], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "data"
    proc = subprocess.run([str(installed / "smn-crawler"), "crawl", "--mirror",
                           mirror300[1].base_url, "--output", str(out), "--sites",
                           "spacewar.com", "-s", "SMN_POLITE=False", "-s", "DOWNLOAD_TIMEOUT=1"],
                          cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert list(elsewhere.iterdir()) == []  # nothing written where it was started
    [run] = [p for p in (out / "runs").iterdir() if p.is_dir()]
    articles = read_jsonl(run / "articles.jsonl")
    expected = {u for u, t in truth(mirror300[0]).items() if t["site"] == "spacewar.com"}
    assert len({a["url"] for a in articles} & expected) >= 0.8 * len(expected)
    assert "Spider opened" in (run / "crawl.log").read_text()
    assert (out / "report.html").is_file() and (out / "metrics" / "smn.prom").is_file()
