"""Where a crawl's CPU goes, by stage, from py-spy's collapsed stacks of the crawl process.

``py-spy record --format raw --full-filenames`` writes one line per distinct stack:
``frame;frame;...;frame COUNT`` with frames like ``parse (/path/crawler/spiders/smn.py:240)``.
Each sample is given to one stage: the *innermost* frame that belongs to a stage names it (an
extraction called by the spider counts as extraction, a state lookup made by a pipeline as
state, ...); a stack with no stage frame is "engine, reactor and the rest".

Stages are found by where their code lives, not by module names of this project, so that they
survive the restructuring: the item pipelines are found from the ``ITEM_PIPELINES`` setting
(each class's source file), the extraction from ``crawler.pages``' folder, the spider from the
``smn`` spider class's file, and capture from any file whose path names WARC or capture.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

_FRAME_RE = re.compile(r"^(?P<func>.*?) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")

Rule = tuple[str, Callable[[str, str], bool]]

PYSPY_RATE = 250
"""Samples per second of the profiles."""


def pyspy_prefix(out: Path) -> list[str]:
    """The py-spy command that runs a crawl and writes its collapsed stacks to ``out``."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        raise SystemExit("py-spy is not installed: pip install -e '.[bench]'")
    return [exe, "record", "-r", str(PYSPY_RATE), "--nonblocking", "--full-filenames",
            "-f", "raw", "-o", str(out), "--"]




def project_files(root: Path, env: dict[str, str]) -> dict[str, list[str]]:
    """Source files of the project's stages, read from its settings in a child process."""
    code = r"""
import inspect, json, os, sys
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from scrapy.spiderloader import SpiderLoader
s = get_project_settings()
out = {}
for path, order in sorted(s.getwithbase("ITEM_PIPELINES").items(), key=lambda kv: kv[1] or 0):
    if order is None: continue
    cls = load_object(path)
    out["pipeline: " + cls.__name__] = [inspect.getsourcefile(cls)]
import crawler.pages as pages
out["extraction"] = [os.path.dirname(inspect.getsourcefile(pages))]
spider = SpiderLoader.from_settings(s).load("smn")
out["spider (links, requests, state lookups by the spider)"] = [inspect.getsourcefile(spider)]
handlers = [load_object(p) for p in s.getwithbase("DOWNLOAD_HANDLERS").values() if p]
mws = [load_object(p) for p, o in s.getwithbase("DOWNLOADER_MIDDLEWARES").items() if o is not None]
out["download handling"] = sorted({inspect.getsourcefile(c) for c in handlers + mws})
df = load_object(s.get("DUPEFILTER_CLASS"))
out["scheduler and dupefilter"] = [inspect.getsourcefile(df)]
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, text=True,
                         capture_output=True, check=True, timeout=120)  # fmt: skip
    return dict(json.loads(res.stdout.strip().splitlines()[-1]))


def rules(files: dict[str, list[str]]) -> list[Rule]:
    """Stage rules in the order they are tried on each frame (first match names the stage)."""

    def in_files(paths: Iterable[str]) -> Callable[[str, str], bool]:
        exact = {p for p in paths if p.endswith(".py")}
        folders = tuple(p.rstrip("/") + "/" for p in paths if not p.endswith(".py"))
        return lambda path, func: path in exact or (bool(folders) and path.startswith(folders))

    def contains(*parts: str) -> Callable[[str, str], bool]:
        return lambda path, func: any(p in path for p in parts)

    out: list[Rule] = [
        ("capture (WARC)", contains("warc", "/capture")),
        ("extraction: trafilatura", contains("/trafilatura/", "/justext/", "/htmldate/",
                                             "/courlan/")),
        ("extraction", in_files(files.get("extraction", []))),
    ]
    for name, paths in files.items():
        if name.startswith("pipeline: "):
            out.append((name, in_files(paths)))
    out += [
        ("export (feed exporter)", contains("/scrapy/extensions/feedexport.py",
                                            "/scrapy/exporters.py", "feedstorage")),
        ("state (SQLite)", contains("/crawler/state")),
        ("logging", contains("/logging/", "/scrapy/extensions/logstats.py",
                             "/scrapy/utils/log.py")),
        ("scheduler and dupefilter", lambda p, f: (
            in_files(files.get("scheduler and dupefilter", []))(p, f)
            or any(s in p for s in ("/scrapy/core/scheduler.py", "/scrapy/pqueues.py",
                                    "/scrapy/squeues.py", "/queuelib/", "/scrapy/dupefilters.py",
                                    "/scrapy/utils/request.py")))),
        ("spider (links, requests, state lookups by the spider)", lambda p, f: in_files(
            files.get("spider (links, requests, state lookups by the spider)", []))(p, f)
            or "/crawler/links.py" in p or "/crawler/navigation/" in p
            or p.endswith("/null_spider.py")),
        ("spider middlewares", contains("/scrapy/spidermiddlewares/", "/scrapy/core/spidermw.py")),
        ("download handling", lambda p, f: in_files(files.get("download handling", []))(p, f)
            or any(s in p for s in ("/scrapy/core/downloader/", "/scrapy/downloadermiddlewares/",
                                    "/twisted/web/", "/twisted/internet/tcp.py",
                                    "/h2/", "/scrapy/responsetypes.py"))),  # fmt: skip
        ("item processing (Scrapy's scraper)", contains("/scrapy/core/scraper.py",
                                                        "/scrapy/pipelines/")),
    ]
    return out


def parse_frame(frame: str) -> tuple[str, str]:
    """(function, file path) of one collapsed-stack frame.

    >>> parse_frame("parse (/x/crawler/spiders/smn.py:240)")
    ('parse', '/x/crawler/spiders/smn.py')
    >>> parse_frame("<module> (<string>:7)")
    ('<module>', '<string>')
    """
    m = _FRAME_RE.match(frame.strip())
    if not m:
        return frame, ""
    return m.group("func"), m.group("path")


def breakdown(raw: str, stage_rules: list[Rule]) -> Counter[str]:
    """Samples per stage from py-spy's raw (collapsed) output."""
    counts: Counter[str] = Counter()
    cache: dict[str, str] = {}
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        stage = "engine, reactor and the rest"
        if "importlib._bootstrap" in stack:  # start-up: not a per-page cost
            counts["start-up (imports)"] += int(n)
            continue
        for frame in reversed(stack.split(";")):
            found = cache.get(frame)
            if found is None:
                func, path = parse_frame(frame)
                found = next((name for name, rule in stage_rules if rule(path, func)), "")
                cache[frame] = found
            if found:
                stage = found
                break
        counts[stage] += int(n)
    return counts


STARTUP = "start-up (imports)"


def table(counts: Counter[str], cpu_ms_per_page: float, pages: int, rate: int) -> str:
    """The breakdown as a Markdown table: share of the crawl's samples and ms per page.

    Start-up samples (imports) are shown apart and left out of the shares: the measured CPU
    per page runs from the engine's start to the spider's close.
    """
    crawl = {k: v for k, v in counts.items() if k != STARTUP}
    total = sum(crawl.values()) or 1
    lines = ["| stage | samples | share | ms/page |", "|---|---:|---:|---:|"]
    for stage, n in sorted(crawl.items(), key=lambda kv: -kv[1]):
        lines.append(f"| {stage} | {n} | {100 * n / total:5.1f} % | "
                     f"{cpu_ms_per_page * n / total:5.2f} |")
    sampled = total / rate / pages * 1e3 if pages else 0.0
    lines.append(f"| total (crawl) | {total} | 100 % | {cpu_ms_per_page:5.2f} |")
    lines.append(f"| {STARTUP}, not in the shares | {counts.get(STARTUP, 0)} | | |")
    lines.append(f"\nms/page = share x the CPU per page measured by the probe in this profiled "
                 f"crawl; the samples alone give {sampled:.2f} ms/page ({rate} Hz, {pages} pages).")
    return "\n".join(lines)


def by_size(profiles: list[tuple[str, Counter[str], float]]) -> str:
    """ms per page of each stage in several profiled crawls side by side, with the change from
    the first to the last: ``profiles`` holds (label, samples per stage, measured CPU per page).

    >>> from collections import Counter
    >>> print(by_size([("1000", Counter({"state": 1, "extraction": 3}), 4.0),
    ...                ("100000", Counter({"state": 2, "extraction": 2}), 5.0)]))
    | stage | 1000 | 100000 | change |
    |---|---:|---:|---:|
    | state | 1.00 | 2.50 | +1.50 |
    | extraction | 3.00 | 2.50 | -0.50 |
    | total (crawl) | 4.00 | 5.00 | +1.00 |
    """
    per_page: list[dict[str, float]] = []
    for _, counts, cpu in profiles:
        crawl = {k: v for k, v in counts.items() if k != STARTUP}
        total = sum(crawl.values()) or 1
        per_page.append({k: cpu * v / total for k, v in crawl.items()})
    names = sorted({k for d in per_page for k in d},
                   key=lambda k: -(per_page[-1].get(k, 0.0) - per_page[0].get(k, 0.0)))
    lines = ["| stage | " + " | ".join(label for label, _, _ in profiles) + " | change |",
             "|---|" + "---:|" * (len(profiles) + 1)]
    for name in names:
        values = [d.get(name, 0.0) for d in per_page]
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in values)
                     + f" | {values[-1] - values[0]:+.2f} |")
    totals = [cpu for _, _, cpu in profiles]
    lines.append("| total (crawl) | " + " | ".join(f"{v:.2f}" for v in totals)
                 + f" | {totals[-1] - totals[0]:+.2f} |")
    return "\n".join(lines)
