"""Markup variants: for every detail of a page that the site notes mark as *guessed*, the ways
the mirror renders it. Each page draws one variant per detail from the seed; the truth of a page
never depends on its variants (they change tags, never the facts a page shows).

A detail that does not apply to a page (no byline, no image, ...) is recorded as ``none``; a
detail absent from a page's ``variants`` (fault and hostile pages, fixtures) is rendered in its
first variant, the one the mirror always used.
"""

from __future__ import annotations

import random

from crawler.mirror.model import MirrorArticle

NONE = "none"
"""The variant of a detail that does not apply to a page."""

CLASSIC: dict[str, tuple[str, ...]] = {
    "title_tag": ("headline", "site-first", "headline-site"),
    "label": ("span", "font", "link", "headline-line"),
    "indent": ("none", "spaces", "nbsp"),
    "caption": ("none", "illustration", "courtesy"),
    "teasers": ("none", "two"),
    "byline": ("span", "div", "dateline-line"),
    "dateline": ("header", "body"),
    "related_heading": ("plain", "colon"),
    "related_list": ("br", "ul", "table"),
    "related_labels": ("text", "link"),
}
"""Classic template: <title> form; section label in a span, a font, a link or on the
headline's line; leading spaces or &nbsp; before headline, byline and dateline; an image with
a caption between headline and byline; two teasers of other stories (2008 pages); the byline in
its own element or on the dateline's line; the dateline in the header or as the body's first
line; 'Related Links' with or without a colon, as <br> lines, a list or a table; the labels of
the related-content block as text or as links."""

SPACEWAR2026: dict[str, tuple[str, ...]] = {
    "markup": ("divs", "paragraphs", "table"),
    "title_tag": ("headline", "site-first", "headline-site"),
}
"""The March 2026 spacewar layout, whose markup was never seen: semantic divs, nothing but
paragraphs, or one table cell of <br> lines."""

AFP: dict[str, tuple[str, ...]] = {"markup": ("table", "divs", "h1")}
"""spacewar's AFP wire pages, whose markup was never seen."""

WORDPRESS: dict[str, tuple[str, ...]] = {"body": ("entry-content", "post-body", "article")}
"""The 2026 WordPress layout: the body in '.entry-content', in another container, or loose in
the <article>."""

BY_LAYOUT: dict[str, dict[str, tuple[str, ...]]] = {
    "classic": CLASSIC, "spacewar2026": SPACEWAR2026, "afp": AFP, "wordpress": WORDPRESS,
    "legacy": {},
}


def variant(a: MirrorArticle, detail: str) -> str:
    """The variant of ``detail`` a page is rendered in (its first one when none was drawn).

    >>> a = MirrorArticle("u", "spacewar.com", "classic", "T", ["p"])
    >>> variant(a, "byline"), variant(a, "related_list")
    ('span', 'br')
    """
    if detail in a.variants:
        return a.variants[detail]
    return BY_LAYOUT[a.layout][detail][0]


def default_variants(layout: str) -> dict[str, str]:
    """Every detail of a layout in its first variant (the seed page's markup).

    >>> default_variants("afp")
    {'markup': 'table'}
    """
    return {detail: values[0] for detail, values in BY_LAYOUT[layout].items()}


def draw(rng: random.Random, a: MirrorArticle, turn: int = 0) -> dict[str, str]:
    """One variant per detail of the page's layout; ``none`` where a detail does not apply.

    The markup of the rare layouts (AFP wire, spacewar 2026) is taken in turn (``turn``: pages
    of the layout generated before this one), so that a small mirror has each of them.

    Details that cannot apply to this page are not drawn: a page without a byline has byline
    ``none``, without an image caption ``none``, and a byline on the dateline's line needs a
    dateline printed in the header.
    """
    dims = BY_LAYOUT[a.layout]
    out = {detail: rng.choice(values) for detail, values in dims.items()}
    if "markup" in dims:
        out["markup"] = dims["markup"][turn % len(dims["markup"])]
    if a.layout != "classic":
        return out
    if not a.section:
        out["label"] = NONE
    if not a.image_url:
        out["caption"] = NONE
    if not a.dateline:
        out["dateline"] = NONE
    if not a.byline:
        out["byline"] = NONE
    elif out["byline"] == "dateline-line" and out["dateline"] != "header":
        out["byline"] = rng.choice(("span", "div"))
    if not a.related_links:
        out["related_list"] = NONE
    if not any(b.items for b in a.related_blocks):
        out["related_labels"] = NONE
    return out
