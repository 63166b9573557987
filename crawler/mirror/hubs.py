"""Hub pages of the mirror: home pages, paginated section pages, archives, WordPress hubs.

Hubs link with visible text to sections, feeds and articles. Section pages hold ``PER_PAGE``
headlines, newest first, and link only the next older and newer page, so old articles are
reachable only by walking the pagination. Hubs are not articles: no ``<h1>``, no dateline span,
no body comments. They change when the mirror grows; article pages never do.
"""

from __future__ import annotations

from collections.abc import Sequence

from crawler.mirror.feeds import thumbnail
from crawler.mirror.network import Summary
from crawler.mirror.render import CRLF, attr, esc
from crawler.mirror.sections import (
    SECTIONS,
    category_path,
    page_name,
    section_feed_path,
    section_path,
)
from crawler.mirror.textgen import teaser
from crawler.sites import IMAGE_HOST, SITES, Site

PER_PAGE = 10
"""Headlines per classic section page."""
WP_PER_PAGE = 5
"""Posts per WordPress category page."""
HOME_ITEMS = 40
"""Headlines on a classic home page."""

DISALLOWED_LINKS = ("/search/?q=space+news", "/cgi-bin/newsletter.cgi?subscribe=1")
"""Links every classic hub carries to paths robots.txt disallows (a polite crawler skips them)."""


def _link(url: str, text: str, cls: str | None = None) -> str:
    c = f' class="{cls}"' if cls else ""
    return f'<a href="{attr(url)}"{c}>{esc(text)}</a>'


def _frame(site: Site, title: str, main: list[str], feed: str | None = None) -> bytes:
    """A classic hub page around ``main`` lines: header, navigation column, footer."""
    base = f"https://{site.host}"
    head = [
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">',
        "<html>",
        "<head>",
        f"<title>{esc(title)}</title>",
    ]
    if feed:
        head.append(f'<link rel="alternate" type="application/rss+xml" title="{attr(title)}" '
                    f'href="{attr(feed)}">')
    nav = [
        f'<link rel="stylesheet" type="text/css" href="https://{IMAGE_HOST}/smn.css">',
        "</head>",
        '<body bgcolor="#FFFFFF">',
        f'<a href="{base}/index.html"><font class="SiteName">{esc(site.name)}</font></a><br>',
        '<table width="100%" border="0"><tr><td width="160" valign="top" class="nav">',
        _link(f"{base}/index.html", "Home") + "<br>",
    ]
    for label in SECTIONS[site.domain]:
        nav.append(_link(base + section_path(label), page_name(label).replace("_", " ")) + "<br>")
    nav += [
        _link(f"{base}/news/archive.html", "Archive") + "<br>",
        _link(site.feed_url, "RSS Feed") + "<br>",
        _link(base + DISALLOWED_LINKS[0], "Search") + "<br>",
        _link(base + DISALLOWED_LINKS[1], "Newsletter sign-up") + "<br>",
        _link(f"{base}/newsletters.html", "Subscribe Free To Our Daily Newsletters") + "<br>",
    ]
    if site.domain in ("spacedaily.com", "terradaily.com"):
        nav.append(_link(f"https://{site.domain}/", f"The new {site.name}") + "<br>")
    nav.append("<br><b>Network</b><br>")
    nav += [_link(s.home_url, s.name) + "<br>" for s in SITES]
    tail = [
        "</td></tr></table>",
        '<font class="Footer">Copyright Space Media Network. '
        + _link(f"{base}/privacy.html", "Privacy Statement") + " "
        + _link(f"{base}/about.html", "About Us") + "</font>",
        "</body>",
        "</html>",
    ]
    lines = head + nav + ['</td><td valign="top">'] + main + tail
    return (CRLF.join(lines) + CRLF).encode("ascii")


def _headline(s: Summary, url: str | None = None, with_teaser: bool = True) -> list[str]:
    url = url or s.url
    out = []
    if s.section:
        out.append(f'<span class="ST">{esc(s.section)}</span><br>')
    out.append(_link(url, s.title, "BH") + "<br>")
    if with_teaser:
        if s.dateline:
            out.append(f'<span class="BHS">{esc(s.dateline)}</span><br>')
        out.append(f'<img src="{attr(thumbnail(s.image))}" width="160" height="128" align="left">'
                   f"{esc(teaser([s.text], 300))} ... {_link(url, 'read more')}<br>")
    out.append("<br>")
    return out


def classic_home(site: Site, newest: Sequence[Summary],
                 extra: Sequence[tuple[str, str]] = ()) -> bytes:
    """A site's home page (served at '/' and '/index.html'): the newest headlines."""
    main = ['<span class="SectionTitle">Latest News</span><br><br>']
    for s in newest:
        main += _headline(s)
    if extra:
        main.append('<span class="SectionTitle">Also in the news</span><br>')
        main += [_link(u, t) + "<br>" for u, t in extra]
    return _frame(site, f"{site.name} - Latest News", main, site.feed_url)


def section_page(site: Site, label: str, page: int, items: Sequence[Summary],
                 has_older: bool, links: Sequence[str] | None = None) -> bytes:
    """Page ``page`` of a classic section index; ``links`` overrides the headline addresses."""
    base = f"https://{site.host}"
    main = [f'<span class="SectionTitle">{esc(label)}</span> '
            + _link(base + section_feed_path(label), "RSS") + f" (page {page})<br><br>"]
    for k, s in enumerate(items):
        main += _headline(s, links[k] if links else None, with_teaser=page == 1)
    nav = []
    if page > 1:
        nav.append(_link(base + section_path(label, page - 1), "Newer news"))
    if has_older:
        nav.append(_link(base + section_path(label, page + 1), "Older news"))
    main.append('<div class="pager">' + " | ".join(nav) + "</div>")
    feed = base + section_feed_path(label)
    return _frame(site, f"{site.name} - {label}", main, feed)


def archive_page(site: Site, items: Sequence[Summary]) -> bytes:
    """The archive page of old '/news/' pages of a site."""
    main = ['<span class="SectionTitle">Archive</span><br><br>']
    for s in items:
        main += _headline(s, with_teaser=False)
    return _frame(site, f"{site.name} - Archive", main)


def _wp_frame(site: Site, title: str, main: list[str]) -> bytes:
    base = f"https://{site.domain}"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en-US">',
        "<head>",
        '<meta charset="UTF-8">',
        f"<title>{esc(title)}</title>",
        f'<link rel="alternate" type="application/rss+xml" href="{base}/feed/">',
        "</head>",
        '<body class="home blog">',
        '<header class="site-header">',
        f'<p class="site-title"><a href="{base}/" rel="home">{esc(site.name)}</a></p>',
        '<nav class="main-navigation"><ul class="menu">',
        f'<li><a href="{base}/">Home</a></li>',
    ]
    for label in SECTIONS[site.domain]:
        lines.append(f"<li>{_link(base + category_path(label), label.title())}</li>")
    lines += [
        f"<li>{_link(base + '/feed/', 'RSS')}</li>",
        f"<li>{_link(site.home_url, 'Classic site')}</li>",
        "</ul></nav>",
        "</header>",
        '<main id="main" class="site-main">',
    ]
    lines += main
    lines += ["</main>", "</body>", "</html>"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _wp_items(items: Sequence[Summary]) -> list[str]:
    out = []
    for s in items:
        out += [
            '<article class="post type-post status-publish hentry">',
            f'<h2 class="entry-title">{_link(s.url, s.title)}</h2>',
            f'<div class="entry-summary"><p>{esc(teaser([s.text], 250))} [&#8230;]</p></div>',
            "</article>",
        ]
    return out


def wordpress_home(site: Site, newest: Sequence[Summary]) -> bytes:
    """The WordPress home on the bare host: the newest posts."""
    return _wp_frame(site, f"{site.name} \u2013 News", _wp_items(newest))


def wordpress_category(site: Site, label: str, page: int, items: Sequence[Summary],
                       has_older: bool) -> bytes:
    """Page ``page`` of a WordPress category, with 'Older posts' / 'Newer posts' links."""
    base = f"https://{site.domain}"
    main = [f'<h1 class="page-title">Category: {esc(label.title())}</h1>'] + _wp_items(items)
    nav = ['<nav class="navigation posts-navigation">']
    if has_older:
        nav.append(_link(base + category_path(label, page + 1), "Older posts"))
    if page > 1:
        nav.append(_link(base + category_path(label, page - 1), "Newer posts"))
    nav.append("</nav>")
    return _wp_frame(site, f"{label.title()} \u2013 {site.name}", main + nav)
