"""Comparing extracted records with the truth: one rule per field, and tables per variant."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

FIELDS = (
    "title", "published", "dateline", "agency", "location", "byline", "authors", "section",
    "body", "image_url", "related_links", "related_articles",
)
"""The fields judged against the truth; body by token F1, the others by equality."""
BODY_F1 = 0.99
_WORD_RE = re.compile(r"\w+")


def token_f1(found: str | None, truth: str) -> float:
    """F1 of the multisets of lower-cased word tokens of ``found`` and ``truth``.

    >>> token_f1("The cat sat.", "the cat sat")
    1.0
    >>> round(token_f1("the cat", "the cat sat on the mat"), 3)
    0.5
    >>> token_f1(None, "x")
    0.0
    """
    a = Counter(_WORD_RE.findall((found or "").lower()))
    b = Counter(_WORD_RE.findall(truth.lower()))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def field_ok(name: str, found: dict[str, Any], truth: dict[str, Any]) -> bool:
    """Whether an extracted record has a field right: body by token F1 >= 0.99, else equal."""
    if name == "body":
        return token_f1(found.get("body"), truth["body"]) >= BODY_F1
    return found.get(name) == truth.get(name)


def variant_table(
    pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]], fields: tuple[str, ...] = FIELDS
) -> dict[str, dict[str, tuple[int, int]]]:
    """Per variant ('layout', 'layout detail=value', and 'all'): field -> (right, pages).

    >>> t = variant_table([({"title": "a"}, {"title": "a", "layout": "afp",
    ...                                       "variants": {"markup": "h1"}})], ("title",))
    >>> t["afp markup=h1"]["title"], t["all"]["title"]
    ((1, 1), (1, 1))
    """
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for found, truth in pairs:
        layout = str(truth.get("layout"))
        rows = ["all", layout] + [f"{layout} {d}={v}" for d, v in
                                  sorted((truth.get("variants") or {}).items())]
        for name in fields:
            ok = field_ok(name, found, truth)
            for row in rows:
                table[row][name][0] += ok
                table[row][name][1] += 1
    return {row: {f: (c[0], c[1]) for f, c in cols.items()} for row, cols in table.items()}


def format_table(table: dict[str, dict[str, tuple[int, int]]],
                 fields: tuple[str, ...] = FIELDS) -> str:
    """The table as text: one row per variant, the share right per field (pages in brackets)."""
    short = {"published": "publ", "dateline": "dateln", "location": "locat", "image_url": "image",
             "related_links": "rel_lnk", "related_articles": "rel_art", "authors": "authrs",
             "section": "sectn", "agency": "agency", "byline": "byline",
             "appended_datelines": "appendd", "extraction": "extract"}
    head = f"{'variant':<40} {'pages':>5} " + " ".join(f"{short.get(f, f):>7}" for f in fields)
    lines = [head, "-" * len(head)]
    for row in sorted(table, key=lambda r: (r != "all", r)):
        cols = table[row]
        pages = next(iter(cols.values()))[1]
        cells = " ".join(
            f"{100.0 * cols[f][0] / cols[f][1]:>7.1f}" if f in cols else f"{'':>7}"
            for f in fields)
        lines.append(f"{row:<40} {pages:>5} {cells}")
    return "\n".join(lines)


def below(table: dict[str, dict[str, tuple[int, int]]], share: float) -> list[str]:
    """Rows and fields whose share right is under ``share``, e.g. 'afp markup=h1: byline 2/3'."""
    return [f"{row}: {f} {ok}/{n}" for row, cols in sorted(table.items())
            for f, (ok, n) in cols.items() if ok < share * n]
