"""Text helpers shared by the page objects: whitespace, entities, tags, URLs, mojibake.

These work on strings with regular expressions on purpose: the classic path runs on the raw
HTML of a comment-delimited region and must stay several times faster than a full main-text
extractor.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import ftfy
from ftfy.badness import is_bad

_WS_RE = re.compile(r"\s+")
_DROP_RE = re.compile(
    r"<(script|style|iframe|noscript|object|textarea|select)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)",
    re.S | re.I,
)
_BREAK_RE = re.compile(
    r"<\s*/?\s*(?:p|div|center|table|tbody|tr|td|th|h[1-6]|ul|ol|li|dl|dt|dd|blockquote"
    r"|hr|section|article|figure|header|footer|aside|nav|form)\b[^>]*>"
    r"|(?:<br\b[^>]*>\s*){2,}",
    re.I,
)
_BR_RE = re.compile(r"<br\b[^>]*>", re.I)
_TAG_RE = re.compile(r"</?[a-zA-Z!][^>]*>?")
_ATTR_RE = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_BOILERPLATE = ("advertisement", "tweet", "share this:", "share this")
_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")


def clean(text: str) -> str:
    """Whitespace collapsed (including no-break spaces), stripped, Unicode NFC.

    >>> clean("  caf\\u0065\\u0301\\u00a0 au  lait\\r\\n")
    'caf\\xe9 au lait'
    """
    return unicodedata.normalize("NFC", _WS_RE.sub(" ", text).strip())


def strip_tags(fragment: str) -> str:
    """Plain text of an HTML fragment: tags gone, entities decoded, whitespace collapsed.

    >>> strip_tags("Kyiv&#8217;s <b>forces</b><br>hold&nbsp;on<br></h1>")
    'Kyiv\\u2019s forces hold on'
    """
    fragment = _DROP_RE.sub(" ", fragment)
    fragment = _BR_RE.sub(" ", fragment)
    return clean(html.unescape(_TAG_RE.sub("", fragment)))


def is_boilerplate(paragraph: str) -> bool:
    """True for a paragraph that is an ad or share label, not article text.

    >>> is_boilerplate("Advertisement"), is_boilerplate("Subscribe Free To Our Daily Newsletters")
    (True, True)
    >>> is_boilerplate("Ukraine has the right for self-defence.")
    False
    """
    low = paragraph.lower().strip()
    return low in _BOILERPLATE or low.startswith("subscribe free")


def html_paragraphs(fragment: str) -> list[str]:
    """Paragraph texts of a body region whose paragraphs are separated by bare ``<p>``.

    Scripts, iframes, styles and comments go with their content; block tags and double ``<br>``
    end a paragraph; empty and ad/share paragraphs are dropped.

    >>> html_paragraphs("One&nbsp;&#8220;two&#8221;\\r\\n<p>\\r\\nThree<center><iframe src=x>"
    ...                 "</iframe></center>\\r\\n<p>Four<script>var a='<p>x';</script>")
    ['One \\u201ctwo\\u201d', 'Three', 'Four']
    """
    fragment = _DROP_RE.sub(" ", fragment)
    out = []
    for chunk in _BREAK_RE.split(fragment):
        text = strip_tags(chunk)
        if text and not is_boilerplate(text):
            out.append(text)
    return out


def attributes(tag: str) -> dict[str, str]:
    """Attributes of one start tag, names lower-cased, values entity-decoded.

    >>> attributes('<meta content="a &amp; b" property=og:title>')
    {'content': 'a & b', 'property': 'og:title'}
    """
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(tag):
        value = m[2] if m[2] is not None else m[3] if m[3] is not None else m[4]
        out.setdefault(m[1].lower(), html.unescape(value))
    return out


@dataclass(frozen=True)
class Token:
    """A line of text or a link, in document order."""

    text: str
    href: str | None = None


_TOKEN_RE = re.compile(
    r"<a\b(?P<attrs>[^>]*)>(?P<atext>.*?)</a\s*>|<(?P<tag>/?\s*[a-zA-Z][^>]*)>|(?P<text>[^<]+)",
    re.S | re.I,
)
_INLINE_TAGS = frozenset(
    {"b", "i", "u", "em", "strong", "font", "span", "small", "big", "sup", "sub", "abbr", "img"}
)


def tokens(fragment: str) -> Iterator[Token]:
    """Lines of text and links of a fragment; inline tags join text, other tags end a line.

    >>> [(t.text, t.href) for t in tokens('<span><b>WAR</b> REPORT</span><br>'
    ...                                    '<a href="/x.html" class=RCH>A &amp; B</a><br>')]
    [('WAR REPORT', None), ('A & B', '/x.html')]
    """
    line: list[str] = []

    def flush() -> Iterator[Token]:
        text = clean(html.unescape("".join(line)))
        line.clear()
        if text:
            yield Token(text)

    for m in _TOKEN_RE.finditer(_DROP_RE.sub(" ", fragment)):
        if m["text"] is not None:
            line.append(m["text"])
        elif m["tag"] is not None:
            name = m["tag"].lstrip("/ ").split(None, 1)[0].lower() if m["tag"].strip("/ ") else ""
            if name not in _INLINE_TAGS:
                yield from flush()
        else:
            yield from flush()
            yield Token(strip_tags(m["atext"]), attributes(m["attrs"]).get("href", ""))
    yield from flush()


def absolute(base: str, url: str | None) -> str | None:
    """An absolute http(s) URL, or None for empty, javascript: and mailto: links.

    >>> absolute("https://www.spacewar.com/reports/a.html", "/images/x.jpg")
    'https://www.spacewar.com/images/x.jpg'
    >>> absolute("https://www.spacewar.com/", "javascript:void(0)") is None
    True
    """
    url = (url or "").strip()
    if not url:
        return None
    if _HAS_NETLOC_RE.match(url):
        # urljoin() only reads the scheme of the base for a URL with scheme and host: key the
        # cache on that, so the links every page repeats are joined once.
        base = f"{_scheme(base) if len(base) <= 2048 else urlsplit(base).scheme}://"
    if len(url) > 2048 or len(base) > 2048:  # not worth keeping in the cache
        return _absolute.__wrapped__(base, url)
    return _absolute(base, url)


_HAS_NETLOC_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]")


@lru_cache(maxsize=256)
def _scheme(base: str) -> str:
    return urlsplit(base).scheme


@lru_cache(maxsize=4096)
def _absolute(base: str, url: str) -> str | None:
    joined = urljoin(base, url)
    return joined if joined.startswith(("http://", "https://")) else None


def canonical(url: str) -> str:
    """A URL without fragment and tracking parameters; everything else as given.

    >>> canonical("https://www.spacewar.com/reports/X_999.html?utm_source=rss&id=3#top")
    'https://www.spacewar.com/reports/X_999.html?id=3'
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PREFIXES)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def repair(text: str) -> str:
    """Undo UTF-8-read-as-windows-1252 mojibake, only where ftfy's heuristic finds some.

    Only the encoding is fixed (``ftfy.fix_encoding``): curly quotes and everything else stay
    as printed, so running it again in a later pipeline is harmless.

    >>> repair("don\\u00e2\\u20ac\\u2122t")
    'don\\u2019t'
    >>> repair("d\\u00e9j\\u00e0 vu \\u2019")
    'd\\xe9j\\xe0 vu \\u2019'
    """
    if text.isascii() or not is_bad(text):
        return text
    return unicodedata.normalize("NFC", ftfy.fix_encoding(text))
