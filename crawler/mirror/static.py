"""Fixed non-article pages of every host: robots.txt, about/privacy/newsletter pages, ads.

robots.txt disallows ``/cgi-bin/`` and ``/search/`` (hubs link both, see
:data:`crawler.mirror.hubs.DISALLOWED_LINKS`) and asks for a ``Crawl-delay``.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.mirror.render import CRLF, esc
from crawler.sites import Site

DISALLOWED = ("/cgi-bin/", "/search/")
CRAWL_DELAY = 1
"""Seconds asked between requests (Scrapy does not read it; a polite crawler may)."""


def robots_txt() -> bytes:
    """The robots.txt of every host.

    >>> print(robots_txt().decode())
    User-agent: *
    Disallow: /cgi-bin/
    Disallow: /search/
    Crawl-delay: 1
    <BLANKLINE>
    """
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in DISALLOWED)]
    lines.append(f"Crawl-delay: {CRAWL_DELAY}")
    return ("\n".join(lines) + "\n").encode("ascii")


def _plain(title: str, paragraphs: list[str], links: Sequence[tuple[str, str]] = ()) -> bytes:
    body = [f"<p>{esc(p)}</p>" for p in paragraphs]
    body += [f'<a href="{u}">{esc(t)}</a><br>' for u, t in links]
    lines = ["<html><head>", f"<title>{esc(title)}</title>", "</head><body>",
             f"<b>{esc(title)}</b><br>", *body, "</body></html>"]
    return (CRLF.join(lines) + CRLF).encode("ascii")


def site_pages(site: Site) -> dict[str, bytes]:
    """Path -> bytes of a classic host's fixed pages (linked from every article and hub)."""
    home = [(site.home_url, f"Back to {site.name}")]
    return {
        "/about.html": _plain(f"About {site.name}", [
            f"{site.name} is part of the Space Media Network, publishing daily since 1995.",
        ], home),
        "/privacy.html": _plain("Privacy Statement", [
            "Our advertisers use cookies to deliver the best ad banner available at one time.",
        ], home),
        "/newsletters.html": _plain("Subscribe Free To Our Daily Newsletters", [
            "Choose the newsletters you want to receive.",
        ], home),
        "/search/index.html": _plain("Search", ["Search is disallowed to robots."], home),
        "/cgi-bin/newsletter.cgi": _plain("Newsletter", ["Disallowed to robots."], home),
    }


def image_host_pages() -> dict[str, bytes]:
    """Path -> bytes of www.spxdaily.com's fixed files: ad frames and the style sheet."""
    pages = {f"/sponsors/ad-{n}-300x250.html": _plain("Advertisement", [f"Ad slot {n}"])
             for n in range(7)}
    pages["/sponsors/top-banner.html"] = _plain("Advertisement", ["Top banner"])
    pages["/smn.css"] = b"body { font-family: Verdana, sans-serif; }\n"
    return pages
