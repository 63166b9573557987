"""RSS feeds of the mirror: the network's quirky feeds and the WordPress '/feed/'.

Network feed quirks (seen in a real 2013 spacedaily.xml): RSS 2.0, no encoding in the prolog, no
guid, no author, every item's pubDate equal to the build time in the form
'Thu, 04 APR 2013 20:37:27 AEST'; each description is the dateline, ``<br/>``, an ``images-bg``
thumbnail ``<img>`` with unquoted attributes, then a teaser cut at 500 characters mid-word.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crawler.mirror.network import Summary
from crawler.mirror.textgen import cut_mid_word
from crawler.mirror.timeline import AEST, day_of, rfc822, rss_date
from crawler.sites import IMAGE_HOST


def xml_text(text: str) -> str:
    """Escape for XML character data, non-ASCII as numeric references (no prolog encoding).

    >>> xml_text("R&D <b> \u2019")
    'R&amp;D &lt;b&gt; &#8217;'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def thumbnail(image: str | None) -> str:
    """The images-bg thumbnail address of an og:image (or the network's placeholder).

    >>> thumbnail("https://www.spxdaily.com/images-hg/nato-x-hg.jpg")
    'https://www.spxdaily.com/images-bg/nato-x-bg.jpg'
    >>> thumbnail(None)
    'https://www.spxdaily.com/images-bg/smn-logo-bg.jpg'
    """
    if not image:
        return f"https://{IMAGE_HOST}/images-bg/smn-logo-bg.jpg"
    return image.replace("/images-hg/", "/images-bg/").replace("-hg.", "-bg.")


def description(s: Summary) -> str:
    """An item description (HTML, before XML escaping).

    >>> s = Summary(0, "u", "spacewar.com", "classic", "T", None, "Paris (AFP) Apr 04, 2013",
    ...             "word " * 200, None)
    >>> d = description(s); d.split("<br/>")[0], len(d.split(">", 2)[-1])
    ('Paris (AFP) Apr 04, 2013', 500)
    """
    img = (f"<img src={thumbnail(s.image)} width=160 height=128 border=0 align=left "
           f"hspace=6 alt=>")
    return f"{s.dateline or ''}<br/>{img}{cut_mid_word(s.text, 500)}"


def build_time(items: Sequence[Summary]) -> dt.datetime:
    """Build time of a feed: 20:37:27 AEST on the day of its newest item (never the clock)."""
    newest = max((s.index for s in items), default=0)
    return dt.datetime.combine(day_of(newest), dt.time(20, 37, 27), AEST)


def network_feed(title: str, link: str, about: str, items: Sequence[Summary]) -> bytes:
    """A network feed (site-wide or section) with the real feeds' quirks."""
    when = rss_date(build_time(items))
    out = [
        '<?xml version="1.0"?>',
        '<rss version="2.0">',
        "<channel>",
        f"<title>{xml_text(title)}</title>",
        f"<link>{xml_text(link)}</link>",
        f"<description>{xml_text(about)}</description>",
        "<language>en-us</language>",
        f"<lastBuildDate>{when}</lastBuildDate>",
    ]
    for s in items:
        out += [
            "<item>",
            f"<title>{xml_text(s.title)}</title>",
            f"<link>{xml_text(s.url)}</link>",
            f"<description>{xml_text(description(s))}</description>",
            f"<pubDate>{when}</pubDate>",
            "</item>",
        ]
    out += ["</channel>", "</rss>"]
    return ("\n".join(out) + "\n").encode("ascii")


def wordpress_feed(title: str, home: str, items: Sequence[tuple[Summary, str]]) -> bytes:
    """A normal WordPress RSS 2.0 feed: utf-8 prolog, guid, dc:creator, RFC 822 dates.

    ``items`` are (summary, ISO published datetime) pairs.
    """
    newest = max((dt.datetime.fromisoformat(p) for _, p in items),
                 default=dt.datetime(2026, 1, 1, tzinfo=AEST))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        f"<title>{xml_text(title)}</title>",
        f"<link>{xml_text(home)}</link>",
        f"<description>{xml_text(title)}</description>",
        f"<lastBuildDate>{rfc822(newest)}</lastBuildDate>",
        "<language>en-US</language>",
    ]
    for s, published in items:
        out += [
            "<item>",
            f"<title>{xml_text(s.title)}</title>",
            f"<link>{xml_text(s.url)}</link>",
            f"<dc:creator><![CDATA[{title}]]></dc:creator>",
            f"<pubDate>{rfc822(dt.datetime.fromisoformat(published))}</pubDate>",
            f'<guid isPermaLink="false">{xml_text(s.url)}</guid>',
            f"<description>{xml_text(cut_mid_word(s.text, 300))} [&#8230;]</description>",
            "</item>",
        ]
    out += ["</channel>", "</rss>"]
    return ("\n".join(out) + "\n").encode("utf-8")
