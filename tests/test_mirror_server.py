"""The mirror over loopback: real server, real sockets, real files; no mocks.

One mirror is built per module and served from a thread (``serve_in_thread``) with a short slow
delay; the CLI is exercised once as a child process (``serve_process``).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import etree

from crawler.mirror.build import file_for
from crawler.mirror.cli import main as mirror_main
from crawler.mirror.faults import URLS
from crawler.mirror.seed import SEED_URL
from crawler.mirror.server import RunningMirror, serve_in_thread, serve_process
from crawler.sites import SITES

SLOW = 1.0


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("served") / "m"
    assert mirror_main(["build", str(path), "--articles", "300", "--seed", "5"]) == 0
    return path


@pytest.fixture(scope="module")
def served(root: Path) -> Iterator[RunningMirror]:
    with serve_in_thread(root, slow_seconds=SLOW) as mirror:
        yield mirror


class Client:
    """A keep-alive http.client connection to the mirror, addressed by live URL."""

    def __init__(self, base: str, timeout: float = 5) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def get(self, live_url: str, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(live_url)
        path = f"/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        self.conn.request("GET", path, headers=headers or {})
        resp = self.conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


@pytest.fixture()
def client(served: RunningMirror) -> Iterator[Client]:
    c = Client(served.base_url)
    yield c
    c.conn.close()


def test_cli_serve_prints_its_address_and_serves(root: Path):
    with serve_process(root) as base:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        status, headers, body = Client(base).get(SEED_URL)
        assert status == 200 and body == (root / file_for(SEED_URL)).read_bytes()


def test_pages_types_and_keep_alive(client: Client, root: Path):
    status, headers, home = client.get("https://www.spacewar.com/")
    sock = client.conn.sock
    assert status == 200 and headers["content-type"] == "text/html"
    assert client.get("https://www.spacewar.com/index.html")[2] == home
    assert client.conn.sock is sock, "the connection is kept alive"
    assert headers["connection"] == "keep-alive"
    wp = client.get("https://spacedaily.com/")
    assert wp[0] == 200 and wp[1]["content-type"] == "text/html; charset=UTF-8"
    feed = client.get("https://www.spacewar.com/spacewar.xml")
    assert feed[1]["content-type"] in ("text/xml", "application/rss+xml")
    assert client.get("https://spacedaily.com/feed/")[1]["content-type"].startswith(
        "application/rss+xml")
    assert client.get("https://www.spacewar.com/reports/No_Such_Page_999.html")[0] == 404
    assert client.get("https://www.nowhere.example/")[0] == 404


def test_conditional_requests_get_304(client: Client):
    status, headers, _ = client.get(SEED_URL)
    assert status == 200 and headers["etag"] and headers["last-modified"]
    assert client.get(SEED_URL, {"If-None-Match": headers["etag"]})[0] == 304
    assert client.get(SEED_URL, {"If-None-Match": '"other"'})[0] == 200
    assert client.get(SEED_URL, {"If-Modified-Since": headers["last-modified"]})[0] == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(SEED_URL, {"If-Modified-Since": older})[0] == 200
    assert client.get(SEED_URL)[0] == 200, "the connection survives a 304"


def test_robots_txt_disallows_and_asks_for_a_delay(client: Client):
    for site in SITES[:3]:
        status, headers, body = client.get(f"https://{site.host}/robots.txt")
        assert status == 200 and headers["content-type"] == "text/plain"
        text = body.decode()
        assert re.search(r"^Disallow: /\S+", text, re.M)
        assert re.search(r"^Crawl-delay: \d+", text, re.M)


def test_hubs_link_disallowed_paths_and_the_server_counts_hits(client: Client, root: Path,
                                                               served: RunningMirror):
    home = (root / "www.spacewar.com/index.html").read_text()
    assert "/search/?" in home and "/cgi-bin/" in home
    client.conn.request("GET", "/_mirror/reset")
    client.conn.getresponse().read()
    client.get("https://www.spacewar.com/search/?q=mars")
    assert served.hits() == {"https://www.spacewar.com/search/": 1}


def test_section_pages_paginate_and_older_articles_need_later_pages(client: Client, root: Path):
    status, _, home = client.get("https://www.spacewar.com/index.html")
    sections = re.findall(rb'href="(https://www\.spacewar\.com/[A-Z]\w+\.html)">', home)
    assert sections
    longest = max(sections, key=lambda u: len(list(
        root.joinpath("www.spacewar.com").glob(u.decode().rsplit("/", 1)[1][:-5] + "-p*.html"))))
    page1 = client.get(longest.decode())[2]
    older = re.search(rb'href="([^"]+)">Older news', page1)
    assert older, "page 1 links the next older page"
    page2 = client.get(older.group(1).decode())[2]
    links = re.compile(rb'class="BH">')
    assert links.findall(page1) and links.findall(page2)
    p1 = set(re.findall(rb'href="([^"]+)" class="BH"', page1))
    p2 = set(re.findall(rb'href="([^"]+)" class="BH"', page2))
    assert p2 and not (p1 & p2)
    assert b"Newer news" in page2


def test_feeds_have_the_network_quirks(client: Client):
    body = client.get("https://www.spacewar.com/spacewar.xml")[2]
    assert body.startswith(b'<?xml version="1.0"?>')
    root = etree.fromstring(body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    build = root.findtext("channel/lastBuildDate")
    assert re.fullmatch(r"\w{3}, \d\d [A-Z]{3} \d{4} \d\d:\d\d:\d\d AEST", build)
    items = root.findall("channel/item")
    assert len(items) > 5
    hosts = set()
    teasers = []
    for item in items:
        assert item.find("guid") is None and item.find("author") is None
        assert item.findtext("pubDate") == build
        hosts.add(urlsplit(item.findtext("link")).hostname)
        desc = item.findtext("description")
        dateline, rest = desc.split("<br/>", 1)
        assert re.search(r"\(\w+\) \w+ \d+, \d{4}$", dateline) or dateline == ""
        m = re.match(r"<img src=(https://www\.spxdaily\.com/images-bg/\S+-bg\.jpg) [^>]*>", rest)
        assert m and '"' not in m.group(0)
        teasers.append(rest[m.end():])
    assert len(hosts) > 1, "items point at several network hosts"
    assert all(len(t) <= 500 for t in teasers)
    assert any(len(t) == 500 and re.search(r"\w$", t) for t in teasers), "cut mid-word at 500"
    section = client.get("https://www.spacewar.com/War_Report.xml")
    assert section[0] == 200 and b"AEST</pubDate>" in section[2]


def test_fault_addresses_answer_as_faults_json_says(client: Client, root: Path,
                                                    served: RunningMirror):
    faults = json.loads((root / "faults.json").read_text())
    home = (root / "www.spacewar.com/index.html").read_text()
    for spec in faults.values():
        for url in spec["urls"]:
            assert f'href="{url}"' in home or any(f'href="{u}"' in home for u in spec["urls"])
    client.conn.request("GET", "/_mirror/reset")
    client.conn.getresponse().read()
    assert client.get(URLS["not_found"])[0] == 404
    flaky = [client.get(URLS["flaky_500"])[0] for _ in range(3)]
    assert flaky == faults["flaky_500"]["status"] == [500, 500, 200]
    assert [client.get(URLS["always_500"])[0] for _ in range(3)] == [500, 500, 500]
    status, headers, _ = client.get(URLS["redirect_301"])
    assert status == 301 and headers["location"] == SEED_URL
    status, headers, _ = client.get(URLS["loop_a"])
    assert status == 301 and headers["location"] == URLS["loop_b"]
    assert client.get(URLS["loop_b"])[1]["location"] == URLS["loop_a"]
    status, _, body = client.get(URLS["truncated"])
    assert status == 200 and not body.rstrip().endswith(b"</html>")
    assert b"<!--RELATED LINKS-->" in body
    status, _, body = client.get(URLS["malformed"])
    assert status == 200 and b"</html>" not in body and b"<!--RELATED LINKS-->" in body
    status, headers, body = client.get(URLS["pdf"])
    assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
    status, headers, body = client.get(URLS["image"])
    assert headers["content-type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
    status, _, body = client.get(URLS["oversize"])
    assert status == 200 and len(body) > 10 * 1024 * 1024
    status, _, body = client.get(URLS["not_article"])
    assert status == 200 and b"<h1>" in body and b'class="BHS"' not in body
    assert served.hits()[URLS["flaky_500"]] == 3


def test_slow_page_outlasts_a_short_timeout_then_answers(served: RunningMirror):
    quick = Client(served.base_url, timeout=SLOW / 4)
    with pytest.raises((TimeoutError, socket.timeout)):
        quick.get(URLS["slow"])
    quick.conn.close()
    patient = Client(served.base_url, timeout=SLOW * 5)
    started = time.perf_counter()
    status, _, body = patient.get(URLS["slow"])
    assert status == 200 and time.perf_counter() - started >= SLOW * 0.9
    assert patient.get(SEED_URL)[0] == 200, "keep-alive continues after the slow answer"


def test_alias_301_location_is_the_live_canonical(client: Client, root: Path):
    dup = json.loads((root / "duplicates.json").read_text())
    assert dup["redirects"]
    for alias in dup["redirects"][:3]:
        status, headers, _ = client.get(alias)
        assert status == 301 and headers["location"] == dup["aliases"][alias]
    plain = [a for a in dup["aliases"] if a not in dup["redirects"]]
    for alias in plain[:3]:
        status, _, body = client.get(alias)
        assert status == 200 and body == client.get(dup["aliases"][alias])[2]
