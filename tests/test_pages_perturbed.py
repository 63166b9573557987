"""Markup no test renders: perturb pages and check that fields hanging on seen anchors stay.

Pages of every layout and markup variant of a mirror, and the pages made from the real texts,
are perturbed in ways no other test uses (every class renamed, ``<br>`` swapped for block
elements, the header wrapped in a table, comments dropped, attributes dropped, tags in capitals,
the page on one line, a menu before the headline, named entities, spans and fonts as divs).
The fields the extraction takes from seen anchors and from the order of the text must come out
as the truth says on every perturbed page. Run with ``-s`` to see which fields survived which
perturbation.
"""

from __future__ import annotations

import html.entities
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

import crawler.pages
from crawler.mirror.build import file_for
from crawler.mirror.server import content_type
from crawler.pages import extract_from_bytes
from tests.accuracy import FIELDS, field_ok
from tests.crawling import build_mirror
from tests.real_pages import real_pages

ANCHORED = (*FIELDS, "appended_datelines")
"""Every judged field hangs on a seen anchor or on the order of the text."""
PER_LAYOUT = {"classic": 60, "afp": 9, "spacewar2026": 9, "wordpress": 9, "legacy": 3}

_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_CLASS_RE = re.compile(r"""\b(class|id)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_KEEP_ATTRS = ("href", "src", "content", "property", "name", "type", "rel", "charset")
_ATTR_RE = re.compile(r"""\s([a-zA-Z-:]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_NAMED = {chr(cp): f"&{name};" for cp, name in html.entities.codepoint2name.items()
          if cp > 127}


def rename_classes(page: str) -> str:
    """Every class and id gets a new name."""
    names: dict[str, str] = {}

    def new(m: re.Match[str]) -> str:
        value = m[2].strip("\"'")
        return f'{m[1]}="{names.setdefault(value, f"k{len(names)}")}"'

    return _CLASS_RE.sub(new, page)


def br_to_blocks(page: str) -> str:
    """Every <br> becomes an empty block element."""
    return _BR_RE.sub('<div class="brk"></div>', page)


def header_in_table(page: str) -> str:
    """The page from the start of <body> to the start of the article text, in a table."""
    body = re.search(r"<body\b[^>]*>", page, re.I)
    anchor = re.search(r"<!--\s*body-2-incontainer\.php\s*-->|<p\b|<div class=\"(?:text|"
                       r"story-body|entry-content|post-body)", page[body.end():] if body else "")
    if not body or not anchor:
        return page
    start, end = body.end(), body.end() + anchor.start()
    return (page[:start] + '<table border="1"><tr><td>' + page[start:end]
            + "</td></tr></table>" + page[end:])


def no_comments(page: str) -> str:
    """Every HTML comment dropped (the classic body anchors too)."""
    return re.sub(r"<!--.*?-->", "", page, flags=re.S)


def no_attributes(page: str) -> str:
    """Attributes dropped but for addresses, meta contents and types."""
    return _ATTR_RE.sub(lambda m: m[0] if m[1].lower() in _KEEP_ATTRS else "", page)


def capital_tags(page: str) -> str:
    """Tag names in capitals."""
    return _TAG_RE.sub(lambda m: f"<{m[1]}{m[2].upper()}", page)


def one_line(page: str) -> str:
    """No line ends at all."""
    return re.sub(r"[\r\n]+", " ", page)


def menu_first(page: str) -> str:
    """A menu of links and words in capitals right after <body>."""
    menu = ('<div><a href="/index.html">HOME</a> | <a href="/news.html">NEWS</a> | '
            '<a href="/about.html">About us</a><br>SPACE NEWS DAILY<br></div>')
    return re.sub(r"(<body\b[^>]*>)", lambda m: m[1] + menu, page, count=1, flags=re.I)


def named_entities(page: str) -> str:
    """Numeric character references and non-ASCII characters as named entities."""
    page = re.sub(r"&#(\d+);", lambda m: _NAMED.get(chr(int(m[1])), m[0]), page)
    return "".join(_NAMED.get(c, c) for c in page)


def inline_to_blocks(page: str) -> str:
    """Spans and fonts become divs: every inline run of the header on a line of its own."""
    return re.sub(r"<(/?)(?:span|font)\b", r"<\1div", page, flags=re.I)


PERTURBATIONS: dict[str, Callable[[str], str]] = {
    "none": lambda page: page,
    "rename_classes": rename_classes,
    "br_to_blocks": br_to_blocks,
    "header_in_table": header_in_table,
    "no_comments": no_comments,
    "no_attributes": no_attributes,
    "capital_tags": capital_tags,
    "one_line": one_line,
    "menu_first": menu_first,
    "named_entities": named_entities,
    "inline_to_blocks": inline_to_blocks,
}


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes, str, dict[str, Any]]]:
    """(url, bytes, content type, truth) of mirror pages of every layout, and real-text pages."""
    root = build_mirror(tmp_path_factory.mktemp("perturb") / "m", 400, seed=5)
    taken: dict[str, int] = {}
    out = []
    with (root / "truth.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            layout = rec["layout"]
            if taken.get(layout, 0) >= PER_LAYOUT[layout] or not rec["variants"]:
                continue
            path = root / file_for(rec["url"])
            data = path.read_bytes()
            if b"&#226;&#8364;" in data:
                continue  # mojibake pages: repaired text, a test of its own
            taken[layout] = taken.get(layout, 0) + 1
            out.append((rec["url"], data, content_type("/" + file_for(rec["url"])), rec))
    for page in real_pages():
        if page.expected is None:
            continue
        for markup in page.markups():
            out.append((page.url, page.render(markup), "text/html", page.expected))
    return out


def _judge(record: dict[str, Any] | None, truth: dict[str, Any]) -> dict[str, bool]:
    """Right or not, per field the truth knows (real texts know no image or related links)."""
    return {f: record is not None and field_ok(f, record, truth) for f in ANCHORED if f in truth}


def test_fields_on_seen_anchors_survive_every_perturbation(
    pages: list[tuple[str, bytes, str, dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crawler.pages, "RAISE_ERRORS", True)
    survived: dict[str, dict[str, list[int]]] = {}
    failures: list[str] = []
    for name, perturb in PERTURBATIONS.items():
        counts = survived.setdefault(name, {f: [0, 0] for f in ANCHORED})
        for url, data, ctype, truth in pages:
            text, encoding = _decode(data)
            body = perturb(text).encode(encoding)
            record = extract_from_bytes(body, url, {"Content-Type": ctype})
            judged = _judge(record.to_dict() if record else None, truth)
            for f, ok in judged.items():
                counts[f][0] += ok
                counts[f][1] += 1
                if not ok and len(failures) < 30:
                    failures.append(f"{name} {truth.get('layout', 'real')} {url} {f}: "
                                    f"{(record.to_dict().get(f) if record else None)!r:.80} != "
                                    f"{truth.get(f)!r:.80}")
    head = f"{'perturbation':<16} {'pages':>5} " + " ".join(f"{f[:8]:>8}" for f in ANCHORED)
    print(f"\nShare of pages with each field right after each perturbation (%):\n{head}")
    for name, counts in survived.items():
        pages_n = max(n for _, n in counts.values())
        cells = " ".join(f"{100.0 * ok / n:>8.1f}" if n else f"{'-':>8}"
                         for ok, n in counts.values())
        print(f"{name:<16} {pages_n:>5} {cells}")
    assert not failures, "\n".join(failures)


def test_perturbations_change_the_markup(pages: list[tuple[str, bytes, str, dict[str, Any]]]):
    """Each perturbation really changes pages it is given (else it would test nothing): most
    of them, for the ones every page is open to."""
    texts = [_decode(page[1])[0] for page in pages]
    for name, perturb in PERTURBATIONS.items():
        if name != "none":
            changed = sum(perturb(text) != text for text in texts)
            assert changed >= len(texts) // 2, (name, changed, len(texts))

