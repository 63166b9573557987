"""The one text cleaner: HTML fragments to text, entities, mojibake, boilerplate, URLs.

Every field of a record is cleaned here once, by the page object that makes it (crawler.pages);
nothing cleans it again later. Helpers take and return plain strings, so their behaviour is shown
by the examples below (doctests) and by ``tests/test_text.py``.

They work on strings with regular expressions on purpose: the classic path runs on the raw HTML
of a comment-delimited region and must stay several times faster than a full main-text
extractor. HTML entity and tag handling is w3lib's; mojibake repair is ftfy's (a well-kept
library that knows the windows-1252/latin-1 mix-ups far better than a table of replacements
would); URL canonicalization is w3lib's ``canonicalize_url``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import ftfy
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities
from w3lib.url import canonicalize_url

from crawler.similarity import word_tokens
from crawler.sites import www_address

_CACHE_SIZE = 8192
"""Entries of the small caches of pure helpers (bounded: memory does not grow with a crawl)."""
_CACHEABLE = 2048
"""Longest string those caches keep: a hostile page cannot fill them with megabytes."""

# --- HTML fragments to text ----------------------------------------------------------------

_DROPPED_WITH_CONTENT = ("script", "style", "iframe", "noscript", "template")
_PARA_TAG_RE = re.compile(r"<\s*/?\s*(?:p|div|h[1-6]|li|blockquote|center|table|tr)\b[^>]*>", re.I)
_BR_RE = re.compile(r"<\s*br\b[^>]*>", re.I)
_SELF_CLOSED_RE = re.compile(
    r"<(?:" + "|".join(_DROPPED_WITH_CONTENT) + r")(?=[\s/>])[^<>]*/>", re.I)
_ENTITY_RE = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[A-Za-z]{2,8});")
_DROP_RE = re.compile(
    r"<(script|style|iframe|noscript|object|textarea|select)\b[^>]*>.*?(?:</\1\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)",
    re.S | re.I,
)
"""Elements dropped with their content from a body region, and comments (region scans)."""
_BREAK_RE = re.compile(
    r"<(?:\s*/?\s*(?:p|div|center|table|tbody|tr|td|th|h[1-6]|ul|ol|li|dl|dt|dd|blockquote"
    r"|hr|section|article|figure|header|footer|aside|nav|form)\b[^>]*>"
    r"|br\b[^>]*>\s*(?:<br\b[^>]*>\s*)+)",
    re.I,
)
"""What ends a paragraph in a body region: a block tag, or two ``<br>`` in a row. (The '<'
is written once, before the alternatives: the regex engine then skips to each '<' instead of
trying both alternatives at every character, 15 times as fast on a body.)"""
_TAG_RE = re.compile(r"</?[a-zA-Z!][^>]*>?")
_ATTR_RE = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _drop_comments(text: str) -> str:
    """Text without its ``<!-- ... -->`` comments, in linear time (a regex ``<!--.*?-->``
    rescans to the end from every unclosed ``<!--``: quadratic on hostile input).

    >>> _drop_comments("a<!-- x -->b<!-- open")
    'ab<!-- open'
    """
    out: list[str] = []
    i = 0
    while True:
        j = text.find("<!--", i)
        k = text.find("-->", j + 4) if j >= 0 else -1
        if k < 0:  # no further comment is closed: the rest stays as it is
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        i = k + 3


def _drop_with_content(text: str) -> str:
    """w3lib's remove_tags_with_content for the dropped tags, applied per tag only up to the
    tag's last closing tag (past it, every opener would rescan to the end: quadratic).

    >>> _drop_with_content("a<script>x</script>b<style>" + "<script>" * 3)
    'ab<style><script><script><script>'
    """
    lowered = text.lower()
    for tag in _DROPPED_WITH_CONTENT:
        last = lowered.rfind("</" + tag)
        end = lowered.find(">", last) + 1 if last >= 0 else 0
        if end <= 0:
            end = 0
        head = remove_tags_with_content(text[:end], which_ones=(tag,)) if end else ""
        tail = _SELF_CLOSED_RE.sub("", text[end:]) if "/>" in text[end:] else text[end:]
        if len(head) + len(tail) != len(text):
            text = head + tail
            lowered = text.lower()
    return text


def strip_html(text: str) -> str:
    """Text of an HTML fragment: scripts, styles and iframes dropped with their content,
    block tags turned into paragraph breaks, other tags removed, entities decoded.

    >>> strip_html("<p>One<script>var x = '<p>';</script> &amp; <b>two</b><br><br>three")
    '\\n\\nOne & two\\n\\nthree'
    >>> strip_html("Plain text stays: 3 < 4 &#8211; fine")
    'Plain text stays: 3 < 4 \u2013 fine'
    """
    if "<" in text:
        text = _drop_comments(text)
        text = _drop_with_content(text)
        text = _PARA_TAG_RE.sub("\n\n", text)
        text = _BR_RE.sub("\n", text)
        text = remove_tags(text)
    for _ in range(2):  # a second pass for double-escaped entities such as '&amp;#8220;'
        if not _ENTITY_RE.search(text):
            break
        text = replace_entities(text)
    return text


def strip_tags(fragment: str) -> str:
    """Plain one-line text of a small HTML fragment: tags gone, entities decoded, whitespace
    collapsed (the quick form for the many short fragments of one page).

    >>> strip_tags("Kyiv&#8217;s <b>forces</b><br>hold&nbsp;on<br></h1>")
    'Kyiv\\u2019s forces hold on'
    """
    if "<" in fragment:  # most paragraphs of a body have no tag left: three scans saved
        fragment = _DROP_RE.sub(" ", fragment)
        fragment = _BR_RE.sub(" ", fragment)
        fragment = _TAG_RE.sub("", fragment)
    return squash(html.unescape(fragment) if "&" in fragment else fragment)


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


def html_paragraphs(fragment: str) -> list[str]:
    """Paragraph texts of a body region whose paragraphs are separated by bare ``<p>``.

    Scripts, iframes, styles and comments go with their content; block tags and double ``<br>``
    end a paragraph; empty paragraphs are dropped (boilerplate is :func:`clean_paragraphs`' job).

    >>> html_paragraphs("One&nbsp;&#8220;two&#8221;\\r\\n<p>\\r\\nThree<center><iframe src=x>"
    ...                 "</iframe></center>\\r\\n<p>Four<script>var a='<p>x';</script>")
    ['One \\u201ctwo\\u201d', 'Three', 'Four']
    """
    return list(iter_html_paragraphs(fragment))


def iter_html_paragraphs(fragment: str) -> Iterator[str]:
    """:func:`html_paragraphs` one by one: a reader that needs only the first stops there.

    >>> next(iter_html_paragraphs("<p><p>One<p>Two"))
    'One'
    """
    fragment = _DROP_RE.sub(" ", fragment)
    pos = 0
    for m in _BREAK_RE.finditer(fragment):
        text = strip_tags(fragment[pos:m.start()])
        if text:
            yield text
        pos = m.end()
    text = strip_tags(fragment[pos:])
    if text:
        yield text


# --- Characters and whitespace ---------------------------------------------------------------

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # entities are w3lib's job, done before
    uncurl_quotes=False,  # keep typographic quotes: they are the text, not an error
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)
_FTFY_SAFE_RE = re.compile(r"[^\t\n\x20-\x7e\u2013\u2014\u2018\u2019\u201c\u201d\u2026]")
"""A character ftfy may change; a text without any is left as it is (see fix_encoding)."""
_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")


def fix_encoding(text: str) -> str:
    """Repair mojibake (UTF-8 read as windows-1252) and normalize to NFC; good text is kept.

    >>> fix_encoding("NATO chief \u00e2\u20ac\u0153downplays\u00e2\u20ac\u009d threat")
    'NATO chief \u201cdownplays\u201d threat'
    >>> fix_encoding("Caf\u0065\u0301 \u201cquoted\u201d") == "Caf\u00e9 \u201cquoted\u201d"
    True
    >>> fix_encoding("d\u00e9j\u00e0 vu \u2019")
    'd\\xe9j\\xe0 vu \\u2019'
    """
    if _FTFY_SAFE_RE.search(text) is None:
        return text
    # ftfy fixes each line on its own (fix_text works in segments ending at "\n"), so lines of
    # printable ASCII and typographic punctuation, which no fix touches, are skipped: on news
    # text that is most of the work.
    lines = text.split("\n")
    segments = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        segments.append(lines[-1])
    fixed = "".join(
        seg if _FTFY_SAFE_RE.search(seg) is None else ftfy.fix_text(seg, _FTFY_CONFIG)
        for seg in segments
    )
    return unicodedata.normalize("NFC", fixed)


def squash(text: str) -> str:
    """All runs of whitespace (newlines and no-break spaces too) as one space, ends stripped.

    >>> squash("  NATO\\r\\n chief\\u00a0 downplays  ")
    'NATO chief downplays'
    """
    return " ".join(text.split())


def split_paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs of a text: split at blank lines, whitespace collapsed in each.

    A text with no blank line at all but several lines (CRLF pages) is split at line ends.

    >>> split_paragraphs("One\\r\\n  line.\\r\\n\\r\\n\\r\\nTwo.\\n \\n")
    ['One line.', 'Two.']
    >>> split_paragraphs("First.\\nSecond.")
    ['First.', 'Second.']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINE_RE.split(text) if _BLANK_LINE_RE.search(text) else text.split("\n")
    return [p for p in (squash(part) for part in parts) if p]


def word_count(body: str) -> int:
    """Number of whitespace-separated words.

    >>> word_count("One two\\n\\nthree.")
    3
    """
    return len(body.split())


def same_text(a: str, b: str) -> bool:
    """True when two texts have the same words, ignoring case, punctuation and spacing.

    >>> same_text("NATO chief: \u201cNo\u201d escalation", "nato chief no escalation.")
    True
    """
    return word_tokens(a) == word_tokens(b)


# --- Boilerplate -----------------------------------------------------------------------------

_BOILERPLATE_RE = re.compile(
    r"""^(?:
        subscribe(?:\s+free)?\s+to\s+our\s+(?:free\s+|daily\s+)*newsletters?
      | subscribe\s+free\b.*
      | (?:tweet|share|email|print|like|follow\s+us)(?:\s+this(?:\s+article)?)?
      | share\s+this\s+article(?:\s+via\s+these\s+social\s+bookmark\s+links)?
      | (?:copyright\s*(?:\(c\)|\u00a9)?\s*(?:\d{4}|\(c\)|\u00a9)|\(c\)\s*\d{4}|\u00a9).{0,300}
      | the\s+content\s+herein,?\s+unless\s+otherwise\s+known.*
      | all\s+rights\s+reserved\.?
      | .{0,400}?\.\.\.\s*read\s+more
      | read\s+more(?:\s*(?:\.\.\.|\u2026|>+|\u00bb))?
      | related\s+links | related\s+content
      | the\s+following\s+news\s+reports\s+may\s+link\s+to\s+other
        \s+space\s+media\s+network\s+websites\.?
      | comment\s+on\s+this\s+article\s+(?:using|via)\s+.{0,80}
      | advertisement
    )[\s.!:\u2026]*$""",
    re.I | re.X | re.S,
)


def is_boilerplate(paragraph: str) -> bool:
    """True for a share/subscribe/copyright/ad/"read more" line that is not article text.

    >>> is_boilerplate("Subscribe Free To Our Daily Newsletters")
    True
    >>> is_boilerplate("Tweet"), is_boilerplate("Share this:"), is_boilerplate("Advertisement")
    (True, True, True)
    >>> is_boilerplate("Copyright 1995-2024 - Space Media Network.")
    True
    >>> is_boilerplate("An Israeli attack targeting two senior Hamas members sparked ... read more")
    True
    >>> is_boilerplate("Readers may subscribe to the newsletter, the agency said.")
    False
    >>> is_boilerplate("Copyright lawsuits against AI firms are piling up, lawyers say.")
    False
    """
    return bool(_BOILERPLATE_RE.match(paragraph.strip()))


# --- Final field values ----------------------------------------------------------------------


def clean_inline(value: str | None) -> str | None:
    """A one-line field (title, byline, section, ...) from its HTML or text; None when empty.

    >>> clean_inline("<b>NATO&nbsp;chief</b>\\r\\n downplays &#8216;threat&#8217;")
    'NATO chief downplays \u2018threat\u2019'
    >>> clean_inline("  <br> ") is None
    True
    """
    if value is None:
        return None
    value = str(value)
    if len(value) > _CACHEABLE:
        return _clean_inline.__wrapped__(value)
    return _clean_inline(value)


@lru_cache(maxsize=_CACHE_SIZE)
def _clean_inline(value: str) -> str | None:
    # Cached: related-link titles and section labels repeat on every page of a site.
    cleaned = squash(fix_encoding(strip_html(value)))
    return cleaned or None


def clean_paragraphs(paragraphs: Iterable[str], title: str | None = None, *,
                     squashed: bool = False) -> list[str]:
    """Body paragraphs made final: mojibake repaired, whitespace collapsed, boilerplate lines
    and a leading repeat of the headline removed.

    ``squashed``: the paragraphs come with their whitespace collapsed already (as
    :func:`html_paragraphs` and :func:`strip_tags` give them), so it is collapsed again only
    in those the mojibake repair changed.

    >>> clean_paragraphs(["NATO chief speaks", "He said\u00a0no.", "Tweet",
    ...                   "Subscribe Free To Our Daily Newsletters"], title="NATO chief speaks")
    ['He said no.']
    """
    paras = list(iter_clean_paragraphs(paragraphs, squashed=squashed))
    if title and paras and same_text(paras[0], title):
        paras = paras[1:]
    return paras


def iter_clean_paragraphs(
    paragraphs: Iterable[str], *, squashed: bool = False
) -> Iterator[str]:
    """Paragraphs made final one by one (no headline rule): mojibake repaired, whitespace
    collapsed, empty and boilerplate ones left out. ``squashed``: as for
    :func:`clean_paragraphs` (squashing is idempotent: a paragraph that is squashed already
    and that the repair leaves as it is, the same object, is kept as it is).

    >>> list(iter_clean_paragraphs(["Tweet", " He said\u00a0no. ", ""]))
    ['He said no.']
    >>> list(iter_clean_paragraphs(["Tweet", "He said no.", "Cafe\u0301 \u00e9"], squashed=True))
    ['He said no.', 'Caf\xe9 \xe9']
    """
    for p in paragraphs:
        fixed = fix_encoding(p)
        cleaned = fixed if squashed and fixed is p else squash(fixed)
        if cleaned and not is_boilerplate(cleaned):
            yield cleaned


def clean_body(body: str, title: str | None = None) -> str:
    """An article body from HTML or text: paragraphs separated by one blank line, boilerplate
    lines and a leading repeat of the headline removed.

    >>> clean_body("NATO chief speaks<p>He said&nbsp;no.<p>Tweet<p>Subscribe Free To Our "
    ...            "Daily Newsletters", title="NATO chief speaks")
    'He said no.'
    >>> clean_body("<p>One.\\r\\n<p>Two &#8211; <i>three</i>.<script>x()</script>")
    'One.\\n\\nTwo \u2013 three.'
    """
    return "\n\n".join(clean_paragraphs(split_paragraphs(strip_html(body)), title))


# --- URLs ------------------------------------------------------------------------------------

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "mkt_tok", "oly_anon_id", "oly_enc_id", "spm",
        "twclid", "ttclid", "li_fat_id", "vero_id", "wickedid", "s_cid", "ncid", "cmpid",
    }
)  # fmt: skip
"""Query parameters that only track the visitor; utm_* and hsa_* are matched as prefixes."""
_TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_")
_HAS_NETLOC_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]")


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that only tracks the visitor.

    >>> [is_tracking_param(n) for n in ("utm_source", "fbclid", "id", "page")]
    [True, True, False, False]
    """
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


@lru_cache(maxsize=256)
def _scheme(base: str) -> str:
    return urlsplit(base).scheme


def _join_base(url: str, base: str) -> str:
    """The part of ``base`` that urljoin() reads for ``url``: only the scheme for a URL with
    scheme and host. Caches keyed on it join a link found on many pages once."""
    if _HAS_NETLOC_RE.match(url):
        return f"{_scheme(base) if len(base) <= _CACHEABLE else urlsplit(base).scheme}://"
    return base


def canonical_url(url: str, base: str | None = None) -> str:
    """The canonical form of an http(s) URL: absolute, no fragment, no tracking parameters,
    query arguments sorted and percent-encoding normalized (w3lib's canonicalize_url).

    Other schemes (mailto:, javascript:) are returned stripped and unchanged.

    >>> canonical_url("HTTPS://www.SpaceWar.com/reports/X_999.html?utm_source=rss&b=2&a=1#top")
    'https://www.spacewar.com/reports/X_999.html?a=1&b=2'
    >>> canonical_url("/reports/Y.html?fbclid=abc", base="https://www.spacedaily.com/index.html")
    'https://www.spacedaily.com/reports/Y.html'
    >>> canonical_url("mailto:news@example.com")
    'mailto:news@example.com'
    >>> canonical_url("https://spacewar.com/reports/X_999.html")  # a bare host: one page, one key
    'https://www.spacewar.com/reports/X_999.html'
    """
    url = url.strip()
    if base:
        base = _join_base(url, base)
    if len(url) > _CACHEABLE or len(base or "") > _CACHEABLE:
        return _canonical_url.__wrapped__(url, base or None)
    return _canonical_url(url, base or None)


_PLAIN_URL_RE = re.compile(r"https?://[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/(?!\.\.?(?:/|$))[\w\-~.]*)*/?")
"""An http(s) URL that canonicalize_url leaves as it is: lower-case host, no port, user,
query or fragment, a path of unreserved characters only and no dot segments."""


def _is_plain_url(url: str) -> bool:
    """Whether urljoin and canonicalize_url leave an absolute URL as it is (see
    :data:`_PLAIN_URL_RE`; the host must be followed by a path).

    >>> _is_plain_url("https://www.spacewar.com/reports/X_999.html"), _is_plain_url("/x.html")
    (True, False)
    >>> [_is_plain_url(u) for u in ("https://a.com", "https://a.com/./b", "https://a.com/b?c")]
    [False, False, False]
    """
    return (_PLAIN_URL_RE.fullmatch(url) is not None and url.isascii()
            and "/" in url[8:])  # fmt: skip


@lru_cache(maxsize=_CACHE_SIZE)
def _canonical_url(url: str, base: str | None) -> str:
    # Cached: the same related and navigation links are canonicalized on page after page. In
    # a large crawl most related links are new to the cache, and nearly every link of the
    # network is an absolute plain URL, which urljoin (the most costly step) and w3lib would
    # return as it is: such a URL is taken as it is before any join.
    if _is_plain_url(url):
        return www_address(url)
    given = url
    if base:
        url = urljoin(base, url)
    elif url.startswith("//"):
        url = "https:" + url
    if url != given and _is_plain_url(url):  # a relative link joined into a plain URL
        return www_address(url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking_param(k)]  # fmt: skip
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return www_address(canonicalize_url(url))


def absolute_url(base: str, url: str | None) -> str | None:
    """An absolute http(s) URL, or None for empty, javascript: and mailto: links.

    >>> absolute_url("https://www.spacewar.com/reports/a.html", "/images/x.jpg")
    'https://www.spacewar.com/images/x.jpg'
    >>> absolute_url("https://www.spacewar.com/", "//www.spxdaily.com/images-hg/x-hg.jpg")
    'https://www.spxdaily.com/images-hg/x-hg.jpg'
    >>> absolute_url("https://www.spacewar.com/", "javascript:void(0)") is None
    True
    >>> absolute_url("https://www.spacewar.com/", "  ") is None
    True
    """
    url = (url or "").strip()
    if not url:
        return None
    if _PLAIN_URL_RE.fullmatch(url):
        return url  # nearly every link of the network: urljoin would return it as it is
    base = _join_base(url, base)
    if len(url) > _CACHEABLE or len(base) > _CACHEABLE:  # not worth keeping in the cache
        return _absolute_url.__wrapped__(base, url)
    return _absolute_url(base, url)


@lru_cache(maxsize=4096)
def _absolute_url(base: str, url: str) -> str | None:
    joined = urljoin(base, url)
    return joined if joined.startswith(("http://", "https://")) else None
