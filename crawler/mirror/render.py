"""Render mirror article pages in the network's layouts: the markup contract of the mirror.

The classic template follows every fact the site notes mark as *seen*: a bare ``<h1>`` that ends
in ``<br>``, the dateline in ``<span class="BHS">``, the body between the comments
``<!--body-2-incontainer.php-->`` and ``<!--RELATED LINKS-->``, bare ``<p>`` separators, CRLF
line ends, ad iframes and scripts inside the body, numeric entities, og meta and spxdaily images.
What was never seen (byline tag, label, related blocks, <title>, footer) is rendered in several
variants, one drawn per page (:mod:`crawler.mirror.markup`). The AFP wire pages and the March
2026 spacewar layout have their own modules (render_afp, render_spacewar2026).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

import ftfy.bad_codecs  # noqa: F401 (registers the sloppy-windows-1252 codec)

from crawler.mirror.markup import variant
from crawler.mirror.model import MirrorArticle
from crawler.mirror.pagebits import CRLF, FOOTER, attr, esc, large_image, title_text
from crawler.mirror.render_afp import render_afp
from crawler.mirror.render_spacewar2026 import render_spacewar2026
from crawler.mirror.sections import SECTIONS, section_path
from crawler.sites import IMAGE_HOST, SITES_BY_DOMAIN

__all__ = ["CRLF", "FOOTER", "attr", "esc", "large_image", "mojibake", "render",
           "render_classic", "render_legacy", "render_wordpress", "title_text", "to_bytes"]



def to_bytes(page: str, encoding: str) -> bytes:
    """Encode a rendered page as the live site would serve it."""
    return page.encode("cp1252" if encoding == "cp1252" else "utf-8")


def mojibake(text: str) -> str:
    """Text as it reads after UTF-8 bytes were decoded as windows-1252 upstream.

    Bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) become the C1 control of
    the same number, as browsers and most converters read them, so the text stays repairable
    (ftfy's ``sloppy-windows-1252``), never a replacement character.

    >>> mojibake("don\u2019t")
    'don\u00e2\u20ac\u2122t'
    >>> mojibake("MART\u00cdNEZ")
    'MART\u00c3\x8dNEZ'
    """
    return text.encode("utf-8").decode("sloppy-windows-1252")


def _ad(n: int) -> str:
    return (
        f'<center><iframe src="https://{IMAGE_HOST}/sponsors/ad-{n % 7}-300x250.html" '
        'width="300" height="250" frameborder="0" scrolling="no"></iframe></center>'
    )


def _script(n: int) -> str:
    return (
        '<script type="text/javascript">var smn_slot = "body-' + str(n) + '";'
        ' document.write("<div class=\\"adslot\\">Advertisement</div>");</script>'
    )


_INDENT = {"none": "", "spaces": "  ", "nbsp": "&nbsp;&nbsp;"}


def label_url(a: MirrorArticle, label: str) -> str:
    """Where a section label printed as a link points: the label's section page on the page's
    site when it has one, else the site's home page."""
    site = SITES_BY_DOMAIN[a.site]
    if label in SECTIONS[a.site]:
        return f"https://{site.host}{section_path(label)}"
    return site.home_url


def related_links_html(a: MirrorArticle, e: Callable[[str], str]) -> list[str]:
    """The 'Related Links' block: its heading and links as <br> lines, a list or a table."""
    colon = ":" if variant(a, "related_heading") == "colon" else ""
    out = [f'<span class="RL">Related Links{colon}</span><br>']
    style = variant(a, "related_list")
    links = [f'<a href="{attr(url)}">{e(title)}</a>' for url, title in a.related_links]
    if style == "ul" and links:
        out += ['<ul class="RL">', *(f"<li>{link}</li>" for link in links), "</ul>"]
    elif style == "table" and links:
        out += ['<table class="RL" border="0">',
                *(f"<tr><td>{link}</td></tr>" for link in links), "</table>"]
    else:
        out += [f"{link}<br>" for link in links]
    return out


def _header(a: MirrorArticle, e: Callable[[str], str]) -> list[str]:
    """Label, headline twice, caption, teasers, byline and dateline of a classic page."""
    pre = _INDENT[variant(a, "indent")]
    label, byline, dateline = variant(a, "label"), variant(a, "byline"), variant(a, "dateline")
    first = f'<span class="BH2">{pre}{e(a.title)}</span><br>'
    L: list[str] = []
    if a.section and label == "font":
        L.append(f'<font class="ST" color="#990000"><b>{e(a.section)}</b></font><br>')
    elif a.section and label == "link":
        L.append(f'<a href="{attr(label_url(a, a.section))}" class="ST">{e(a.section)}</a><br>')
    elif a.section and label == "headline-line":
        first = f'<span class="ST">{e(a.section)}</span>&nbsp;&nbsp;' + first
    elif a.section:
        L.append(f'<span class="ST">{e(a.section)}</span><br>')
    L += [first, f"<h1>{e(a.title)}<br></h1>"]
    if a.image_url and a.caption:
        L.append(f'<center><img src="{attr(large_image(a.image_url))}" border="0" alt=""><br>'
                 f'<font size="1">{e(a.caption)}</font></center>')
    for t in a.teasers:
        L += [f'<br><a href="{attr(t.href or t.url)}"><b>{e(t.title)}</b></a><br>',
              f"{e(t.teaser or '')}<br>"]
    if a.teasers:
        L.append("<br>")
    by = f"{pre}{e(a.byline)}" if a.byline else ""
    if a.byline and byline == "div":
        L.append(f'<div class="byline">{by}</div>')
    elif a.byline and not (byline == "dateline-line" and a.dateline and dateline == "header"):
        L.append(f'<span class="BY">{by}</span><br>')
    if a.dateline and dateline == "header":
        lead = f"{by} " if a.byline and byline == "dateline-line" else pre
        L.append(f'{lead}<span class="BHS">{e(a.dateline)}</span><br><br>')
    return L


def body_lines(a: MirrorArticle, e: Callable[[str], str], ads: bool = True) -> list[str]:
    """Body paragraphs separated by bare <p> (ads and a script inside); an appended story's
    headline is followed by <br> and its dateline paragraph."""
    L: list[str] = []
    for i, para in enumerate(a.paragraphs):
        if i and para.startswith(tuple(f"{d} - " for d in a.appended_datelines)):
            L.append("<br>")
        elif i or a.leading_p:
            L.append("<p>")
        L.append(e(para))
        if ads and i == 1:
            L.append(_ad(len(para)))
        if ads and i == 3:
            L.append(_script(i))
    return L


def related_content_html(a: MirrorArticle, e: Callable[[str], str]) -> list[str]:
    """The 'RELATED CONTENT' block: labels (as text or links) each followed by headlines."""
    L = ['<span class="RC">RELATED CONTENT</span><br>',
         "The following news reports may link to other Space Media Network websites.<br>"]
    as_links = variant(a, "related_labels") == "link"
    for block in a.related_blocks:
        if as_links:
            L.append(f'<a href="{attr(label_url(a, block.section))}" class="RCS">'
                     f"{e(block.section)}</a><br>")
        else:
            L.append(f'<span class="RCS">{e(block.section)}</span><br>')
        for item in block.items:
            href = attr(item.href or item.url)
            L.append(f'<a href="{href}" class="RCH">{e(item.title)}</a><br>')
            if item.dateline:
                L.append(f'<span class="BHS">{e(item.dateline)}</span><br>')
            if item.teaser is not None:
                L.append(f'{e(item.teaser)} ... <a href="{href}">read more</a><br>')
            L.append("<br>")
    return L


def render_classic(a: MirrorArticle, year: int | None = None) -> str:
    """The classic SMN article template, with CRLF line ends, in the page's variants."""
    enc = a.encoding

    def e(text: str) -> str:
        return esc(mojibake(text) if a.mojibake else text, enc)

    site = SITES_BY_DOMAIN[a.site]
    home = f"https://{site.host}/index.html"
    year = year or int((a.published or "2024")[:4])
    L: list[str] = []
    L += [
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">',
        "<html>",
        "<head>",
        f"<title>{e(title_text(a, variant(a, 'title_tag')))}</title>",
        f'<meta name="description" content="{attr(a.paragraphs[0][:200])}">' if enc == "utf-8"
        else f'<meta name="description" content="{e(a.paragraphs[0][:200])}">',
        f'<meta property="og:title" content="{e(a.title)}">',
        f'<meta property="og:url" content="{attr(a.og_url or a.url)}">',
    ]
    if a.image_url:
        L.append(f'<meta property="og:image" content="{attr(a.image_url)}">')
    L += [
        f'<meta property="og:site_name" content="{attr(site.name)}">',
        f'<link rel="stylesheet" type="text/css" href="https://{IMAGE_HOST}/smn.css">',
        "</head>",
        '<body bgcolor="#FFFFFF" leftmargin="0" topmargin="0">',
        '<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td>',
        f'<a href="{home}"><font class="SiteName">{e(site.name)}</font></a>',
        f'<a href="https://{IMAGE_HOST}/sponsors/top-banner.html"><img '
        f'src="https://{IMAGE_HOST}/sponsors/banner-728.gif" width="728" height="90" '
        'border="0" alt="Advertisement"></a>',
        "</td></tr></table>",
        '<table width="100%" border="0"><tr><td width="160" valign="top">',
        f'<a href="{home}"><img src="https://{IMAGE_HOST}/menu/home.gif" border="0" '
        'alt="Home"></a>',
        "</td>",
        '<td valign="top">',
    ]
    L += _header(a, e)
    L.append("<!--body-2-incontainer.php-->")
    if a.dateline and variant(a, "dateline") == "body":
        L.append(e(a.dateline))
        L.append("<p>")
    if a.image_url and not a.caption:
        L.append(f'<center><img src="{attr(large_image(a.image_url))}" border="0" alt=""></center>')
    L += body_lines(a, e)
    L += ["<!--RELATED LINKS-->", "<br><br>"]
    L += related_links_html(a, e)
    L += [
        "<br>",
        f'<a href="https://{site.host}/newsletters.html"><b>Subscribe Free To Our Daily '
        "Newsletters</b></a><br>",
        '<a href="https://twitter.com/share" class="twitter-share-button">Tweet</a>'
        '<script async src="https://platform.twitter.com/widgets.js"></script>',
        "<br><br>",
    ]
    L += related_content_html(a, e)
    L += [
        f'<a href="https://{site.host}/newsletters.html">Subscribe Free To Our Daily '
        "Newsletters</a><br>",
        "</td></tr></table>",
        '<table width="100%"><tr><td>',
        "<br><br><br><br>",
        '<font class="Footer">'
        + esc(FOOTER.format(year=year))
        + f' <a href="https://{site.host}/privacy.html">Privacy Statement</a>. Additional '
        f'information can be found here at <a href="https://{site.host}/about.html">About Us</a>.'
        "</font>",
        "</td></tr></table>",
        "</body>",
        "</html>",
    ]
    return CRLF.join(L) + CRLF


def render_wordpress(a: MirrorArticle) -> str:
    """The 2026 WordPress-style layout on the bare host: JSON-LD NewsArticle and Open Graph."""
    site = SITES_BY_DOMAIN[a.site]
    base = f"https://{a.site}"
    posted = a.posted or a.published
    author: dict[str, str] | list[dict[str, str]]
    if a.authors:
        author = [{"@type": "Person", "name": n} for n in a.authors]
    else:
        author = {"@type": "Organization", "name": a.byline_clean or site.name}
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": base + "/#website", "url": base + "/", "name": site.name},
            {
                "@type": "NewsArticle",
                "@id": a.url + "#article",
                "headline": a.title,
                "datePublished": posted,
                "dateModified": posted,
                "author": author,
                "image": a.image_url,
                "articleSection": a.section,
                "mainEntityOfPage": a.url,
                "inLanguage": "en-US",
            },
        ],
    }
    ld_text = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
    h = html.escape
    P: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en-US">',
        "<head>",
        '<meta charset="UTF-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(a.title)} &#8211; {h(site.name)}</title>",
        f'<link rel="canonical" href="{attr(a.url)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{attr(a.title)}">',
        f'<meta property="og:url" content="{attr(a.og_url or a.url)}">',
        f'<meta property="og:site_name" content="{attr(site.name)}">',
    ]
    if a.image_url:
        P.append(f'<meta property="og:image" content="{attr(a.image_url)}">')
    P += [
        f'<meta property="article:published_time" content="{attr(posted or "")}">',
        f'<script type="application/ld+json" class="yoast-schema-graph">{ld_text}</script>',
        f"<link rel='stylesheet' href='{base}/wp-content/themes/smn/style.css' media='all'>",
        "</head>",
        '<body class="post-template-default single single-post">',
        '<header class="site-header">',
        f'<p class="site-title"><a href="{base}/" rel="home">{h(site.name)}</a></p>',
        '<nav class="main-navigation"><ul class="menu">',
        f'<li><a href="{base}/">Home</a></li>',
        "</ul></nav>",
        "</header>",
        '<main id="main" class="site-main">',
        '<article class="post type-post status-publish format-standard hentry">',
        '<header class="entry-header">',
    ]
    if a.section:
        P.append(f'<span class="cat-links">{h(a.section)}</span>')
    P.append(f'<h1 class="entry-title">{h(a.title)}</h1>')
    P.append('<div class="entry-meta">')
    if a.byline:
        P.append(f'<span class="byline">{h(a.byline)}</span>')
    P.append(
        f'<time class="entry-date published" datetime="{attr(posted or "")}">'
        f"{h((posted or '')[:10])}</time>"
    )
    P += ["</div>", "</header>"]
    container = variant(a, "body")
    if container == "entry-content":
        P.append('<div class="entry-content">')
    elif container == "post-body":
        P.append('<div class="post-body clearfix">')
    if a.dateline:
        P.append(f"<p>{h(a.dateline, quote=False)}</p>")
    if a.image_url:
        P.append(f'<figure class="wp-block-image"><img src="{attr(a.image_url)}" alt=""></figure>')
    for i, para in enumerate(a.paragraphs):
        P.append(f"<p>{h(para, quote=False)}</p>")
        if i == 1:
            P.append('<div class="smn-ad"><ins class="adsbygoogle"></ins><script>'
                     "(adsbygoogle = window.adsbygoogle || []).push({});</script></div>")
    if container != "article":
        P.append("</div>")
    P += [
        '<footer class="entry-footer"><div class="sharedaddy"><h3>Share this:</h3>'
        '<a href="https://twitter.com/share">Tweet</a></div></footer>',
        "</article>",
    ]
    items = [(i, b.section) for b in a.related_blocks for i in b.items]
    if items:
        P.append('<section class="related-posts">'
                 '<h2 class="related-title">Related Content</h2><ul>')
        for item, section in items:
            P.append(
                f'<li><span class="related-cat">{h(section)}</span> '
                f'<a href="{attr(item.url)}" rel="bookmark">{h(item.title)}</a></li>'
            )
        P.append("</ul></section>")
    P += [
        "</main>",
        '<footer class="site-footer"><p>'
        + h(FOOTER.format(year=(posted or "2026")[:4]))
        + "</p></footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(P) + "\n"


def render_legacy(a: MirrorArticle) -> str:
    """An old page with none of the template anchors: what the generic fallback must handle."""
    site = SITES_BY_DOMAIN[a.site]
    e = esc
    L = [
        "<html><head>",
        f"<title>{e(site.name)} - {e(a.title)}</title>",
        "</head>",
        '<body bgcolor="white">',
        f'<a href="https://{site.host}/index.html">{e(site.name)}</a> | '
        f'<a href="https://{site.host}/news/archive.html">Archive</a>',
        "<hr>",
        '<table width="600"><tr><td>',
        f"<font size=+2><b>{e(a.title)}</b></font><br>",
    ]
    if a.dateline:
        L.append(f"<i>{e(a.dateline)}</i><br>")
    if a.byline:
        L.append(f"<i>{e(a.byline)}</i><br>")
    for para in a.paragraphs:
        L.append(f"<p>{e(para)}</p>")
    L += [
        "</td></tr></table>",
        "<hr>",
        f"<small>{e('Copyright Space Media Network. All rights reserved.')}</small>",
        "</body></html>",
    ]
    return CRLF.join(L) + CRLF


def render(a: MirrorArticle) -> bytes:
    """The bytes the live site serves for this article."""
    if a.layout == "wordpress":
        return render_wordpress(a).encode("utf-8")
    if a.layout == "afp":
        return render_afp(a).encode("ascii")
    if a.layout == "spacewar2026":
        return render_spacewar2026(a).encode("ascii")
    if a.layout == "legacy":
        return to_bytes(render_legacy(a), a.encoding)
    return to_bytes(render_classic(a), a.encoding)
