"""A page as the reader sees it: its lines of text and links in order, with their places.

Whatever the tags, a reader sees lines: block elements and ``<br>`` end one, inline elements
(``<span>``, ``<font>``, ``<b>``, ...) do not. A link is a line of its own (with its address).
Each line keeps where it starts and ends in the page (so that a body can be cut out of the raw
HTML between two lines) and the texts of the inline runs it is made of (``by X <span>Prague
(AFP) May 31, 2024</span>`` is one line of two parts: where byline and dateline meet).
Scripts, styles, frames and comments are not seen.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from crawler.text import strip_tags

_TOKEN_RE = re.compile(
    r"<(?P<skip>script|style|iframe|noscript|object|textarea|select|template)\b[^>]*>"
    r".*?(?:</(?P=skip)\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)"
    r"|<a\b(?P<attrs>[^>]*)>(?P<atext>.*?)</a\s*>"
    r"|</?\s*(?P<tag>[a-zA-Z][a-zA-Z0-9]*)[^>]*>"
    r"|(?P<text>[^<]+|<)",
    re.S | re.I,
)
INLINE_TAGS = frozenset(
    {"b", "i", "u", "em", "strong", "font", "span", "small", "big", "sup", "sub", "abbr", "img",
     "time", "cite", "mark", "q", "s", "strike", "tt", "label", "ins", "del", "wbr"}
)
"""Tags that do not end a line."""
MAX_LINES = 5_000
"""Lines read of one page at most (an article page of the network has a few hundred): the
work on a hostile page stays bounded."""


@dataclass(frozen=True)
class Line:
    """One line of text, or one link, of a page."""

    text: str
    """Visible text: entities decoded, whitespace collapsed."""
    start: int
    """Offset in the page where the line's first text (or its link tag) starts."""
    end: int
    """Offset just after its last text (or its link's end tag)."""
    href: str | None = None
    """The address of a link (None for a line of text)."""
    parts: tuple[str, ...] = ()
    """Texts of the inline runs of the line, in order (one part when no inline tag splits it)."""


_HREF_RE = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


def _href(attrs: str) -> str:
    m = _HREF_RE.search(attrs)
    if m is None:
        return ""
    value = m[1] if m[1] is not None else m[2] if m[2] is not None else m[3]
    return html.unescape(value) if "&" in value else value


def _squash(raw: str) -> str:
    return " ".join((html.unescape(raw) if "&" in raw else raw).split())


def page_lines(page: str, start: int = 0, end: int | None = None,
               limit: int = MAX_LINES) -> list[Line]:
    """The first ``limit`` lines of ``page[start:end]``, offsets relative to the whole page.

    >>> [(ln.text, ln.href, ln.parts) for ln in page_lines(
    ...     '<b>WAR</b> REPORT<br>by X <span class="BHS">Prague (AFP) May 31, 2024</span>'
    ...     '<br><a href="/x.html">A &amp; B</a><script>no</script><p>caf&eacute;')]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('WAR REPORT', None, ('WAR', 'REPORT')),
     ('by X Prague (AFP) May 31, 2024', None, ('by X', 'Prague (AFP) May 31, 2024')),
     ('A & B', '/x.html', ('A & B',)), ('café', None, ('café',))]
    >>> [ln.text for ln in page_lines("Kyiv<b>&#8217;s</b> forces")]
    ['Kyiv’s forces']
    >>> page = "<p>One</p><p>Two</p>"
    >>> [page[ln.start:ln.end] for ln in page_lines(page)]
    ['One', 'Two']
    """
    out: list[Line] = []
    runs: list[str] = []
    parts: list[str] = []
    first = last = -1

    def flush() -> None:
        nonlocal first, last
        if runs:
            parts.append("".join(runs))
            runs.clear()
        if first >= 0:  # some text that is not blank
            if len(parts) == 1:
                text = _squash(parts[0])
                if text:
                    out.append(Line(text, first, last, None, (text,)))
            else:
                texts = tuple(t for t in (_squash(p) for p in parts) if t)
                if texts:
                    out.append(Line(_squash("".join(parts)), first, last, None, texts))
        parts.clear()
        first = last = -1

    for m in _TOKEN_RE.finditer(page, start, len(page) if end is None else end):
        if len(out) >= limit:
            return out
        text = m["text"]
        if text is not None:
            if text.strip():
                if first < 0:
                    first = m.start()
                last = m.end()
            runs.append(text)
        elif m["tag"] is not None:
            if m["tag"].lower() not in INLINE_TAGS:
                flush()
            elif runs:  # an inline tag ends a run of the line
                parts.append("".join(runs))
                runs.clear()
        elif m["attrs"] is not None:
            flush()
            atext = m["atext"]
            label = (" ".join(atext.split()) if "<" not in atext and "&" not in atext
                     else strip_tags(atext))
            if label:
                out.append(Line(label, m.start(), m.end(), _href(m["attrs"]), (label,)))
    flush()
    return out
