"""Distributed crawls: real ``scrapy crawl`` workers sharing a real redis-server and a mirror.

Two and three workers started together crawl the 300-article mirror; their union is what one
crawl finds, no article page is fetched twice, no story is exported twice. Then one of three
workers is killed with SIGKILL mid-crawl: the others finish the job and nothing is lost.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from crawler.distributed.keys import JobKeys
from crawler.distributed.merge import Merged, merge_outputs
from crawler.mirror.server import RunningMirror
from tests.crawling import ROOT, CrawlResult, truth
from tests.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)

pytestmark = [pytest.mark.redis, pytest.mark.e2e]

CRAWLED = re.compile(r"Crawled \((\d+)\) <GET ([^ >]+)>")


@dataclass
class Worker:
    """One ``scrapy crawl`` worker process and its folder."""

    proc: subprocess.Popen[str]
    out: Path

    @property
    def articles(self) -> Path:
        return self.out / "articles.jsonl"

    def log(self) -> str:
        path = self.out / "crawl.log"
        return path.read_text(errors="replace") if path.is_file() else ""

    def stats(self) -> dict[str, Any]:
        path = self.out / "stats.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def fetched(self) -> Counter[str]:
        """Responses received per URL (Scrapy logs each one at DEBUG)."""
        return Counter(url for _, url in CRAWLED.findall(self.log()))


def start_worker(
    mirror_url: str, redis_url: str, job: str, out: Path, ttl: float = 10
) -> Worker:
    """Start one worker of ``job``, writing into ``out``; lost after ``ttl`` s of silence."""
    out.mkdir(parents=True, exist_ok=True)
    settings = {
        "MIRROR_URL": mirror_url, "SMN_POLITE": "False", "DOWNLOAD_TIMEOUT": "1",
        "REDIS_URL": redis_url, "SMN_JOB": job, "SMN_REDIS_STATE_KEY": f"state:{job}",
        "SMN_IDLE_CLOSE_SECONDS": "2", "SMN_REDIS_WORKER_TTL": str(ttl),
        "SMN_REDIS_LOCK_SECONDS": "2", "SMN_STATS_PATH": str(out / "stats.json"),
        "LOG_LEVEL": "DEBUG", "LOG_FILE": str(out / "crawl.log"),
    }  # fmt: skip
    # resume=1: follow every pagination page. The spider stops paginating at a page whose
    # articles are all known, a rule meant for later runs; within one job, stories another
    # worker exported a moment ago would count as known, and what it finds would depend on
    # the interleaving of workers.
    cmd = [sys.executable, "-m", "scrapy", "crawl", "smn", "-a", "resume=1",
           "-O", str(out / "articles.jsonl")]  # fmt: skip
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    with (out / "stderr.txt").open("w") as stderr:
        proc = subprocess.Popen(cmd, cwd=ROOT, text=True, stdout=subprocess.DEVNULL,
                                stderr=stderr, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return Worker(proc, out)


def wait_all(workers: list[Worker], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for w in workers:
        w.proc.wait(timeout=max(1, deadline - time.monotonic()))


def run_job(
    mirror: RunningMirror, server: RedisServer, job: str, n: int, tmp: Path
) -> list[Worker]:
    workers = [start_worker(mirror.base_url, server.url, job, tmp / f"w{i}") for i in range(n)]
    wait_all(workers)
    return workers


def found(m: Merged) -> Counter[str]:
    """How many times each address is in the merged articles and duplicates."""
    return Counter([a["url"] for a in m.articles] + [d["url"] for d in m.duplicates])


def groups_exported_twice(mirror_dir: Path, m: Merged) -> list[list[str]]:
    """Groups of syndicated copies of which more than one copy was exported."""
    exported = {a["url"] for a in m.articles}
    groups = json.loads((mirror_dir / "duplicates.json").read_text())["groups"]
    return [g for g in groups if len(exported & set(g)) > 1]


def single_found(crawl: CrawlResult) -> set[str]:
    return {a["url"] for a in crawl.articles} | {d["url"] for d in crawl.duplicates}


@pytest.mark.parametrize("n", [2, 3])
def test_workers_together_find_what_one_crawl_finds(
    n: int,
    mirror300: tuple[Path, RunningMirror],
    crawl300: CrawlResult,
    redis_server: RedisServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    mirror_dir, mirror = mirror300
    workers = run_job(mirror, redis_server, f"together{n}", n, tmp_path)
    for w in workers:
        assert w.proc.returncode == 0, w.log()[-3000:]
        assert w.stats()["finish_reason"] == "finished"
        assert w.stats().get("pages/article", 0) > 0, "a worker got no article to crawl"
        # Requests are acknowledged when done; the one path without a hook (a failure raised
        # in a downloader middleware's process_response, like "max redirections reached")
        # is released when the worker goes idle: at most a few such requests.
        assert w.stats().get("distributed/inflight_stale", 0) <= 2
        assert "DeprecationWarning" not in (w.out / "stderr.txt").read_text()
    merged = merge_outputs(w.articles for w in workers)
    expected = set(truth(mirror_dir))
    counts = found(merged)
    assert single_found(crawl300) & expected <= set(counts)  # all that one crawl finds
    assert len(set(counts) & expected) >= 0.99 * len(expected)
    assert [u for u in expected if counts[u] > 1] == [], "exported or duplicate, once"
    assert merged.reexported == 0
    assert groups_exported_twice(mirror_dir, merged) == []
    fetched = sum((w.fetched() for w in workers), Counter())
    assert [u for u in expected if fetched[u] > 1] == [], "an article page fetched twice"
    exported = sum(w.stats().get("articles/exported", 0) for w in workers)
    assert exported == len(merged.articles)
    # the job is over: nothing queued or held, its keys expire
    client = redis.Redis.from_url(redis_server.url)
    keys = JobKeys(f"together{n}")
    assert client.zcard(keys.requests) == 0
    assert client.scard(keys.workers) == 0
    assert client.ttl(keys.dupefilter) > 0


def test_a_killed_worker_loses_nothing(
    mirror300: tuple[Path, RunningMirror],
    crawl300: CrawlResult,
    redis_server: RedisServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    mirror_dir, mirror = mirror300
    job = "killed"
    workers = [start_worker(mirror.base_url, redis_server.url, job, tmp_path / f"w{i}", ttl=3)
               for i in range(3)]  # fmt: skip
    victim, survivors = workers[0], workers[1:]
    expected = set(truth(mirror_dir))
    deadline = time.monotonic() + 60
    while sum(1 for u in victim.fetched() if u in expected) < 20:
        assert victim.proc.poll() is None, "the victim finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client = redis.Redis.from_url(redis_server.url)
    held = sum(client.hlen(k) for k in client.scan_iter(f"{JobKeys(job).inflight('')}*"))
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait()
    wait_all(survivors)
    for w in survivors:
        assert w.proc.returncode == 0, w.log()[-3000:]
        assert w.stats()["finish_reason"] == "finished"
    requeued = sum(w.stats().get("distributed/requeued", 0) for w in survivors)
    assert held > 0 and requeued > 0  # requests held by the victim were put back
    merged = merge_outputs(w.articles for w in workers)
    counts = found(merged)
    assert single_found(crawl300) & expected <= set(counts)
    assert [u for u in expected if counts[u] > 1] == []
    assert groups_exported_twice(mirror_dir, merged) == []
    print(f"workers held {held} requests at the kill; {requeued} of the victim's put back; "
          f"merge: {merged.counts()}")  # fmt: skip


def test_merge_skips_cut_lines_and_reexports(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "articles.jsonl", tmp_path / "b" / "articles.jsonl"
    for path in (a, b):
        path.parent.mkdir()
    a.write_text('{"url": "u1"}\n{"url": "u2"}\n{"url": "u3", "ti')
    b.write_text('{"url": "u2"}\n{"url": "u4"}\n')
    (b.parent / "duplicates.jsonl").write_text(
        '{"url": "u1", "duplicate_of": "u1"}\n{"url": "u5", "duplicate_of": "u4"}\n'
    )
    merged = merge_outputs([a, b])
    assert [r["url"] for r in merged.articles] == ["u1", "u2", "u4"]
    assert [r["url"] for r in merged.duplicates] == ["u5"]
    assert (merged.reexported, merged.cut_lines) == (1, 1)


def test_pairs_are_unique(tmp_path: Path) -> None:
    """Sanity of the helper: groups count pairs of exported copies only."""
    (tmp_path / "duplicates.json").write_text(json.dumps({"groups": [["a", "b"], ["c", "d"]]}))
    m = Merged(articles=[{"url": "a"}, {"url": "b"}, {"url": "c"}])
    assert groups_exported_twice(tmp_path, m) == [["a", "b"]]
    assert list(itertools.chain.from_iterable(groups_exported_twice(tmp_path, Merged()))) == []
