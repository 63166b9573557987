"""Pure text and URL cleaning helpers used by the clean pipeline.

Each helper takes and returns plain strings, so it is tested by the examples below (doctests)
and by ``tests/test_clean_text.py`` without Scrapy. HTML handling is w3lib's; mojibake repair is
ftfy's (a well-kept library that knows the windows-1252/latin-1 mix-ups far better than a table
of replacements would).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import ftfy
from w3lib.html import remove_tags, remove_tags_with_content, replace_entities
from w3lib.url import canonicalize_url

from crawler.fingerprint import tokens

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # entities are w3lib's job, done before
    uncurl_quotes=False,  # keep typographic quotes: they are the text, not an error
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)
_FTFY_SAFE_RE = re.compile(r"[^\t\n\x20-\x7e\u2013\u2014\u2018\u2019\u201c\u201d\u2026]")
"""A character ftfy may change; a text without any is left as it is (see fix_encoding)."""
_HAS_NETLOC_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]")
_CACHE_SIZE = 8192
"""Entries of the small caches of pure helpers (bounded: memory does not grow with a crawl)."""
_CACHEABLE = 2048
"""Longest string those caches keep: a hostile page cannot fill them with megabytes."""
_DROPPED_WITH_CONTENT = ("script", "style", "iframe", "noscript", "template")
_PARA_TAG_RE = re.compile(r"<\s*/?\s*(?:p|div|h[1-6]|li|blockquote|center|table|tr)\b[^>]*>", re.I)
_BR_RE = re.compile(r"<\s*br\s*/?\s*>", re.I)
_SELF_CLOSED_RE = re.compile(
    r"<(?:" + "|".join(_DROPPED_WITH_CONTENT) + r")(?=[\s/>])[^<>]*/>", re.I)


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
_ENTITY_RE = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[A-Za-z]{2,8});")
_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v\u00a0]*\n")
_BOILERPLATE_RE = re.compile(
    r"""^(?:
        subscribe(?:\s+free)?\s+to\s+our\s+(?:free\s+|daily\s+)*newsletters?
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
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "mkt_tok", "oly_anon_id", "oly_enc_id", "spm",
        "twclid", "ttclid", "li_fat_id", "vero_id", "wickedid", "s_cid", "ncid", "cmpid",
    }
)  # fmt: skip
"""Query parameters that only track the visitor; utm_* and hsa_* are matched as prefixes."""
_TRACKING_PREFIXES = ("utm_", "hsa_", "pk_", "mtm_")


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


def fix_encoding(text: str) -> str:
    """Repair mojibake (UTF-8 read as windows-1252) and normalize to NFC; good text is kept.

    >>> fix_encoding("NATO chief \u00e2\u20ac\u0153downplays\u00e2\u20ac\u009d threat")
    'NATO chief \u201cdownplays\u201d threat'
    >>> fix_encoding("Caf\u0065\u0301 \u201cquoted\u201d") == "Caf\u00e9 \u201cquoted\u201d"
    True
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


def collapse_inline(text: str) -> str:
    """All runs of whitespace (newlines and no-break spaces too) as one space, ends stripped.

    >>> collapse_inline("  NATO\\r\\n chief\\u00a0 downplays  ")
    'NATO chief downplays'
    """
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs of a text: split at blank lines, whitespace collapsed in each.

    A text with no blank line at all but several lines (CRLF pages) is split at line ends.

    >>> paragraphs("One\\r\\n  line.\\r\\n\\r\\n\\r\\nTwo.\\n \\n")
    ['One line.', 'Two.']
    >>> paragraphs("First.\\nSecond.")
    ['First.', 'Second.']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINE_RE.split(text) if _BLANK_LINE_RE.search(text) else text.split("\n")
    return [p for p in (collapse_inline(part) for part in parts) if p]


def is_boilerplate(paragraph: str) -> bool:
    """True for a share/subscribe/copyright/"read more" line that slipped into a text.

    >>> is_boilerplate("Subscribe Free To Our Daily Newsletters")
    True
    >>> is_boilerplate("Tweet")
    True
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


def same_text(a: str, b: str) -> bool:
    """True when two texts have the same words, ignoring case, punctuation and spacing.

    >>> same_text("NATO chief: \u201cNo\u201d escalation", "nato chief no escalation.")
    True
    """
    return tokens(a) == tokens(b)


def clean_inline(value: str | None) -> str | None:
    """A one-line field (title, byline, section, ...) cleaned; None when nothing is left.

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
    cleaned = collapse_inline(fix_encoding(strip_html(value)))
    return cleaned or None


def clean_body(body: str, title: str | None = None) -> str:
    """An article body cleaned: paragraphs separated by one blank line, boilerplate lines and a
    leading repeat of the headline removed.

    >>> clean_body("NATO chief speaks<p>He said&nbsp;no.<p>Tweet<p>Subscribe Free To Our "
    ...            "Daily Newsletters", title="NATO chief speaks")
    'He said no.'
    >>> clean_body("<p>One.\\r\\n<p>Two &#8211; <i>three</i>.<script>x()</script>")
    'One.\\n\\nTwo \u2013 three.'
    """
    paras = [p for p in paragraphs(fix_encoding(strip_html(body))) if not is_boilerplate(p)]
    if title and paras and same_text(paras[0], title):
        paras = paras[1:]
    return "\n\n".join(paras)


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that only tracks the visitor.

    >>> [is_tracking_param(n) for n in ("utm_source", "fbclid", "id", "page")]
    [True, True, False, False]
    """
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


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
    """
    url = url.strip()
    if base and _HAS_NETLOC_RE.match(url):
        # urljoin() takes only the scheme of the base from a base for such a URL: key the cache
        # on that, so one link found on many pages is canonicalized once.
        base = f"{_scheme(base) if len(base) <= 2048 else urlsplit(base).scheme}://"
    if len(url) > _CACHEABLE or len(base or "") > _CACHEABLE:
        return _canonical_url.__wrapped__(url, base or None)
    return _canonical_url(url, base or None)


@lru_cache(maxsize=256)
def _scheme(base: str) -> str:
    return urlsplit(base).scheme


@lru_cache(maxsize=_CACHE_SIZE)
def _canonical_url(url: str, base: str | None) -> str:
    # Cached: the same related and navigation links are canonicalized on page after page.
    url = url.strip()
    if base:
        url = urljoin(base, url)
    elif url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not is_tracking_param(k)]  # fmt: skip
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return canonicalize_url(url)


def absolute_url(url: str | None, base: str) -> str | None:
    """An address made absolute against the page address; None for an empty one.

    >>> absolute_url("/images-hg/x-hg.jpg", "https://www.spacewar.com/reports/X.html")
    'https://www.spacewar.com/images-hg/x-hg.jpg'
    >>> absolute_url("//www.spxdaily.com/images-hg/x-hg.jpg", "https://www.spacewar.com/")
    'https://www.spxdaily.com/images-hg/x-hg.jpg'
    >>> absolute_url("  ", "https://www.spacewar.com/") is None
    True
    """
    if url is None or not url.strip():
        return None
    return urljoin(base, url.strip())
