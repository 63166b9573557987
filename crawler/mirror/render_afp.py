"""spacewar's AFP wire pages (``/afp/<12 digits>.<8 chars>.html``), in several markups.

Seen (as text only, site notes): the header line ``SpaceWar.com - Your World At War``, the
headline once, no byline, the doubled-date dateline ``Beirut, Lebanon, Oct 8 (AFP) Oct 08, 2024``,
the body, ``ADVERTISEMENT``, then four boxes of three headlines each that are current when the
page is fetched (neither body nor related content, no date), and AFP's copyright footer. The
markup was never seen: it is rendered as a table layout, as divs, or with an ``<h1>``
(:data:`crawler.mirror.markup.AFP`).
"""

from __future__ import annotations

from crawler.mirror.markup import variant
from crawler.mirror.model import MirrorArticle
from crawler.mirror.pagebits import CRLF, attr, esc

HEADER = "SpaceWar.com - Your World At War"
"""The header line of every AFP wire page."""
BOX_TITLES = (
    "Space News from SpaceDaily.com", "24/7 Energy News Coverage",
    "Military Space News, Nuclear Weapons, Missile Defense", "24/7 News Coverage",
)
"""Headings of the four boxes of current headlines, in page order."""
AFP_FOOTER = (
    "All rights reserved. Copyright Agence France-Presse. Sections of the information displayed "
    "on this page (dispatches, photographs, logos) are protected by intellectual property rights "
    "owned by Agence France-Presse. As a consequence, you may not copy, reproduce, modify, "
    "transmit, publish, display or in any way commercially exploit any of the content of this "
    "section without the prior written consent of Agence France-Presse."
)
_HOME = "https://www.spacewar.com/index.html"
_AD = ('<iframe src="https://www.spxdaily.com/sponsors/ad-3-300x250.html" width="300" '
       'height="250" frameborder="0" scrolling="no"></iframe>')


def _table(a: MirrorArticle) -> list[str]:
    L = [
        "<html>", "<head>", f"<title>{esc(a.title)}</title>", "</head>",
        '<body bgcolor="#FFFFFF">',
        f'<table width="728" border="0"><tr><td align="center"><a href="{_HOME}">'
        f'<font face="Arial" size="4"><b>{HEADER}</b></font></a></td></tr></table>',
        '<table width="728" border="0"><tr><td>',
        f'<font face="Arial" size="3"><b>{esc(a.title)}</b></font><br>',
        f'<font face="Arial" size="2">{esc(a.dateline or "")}</font><br>',
        '<font face="Arial" size="2">',
    ]
    for i, para in enumerate(a.paragraphs):
        L.append(("<p>" if i else "") + esc(para))
    L += ["</font>", '<br><br><center><font size="1">ADVERTISEMENT</font><br>' + _AD
          + "</center><br><br>", '<table width="728" border="0"><tr>']
    for box in a.boxes:
        links = "".join(f'<a href="{attr(i.href or i.url)}">{esc(i.title)}</a><br>'
                        for i in box.items)
        L.append(f'<td valign="top" width="25%"><b>{esc(box.section)}</b><br>{links}</td>')
    L += ["</tr></table>", f'<br><br><font size="1">{AFP_FOOTER}</font>',
          "</td></tr></table>", "</body>", "</html>"]
    return L


def _divs(a: MirrorArticle) -> list[str]:
    L = [
        "<!DOCTYPE html>", "<html>", "<head>", '<meta charset="utf-8">',
        f"<title>SpaceWar.com - {esc(a.title)}</title>",
        f'<meta property="og:title" content="{esc(a.title)}">',
        f'<meta property="og:url" content="{attr(a.og_url or a.url)}">',
        "</head>", "<body>",
        f'<div id="masthead"><a href="{_HOME}">{HEADER}</a></div>',
        '<div id="story">',
        f'<h2 class="headline">{esc(a.title)}</h2>',
        f'<div class="date">{esc(a.dateline or "")}</div>',
        '<div class="text">',
        *(f"<p>{esc(p)}</p>" for p in a.paragraphs),
        "</div>", "</div>",
        f'<div class="ad"><p>ADVERTISEMENT</p>{_AD}</div>',
        '<div class="boxes">',
    ]
    for box in a.boxes:
        L.append(f'<div class="box"><h3>{esc(box.section)}</h3><ul>')
        L += [f'<li><a href="{attr(i.href or i.url)}">{esc(i.title)}</a></li>' for i in box.items]
        L.append("</ul></div>")
    L += ["</div>", f'<div id="copyright">{AFP_FOOTER}</div>', "</body>", "</html>"]
    return L


def _h1(a: MirrorArticle) -> list[str]:
    L = [
        "<html>", "<head>", f"<title>{esc(a.title)} - SpaceWar.com</title>", "</head>",
        "<body>", f"<center><b>{HEADER}</b></center><hr>",
        f"<h1>{esc(a.title)}</h1>",
        f"<p><i>{esc(a.dateline or '')}</i></p>",
        *(f"<p>{esc(p)}</p>" for p in a.paragraphs),
        '<p align="center">ADVERTISEMENT</p>', _AD,
    ]
    for box in a.boxes:
        L.append(f"<dl><dt>{esc(box.section)}</dt>")
        L += [f'<dd><a href="{attr(i.href or i.url)}">{esc(i.title)}</a></dd>' for i in box.items]
        L.append("</dl>")
    L += [f"<p><small>{AFP_FOOTER}</small></p>", "</body>", "</html>"]
    return L


def render_afp(a: MirrorArticle) -> str:
    """An AFP wire page in its markup variant, CRLF line ends."""
    build = {"table": _table, "divs": _divs, "h1": _h1}[variant(a, "markup")]
    return CRLF.join(build(a)) + CRLF
