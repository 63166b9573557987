"""The engine's floor: a spider that follows the crawl's links and does nothing else.

Run by ``bench/bench_cpu.py`` as ``scrapy runspider bench/null_spider.py -a start_urls=...
-a domains=...`` from the repository root, so the project's settings apply to it exactly as to
``scrapy crawl smn`` (download handler, robots.txt, retries, dupefilter, concurrency).

It starts from the same seeds (every site's home and feed), follows every ``<a href>`` of an
HTML page and every ``<link>`` of a feed -- home, sections, pagination, feeds, related links --
within the network's domains (Scrapy's ``allowed_domains``), skipping what the project's link
policy skips (images, media and documents, ``/sponsors/``, ``/images*/``, ``/cgi-bin/``,
``/wp-*/``), and yields no item. A URL it has requested once is not turned into a Request again
(a set of strings), so it pays for one Request per page, as the project does; it parses no
article, cleans, validates, deduplicates and exports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

_SKIP_RE = re.compile(
    r"\.(?:jpe?g|gif|png|webp|svg|ico|bmp|pdf|zip|gz|mp3|mp4|m4v|mov|avi|wmv|swf|css|js|doc|docx"
    r"|xls|xlsx|ppt|pptx|exe|dmg|tar|rar)$"
    r"|^[a-z]+://[^/]+/(?:sponsors|images[^/]*|cgi-bin|wp-content|wp-admin|wp-json)/",
    re.I,
)


class NullSpider(scrapy.Spider):
    """Follows the network's links; yields nothing."""

    name = "null"

    def __init__(self, start_urls: str = "", domains: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [u for u in start_urls.split(",") if u]
        self.allowed_domains = [d for d in domains.split(",") if d]
        self.requested: set[str] = set(self.start_urls)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        head = response.body[:512]
        if b"<rss" in head or b"<feed" in head or b"<rdf:RDF" in head:
            hrefs = response.xpath("//*[local-name()='link']/text()"
                                   " | //*[local-name()='link']/@href").getall()  # fmt: skip
        else:
            hrefs = response.xpath("//a/@href").getall()
        requested = self.requested
        for href in hrefs:
            url = response.urljoin(href.strip()).split("#", 1)[0]
            if url in requested or not url.startswith("http") or _SKIP_RE.search(url):
                continue
            requested.add(url)
            yield scrapy.Request(url, callback=self.parse)
