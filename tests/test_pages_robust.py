"""Malformed input never raises: broken, truncated, empty or binary pages give None or a record."""

from __future__ import annotations

import random
import re

import pytest
from scrapy.http import HtmlResponse

import crawler.pages
from crawler.mirror.render import render
from crawler.mirror.seed import SEED_URL, seed_article
from crawler.pages import extract_from_bytes, page_text

SEED = render(seed_article())


@pytest.fixture(autouse=True)
def _raise_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crawler.pages, "RAISE_ERRORS", True)


@pytest.mark.parametrize(
    "body",
    [b"", b" ", b"\x00\x01\x02" * 500, bytes(range(256)) * 40, b"<html", b"<html><body></body>",
     b"<!--body-2-incontainer.php-->", b"<h1>T<br></h1><!--body-2-incontainer.php--><p><p>",
     b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": ["x"]',
     b'<script type="application/ld+json">{"@graph": 5}</script><div class="entry-content">'
     b"<p>x</p>", b"<?xml version='1.0'?><rss><channel></channel></rss>"],
    ids=lambda b: repr(b[:20]),
)
def test_garbage_is_not_an_article(body: bytes) -> None:
    assert extract_from_bytes(body, SEED_URL) is None


@pytest.mark.parametrize("cut", [0.2, 0.4, 0.5, 0.6, 0.8, 0.95])
def test_truncated_seed_never_raises(cut: int) -> None:
    article = extract_from_bytes(SEED[: int(len(SEED) * cut)], SEED_URL)
    if article is not None:
        assert article.title and article.body and article.extraction == "template"


def test_truncated_after_body_keeps_the_body() -> None:
    cut = SEED.index(b"<!--RELATED LINKS-->") + 40
    article = extract_from_bytes(SEED[:cut], SEED_URL)
    assert article is not None
    assert article.body == "\n\n".join(seed_article().paragraphs)


def test_random_tag_soup_never_raises() -> None:
    rnd = random.Random(7)
    pieces = re.split(rb"(<[^>]*>)", SEED)
    for _ in range(30):
        soup = b"".join(p for p in pieces if rnd.random() > 0.2)
        extract_from_bytes(soup, SEED_URL)


def test_no_charset_windows_1252_is_not_left_to_charset_guessing() -> None:
    body = b"<html><body><h1>It\x92s<br></h1>\x93quoted\x94 \xe8</body></html>"
    assert page_text(HtmlResponse(SEED_URL, body=body)).endswith(
        "<h1>It\u2019s<br></h1>\u201cquoted\u201d \u00e8</body></html>")


def test_declared_charset_wins() -> None:
    body = "<p>\u010d</p>".encode("cp1250")
    response = HtmlResponse(SEED_URL, body=body,
                            headers={"Content-Type": "text/html; charset=windows-1250"})
    assert page_text(response) == "<p>\u010d</p>"


def test_unexpected_errors_are_logged_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(crawler.pages, "RAISE_ERRORS", False)

    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(crawler.pages.classic, "extract", boom)
    assert extract_from_bytes(SEED, SEED_URL) is None
    assert "extraction failed" in caplog.text


def test_unexpected_errors_raise_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(crawler.pages.classic, "extract", boom)
    with pytest.raises(RuntimeError):
        extract_from_bytes(SEED, SEED_URL)


@pytest.mark.parametrize("content_type", ["application/pdf", "image/jpeg", "application/rss+xml"])
def test_declared_non_html_is_not_an_article(content_type: str) -> None:
    assert extract_from_bytes(SEED, SEED_URL, {"Content-Type": content_type}) is None


def test_html_content_type_with_charset_is_read() -> None:
    article = extract_from_bytes(SEED, SEED_URL, {"Content-Type": "text/html; charset=utf-8"})
    assert article is not None and article.title == seed_article().title
