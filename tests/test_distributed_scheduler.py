"""The job's scheduler against a real redis-server: a fingerprint is recorded with its request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.distributed.keys import JobKeys
from crawler.distributed.scheduler import RedisScheduler
from tests.redis_server import RedisServer, redis_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.redis


class _Spider(Spider):
    name = "scheduler-test"


@pytest.fixture
def scheduler(
    redis_server: RedisServer,  # noqa: F811
    request: pytest.FixtureRequest,
) -> Iterator[RedisScheduler]:
    job = request.node.name
    settings = {"REDIS_URL": redis_server.url, "SMN_JOB": job, "SMN_WORKER_ID": "w1",
                "SCHEDULER_QUEUE_KEY": JobKeys(job).requests}  # fmt: skip
    crawler = get_crawler(_Spider, settings)
    sched = RedisScheduler.from_crawler(crawler)
    sched.open(_Spider())
    yield sched
    sched.close("finished")


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
