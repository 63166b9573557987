"""The March 2026 spacewar layout, in several markups.

Seen (as text only, site notes): no site-name line, no section label, the headline once, then
the byline and the dateline, each separated from the next by blank lines, then the body. Its
machine-readable dates looked wrong (one fixed date for different stories). The markup and what
follows the body were never seen: the page is rendered as semantic divs with a menu before the
headline, as nothing but paragraphs, or as one table cell of ``<br>`` lines
(:data:`crawler.mirror.markup.SPACEWAR2026`), each followed by the 'Related Links' and
'RELATED CONTENT' texts of the classic page and the network's footer.
"""

from __future__ import annotations

import json

from crawler.mirror.markup import variant
from crawler.mirror.model import MirrorArticle
from crawler.mirror.pagebits import CRLF, FOOTER, attr, esc, large_image, title_text
from crawler.sites import SITES_BY_DOMAIN

WRONG_DATE = "2026-03-01T00:00:00+00:00"
"""The one machine-readable date every page of the layout carries (not the story's date)."""
_RC_NOTE = "The following news reports may link to other Space Media Network websites."


def _head(a: MirrorArticle, with_ld: bool) -> list[str]:
    L = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
         f"<title>{esc(title_text(a, variant(a, 'title_tag')))}</title>",
         f'<meta property="og:title" content="{esc(a.title)}">',
         '<meta property="og:type" content="article">',
         f'<meta property="article:published_time" content="{WRONG_DATE}">']
    if a.image_url:
        L.append(f'<meta property="og:image" content="{attr(a.image_url)}">')
    if with_ld:
        L.append(f'<meta property="og:url" content="{attr(a.og_url or a.url)}">')
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
              "datePublished": WRONG_DATE}
        L.append('<script type="application/ld+json">'
                 + json.dumps(ld).replace("</", "<\\/") + "</script>")
    return L + ["</head>"]


def _footer(a: MirrorArticle) -> str:
    year = (a.published or "2026")[:4]
    return esc(FOOTER.format(year=year))


def _divs(a: MirrorArticle) -> list[str]:
    home = SITES_BY_DOMAIN[a.site].home_url
    L = _head(a, with_ld=True) + [
        "<body>",
        '<nav class="menu"><ul>',
        f'<li><a href="{home}">Home</a></li>',
        '<li><a href="https://www.spacewar.com/War_Report.html">War Report</a></li>',
        '<li><a href="https://www.spacewar.com/Missile_Defense.html">Missile Defense</a></li>',
        "</ul></nav>",
        '<main><article class="story">',
        f'<h1 class="story-title">{esc(a.title)}</h1>',
        '<div class="spacer">&nbsp;</div>',
    ]
    if a.byline:
        L += [f'<div class="story-byline">{esc(a.byline)}</div>',
              '<div class="spacer">&nbsp;</div>']
    if a.dateline:
        L += [f'<div class="story-dateline">{esc(a.dateline)}</div>',
              '<div class="spacer">&nbsp;</div>']
    if a.image_url:
        L.append(f'<figure><img src="{attr(large_image(a.image_url))}" alt=""></figure>')
    L += ['<div class="story-body">', *(f"<p>{esc(p)}</p>" for p in a.paragraphs), "</div>",
          "</article>"]
    L.append('<section class="related-links"><h4>Related Links</h4><ul>')
    L += [f'<li><a href="{attr(u)}">{esc(t)}</a></li>' for u, t in a.related_links]
    L += ["</ul></section>", '<section class="related-content"><h4>RELATED CONTENT</h4>',
          f"<p>{_RC_NOTE}</p>"]
    for block in a.related_blocks:
        L.append(f'<div class="rc-block"><h5>{esc(block.section)}</h5><ul>')
        for item in block.items:
            href = attr(item.href or item.url)
            extra = ""
            if item.dateline:
                extra += f'<div class="rc-date">{esc(item.dateline)}</div>'
            if item.teaser is not None:
                extra += f'<p>{esc(item.teaser)} ... <a href="{href}">read more</a></p>'
            L.append(f'<li><a href="{href}">{esc(item.title)}</a>{extra}</li>')
        L.append("</ul></div>")
    L += ["</section>", "</main>", f'<footer class="site-footer"><p>{_footer(a)}</p></footer>',
          "</body>", "</html>"]
    return L


def _paragraphs(a: MirrorArticle) -> list[str]:
    L = _head(a, with_ld=False) + ["<body>", f'<p class="hl"><strong>{esc(a.title)}</strong></p>',
                                   "<p>&nbsp;</p>"]
    if a.byline:
        L += [f"<p>{esc(a.byline)}</p>", "<p>&nbsp;</p>"]
    if a.dateline:
        L += [f"<p>{esc(a.dateline)}</p>", "<p>&nbsp;</p>"]
    L += [f"<p>{esc(p)}</p>" for p in a.paragraphs]
    L += ["<p>&nbsp;</p>", "<p>Related Links</p>"]
    L += [f'<p><a href="{attr(u)}">{esc(t)}</a></p>' for u, t in a.related_links]
    L += ["<p>&nbsp;</p>", "<p>RELATED CONTENT</p>", f"<p>{_RC_NOTE}</p>"]
    for block in a.related_blocks:
        L.append(f"<p>{esc(block.section)}</p>")
        for item in block.items:
            href = attr(item.href or item.url)
            L.append(f'<p><a href="{href}">{esc(item.title)}</a></p>')
            if item.dateline:
                L.append(f"<p>{esc(item.dateline)}</p>")
            if item.teaser is not None:
                L.append(f'<p>{esc(item.teaser)} ... <a href="{href}">read more</a></p>')
    L += [f"<p><small>{_footer(a)}</small></p>", "</body>", "</html>"]
    return L


def _table(a: MirrorArticle) -> list[str]:
    gap = "<br><br><br><br>"
    L = _head(a, with_ld=False) + [
        '<body bgcolor="#FFFFFF">', '<table width="100%" border="0"><tr><td valign="top">',
        f'<font size="5">{esc(a.title)}</font>{gap}',
    ]
    if a.byline:
        L.append(f"{esc(a.byline)}{gap}")
    if a.dateline:
        L.append(f"{esc(a.dateline)}{gap}")
    L += [f"{esc(p)}<br><br>" for p in a.paragraphs]
    L.append("<br>Related Links<br>")
    L += [f'<a href="{attr(u)}">{esc(t)}</a><br>' for u, t in a.related_links]
    L += ["<br>", '<a href="https://www.spacewar.com/newsletters.html">Subscribe Free To Our '
          "Daily Newsletters</a><br><br>", "RELATED CONTENT<br>", f"{_RC_NOTE}<br>"]
    for block in a.related_blocks:
        L.append(f"{esc(block.section)}<br>")
        for item in block.items:
            href = attr(item.href or item.url)
            L.append(f'<a href="{href}">{esc(item.title)}</a><br>')
            if item.dateline:
                L.append(f"{esc(item.dateline)}<br>")
            if item.teaser is not None:
                L.append(f'{esc(item.teaser)} ... <a href="{href}">read more</a><br>')
            L.append("<br>")
    L += ["</td></tr></table>", f'<font size="1">{_footer(a)}</font>', "</body>", "</html>"]
    return L


def render_spacewar2026(a: MirrorArticle) -> str:
    """A page of the March 2026 spacewar layout in its markup variant, CRLF line ends."""
    build = {"divs": _divs, "paragraphs": _paragraphs, "table": _table}[variant(a, "markup")]
    return CRLF.join(build(a)) + CRLF
