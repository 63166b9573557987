"""Faults at fixed addresses of www.spacewar.com: what a robust crawl must survive.

Every fault is linked from the spacewar home page ("Also in the news"). :func:`build_faults`
returns the fault files, the server routes that make them misbehave, the truth records of the
faults that are still real articles, and the ``faults.json`` description::

    {kind: {"urls": [live urls], "status": ..., "expect": "what a crawl should do",
            "in_truth": bool, ...}}

Truth (``in_truth``): the flaky article (500 twice, then 200), the malformed article (full
record) and the truncated article (cut inside the RELATED CONTENT block: full title, body and
Related Links, ``related_articles`` empty). Everything else yields no record.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from crawler.mirror import textgen
from crawler.mirror.model import MirrorArticle, RelatedBlock, RelatedItem
from crawler.mirror.network import NOT_FOUND_URL, Summary
from crawler.mirror.render import CRLF, render, render_classic, to_bytes
from crawler.mirror.seed import SEED_URL
from crawler.sites import IMAGE_HOST, slugify_title

HOST = "www.spacewar.com"
FLAKY_FAILURES = 2
"""Requests of the flaky page answered 500 before it answers 200 (Scrapy retries twice)."""
OVERSIZE_BYTES = 11 * 1024 * 1024
"""Size of the oversized page: over Scrapy's 10 MB DOWNLOAD_WARNSIZE-style limits."""

_TITLES = {
    "flaky_500": "Satellite operators brace for busy launch season",
    "always_500": "Defence budget talks resume in Brussels",
    "slow": "Radar upgrade slips to next year",
    "truncated": "Orbital tanker demo set for autumn",
    "malformed": "Allies weigh joint early warning network",
    "oversize": "Complete archive of every report",
}


def _url(kind: str) -> str:
    return f"https://{HOST}/reports/{slugify_title(_TITLES[kind])}_999.html"


URLS: dict[str, str] = {kind: _url(kind) for kind in _TITLES}
URLS |= {
    "not_found": NOT_FOUND_URL,
    "redirect_301": f"https://{HOST}/reports/NATO_chief_downplays_escalation_threat_999.html",
    "loop_a": f"https://{HOST}/reports/Launch_schedule_update_999.html",
    "loop_b": f"https://{HOST}/reports/Launch_schedule_update.html",
    "pdf": f"https://{HOST}/reports/Annual_Space_Threat_Assessment.pdf",
    "image": f"https://{IMAGE_HOST}/images-hg/mirror-fault-photo-hg.jpg",
    "not_article": f"https://{HOST}/advertising.html",
}
"""Live address of every fault (fixed: independent of seed and size)."""

_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////"
    "////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class FaultSet:
    """Everything the build needs from the faults."""

    files: dict[str, bytes] = field(default_factory=dict)
    """Live URL -> bytes served (200 unless a route says otherwise)."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Live URL -> live Location of its 301."""
    status: dict[str, int] = field(default_factory=dict)
    """Live URL -> status always answered."""
    flaky: dict[str, int] = field(default_factory=dict)
    """Live URL -> number of 500 answers before 200."""
    slow: list[str] = field(default_factory=list)
    """Live URLs answered after the server's slow delay."""
    types: dict[str, str] = field(default_factory=dict)
    """Live URL -> Content-Type."""
    truth: list[MirrorArticle] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    """(url, text) links for the spacewar home page."""
    spec: dict[str, Any] = field(default_factory=dict)
    """faults.json."""


def _article(seed: int, kind: str, older: Sequence[Summary]) -> MirrorArticle:
    rng = random.Random(f"{seed}/fault/{kind}")
    url = URLS[kind]
    first = older[0]
    items = [RelatedItem(first.url, first.title, first.dateline, textgen.teaser([first.text]))]
    items += [RelatedItem(s.url, s.title) for s in rng.sample(list(older[1:]), 3)]
    return MirrorArticle(
        url=url, site="spacewar.com", layout="classic", title=_TITLES[kind],
        paragraphs=textgen.paragraphs(rng, rng.randint(5, 9), wire=False),
        section="WAR REPORT", byline="Staff Writers", byline_clean="Staff Writers",
        dateline="Paris, France (SPX) May 31, 2024", location="Paris, France", agency="SPX",
        published="2024-05-31", og_url=url,
        related_links=[("https://www.spacewar.com/index.html", "Space War News")],
        related_blocks=[RelatedBlock("WAR REPORT", items)], story_id=f"fault-{kind}",
    )


def _truncated(a: MirrorArticle) -> bytes:
    """The page cut inside the RELATED CONTENT block, mid-tag; ``a`` loses its related items."""
    page = render_classic(a)
    marker = "The following news reports may link to other Space Media Network websites.<br>"
    cut = page.index(marker) + len(marker) + len(CRLF) + len('<span class="RCS">WAR RE')
    a.related_blocks = []
    return to_bytes(page[:cut], a.encoding)


def _malformed(a: MirrorArticle) -> bytes:
    """The page with unclosed and stray tags, unquoted attributes and no closing html."""
    page = render_classic(a)
    page = page.replace("</td></tr></table>", "")
    page = page.replace('<span class="BH2">', '<font color=#000000><b><span class="BH2">', 1)
    page = page.replace("<br></h1>", "<br></h1></div></span></p>", 1)
    page = page.replace("<!--body-2-incontainer.php-->",
                        "<!--body-2-incontainer.php-->\r\n<table><tr><td width=100% align=left>", 1)
    page = page.replace("</body>\r\n</html>\r\n", "")
    return to_bytes(page, a.encoding)


def _oversize(seed: int) -> bytes:
    rng = random.Random(f"{seed}/fault/oversize")
    chunk = "".join(f"<p>{p}\r\n" for p in textgen.paragraphs(rng, 200, wire=False)).encode()
    head = (f"<html><head><title>{_TITLES['oversize']}</title></head><body>\r\n"
            f"<h1>{_TITLES['oversize']}<br></h1>\r\n").encode()
    body = head + chunk * (OVERSIZE_BYTES // len(chunk) + 1)
    return body + b"</body></html>\r\n"


def _not_article() -> bytes:
    lines = [
        "<html><head><title>Advertise With Space Media Network</title></head>",
        '<body bgcolor="#FFFFFF">',
        '<a href="https://www.spacewar.com/index.html">Military Space News</a>',
        "<h1>Advertise With Space Media Network<br></h1>",
        "<p>Space Media Network reaches more than a million professional readers every month "
        "across two dozen daily news sites covering space, defence, energy and the environment.",
        "<p>Our readers include engineers, programme managers, analysts and decision makers in "
        "government and industry. Banner, newsletter and sponsored report packages are available "
        "on every site of the network, with rates for weekly, monthly and annual campaigns.",
        "<p>Contact our sales team for a media kit and the current rate card. We answer every "
        "enquiry within two business days.",
        '<a href="https://www.spacewar.com/about.html">About Us</a>',
        "</body></html>",
    ]
    return (CRLF.join(lines) + CRLF).encode("ascii")


def build_faults(seed: int, older: Sequence[Summary]) -> FaultSet:
    """The fault set for ``seed``; ``older`` are the seed's related stories (indices 0..28)."""
    f = FaultSet()
    u = URLS
    flaky = _article(seed, "flaky_500", older)
    f.files[u["flaky_500"]] = render(flaky)
    f.flaky[u["flaky_500"]] = FLAKY_FAILURES
    f.status[u["always_500"]] = 500
    slow = _article(seed, "slow", older)
    f.files[u["slow"]] = render(slow)
    f.slow.append(u["slow"])
    truncated = _article(seed, "truncated", older)
    f.files[u["truncated"]] = _truncated(truncated)
    malformed = _article(seed, "malformed", older)
    f.files[u["malformed"]] = _malformed(malformed)
    f.files[u["oversize"]] = _oversize(seed)
    f.files[u["pdf"]] = _PDF
    f.types[u["pdf"]] = "application/pdf"
    f.files[u["image"]] = _JPEG
    f.types[u["image"]] = "image/jpeg"
    f.files[u["not_article"]] = _not_article()
    f.redirects[u["redirect_301"]] = SEED_URL
    f.redirects[u["loop_a"]] = u["loop_b"]
    f.redirects[u["loop_b"]] = u["loop_a"]
    f.truth = [flaky, truncated, malformed]
    f.links = [
        (u["not_found"], "Report withdrawn at publisher's request"),
        (u["flaky_500"], _TITLES["flaky_500"]),
        (u["always_500"], _TITLES["always_500"]),
        (u["slow"], _TITLES["slow"]),
        (u["redirect_301"], "NATO chief downplays escalation threat"),
        (u["loop_a"], "Launch schedule update"),
        (u["truncated"], _TITLES["truncated"]),
        (u["malformed"], _TITLES["malformed"]),
        (u["pdf"], "Annual Space Threat Assessment (PDF)"),
        (u["image"], "Photo of the day"),
        (u["oversize"], "Complete archive of every report"),
        (u["not_article"], "Advertise with us"),
    ]
    f.spec = {
        "not_found": {"urls": [u["not_found"]], "status": 404, "in_truth": False,
                      "expect": "404 once (not retried), no record"},
        "flaky_500": {"urls": [u["flaky_500"]], "status": [500] * FLAKY_FAILURES + [200],
                      "failures": FLAKY_FAILURES, "in_truth": True,
                      "expect": f"500 for the first {FLAKY_FAILURES} requests of this server "
                                "process, then 200: retried, then extracted"},
        "always_500": {"urls": [u["always_500"]], "status": 500, "in_truth": False,
                       "expect": "500 every time: retried a bounded number of times, no record"},
        "slow": {"urls": [u["slow"]], "status": 200, "in_truth": False,
                 "delay_env": "MIRROR_SLOW_SECONDS", "default_delay_s": 30,
                 "expect": "answers after the server's slow delay: a crawl with a shorter "
                           "DOWNLOAD_TIMEOUT gives up, no record (a classic article page)"},
        "redirect_301": {"urls": [u["redirect_301"]], "status": 301, "location": SEED_URL,
                         "in_truth": False,
                         "expect": "301 to the seed article (live absolute Location): one "
                                   "record, keyed by the canonical url"},
        "redirect_loop": {"urls": [u["loop_a"], u["loop_b"]], "status": 301, "in_truth": False,
                          "expect": "301 to each other forever: bounded redirects, no record"},
        "truncated": {"urls": [u["truncated"]], "status": 200, "in_truth": True,
                      "expect": "HTML cut mid-tag inside the RELATED CONTENT block: title, "
                                "dateline, body and Related Links intact; related_articles []"},
        "malformed": {"urls": [u["malformed"]], "status": 200, "in_truth": True,
                      "expect": "unclosed/stray tags, unquoted attributes, no </body></html>: "
                                "full record"},
        "pdf": {"urls": [u["pdf"]], "status": 200, "content_type": "application/pdf",
                "in_truth": False, "expect": "not HTML: skipped, no record"},
        "image": {"urls": [u["image"]], "status": 200, "content_type": "image/jpeg",
                  "in_truth": False, "expect": "not HTML: skipped, no record"},
        "oversize": {"urls": [u["oversize"]], "status": 200, "bytes": len(f.files[u["oversize"]]),
                     "in_truth": False,
                     "expect": "over 10 MB: dropped by the crawler's size limit, no record"},
        "not_article": {"urls": [u["not_article"]], "status": 200, "in_truth": False,
                        "expect": "h1 and paragraphs but no dateline, byline, date, og "
                                  "metadata or template anchors, not an article URL form: "
                                  "no record"},
    }
    return f
