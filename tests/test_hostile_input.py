"""Hostile input: extraction, cleaning and feed parsing over arbitrary and crafted bytes.

Properties (hypothesis): any bytes, any encoding declaration, any nesting yield a schema-valid
record or None -- never an exception (the extractor runs with RAISE_ERRORS on) and never more
than a bounded time per page. Feeds with external entities or entity bombs are parsed without
resolving or expanding anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crawler.pages
from crawler.items import Article
from crawler.mirror.hostile import hostile_feed
from crawler.mirror.render import render
from crawler.mirror.seed import SEED_URL, seed_article
from crawler.navigation.feedlinks import feed_links, looks_like_feed
from crawler.pages import extract_from_bytes
from crawler.schema import describe, is_valid, reason_slug, validation_errors
from crawler.text import canonical_url, clean_body, clean_inline, strip_html

SEED = render(seed_article())
PAGE_SECONDS = 3.0
"""The most one page may take to extract, even a hostile one (2 slow cores, in parallel)."""
HYPO = settings(max_examples=40, deadline=timedelta(seconds=PAGE_SECONDS),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(autouse=True)
def _raise_errors() -> Iterator[None]:
    """Programming errors escape instead of being logged (hypothesis-friendly: no monkeypatch
    fixture per example)."""
    old = crawler.pages.RAISE_ERRORS
    crawler.pages.RAISE_ERRORS = True
    yield
    crawler.pages.RAISE_ERRORS = old


def check(body: bytes, headers: dict[str, str] | None = None, url: str = SEED_URL) -> None:
    """Extract within the time bound; a record must be final and valid."""
    started = time.perf_counter()
    article = extract_from_bytes(body, url, headers, crawled_at="2026-01-01T00:00:00Z")
    took = time.perf_counter() - started
    assert took < PAGE_SECONDS, f"{took:.1f} s for {len(body)} bytes"
    if article is None:
        return
    assert isinstance(article, Article)
    record = article.to_dict()
    assert validation_errors(record) == [], [describe(e) for e in validation_errors(record)]
    assert is_valid(record)


# --- strategies ---------------------------------------------------------------------------

ENCODINGS = ["utf-8", "UTF8", "windows-1252", "cp1252", "latin-1", "iso-8859-1", "utf-16",
             "utf-16-le", "utf-16be", "utf-32", "shift_jis", "gb18030", "koi8-r", "cp1250",
             "utf-7", "x-user-defined", "bogus", "", "utf-8\x00", "../../etc", "\u00e9t\u00e9",
             "a" * 300, "unicode-1-1-utf-7", "csUnicode", "replacement"]
BOMS = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"]
FRAGMENTS = [
    b"<html>", b"</html>", b"<head>", b"<body>", b"<div>", b"</div>", b"<p>", b"</p>", b"<br>",
    b"<h1>", b"</h1>", b"<title>", b"</title>", b"<script>", b"</script>", b"<!--", b"-->",
    b"<![CDATA[", b"]]>", b"&amp;", b"&#0;", b"&#xD800;", b"&#1114112;", b"&nbsp;", b"&bogus;",
    b"\x00", b"\xff\xfe", b"\xc3", b"\xe2\x80", b"\r\n", b"\t", b"<!--body-2-incontainer.php-->",
    b'<meta property="og:url" content="../../etc/passwd">',
    b'<meta property="og:type" content="article">',
    b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": ',
    b'<div class="entry-content">', b'<span class="BH2">', b"<!DOCTYPE html>",
    b"Paris (AFP) May 31, 2024 - ", b"by Staff Writers", b"The minister said on Tuesday. ",
    b"<a href=\"javascript:alert(1)\">", b"<a href='file:///etc/passwd'>", b"</a>",
    b'<img src="data:image/png;base64,AAAA">', b"<?xml version='1.0'?>", b"<rss>",
]


def _declared(body: bytes, encoding: str, where: str) -> tuple[bytes, dict[str, str]]:
    enc = encoding.encode("utf-8", "replace")
    if where == "meta":
        return b'<meta charset="' + enc + b'">' + body, {}
    if where == "http-equiv":
        return (b'<meta http-equiv="Content-Type" content="text/html; charset=' + enc + b'">'
                + body, {})
    if where == "prolog":
        return b'<?xml version="1.0" encoding="' + enc + b'"?>' + body, {}
    if where == "header":
        return body, {"Content-Type": f"text/html; charset={encoding}"}
    return body, {}


@st.composite
def declared_pages(draw: st.DrawFn) -> tuple[bytes, dict[str, str]]:
    """A page (the seed, mutated, or fragment soup) re-encoded and declared, maybe wrongly."""
    base = draw(st.sampled_from(["seed", "soup"]))
    if base == "seed":
        body = SEED
        for _ in range(draw(st.integers(0, 4))):
            at = draw(st.integers(0, len(body)))
            cut = draw(st.integers(0, 2000))
            insert = draw(st.sampled_from(FRAGMENTS))
            body = body[:at] + insert + body[at + cut:]
    else:
        body = b"".join(draw(st.lists(st.sampled_from(FRAGMENTS) | st.binary(max_size=40),
                                      max_size=80)))
    real = draw(st.sampled_from(["utf-8", "cp1252", "utf-16", "latin-1", "as-is"]))
    if real != "as-is":
        body = body.decode("latin-1").encode(real, "replace")
    body = draw(st.sampled_from(BOMS)) + body
    where = draw(st.sampled_from(["meta", "http-equiv", "prolog", "header", "none"]))
    return _declared(body, draw(st.sampled_from(ENCODINGS)), where)


# --- extraction ---------------------------------------------------------------------------

@HYPO
@given(st.binary(max_size=4000))
def test_any_bytes(body: bytes) -> None:
    check(body)


@HYPO
@given(st.binary(max_size=2000), st.sampled_from(ENCODINGS), st.sampled_from(BOMS))
def test_any_bytes_with_any_declared_encoding(body: bytes, encoding: str, bom: bytes) -> None:
    check(bom + body, {"Content-Type": f"text/html; charset={encoding}"})


@HYPO
@given(declared_pages())
def test_mutated_and_declared_pages(page: tuple[bytes, dict[str, str]]) -> None:
    check(*page)


@HYPO
@given(st.text(max_size=300), st.sampled_from(["classic", "wordpress", "legacy"]))
def test_any_title_and_text_in_every_layout(text: str, layout: str) -> None:
    a = seed_article()
    a.layout = layout
    a.title = text or "x"
    a.paragraphs = [text, *a.paragraphs[1:]]
    check(render(a))


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("tag", [b"div", b"p", b"b", b"table"])
def test_deep_nesting(depth: int, tag: bytes) -> None:
    opened = b"<" + tag + b">"
    check(b"<html><body>" + opened * depth + b"Text." + b"</" + tag + b">" * depth)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_nesting_inside_an_article(depth: int) -> None:
    anchor = b"<!--body-2-incontainer.php-->"
    check(SEED.replace(anchor, anchor + b"<div>" * depth, 1))


@pytest.mark.parametrize("body", [
    b"<html><body>" + b"<p>x " * 100_000,
    b"<html><body><div " + b" ".join(b"a%d=x" % i for i in range(50_000)) + b">t</div>",
    b'<script type="application/ld+json">' + b"[" * 100_000 + b"]" * 100_000 + b"</script>"
    b'<div class="entry-content"><p>x</p></div>',
    b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": "'
    + b"A" * 2_000_000 + b'"}</script><div class="entry-content"><p>x</p></div>',
    b"<html><body>" + b"<!--" * 100_000,
    b"<html><body><p>" + b"word " * 400_000,
    b"<html><head><title>" + b"&amp;" * 200_000 + b"</title></head><body><h1>T</h1>",
], ids=["100k-unclosed-p", "attribute-flood", "json-ld-nesting", "json-ld-2MB-string",
        "comment-openers", "2MB-paragraph", "entity-title"])
def test_hostile_shapes_are_bounded(body: bytes) -> None:
    check(body)


# --- cleaning -----------------------------------------------------------------------------

@HYPO
@given(st.text(max_size=2000) | st.binary(max_size=2000).map(lambda b: b.decode("latin-1")))
def test_cleaning_helpers_never_raise(text: str) -> None:
    started = time.perf_counter()
    inline = clean_inline(text)
    assert inline is None or ("\n" not in inline and inline == inline.strip())
    body = clean_body(text, title=text[:50])
    assert "\n\n\n" not in body
    strip_html(text)
    canonical_url(text, base="https://www.spacewar.com/reports/X_999.html")
    assert time.perf_counter() - started < PAGE_SECONDS


@HYPO
@given(st.dictionaries(st.sampled_from(["url", "title", "body", "byline", "section",
                                        "image_url", "related_links", "authors"]),
                       st.none() | st.text(max_size=200) | st.integers()
                       | st.lists(st.text(max_size=20) | st.dictionaries(
                           st.text(max_size=5), st.text(max_size=20), max_size=3),
                           max_size=3)))
def test_schema_checks_take_any_item_shape_and_agree(item: dict[str, object]) -> None:
    errors = validation_errors(item)
    assert is_valid(item) == (not errors)
    assert all(reason_slug(e) for e in errors)


@pytest.mark.parametrize("text", [
    "<" * 200_000, "<p>" * 100_000, "&" * 200_000, "&amp;" * 100_000, "<!--" * 100_000,
    "<script>" * 50_000, "a\u0301" * 100_000, "\u00e2\u20ac" * 100_000,
])
def test_cleaning_hostile_shapes_is_bounded(text: str) -> None:
    started = time.perf_counter()
    clean_body(text)
    clean_inline(text)
    assert time.perf_counter() - started < PAGE_SECONDS


# --- feeds --------------------------------------------------------------------------------

GOOD = "https://www.spacewar.com/reports/Good_story_999.html"
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(b'<!ENTITY %s "%s">' % (chr(98 + i).encode(),
                                              (b"&%s;" % chr(97 + i).encode()) * 10)
                     for i in range(9))
          + b']>\n<rss><channel><title>&j;</title><item><title>&j;</title>'
          + f"<link>{GOOD}</link></item></channel></rss>".encode())
XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">'
       b'<!ENTITY y SYSTEM "http://127.0.0.1:9/_probe/xxe">'
       b'<!ENTITY % p SYSTEM "http://127.0.0.1:9/_probe/dtd"> %p;]>\n'
       b"<rss><channel><item><title>&x;&y;</title><link>" + GOOD.encode()
       + b"</link><description>&x;</description></item>"
       b"<item><link>&x;</link></item></channel></rss>")
XINCLUDE = (b'<rss xmlns:xi="http://www.w3.org/2001/XInclude"><channel><item>'
            b'<link>' + GOOD.encode() + b'</link><xi:include href="file:///etc/passwd" '
            b'parse="text"/></item></channel></rss>')


@pytest.mark.parametrize("feed", [LAUGHS, XXE, XINCLUDE, hostile_feed(GOOD, b"http://127.0.0.1:9")],
                         ids=["billion-laughs", "xxe", "xinclude", "mirror-hostile-feed"])
def test_hostile_feeds_are_parsed_without_resolving_or_expanding(feed: bytes) -> None:
    assert looks_like_feed(feed)
    started = time.perf_counter()
    links, _ = feed_links(feed)
    assert time.perf_counter() - started < 1.0
    assert GOOD in links
    text = " ".join(links)
    assert "root:" not in text and "_probe" not in text
    assert all(len(link) < 2048 for link in links)  # nothing expanded
    assert all(link.startswith("https://") for link in links)


def test_a_file_entity_never_reads_the_file(tmp_path: pytest.TempPathFactory) -> None:
    secret = tmp_path / "secret.txt"  # type: ignore[operator]
    secret.write_text("TOPSECRET")
    feed = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
            f"<rss><channel><item><link>{GOOD}?&s;</link></item>"
            f"<item><link>&s;</link></item></channel></rss>").encode()
    links, _ = feed_links(feed)
    assert "TOPSECRET" not in " ".join(links)


@HYPO
@given(st.binary(max_size=3000) | st.lists(st.sampled_from([
    b"<rss>", b"<channel>", b"<item>", b"</item>", b"<link>", b"</link>", b"<![CDATA[", b"]]>",
    b"&x;", b'<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>', GOOD.encode(),
    b"<feed xmlns='http://www.w3.org/2005/Atom'>", b"<entry>", b"<link href='", b"'/>",
    b"\x00", b"\xff"]), max_size=60).map(b"".join))
def test_any_feed_bytes_never_raise(body: bytes) -> None:
    links, clean = feed_links(body)
    assert isinstance(clean, bool)
    assert all(isinstance(link, str) for link in links)
