"""Two parts of a distributed worker against a real redis-server: the scheduler writes a
request's fingerprint only with its queue entry, and the job-wide dedupe lock, held or expired,
loses no story."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

import crawler.settings as sheet
from crawler.distributed.dedupe import SharedDedupePipeline
from crawler.distributed.keys import JobKeys
from crawler.distributed.scheduler import RedisScheduler
from crawler.similarity import fingerprint
from tests.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis

LOCK_SECONDS = 0.1
BODY = " ".join(
    f"Officials said on day {i} that the launch of the relay satellite moved to the spring."
    for i in range(15)
)
URL = "https://www.spacewar.com/reports/Relay_satellite_launch_moves_999.html"


class _Spider(Spider):
    name = "distributed-parts-test"


def worker_crawler(redis_url: str, job: str, **extra: Any) -> Crawler:
    """A crawler with the project's SMN_* settings, made a worker of ``job``."""
    settings: dict[str, Any] = {k: getattr(sheet, k) for k in dir(sheet) if k.startswith("SMN_")}
    settings |= {"REDIS_URL": redis_url, "SMN_JOB": job, "SMN_WORKER_ID": "w1",
                 "SCHEDULER_QUEUE_KEY": JobKeys(job).requests, **extra}  # fmt: skip
    return get_crawler(_Spider, settings)


@pytest.fixture
def scheduler(
    redis_server: RedisServer,  # noqa: F811
    request: pytest.FixtureRequest,
) -> Iterator[RedisScheduler]:
    sched = RedisScheduler.from_crawler(worker_crawler(redis_server.url, request.node.name))
    sched.open(_Spider())
    yield sched
    sched.close("finished")


@pytest.fixture
def pipeline(
    redis_server: RedisServer,  # noqa: F811
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Iterator[SharedDedupePipeline]:
    job = request.node.name
    crawler = worker_crawler(redis_server.url, job, SMN_REDIS_STATE_KEY=f"state:{job}",
                             SMN_REDIS_LOCK_SECONDS=LOCK_SECONDS,
                             SMN_DUPLICATES_PATH=str(tmp_path / "duplicates.jsonl"))  # fmt: skip
    made = SharedDedupePipeline.from_crawler(crawler)
    assert isinstance(made, SharedDedupePipeline)
    yield made
    made.close_spider()
    made.redis_state.close()


def test_a_request_is_queued_once(scheduler: RedisScheduler, redis_server: RedisServer) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_server.url)
    keys = scheduler.keys
    url = "https://www.spacewar.com/reports/A_999.html"
    assert scheduler.enqueue_request(Request(url)) is True
    assert scheduler.enqueue_request(Request(url)) is False
    assert scheduler.enqueue_request(Request(url, dont_filter=True)) is True
    assert client.zcard(keys.requests) == 2  # the first and the unfiltered copy
    assert client.scard(keys.dupefilter) == 1
    popped = scheduler.next_request()
    assert popped is not None and popped.url == url
    assert scheduler.enqueue_request(Request(url)) is False  # seen: popped or not


def test_a_failed_push_records_no_fingerprint(
    scheduler: RedisScheduler,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    """A request that did not reach the queue must stay schedulable: its page would otherwise
    be filtered out by every worker of the job."""
    client = redis.Redis.from_url(redis_server.url)
    keys = scheduler.keys
    client.set(keys.requests, "not a sorted set")  # the queue write fails
    with pytest.raises(redis.ResponseError):
        scheduler.enqueue_request(Request("https://www.spacewar.com/reports/B_999.html"))
    assert client.scard(keys.dupefilter) == 0
    client.delete(keys.requests)
    assert scheduler.enqueue_request(Request("https://www.spacewar.com/reports/B_999.html"))
    assert client.zcard(keys.requests) == 1


def _item() -> dict[str, Any]:
    return {"url": URL, "fingerprint": fingerprint(BODY), "title": "Relay satellite launch moves",
            "body": BODY, "published": "2026-11-30"}  # fmt: skip


def test_a_worker_waits_for_a_lock_held_past_its_patience(
    pipeline: SharedDedupePipeline,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    """A lock left by a worker that died expires; the story waits for it instead of failing."""
    client = redis.Redis.from_url(redis_server.url)
    held_for = LOCK_SECONDS * 6  # twice the pipeline's patience (three times its lock's life)
    dead = client.lock(JobKeys(pipeline.keys.job).dedupe_lock, timeout=held_for)
    assert dead.acquire(blocking=False)
    start = time.monotonic()
    item = _item()
    assert pipeline.process_item(item) is item
    assert time.monotonic() - start >= held_for * 0.9
    assert pipeline.stats.get_value("distributed/dedupe_lock_waits", 0) >= 1
    assert pipeline.state.seen_url(URL) == URL  # checked and recorded
    assert not client.exists(pipeline.keys.dedupe_lock)  # and the lock let go


def test_a_lock_that_expired_before_release_keeps_the_story(
    pipeline: SharedDedupePipeline,
    redis_server: RedisServer,  # noqa: F811
) -> None:
    client = redis.Redis.from_url(redis_server.url)
    lock = client.lock(pipeline.keys.dedupe_lock, timeout=5)
    assert lock.acquire(blocking=False)
    client.delete(pipeline.keys.dedupe_lock)  # as if it had expired while held
    pipeline.release(lock, URL)
    assert pipeline.stats.get_value("distributed/dedupe_lock_expired") == 1


def test_a_copy_is_still_a_duplicate(pipeline: SharedDedupePipeline) -> None:
    """The lock's handling leaves the check itself as it was."""
    pipeline.process_item(_item())
    copy = _item() | {"url": URL.replace("www.spacewar.com", "www.spacedaily.com")}
    with pytest.raises(DropItem):
        pipeline.process_item(copy)
