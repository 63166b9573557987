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
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, NamedTuple

from crawler.text import strip_tags

INLINE_TAGS = frozenset(
    {"b", "i", "u", "em", "strong", "font", "span", "small", "big", "sup", "sub", "abbr", "img",
     "time", "cite", "mark", "q", "s", "strike", "tt", "label", "ins", "del", "wbr"}
)
"""Tags that do not end a line."""
UNSEEN_TAGS = ("script", "style", "iframe", "noscript", "object", "textarea", "select", "template")
"""Elements no reader sees, dropped with their content."""


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` with shared prefixes factored out: the regex engine
    tries alternatives one by one, so ``b(?:ig)?`` costs less than ``big|b`` at every tag.

    >>> alternation(["b", "big", "br", "span"])
    '(?:b(?:ig|r)?|span)'
    >>> re.fullmatch(alternation(["s", "span", "strong"]), "strong") is not None
    True
    """
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + pattern(node[ch]) for ch in sorted(node) if ch]
        if not branches:
            return ""
        if len(branches) > 1:
            body = "(?:" + "|".join(branches) + ")"
            return body + "?" if "" in node else body
        if "" not in node:
            return branches[0]
        return branches[0] + "?" if len(branches[0]) == 1 else f"(?:{branches[0]})?"

    body = pattern(tree)
    return body if body.startswith("(?:") and body.endswith(")") else f"(?:{body})"


_NOT_IN_RUN = alternation(("a", *UNSEEN_TAGS, *INLINE_TAGS))
_TOKEN_RE = re.compile(
    r"(?P<text>[^<]+)"
    rf"|<(?P<skip>{alternation(UNSEEN_TAGS)})\b[^>]*>(?:.*?</(?P=skip)\s*>|.*)"
    r"|<!--(?:.*?-->|.*)"
    r"|<a\b(?P<attrs>[^>]*)>(?P<atext>(?:[^<]*<(?!/a\s*>))*?[^<]*)</a\s*>"
    rf"|</?\s*(?P<inline>{alternation(INLINE_TAGS)})(?![a-zA-Z0-9])[^>]*>"
    r"|</?\s*(?P<block>[a-zA-Z])[^>]*>"
    rf"(?:\s*</?\s*(?!{_NOT_IN_RUN}(?![a-zA-Z0-9]))[a-zA-Z][^>]*>)*\s*"
    r"|(?P<lt><)",
    re.S | re.I,
)
"""Tokens, in the order tried: text, an unseen element, a comment, a link, an inline tag, other
tags (which end a line; several in a row and the blanks after them are one token), a lone '<'
(text)."""
MAX_LINES = 5_000
"""Lines read of one page at most (an article page of the network has a few hundred): the
work on a hostile page stays bounded."""


class Line(NamedTuple):
    """One line of text, or one link, of a page (a named tuple: a page makes hundreds, and a
    frozen dataclass costs three times as much to build)."""

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


def iter_lines(page: str, start: int = 0, end: int | None = None,
               limit: int = MAX_LINES) -> Iterator[Line]:
    """The first ``limit`` lines of ``page[start:end]`` one by one, offsets relative to the whole
    page: a reader that stops early (at a footer, say) leaves the rest of the page untokenised.

    >>> [(ln.text, ln.href, ln.parts) for ln in iter_lines(
    ...     '<b>WAR</b> REPORT<br>by X <span class="BHS">Prague (AFP) May 31, 2024</span>'
    ...     '<br><a href="/x.html">A &amp; B</a><script>no</script><p>caf&eacute;')]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('WAR REPORT', None, ('WAR', 'REPORT')),
     ('by X Prague (AFP) May 31, 2024', None, ('by X', 'Prague (AFP) May 31, 2024')),
     ('A & B', '/x.html', ('A & B',)), ('café', None, ('café',))]
    >>> [ln.text for ln in iter_lines("Kyiv<b>&#8217;s</b> forces")]
    ['Kyiv’s forces']
    >>> page = "<p>One</p><p>Two</p>"
    >>> [page[ln.start:ln.end] for ln in iter_lines(page)]
    ['One', 'Two']
    >>> [ln.text for ln in iter_lines("<p>a</p><p>b</p><p>c</p>", limit=2)]
    ['a', 'b']
    """
    return islice(_lines(page, start, len(page) if end is None else end), limit)


def _lines(page: str, start: int, end: int) -> Iterator[Line]:
    runs: list[str] = []  # texts of the current inline run
    parts: list[str] = []  # finished runs of the current line
    first = last = -1  # where the line's non-blank text starts and ends
    for m in _TOKEN_RE.finditer(page, start, end):
        kind = m.lastgroup
        if kind == "text" or kind == "lt":
            text = m.group()
            if text.isspace():
                if first >= 0:  # blanks before a line's first text are nothing
                    runs.append(text)
                continue
            if first < 0:
                first = m.start()
            last = m.end()
            runs.append(text)
        elif kind == "inline":
            if runs:  # an inline tag ends a run of the line
                parts.append("".join(runs))
                runs.clear()
        elif kind == "block" or kind == "atext":  # a block tag or a link ends the line
            if first >= 0:
                line = _line(parts, runs, first, last)
                if line is not None:
                    yield line
            parts.clear()
            runs.clear()
            first = last = -1
            if kind == "atext":
                atext = m.group(kind)
                label = (" ".join(atext.split()) if "<" not in atext and "&" not in atext
                         else strip_tags(atext))
                if label:
                    yield Line(label, m.start(), m.end(), _href(m["attrs"]), (label,))
        # else: a script, style, frame or comment, which no reader sees
    if first >= 0:
        line = _line(parts, runs, first, last)
        if line is not None:
            yield line


def _line(parts: list[str], runs: list[str], first: int, last: int) -> Line | None:
    """The line of the finished runs ``parts`` and the open run ``runs`` (None when blank)."""
    if runs:
        parts.append("".join(runs))
    if len(parts) == 1:
        text = _squash(parts[0])
        return Line(text, first, last, None, (text,)) if text else None
    texts = tuple(t for t in (_squash(p) for p in parts) if t)
    return Line(_squash("".join(parts)), first, last, None, texts) if texts else None


def page_lines(page: str, start: int = 0, end: int | None = None,
               limit: int = MAX_LINES) -> list[Line]:
    """The first ``limit`` lines of ``page[start:end]`` as a list (see :func:`iter_lines`)."""
    return list(iter_lines(page, start, end, limit))
