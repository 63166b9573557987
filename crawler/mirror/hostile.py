"""Hostile pages: ``mirror build DIR --hostile`` adds pages that try to lure or break a crawler.

All live on www.spacewar.com and are linked from its home page ("Also in the news"):

- ``/hostile/links.html``: links to loopback, private, link-local and IP-literal hosts (decimal,
  hex, short forms, userinfo tricks), an off-network host and non-HTTP schemes;
- ``/reports/Hostile_redirect_<n>_999.html``: a 301 to each of those targets, and
  ``/hostile/refresh.html``: a meta refresh to the cloud metadata address;
- ``/hostile.xml``: an RSS feed declaring external entities (``file:///etc/passwd`` and the
  mirror's own ``/_probe/xxe``) and a billion-laughs entity, with one good item;
- ``/hostile/bomb.html``: a gzip bomb (1 MB on the wire, 1 GiB inflated);
- ``/reports/Hostile_title_<n>_999.html``: articles whose titles, og:url and sections look like
  paths (``../../etc/passwd``, absolute paths, a NUL), for tests that no output file name
  comes from page content.

Every target's path holds ``/_probe/``: the mirror counts each request of such a path, and since
a crawl of the mirror fetches *every* address through the mirror, any target the crawler did
not refuse shows up in ``/_mirror/stats``. The description is the ``"hostile"`` key of
``faults.json``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from crawler.mirror import textgen
from crawler.mirror.injected import gzip_bomb
from crawler.mirror.model import MirrorArticle
from crawler.mirror.render import CRLF, esc, render
from crawler.mirror.server import BASE_PLACEHOLDER

HOST = "www.spacewar.com"
BASE = f"https://{HOST}"

TARGETS: dict[str, str] = {
    "http://127.0.0.1/_probe/loopback": "ip_address",
    "http://127.0.0.1:6379/_probe/redis": "ip_address",
    "http://localhost/_probe/localhost": "loopback",
    "http://LOCALHOST.:8080/_probe/localhost-dot": "loopback",
    "http://10.0.0.1/_probe/private": "ip_address",
    "http://192.168.1.1/_probe/private-192": "ip_address",
    "http://169.254.169.254/_probe/latest/meta-data/": "ip_address",
    "http://[::1]/_probe/ipv6": "ip_address",
    "http://[::ffff:127.0.0.1]/_probe/ipv4-mapped": "ip_address",
    "http://2130706433/_probe/decimal": "ip_address",
    "http://0x7f000001/_probe/hex": "ip_address",
    "http://0177.0.0.1/_probe/octal": "ip_address",
    "http://127.1/_probe/short": "ip_address",
    "http://www.spacewar.com@127.0.0.1/_probe/userinfo": "ip_address",
    "https://evil.example.com/_probe/offsite": "offsite",
    "https://www.spacewar.com.evil.example/_probe/suffix": "offsite",
    "file:///etc/passwd": "scheme",
    "ftp://ftp.spacewar.com/_probe/ftp": "scheme",
    "gopher://127.0.0.1:6379/_probe/gopher": "scheme",
    "data:text/html,<h1>_probe</h1>": "scheme",
    "javascript:alert(document.domain)": "scheme",
}
"""Every address a hostile page points to, and the refusal reason the crawler should count."""

REDIRECTED: dict[str, str] = {
    "http://127.0.0.1/_probe/redirect": "ip_address",
    "http://169.254.169.254/_probe/redirect/meta-data/": "ip_address",
    "http://localhost:6379/_probe/redirect": "loopback",
    "http://[::1]:8080/_probe/redirect": "ip_address",
    "http://2130706433/_probe/redirect": "ip_address",
    "https://evil.example.com/_probe/redirect": "offsite",
    "file:///etc/passwd": "scheme",
    "ftp://127.0.0.1/_probe/redirect": "scheme",
}
"""Targets of the 301s, and the reasons to count."""

REFRESH_TARGET = "http://169.254.169.254/_probe/refresh/latest/meta-data/"
LINKS_PAGE = f"{BASE}/hostile/links.html"
REFRESH_PAGE = f"{BASE}/hostile/refresh.html"
FEED = f"{BASE}/hostile.xml"
BOMB = f"{BASE}/hostile/bomb.html"
XXE_PROBE = "/_probe/xxe"

HOSTILE_TITLES = (
    "../../../../etc/passwd",
    "/tmp/smn-hostile-output.jsonl",
    "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "~/.ssh/authorized_keys; rm -rf / #",
)
"""Headlines that look like paths, for the output-names test."""
_OG_URLS = (
    f"{BASE}/reports/../../../../etc/passwd",
    "file:///etc/passwd",
    f"{BASE}/reports/%2e%2e%2f%2e%2e%2fetc%2fshadow_999.html",
    f"{BASE}/reports/nul%00byte_999.html",
)


@dataclass
class Hostile:
    """Files, routes, home links and the faults.json entry of the hostile pages."""

    files: dict[str, bytes] = field(default_factory=dict)
    routes: dict[str, Any] = field(default_factory=lambda: {
        "redirects": {}, "types": {}, "encoded": {}, "templated": []})
    links: list[tuple[str, str]] = field(default_factory=list)
    spec: dict[str, Any] = field(default_factory=dict)


def _links_page() -> bytes:
    lines = ["<html><head><title>Partner links</title></head><body>",
             "<h1>Partner links<br></h1>"]
    lines += [f'<a href="{esc(u)}">Partner {i}</a><br>' for i, u in enumerate(TARGETS)]
    lines += ['<a href="https://www.spacewar.com/index.html">Military Space News</a>',
              "</body></html>"]
    return (CRLF.join(lines) + CRLF).encode("ascii")


def _refresh_page() -> bytes:
    return (f'<html><head><meta http-equiv="refresh" content="0; url={REFRESH_TARGET}">'
            "<title>Moved</title></head><body>Moved.</body></html>\r\n").encode("ascii")


def hostile_feed(article_url: str, base: bytes = BASE_PLACEHOLDER) -> bytes:
    """An RSS feed with external entities (a local file, a loopback URL) and a billion-laughs
    entity, all used in its items; ``base`` prefixes the loopback probe."""
    laughs = ['<!ENTITY lol "lol">']
    laughs += [f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
               for i in range(1, 10)]
    doctype = ("<!DOCTYPE rss [\n"
               '<!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
               f'<!ENTITY probe SYSTEM "{base.decode()}{XXE_PROBE}">\n'
               f'<!ENTITY % remote SYSTEM "{base.decode()}{XXE_PROBE}-dtd">\n'
               "%remote;\n" + "\n".join(laughs) + "\n]>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + doctype +
            '<rss version="2.0"><channel><title>Partner feed &xxe;</title>'
            "<link>https://www.spacewar.com/index.html</link>"
            "<description>&lol9;</description>"
            f"<item><title>Good item &probe;</title><link>{article_url}</link>"
            "<description>&lol9; &xxe;</description></item>"
            "<item><title>Entity link</title><link>&probe;</link></item>"
            "</channel></rss>\n").encode()


def _title_article(seed: int, n: int, title: str) -> MirrorArticle:
    rng = random.Random(f"{seed}/hostile/{n}")
    url = f"{BASE}/reports/Hostile_title_{n}_999.html"
    paras = textgen.paragraphs(rng, 5, wire=False)
    if n == 3:
        paras[-1] += " \x00 NUL inside the text."
    return MirrorArticle(
        url=url, site="spacewar.com", layout="classic", title=title, paragraphs=paras,
        section="../../SECTION", byline="by ../../root", byline_clean="../../root",
        dateline="Paris, France (SPX) May 31, 2024", location="Paris, France", agency="SPX",
        published="2024-05-31", og_url=_OG_URLS[n],
        related_links=[("https://www.spacewar.com/index.html", "Space War News")],
    )


def build_hostile(seed: int, article_url: str) -> Hostile:
    """The hostile pages; ``article_url`` is a good article the hostile feed lists."""
    h = Hostile()
    h.files[LINKS_PAGE] = _links_page()
    h.files[REFRESH_PAGE] = _refresh_page()
    h.files[FEED] = hostile_feed(article_url)
    h.routes["types"][FEED] = "text/xml"
    h.routes["templated"].append(FEED)
    h.files[BOMB] = gzip_bomb()
    h.routes["encoded"][BOMB] = "gzip"
    h.links = [(LINKS_PAGE, "Partner links"), (REFRESH_PAGE, "Moved page"),
               (FEED, "Partner feed"), (BOMB, "Compressed archive")]
    redirects = {}
    for i, target in enumerate(REDIRECTED):
        src = f"{BASE}/reports/Hostile_redirect_{i}_999.html"
        h.routes["redirects"][src] = target
        redirects[src] = target
        h.links.append((src, f"Partner story {i}"))
    articles = []
    for n, title in enumerate(HOSTILE_TITLES):
        a = _title_article(seed, n, title)
        h.files[a.url] = render(a)
        h.links.append((a.url, f"Hostile headline {n}"))
        articles.append(a.url)
    h.spec = {
        "urls": [LINKS_PAGE, REFRESH_PAGE, FEED, BOMB, *redirects, *articles],
        "in_truth": False,
        "expect": "no target fetched (no /_probe/ hit); refusals counted in "
                  "security/refused/<reason>; entities never resolved or expanded; the bomb "
                  "refused at DOWNLOAD_MAXSIZE",
        "links_page": LINKS_PAGE, "link_targets": TARGETS,
        "redirects": {src: [t, REDIRECTED[t]] for src, t in redirects.items()},
        "refresh_page": REFRESH_PAGE, "refresh_target": REFRESH_TARGET,
        "feed": FEED, "feed_item": article_url, "xxe_probe": XXE_PROBE,
        "bomb": BOMB, "bomb_inflated_bytes": 1 << 30,
        "title_articles": articles,
    }
    return h
