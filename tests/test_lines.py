"""The lines reader (crawler.pages.lines) against pages generated from known lines.

Each page is written from a list of lines (texts split into inline runs, and links) in random
markup: one or several block tags with blanks between lines, inline tags between runs,
comments and scripts anywhere, entities for some characters. The generator's lines are the
truth the reader must give back.
"""

from __future__ import annotations

import html
import random
import re

import pytest

from crawler.pages.lines import INLINE_TAGS, UNSEEN_TAGS, alternation, iter_lines

WORDS = ("NATO", "chief", "caf\u00e9", "Kyiv\u2019s", "forces", "3 < 4", "A & B", "(AFP)", "May",
         "31,", "2024", "by", "Staff", "Writers", "x")
BLOCKS = ("<br>", "<br/>", "<p>", "</p>", "<div class='c'>", "</div>", "<td>", "</tr>", "<h1>",
          "<center>", "<li>", "<hr>")
INLINES = ("<b>", "</b>", "<span class=\"BHS\">", "</span>", "<font size=2>", "</font>", "<i>",
           "</i>", "<strong>", "<img src='x.png'>", "<wbr>")
NOISE = ("<!-- a comment with <p> inside -->", "<script>var s = '<p>not a line</p>';</script>",
         "<style>p { x: '<br>' }</style>", "<noscript><p>seen by no reader</p></noscript>")


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))


def _escaped(text: str, rng: random.Random) -> str:
    return html.escape(text, quote=False) if rng.random() < 0.5 else text.replace(
        "&", "&amp;").replace("<", "&lt;")


def _blank(rng: random.Random) -> str:
    return rng.choice(("", " ", "\n", "\r\n  ", "\t"))


def generated_page(seed: int) -> tuple[str, list[tuple[str, str | None, tuple[str, ...]]]]:
    """A page and its lines: (text, href, parts) in order."""
    rng = random.Random(seed)
    out: list[str] = []
    lines: list[tuple[str, str | None, tuple[str, ...]]] = []
    for _ in range(rng.randint(1, 12)):
        for _ in range(rng.randint(1, 3)):  # what ends the line before
            out.append(rng.choice(BLOCKS) + _blank(rng))
        if rng.random() < 0.2:
            out.append(rng.choice(NOISE) + _blank(rng))
        if rng.random() < 0.3:
            label = _text(rng)
            href = f"/reports/{rng.randint(1, 99)}.html"
            out.append(f'<a class="x" href="{href}">{_escaped(label, rng)}</a>')
            lines.append((label, href, (label,)))
            continue
        parts = [_text(rng) for _ in range(rng.randint(1, 3))]
        text = ""
        for k, part in enumerate(parts):
            if k:  # runs of a line meet at an inline tag, with or without a blank
                before, after = rng.choice((" ", "")), rng.choice((" ", ""))
                out.append(before + rng.choice(INLINES) + after)
                text += " " if before or after else ""
            out.append(_escaped(part, rng))
            text += part
            if rng.random() < 0.1:
                out.append(NOISE[0])  # a comment inside a run splits no text
        lines.append((text, None, tuple(parts)))
    out.append(rng.choice(BLOCKS))
    return "".join(out), lines


@pytest.mark.parametrize("seed", range(300))
def test_lines_of_generated_pages(seed: int) -> None:
    page, expected = generated_page(seed)
    got = [(ln.text, ln.href, ln.parts) for ln in iter_lines(page)]
    assert got == expected, page


def test_offsets_cut_each_line_out_of_the_page() -> None:
    for seed in range(100):
        page, _ = generated_page(seed)
        for line in iter_lines(page):
            cut = re.sub(r"<[^>]*>", "", re.sub(r"<!--.*?-->", "", page[line.start:line.end]))
            cut = html.unescape(cut)
            assert " ".join(cut.split()) == line.text or line.href is not None, page


@pytest.mark.parametrize("words", [sorted(INLINE_TAGS), list(UNSEEN_TAGS), ["a"],
                                   ["b", "big", "br", "bdo"], ["x", "xy", "xyz", "y"]])
def test_alternation_matches_exactly_its_words(words: list[str]) -> None:
    compiled = re.compile(alternation(words))
    near = {w[:k] for w in words for k in range(len(w) + 1)} | {w + c for w in words
                                                                 for c in "aesz"}
    for candidate in sorted(near | set(words)):
        assert (compiled.fullmatch(candidate) is not None) == (candidate in words), candidate
