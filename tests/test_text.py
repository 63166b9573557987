"""The one text cleaner (crawler.text): beyond the doctests, the cases pages really show."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from urllib.parse import urljoin

import pytest
from w3lib.url import canonicalize_url

from crawler.similarity import word_tokens
from crawler.sites import www_address
from crawler.text import (
    absolute_url,
    canonical_url,
    clean_body,
    clean_inline,
    fix_encoding,
    is_boilerplate,
    strip_html,
)


def test_scripts_styles_iframes_removed_with_content() -> None:
    html = (
        "<p>Before.<script type='text/javascript'>document.write('<b>ad</b>');</script>"
        "<style>p { color: red }</style><iframe src='/sponsors/x.html'>frame text</iframe>"
        "<center><img src='black.jpg'></center> After."
    )
    assert clean_body(html) == "Before.\n\nAfter."


def test_classic_body_with_bare_p_and_crlf() -> None:
    html = (
        "NATO chief Jens Stoltenberg on Friday\r\nplayed down the threat.\r\n<p>\r\n"
        "&#8220;I welcome that,&#8221; he said &#8211; in Prague.&nbsp;\r\n<p>"
        "Germany -- which has refused -- has been ambiguous.\r\n"
    )
    assert clean_body(html) == (
        "NATO chief Jens Stoltenberg on Friday played down the threat.\n\n"
        "\u201cI welcome that,\u201d he said \u2013 in Prague.\n\n"
        "Germany -- which has refused -- has been ambiguous."
    )


def test_paragraph_breaks_kept_as_one_blank_line() -> None:
    assert clean_body("One.\n\n\n\n  Two.  \n \n\nThree.") == "One.\n\nTwo.\n\nThree."


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        (
            "It\u00e2\u20ac\u2122s a \u00e2\u20ac\u0153test\u00e2\u20ac\u009d",
            "It\u2019s a \u201ctest\u201d",
        ),
        (
            "S\u00c3\u00a3o Paulo \u00e2\u20ac\u201c Bras\u00c3\u00adlia",
            "S\u00e3o Paulo \u2013 Bras\u00edlia",
        ),
        ("Caf\u00c3\u00a9", "Caf\u00e9"),
    ],
)
def test_windows_1252_mojibake_repaired(broken: str, fixed: str) -> None:
    assert fix_encoding(broken) == fixed


def test_good_text_left_alone() -> None:
    text = "Zürich \u2013 \u201cquoted\u201d \u2018single\u2019 \u00a9 2024, 5\u00b0C, \u00bd"
    assert fix_encoding(text) == text


def test_nfc() -> None:
    assert fix_encoding("e\u0301") == "\u00e9"


def test_double_escaped_entities() -> None:
    assert strip_html("&amp;#8220;Hi&amp;#8221;") == "\u201cHi\u201d"


@pytest.mark.parametrize(
    "line",
    [
        "Subscribe Free To Our Daily Newsletters",
        "Tweet",
        "Share this article via these social bookmark links",
        "Copyright 2024 Space Media Network",
        "\u00a9 2024 AFP",
        "The content herein, unless otherwise known to be public domain, are Copyright 1995-2024",
        "Beijing (AFP) May 28, 2024 China expressed on Tuesday grave concern ... read more",
        "Read more",
        "RELATED CONTENT",
        "The following news reports may link to other Space Media Network websites.",
        "Comment on this article using your Disqus, Facebook, Google or Twitter login.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "He said he would tweet about it later, and share the details with reporters.",
        "Read more about the mission on the agency's website, officials said in the statement.",
        "Copyright holders objected to the new rules.",
        "Subscribers to the service rose 20 percent.",
    ],
)
def test_real_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_boilerplate_removed_from_body_anywhere() -> None:
    body = "Tweet\n\nFirst.\n\nSubscribe Free To Our Daily Newsletters\n\nSecond.\n\nRead more"
    assert clean_body(body) == "First.\n\nSecond."


def test_repeated_headline_removed_only_when_equal() -> None:
    title = "NATO chief downplays Kremlin escalation threat"
    assert clean_body("NATO chief downplays Kremlin escalation threat\n\nText.", title) == "Text."
    assert clean_body("NATO Chief Downplays Kremlin Escalation Threat.\n\nText.", title) == "Text."
    kept = "NATO chief downplays Kremlin escalation threat, officials said.\n\nText."
    assert clean_body(kept, title) == kept
    assert clean_body(f"Text.\n\n{title}", title) == f"Text.\n\n{title}"


def test_inline_fields() -> None:
    assert clean_inline("by <a href='/x'>Issam&nbsp;AHMED</a>\r\n") == "by Issam AHMED"
    assert clean_inline("") is None
    assert clean_inline(None) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.spacewar.com/reports/X_999.html?utm_source=feed&utm_medium=rss#comments",
            "https://www.spacewar.com/reports/X_999.html",
        ),
        (
            "https://www.spacewar.com/reports/X.html?fbclid=IwAR0&gclid=abc&id=3&a=1",
            "https://www.spacewar.com/reports/X.html?a=1&id=3",
        ),
        ("HTTPS://WWW.SPACEDAILY.COM/reports/X.html", "https://www.spacedaily.com/reports/X.html"),
        (
            "https://spacedaily.com/nasa-picks-rover/?UTM_Campaign=x",
            "https://spacedaily.com/nasa-picks-rover/",
        ),
        (
            "https://www.spacewar.com/reports/caf\u00e9.html",
            "https://www.spacewar.com/reports/caf%C3%A9.html",
        ),
        ("  https://www.spacewar.com/a b.html  ", "https://www.spacewar.com/a%20b.html"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    url = "https://www.spacewar.com/reports/X.html?b=%7E&a=1 2&utm_id=4#f"
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_relative_related_link_made_absolute() -> None:
    base = "https://www.spacewar.com/reports/X_999.html"
    assert (
        canonical_url("../reports/Y_999.html", base)
        == "https://www.spacewar.com/reports/Y_999.html"
    )
    assert (
        canonical_url("//www.terradaily.com/a.html#x", base) == "https://www.terradaily.com/a.html"
    )


def test_plain_links_take_the_short_way_to_what_w3lib_gives() -> None:
    """Links of unreserved characters skip w3lib and urljoin; the results must be the ones
    w3lib and urljoin give (no query or fragment here: those are canonical_url's own work
    before w3lib's)."""
    rnd = random.Random(3)
    pieces = ["a", "Z", "9", "-", "_", "~", ".", "..", "X_999", "index.html", "%7e", "%41", "",
              "caf\u00e9", " ", ";x", "+", "'", "//", "A%2Fb"]  # fmt: skip
    hosts = ["www.spacewar.com", "spacewar.com", "WWW.SpaceWar.com", "spacedaily.com",
             "a-b.example.org", "www.spacewar.com:443", "127.0.0.1"]  # fmt: skip
    for _ in range(3000):
        path = "/".join("".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 3)))
                        for _ in range(rnd.randint(1, 4)))  # fmt: skip
        url = f"{rnd.choice(['https', 'http'])}://{rnd.choice(hosts)}/{path}"
        assert canonical_url(url) == www_address(canonicalize_url(url.strip())), url
        for base in ("https://www.spacewar.com/reports/X_999.html", "http://spacedaily.com/"):
            joined = urljoin(base, url.strip())
            assert absolute_url(base, url) == joined, (base, url)
            assert canonical_url(url, base) == www_address(canonicalize_url(joined)), (base, url)


def test_word_tokens_are_the_word_runs_of_the_folded_text() -> None:
    """word_tokens finds words without a regex; the definition is re's ``\\w+`` over the NFKD
    case fold with combining marks removed, checked on random texts of awkward characters."""
    def reference(text: str) -> list[str]:
        folded = unicodedata.normalize("NFKD", text.casefold())
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
        return re.findall(r"\w+", folded)

    rng = random.Random(7)
    alphabet = ("aZ_09 .,'\"-\t\n\u2019\u201c\u00e9\u0301\u00b2\u00a0\u2003\u0660\uff21\u1d43"
                "\u00df\u0130\x1c\x85\u200b\u3000\u4e2d\u2167\u210c\ufb01\u00c5\u0627\u064b")
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert word_tokens(text) == reference(text), repr(text)


def test_signatures_are_datasketchs_default_minhash() -> None:
    """The sketch hashes its shingles in one pass; its signatures must be the ones datasketch
    computes with its own default hash (states store them across runs and machines)."""
    from datasketch import MinHash

    from crawler import similarity

    rng = random.Random(3)
    words = [f"w{i}" for i in range(300)] + ["caf\u00e9", "na\u00efve", "\u4e2d"]
    for n in (0, 1, 3, 4, 5, 50, 400):
        text = " ".join(rng.choice(words) for _ in range(n))
        reference = MinHash(num_perm=similarity.NUM_PERM, seed=similarity.SEED,
                            scheme=similarity.SCHEME)
        reference.update_batch(list(similarity.shingles(text)))
        assert list(similarity.minhash(text).hashvalues) == list(reference.hashvalues), n
        assert similarity.sketch(text).signature == similarity.signature_bytes(reference), n


def test_sketches_of_real_texts_are_datasketchs_signatures() -> None:
    """The sketch computes its signature without a MinHash object; on every real text (read
    from ../shared/data/real-text/ now) it must equal the signature datasketch computes."""
    from datasketch import MinHash

    from crawler import similarity
    from tests.crawling import SHARED

    texts = sorted((SHARED / "data" / "real-text").glob("*.txt"))
    assert len(texts) >= 20
    for path in texts:
        text = path.read_text(encoding="utf-8")
        reference = MinHash(num_perm=similarity.NUM_PERM, seed=similarity.SEED,
                            scheme=similarity.SCHEME)
        words = word_tokens(text)  # the shingles and lead keys by their definitions
        grams = {" ".join(words[i : i + 4]).encode() for i in range(len(words) - 3)}
        assert len(grams) > 100, path.name
        assert similarity.shingles(text) == grams, path.name
        reference.update_batch(list(grams))
        sketch = similarity.sketch(text)
        assert sketch.signature == similarity.signature_bytes(reference), path
        assert sketch.size == len(grams), path.name
        lead = sorted(int.from_bytes(hashlib.blake2b(b"lead " + " ".join(words[i : i + 4]).encode(),
                                                     digest_size=8).digest(), "little", signed=True)
                      for i in range(37))  # the 4-word shingles of the first 40 words
        assert sketch.lead == tuple(lead[:2]), path.name
