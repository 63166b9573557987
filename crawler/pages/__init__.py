"""Page objects: one response in, one Article (or None for a page that is not an article) out.

No requests and no state. Every field comes out final: cleaned once where it is made, by the one
text cleaner (crawler.text); no pipeline cleans it again, so ``python -m crawler extract PAGE``
prints the very record a crawl exports. The path is chosen per page:

1. ``template`` (crawler.pages.classic) when the classic body anchor
   ``<!--body-2-incontainer.php-->`` is present -- regexes over the raw text, no DOM;
2. ``metadata`` (crawler.pages.metadata) for a WordPress page with JSON-LD NewsArticle or
   og:type article; its body, byline and dateline read in the order of its text;
3. the order of the text (crawler.pages.textorder): the March 2026 spacewar layout, AFP wire
   pages and any page with a headline followed by a byline or a dateline -- ``template`` when
   the credits come in a layout of the network, ``fallback`` when they do not;
4. ``fallback`` (crawler.pages.fallback) otherwise -- trafilatura's main text.

The wrapper decodes pages without a declared charset as UTF-8, else windows-1252 (Scrapy would
ask charset-normalizer, which guesses cp1250 and others for short Western pages), and fills
word_count, fingerprint, language and crawled_at. Malformed input (broken or truncated HTML,
empty or binary bodies) gives None or a best-effort record, never an exception: an unexpected
error is logged with its traceback and the page yields None -- unless ``RAISE_ERRORS`` is true,
as the tests set it, so that programming errors are not swallowed there.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

from parsel import Selector
from scrapy.http import HtmlResponse, Response, TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.items import Article
from crawler.pages import classic, criteria, fallback, metadata, textorder
from crawler.pages.dateline import looks_like_byline, looks_like_dateline, may_read_as_credit
from crawler.pages.lines import MAX_LINES, iter_lines
from crawler.similarity import fingerprint
from crawler.sites import looks_like_article_url
from crawler.text import word_count

__all__ = ["RAISE_ERRORS", "extract_article", "extract_from_bytes", "page_links", "page_selector",
           "page_text"]

logger = logging.getLogger(__name__)

RAISE_ERRORS = False
"""Let unexpected exceptions escape instead of logging them (set by the tests)."""

_FEED_RE = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S)
_MIN_HTML_BYTES = 64
MAX_FALLBACK_NODES = 15_000
"""Elements plus attributes above which a page is not given to trafilatura (whose time grows
faster than linearly: ~2 s at this size); real article pages have a few thousand."""


_LONG_TAG_RE = re.compile(r"<[A-Za-z][^<>]{20000,}")
MAX_TAG_ATTRIBUTES = 2_000
"""More attributes than this in one tag make a page hostile: libxml2 checks attributes for
duplicates in quadratic time (50k attributes: ~6 s to parse)."""


def has_attribute_flood(text: str) -> bool:
    """Whether one tag of the page carries more than MAX_TAG_ATTRIBUTES attributes.

    >>> has_attribute_flood("<div " + " ".join(f"a{i}=x" for i in range(5000)) + ">")
    True
    >>> has_attribute_flood('<img src="data:image/png;base64,' + "A" * 30000 + '">')
    False
    """
    return any(m.group().count("=") > MAX_TAG_ATTRIBUTES for m in _LONG_TAG_RE.finditer(text))


def too_complex(root: object, budget: int = MAX_FALLBACK_NODES) -> bool:
    """Whether a parsed document has more than ``budget`` elements plus attributes.

    >>> from parsel import Selector
    >>> too_complex(Selector(text="<div>" * 50).root, budget=40)
    True
    >>> too_complex(Selector(text="<p a=1>x</p>").root)
    False
    """
    count = 0
    for el in getattr(root, "iter", lambda: ())():
        count += 1 + len(el.attrib)
        if count > budget:
            return True
    return False


_BODY_IN_METADATA_XPATH = "//script[@type='application/ld+json'][contains(., 'articleBody')]"


def hub_signals(sel: Selector, url: str, text: str) -> tuple[int, int, bool, bool, bool]:
    """The cheap signals of :func:`criteria.is_hub`: words in ``<body>``, ``<article>``
    elements, whether the address or og:url has an article form, a JSON-LD articleBody, and
    a sign of a news item (that article form, date metadata, or a credit line in ``text``;
    True without looking when the other signals decide).

    >>> hub_signals(Selector(text="<body><article>a b</article><script>x y</script></body>"),
    ...             "https://spacedaily.com/category/x/", "<article>a b</article>")
    (2, 1, False, False, True)
    >>> page = "<body>" + "<p>Advertise with us: rates and sizes of banners.</p>" * 12 + "</body>"
    >>> hub_signals(Selector(text=page), "https://www.spacewar.com/advertising.html", page)
    (96, 0, False, False, False)
    """
    root = sel.root
    words = len(" ".join(root.xpath(fallback.BODY_TEXT_XPATH, smart_strings=False)).split())
    items = int(root.xpath("count(//article)"))
    og_url = sel.xpath("//meta[@property='og:url']/@content").get() or ""
    article_address = looks_like_article_url(url) or looks_like_article_url(og_url)
    in_metadata = bool(root.xpath(_BODY_IN_METADATA_XPATH))
    decided = (in_metadata or words < criteria.MIN_WORDS["fallback"]
               or items >= criteria.MIN_LISTING_ITEMS)  # fmt: skip
    # A sign of news is looked for only when the other signals leave the page undecided: the
    # credit lines are read from every line of the page.
    news_sign = decided or article_address or bool(root.xpath(fallback.DATE_META_XPATH)) or (
        has_credit_line(text))
    return words, items, article_address, in_metadata, news_sign


def has_credit_line(text: str, window: int = 3) -> bool:
    """Whether any line of the page, alone or joined with the next ones up to ``window`` lines
    (a link splits ``By <a>Name</a>`` into two lines; trafilatura would not), reads as a
    dateline or a byline. A page longer than the lines reader reads counts as having one.

    >>> has_credit_line("<p>Advertise with us</p><p>Rates and sizes</p>")
    False
    >>> has_credit_line("<p>By <a href='/author/jane'>Jane Smith</a></p><p>Text</p>")
    True
    >>> has_credit_line("<div>Paris (AFP) May 31, 2024</div>")
    True
    """
    recent: list[str] = []
    read = 0
    for line in iter_lines(text):
        read += 1
        recent = [*recent[1 - window:], line.text]
        for k in range(len(recent)):
            if not may_read_as_credit(recent[k], line.text):
                continue  # most windows of a hub: not read further
            joined = " ".join(recent[k:])
            if looks_like_dateline(joined) or looks_like_byline(joined):
                return True
    return read >= MAX_LINES


def page_text(response: TextResponse) -> str:
    """The page decoded by its declared charset, else as UTF-8, else as windows-1252.

    Never asks Scrapy to infer an undeclared charset: its guess (charset-normalizer) costs more
    than the extraction of a page, and guesses cp1250 and others for short Western pages.

    >>> page_text(HtmlResponse("https://www.spacewar.com/a.html", body=b"<p>It\\x92s caf\\xe9</p>"))
    '<p>It\u2019s caf\u00e9</p>'
    """
    text = _TEXTS.get(response)
    if text is None:  # decoded once: the meta refresh middleware reads it before extraction
        text = _TEXTS[response] = _decoded(response)
    return text


def _decoded(response: TextResponse) -> str:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    if (http_content_type_encoding(content_type) or read_bom(response.body)[0]
            or html_body_declared_encoding(response.body)):
        return response.text
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        return response.body.decode("cp1252", errors="replace")


_TEXTS: WeakKeyDictionary[TextResponse, str] = WeakKeyDictionary()
_SELECTORS: WeakKeyDictionary[TextResponse, Selector] = WeakKeyDictionary()


def page_selector(response: TextResponse) -> Selector:
    """The page's DOM (decoded by :func:`page_text`), parsed once per response: extraction and
    the spider's link reading share it.

    >>> r = HtmlResponse("https://www.spacewar.com/", body=b"<a href='/x.html'>x</a>")
    >>> page_selector(r).xpath("//a/@href").getall(), page_selector(r) is page_selector(r)
    (['/x.html'], True)
    """
    sel = _SELECTORS.get(response)
    if sel is None:
        sel = Selector(text=page_text(response), type="html", base_url=response.url)
        _SELECTORS[response] = sel
    return sel


def page_links(response: TextResponse) -> list[str]:
    """The ``href`` of every ``<a>`` of the page, as written, in order (from the shared DOM, as
    plain strings: no Selector object per link).

    >>> page_links(HtmlResponse("https://www.spacewar.com/", body=b"<a href='/x.html'>x</a><a>y"))
    ['/x.html']
    """
    root = page_selector(response).root
    return list(root.xpath("//a/@href", smart_strings=False)) if hasattr(root, "xpath") else []


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _extract(response: Response) -> Article | None:
    if not isinstance(response, TextResponse) or len(response.body) < _MIN_HTML_BYTES:
        return None
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if content_type and "html" not in content_type:
        return None
    text = page_text(response)
    if b"\x00" in response.body[:2048] or _FEED_RE.match(text[:4096]):
        return None
    if classic.matches(text):
        article = classic.extract(text, response.url)
    elif has_attribute_flood(text):
        logger.warning("page with an attribute flood skipped: %s", response.url)
        return None
    elif (wordpress := metadata.read(text)) is not None:
        article = metadata.extract(text, wordpress, response.url)
    else:
        article = textorder.extract(text, response.url)
        if article is None:  # only now is the DOM parsed (the spider reads a hub's links in it)
            sel = page_selector(response)
            if too_complex(sel.root):
                logger.warning("page too complex for the fallback extractor: %s", response.url)
                return None
            if criteria.is_hub(*hub_signals(sel, response.url, text)):
                return None  # decided before the fallback: no trafilatura call on hubs
            article = fallback.extract(sel, text, response.url)
    if article is None:
        return None
    # The body's words are counted once: for this check and for the record's word_count.
    words = word_count(article.body)
    if not criteria.is_article(article.title, article.body.split("\n\n"), article.extraction,
                               dated=article.dateline is not None, words=words):
        return None
    article.word_count = words
    return article


def extract_article(response: Response, *, crawled_at: str | None = None) -> Article | None:
    """The Article of a page, or None when the page is not an article.

    ``crawled_at`` (UTC, 'YYYY-MM-DDTHH:MM:SSZ') defaults to now.
    """
    try:
        article = _extract(response)
    except Exception:
        if RAISE_ERRORS:
            raise
        logger.exception("extraction failed for %s", getattr(response, "url", "?"))
        return None
    if article is None:
        return None
    article.fingerprint = fingerprint(article.body)
    article.language = "en"
    article.crawled_at = crawled_at or _now()
    return article


def extract_from_bytes(
    body: bytes, url: str, headers: dict[str, str] | None = None, *, crawled_at: str | None = None
) -> Article | None:
    """The Article of a page given as bytes, as fetched from ``url`` with ``headers``.

    Used by ``python -m crawler extract FILE_OR_URL --url LIVE_URL`` and by the tests.
    """
    response = HtmlResponse(url=url, body=body, headers=headers or {})
    return extract_article(response, crawled_at=crawled_at)
