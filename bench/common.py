"""What the crawl benchmarks share: mirrors, servers, child processes, and the probe's figures.

Everything goes through the project's stable interfaces only: ``python -m crawler mirror
build|serve`` (the CLI), ``scrapy crawl smn`` with ``-s`` settings, ``scrapy bench`` and
``scrapy runspider`` -- so that the scripts keep working while the code inside moves. The one
measuring component is ``bench/probe.py``, added to every side with the same setting
(:func:`probe_settings`), so that pages, CPU and memory are counted by the same code everywhere.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PROBE = "probe.BenchProbe"
_STATS_RE = re.compile(r"Dumping Scrapy stats:\n(\{.*?\})\n", re.S)


def git_commit() -> str:
    """The checkout's commit (with ``+dirty`` when it has uncommitted changes)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, timeout=10).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True,
                               timeout=10).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "?"
    return head + ("+dirty" if dirty.strip() else "")


def banner(argv: list[str]) -> str:
    """The first line every benchmark prints: its command, commit, Python and the load."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"$ {' '.join(['python', *argv])}\ncommit {git_commit()}, Python "
            f"{sys.version.split()[0]}, {os.cpu_count()} cores, load average {load:.2f} at start")


def child_env(root: Path = ROOT, **extra: str) -> dict[str, str]:
    """Environment of the child processes: bench/ on the path (for the probe), then the
    checkout ``root`` (another checkout's code wins over this one's), no settings module of
    the caller's, unbuffered output."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH), str(root),
                                                     os.environ.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def project_extensions(root: Path = ROOT) -> dict[str, Any]:
    """The project's own EXTENSIONS setting (read by Scrapy from the project's scrapy.cfg)."""
    code = ("import json; from scrapy.utils.project import get_project_settings as g; "
            "print(json.dumps(dict(g().getdict('EXTENSIONS'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=child_env(root), text=True,
                         capture_output=True, check=True, timeout=120).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def project_setting(name: str) -> Any:
    """One setting of the project as its settings sheet gives it (None when it has none)."""
    code = ("import json, sys; from scrapy.utils.project import get_project_settings as g; "
            "print(json.dumps(g().get(sys.argv[1])))")
    out = subprocess.run([sys.executable, "-c", code, name], cwd=ROOT, env=child_env(),
                         text=True, capture_output=True, check=True,
                         timeout=120).stdout  # fmt: skip
    return json.loads(out.strip().splitlines()[-1])


def project_setting_names() -> set[str]:
    """Every setting name the project's settings sheet declares."""
    code = ("from scrapy.utils.project import get_project_settings as g; "
            "print('\\n'.join(k for k, _ in g().items()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(), text=True,
                         capture_output=True, check=True, timeout=120).stdout  # fmt: skip
    return set(out.split())


def capture_settings() -> tuple[list[str], str]:
    """Settings that turn WARC capture on, when the project has them, and a line saying so.

    Capture (issue 14) is on by default for scheduled runs and needs one setting for
    ``scrapy crawl smn``: the folder of the WARC files (``SMN_CAPTURE_DIR``), which
    :func:`crawl_project` puts in the crawl's own folder (``{workdir}``). The names are looked
    up in the project's settings sheet.
    """
    names = project_setting_names()
    if "SMN_CAPTURE_DIR" in names:
        found = ["SMN_CAPTURE_DIR={workdir}/warc"]
        if "SMN_CAPTURE_ENABLED" in names:
            found.append("SMN_CAPTURE_ENABLED=True")
        return found, f"capture: on ({', '.join(found)})"
    for name in ("SMN_CAPTURE", "SMN_CAPTURE_ENABLED", "SMN_WARC", "SMN_WARC_ENABLED"):
        if name in names:
            return [f"{name}=True"], f"capture: on ({name}=True)"
    found = sorted(n for n in names if "WARC" in n or "CAPTURE" in n)
    if found:
        return [], f"capture: settings {', '.join(found)} found but no known switch: not turned on"
    return [], "capture: the project has no WARC capture yet (no SMN_CAPTURE_* setting)"


def probe_settings(base_extensions: dict[str, Any], path: Path) -> list[str]:
    """``-s`` arguments adding the probe to ``base_extensions`` and naming its output file."""
    extensions = {**base_extensions, PROBE: 0}
    return ["-s", f"EXTENSIONS={json.dumps(extensions)}", "-s", f"BENCH_PROBE_PATH={path}"]


def settings_args(settings: dict[str, Any]) -> list[str]:
    """``-s NAME=VALUE`` for each setting."""
    return [arg for k, v in settings.items() for arg in ("-s", f"{k}={v}")]


@dataclass
class Child:
    """A finished child process: exit code, wall time, and its own rusage."""

    code: int
    wall: float
    peak_rss_mb: float
    cpu_s: float
    log: Path


def run_child(cmd: list[str], cwd: Path, timeout: float, log: Path,
              env: dict[str, str] | None = None) -> Child:
    """Run ``cmd`` to its end (killed at ``timeout``); its exit code, peak RSS and CPU."""
    with log.open("wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env=env or child_env())  # fmt: skip
        deadline = start + timeout
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    return Child(proc.returncode, time.monotonic() - start,
                                 usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, log)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{' '.join(cmd[:5])} ran over {timeout:.0f} s")
                time.sleep(0.05)
        finally:
            if proc.returncode is None:
                proc.kill()
                proc.wait()


def build_mirror(directory: Path, articles: int, seed: int = 1, timeout: float = 3600) -> Path:
    """A fresh mirror of ``articles`` articles, built by the project's own command."""
    if not (directory / "truth.jsonl").is_file():
        subprocess.run([sys.executable, "-m", "crawler", "mirror", "build", str(directory),
                        "--articles", str(articles), "--seed", str(seed)], cwd=ROOT,
                       env=child_env(), check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return directory


def serve(directory: Path, slow_seconds: float) -> contextlib.AbstractContextManager[str]:
    """The mirror ``directory`` served by a child process (the mirror's own
    :func:`~crawler.mirror.server.serve_process`); yields its base URL."""
    from crawler.mirror.server import serve_process  # the checkout's, once ROOT is on the path

    return serve_process(directory, slow_seconds=slow_seconds)


def scrapy_stats(log_text: str) -> dict[str, Any]:
    """The final stats Scrapy dumps into its log (datetimes as None)."""
    found = _STATS_RE.search(log_text)
    if found is None:
        return {}
    body = re.sub(r"datetime\.datetime\([^)]*\)", "None", found.group(1))
    return dict(ast.literal_eval(body))


@dataclass
class Measured:
    """One side of a comparison, as the probe and the process saw it."""

    label: str
    probe: dict[str, Any]
    child: Child
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        """200 HTML responses."""
        return int(self.probe["html_200"])

    @property
    def window(self) -> float:
        """Seconds from the first to the last counted page."""
        return float(self.probe["last"] - self.probe["first"])

    @property
    def rate(self) -> float:
        """Pages per second between the first and the last counted page."""
        return (self.pages - 1) / self.window if self.window > 0 else 0.0

    @property
    def rate_steady(self) -> float:
        """Pages per second between 10 % and 90 % of the pages (no start-up, no tail of
        sequential pagination pages and timed-out retries)."""
        marks = self.probe.get("marks") or []
        if len(marks) < 10:
            return self.rate
        low, high = len(marks) // 10, (9 * len(marks)) // 10
        span = marks[high] - marks[low]
        return 100 * (high - low) / span if span > 0 else 0.0

    @property
    def elapsed(self) -> float:
        """Seconds from engine start to spider close."""
        return float(self.probe["closed"] - self.probe["started"])

    @property
    def rate_whole(self) -> float:
        """Pages per second from engine start to spider close."""
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """CPU milliseconds of the crawling process per page, engine start to close."""
        cpu = float(self.probe["cpu_closed"] - self.probe["cpu_started"])
        return cpu / self.pages * 1e3 if self.pages else 0.0

    def usage_per_page(self) -> dict[str, float]:
        """The probe's ``getrusage`` deltas, engine start to close, per page (CPU in ms);
        empty for a probe file without them."""
        start, end = self.probe.get("usage_started"), self.probe.get("usage_closed")
        if not start or not end or not self.pages:
            return {}
        scale = {"user": 1e3, "system": 1e3}
        return {k: (end[k] - start[k]) * scale.get(k, 1.0) / self.pages for k in start}

    def usage_line(self) -> str:
        """CPU per page by mode, page faults and context switches per page; '' without them."""
        u = self.usage_per_page()
        if not u:
            return ""
        return (f"CPU user {u['user']:.2f} + system {u['system']:.2f} ms/page; per page "
                f"{u['minflt']:.1f} minor faults, {u['nvcsw']:.2f} voluntary and "
                f"{u['nivcsw']:.2f} involuntary switches, {u['oublock']:.2f} blocks written")

    @property
    def responses_200(self) -> int:
        """Scrapy's own ``downloader/response_status_count/200`` (every content type)."""
        return int(self.stats.get("downloader/response_status_count/200", 0))

    def line(self) -> str:
        """One line of figures."""
        return (f"{self.label:>34}: {self.pages:7d} pages in {self.window:7.1f} s = "
                f"{self.rate:6.1f} pages/s (10-90 % {self.rate_steady:6.1f}, whole run "
                f"{self.rate_whole:6.1f}), CPU "
                f"{self.cpu_ms_per_page:5.2f} ms/page, peak RSS "
                f"{self.probe['peak_rss_mb']:5.0f} MB; 200s of any type {self.responses_200}"
                + (f"; WARC {self.stats['bench/warc_bytes'] / self.pages / 1e3:.1f} kB/page"
                   if self.stats.get("bench/warc_bytes") else ""))


def read_probe(path: Path, log: Path) -> dict[str, Any]:
    """The probe's figures; a clear error with the log's tail when it wrote none."""
    if not path.is_file():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"no probe figures in {path}; log tail:\n{tail}")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def scrapy_bench(seconds: float, settings: dict[str, Any], workdir: Path,
                 label: str = "scrapy bench") -> Measured:
    """``scrapy bench`` for ``seconds`` from an empty folder (no project settings apply), with
    ``settings`` and the probe."""
    folder = Path(tempfile.mkdtemp(prefix="scrapy-bench-", dir=workdir))
    probe = folder / "probe.json"
    cmd = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
           *settings_args(settings), *probe_settings({}, probe)]
    env = child_env()
    env["PYTHONPATH"] = str(BENCH)  # the probe only: nothing of the project
    child = run_child(cmd, folder, seconds + 120, folder / "bench.log", env=env)
    text = child.log.read_text(errors="replace")
    if child.code != 0:
        raise RuntimeError(f"scrapy bench failed ({child.code}):\n{text[-3000:]}")
    return Measured(label, read_probe(probe, child.log), child, scrapy_stats(text))


def fresh_folder(workdir: Path) -> None:
    """Make ``workdir`` an empty folder: a crawl measured is a first crawl. A folder left by an
    earlier run (``--workdir`` reused to keep its mirrors) holds its state and WARC files, and
    would make the crawl an incremental one that skips what it knows."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)


def crawl_project(mirror_url: str, settings: dict[str, Any], workdir: Path, label: str,
                  timeout: float = 7200, extra: list[str] | None = None,
                  prefix: list[str] | None = None, root: Path = ROOT) -> Measured:
    """``scrapy crawl smn`` of a served mirror with ``settings``, the probe, and every output
    file in ``workdir`` (emptied first, see :func:`fresh_folder`; articles as
    ``articles.jsonl``); the code of checkout ``root``."""
    fresh_folder(workdir)
    probe = workdir / "probe.json"
    files = {"MIRROR_URL": mirror_url, "SMN_STATE_PATH": workdir / "state.sqlite",
             "SMN_STATS_PATH": workdir / "stats.json"}  # fmt: skip
    settings = in_workdir(settings, workdir)
    cmd = [*(prefix or []), sys.executable, "-m", "scrapy", "crawl", "smn",
           "-O", str(workdir / "articles.jsonl"), *settings_args({**files, **settings}),
           *probe_settings(project_extensions(root), probe), *(extra or [])]
    child = run_child(cmd, root, timeout, workdir / "crawl.log", env=child_env(root))
    text = child.log.read_text(errors="replace")
    if child.code != 0:
        raise RuntimeError(f"{label} failed ({child.code}):\n{text[-3000:]}")
    stats_file = workdir / "stats.json"
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else scrapy_stats(text)
    return Measured(label, read_probe(probe, child.log), child, with_warc_bytes(stats, workdir))


def in_workdir(settings: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """The settings with ``{workdir}`` in their string values replaced by the crawl's folder.

    >>> in_workdir({"SMN_CAPTURE_DIR": "{workdir}/warc", "N": 3}, Path("/w"))
    {'SMN_CAPTURE_DIR': '/w/warc', 'N': 3}
    """
    return {k: v.replace("{workdir}", str(workdir)) if isinstance(v, str) else v
            for k, v in settings.items()}  # fmt: skip


def with_warc_bytes(stats: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """The stats, with the bytes of the crawl's WARC files (``workdir/warc``) when it wrote any."""
    warc = workdir / "warc"
    if warc.is_dir():
        stats["bench/warc_bytes"] = sum(p.stat().st_size for p in warc.rglob("*") if p.is_file())
    return stats


def crawl_null(mirror_url: str, settings: dict[str, Any], workdir: Path, seeds: list[str],
               domains: list[str], label: str = "null spider",
               timeout: float = 7200, prefix: list[str] | None = None) -> Measured:
    """``scrapy runspider bench/null_spider.py`` under the project's settings (same
    ``settings``), from the project's seed addresses, restricted to the network's domains;
    ``workdir`` is emptied first (:func:`fresh_folder`)."""
    fresh_folder(workdir)
    probe = workdir / "probe.json"
    files = {"MIRROR_URL": mirror_url, "SMN_STATE_PATH": workdir / "state.sqlite",
             "SMN_STATS_PATH": workdir / "stats.json"}  # fmt: skip
    cmd = [*(prefix or []), sys.executable, "-m", "scrapy", "runspider",
           str(BENCH / "null_spider.py"),
           "-O", str(workdir / "null.jsonl"), "-a", f"start_urls={','.join(seeds)}",
           "-a", f"domains={','.join(domains)}",
           *settings_args({**files, **in_workdir(settings, workdir)}),
           *probe_settings(project_extensions(), probe)]
    child = run_child(cmd, ROOT, timeout, workdir / "null.log")
    text = child.log.read_text(errors="replace")
    if child.code != 0:
        raise RuntimeError(f"{label} failed ({child.code}):\n{text[-3000:]}")
    stats_file = workdir / "stats.json"
    stats = json.loads(stats_file.read_text()) if stats_file.is_file() else scrapy_stats(text)
    return Measured(label, read_probe(probe, child.log), child, with_warc_bytes(stats, workdir))


def network_seeds() -> tuple[list[str], list[str]]:
    """(seed addresses, domains) of the whole network, from the project's network data."""
    code = (
        "import json\n"
        "from crawler import sites\n"
        "seeds = []\n"
        "wp = getattr(sites, 'WORDPRESS_DOMAINS', ())\n"
        "for s in sites.SITES:\n"
        "    seeds += [s.home_url, s.feed_url]\n"
        "    if s.domain in wp: seeds += [f'https://{s.domain}/', f'https://{s.domain}/feed/']\n"
        "print(json.dumps([seeds, [s.domain for s in sites.SITES]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env(), text=True,
                         capture_output=True, check=True, timeout=60).stdout  # fmt: skip
    seeds, domains = json.loads(out.strip().splitlines()[-1])
    return list(seeds), list(domains)
