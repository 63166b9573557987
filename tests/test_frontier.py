"""The frontier's memory bound is the crawl's, not one queue's (issue 17).

Scrapy's scheduler builds one memory queue per download slot and priority; a 100,000-article
crawl held 37,000 waiting requests, most in memory, because each of those queues had a bound
of its own. Here several of Scrapy's real priority queues (one per host, as the
downloader-aware queue makes them) share one crawler: the requests held in memory never exceed
``SMN_FRONTIER_MEMORY`` all together, and every request comes back, by priority, then first in
first out.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.pqueues import ScrapyPriorityQueue
from scrapy.utils.test import get_crawler

from crawler.components.frontier import SpillingFifoQueue, budget_of

HOSTS = ("www.spacewar.com", "www.spacedaily.com", "www.terradaily.com", "africadaily.net")
PRIORITIES = (100, 50, 0, -1)


def test_queues_of_every_host_and_priority_share_one_memory_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    crawler = get_crawler(settings_dict={"SMN_FRONTIER_MEMORY": 10})
    queues = {host: ScrapyPriorityQueue.from_crawler(crawler, SpillingFifoQueue, host)
              for host in HOSTS}  # fmt: skip
    sent: dict[str, list[str]] = {host: [] for host in HOSTS}
    for k in range(30):
        for host in HOSTS:
            priority = PRIORITIES[k % len(PRIORITIES)]
            url = f"https://{host}/reports/Story_{k}_999.html"
            queues[host].push(Request(url, priority=priority))
            sent[host].append(url)
            held = sum(len(q.memory) for pq in queues.values() for q in pq.queues.values())
            assert held <= 10
    assert budget_of(crawler).used == 10
    assert any(q.folder for pq in queues.values() for q in pq.queues.values())
    for host, pq in queues.items():
        popped = []
        while (request := pq.pop()) is not None:
            popped.append(request.url)
        expected = [url for p in PRIORITIES for k, url in enumerate(sent[host])
                    if PRIORITIES[k % len(PRIORITIES)] == p]  # fmt: skip
        assert popped == expected, host
        pq.close()
    assert budget_of(crawler).used == 0
    assert list(tmp_path.iterdir()) == []


def test_spilled_requests_keep_their_callbacks_without_reading_the_spider(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A request that goes to disk comes back with its callback, errback, meta and priority;
    naming the callback reads the spider's methods, never its other attributes."""
    from scrapy import Spider

    class Reads(Spider):
        name = "reads"
        reads = 0

        @property
        def costly(self) -> int:
            type(self).reads += 1
            return 0

        def parse_article(self, response: object) -> None: ...

        def failed(self, failure: object) -> None: ...

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    crawler = get_crawler(Reads, settings_dict={"SMN_FRONTIER_MEMORY": 2})
    spider = crawler.spider = Reads.from_crawler(crawler)
    queue = SpillingFifoQueue.from_crawler(crawler)
    urls = [f"https://www.spacewar.com/reports/Story_{k}_999.html" for k in range(6)]
    for k, url in enumerate(urls):
        queue.push(Request(url, callback=spider.parse_article, errback=spider.failed,
                           meta={"hub_depth": k}, priority=k))  # fmt: skip
    assert len(queue.memory) == 2 and queue.folder
    back = []
    while (request := queue.pop()) is not None:
        back.append(request)
    assert [r.url for r in back] == urls
    assert [r.meta["hub_depth"] for r in back] == list(range(6))
    assert [r.priority for r in back] == list(range(6))
    assert all(r.callback == spider.parse_article and r.errback == spider.failed for r in back)
    assert Reads.reads == 0
    queue.close()
    assert list(tmp_path.iterdir()) == []
