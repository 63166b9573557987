"""Small pieces every rendered page of the mirror uses: line ends, escaping, the footer, the
<title> forms and image addresses."""

from __future__ import annotations

import html

from crawler.mirror.model import MirrorArticle
from crawler.sites import COPYRIGHT_NOTICE, SITES_BY_DOMAIN

CRLF = "\r\n"

FOOTER = COPYRIGHT_NOTICE
"""The network's copyright notice, printed at the foot of every page."""


def esc(text: str, encoding: str = "utf-8") -> str:
    """Escape text for HTML; outside ASCII (utf-8 pages) or windows-1252, numeric entities.

    >>> esc("\u201cWe\u2019re\u201d -- R&D <now>")
    '&#8220;We&#8217;re&#8221; -- R&amp;D &lt;now&gt;'
    >>> esc("don\u2019t", "cp1252")
    'don\u2019t'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        if encoding == "cp1252":
            try:
                ch.encode("cp1252")
                out.append(ch)
                continue
            except UnicodeEncodeError:
                pass
        out.append(f"&#{ord(ch)};")
    return "".join(out)


def attr(text: str) -> str:
    """Escape an attribute value (double-quoted).

    >>> attr('a "b" & c')
    'a &quot;b&quot; &amp; c'
    """
    return html.escape(text, quote=True).replace("&#x27;", "'")


def title_text(a: MirrorArticle, form: str) -> str:
    """The text of a page's ``<title>`` in one of the guessed forms (before escaping).

    >>> a = MirrorArticle("u", "spacewar.com", "classic", "T", ["p"])
    >>> [title_text(a, f) for f in ("headline", "site-first", "headline-site")]
    ['T', 'Military Space News - T', 'T | spacewar.com']
    """
    site = SITES_BY_DOMAIN[a.site]
    if form == "site-first":
        return f"{site.name} - {a.title}"
    if form == "headline-site":
        return f"{a.title} | {site.domain}"
    return a.title


def large_image(image_url: str) -> str:
    """The images-lg address shown in a page for an images-hg og:image.

    >>> large_image("https://www.spxdaily.com/images-hg/x-hg.jpg")
    'https://www.spxdaily.com/images-lg/x-lg.jpg'
    """
    return image_url.replace("/images-hg/", "/images-lg/").replace("-hg.", "-lg.")
