"""One settings sheet: every SMN_* setting declared once in crawler/settings.py with its default
and a one-line comment, read without inline defaults, and listed in README's table with the
same default."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import crawler.settings as sheet
from tests.crawling import ROOT

GETTERS = {"get", "getbool", "getint", "getfloat", "getlist", "getdict", "getwithbase"}
README_ROW_RE = re.compile(r"^\|\s*`(?P<name>[A-Z][A-Z0-9_]+)`\s*\|\s*`(?P<default>[^`]*)`\s*\|")


def declared() -> dict[str, tuple[Any, str | None]]:
    """SMN_* names of the sheet: (value, the comment string right after the assignment)."""
    tree = ast.parse((ROOT / "crawler" / "settings.py").read_text(encoding="utf-8"))
    out: dict[str, tuple[Any, str | None]] = {}
    body = tree.body
    for i, node in enumerate(body):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not isinstance(target, ast.Name) or not target.id.startswith("SMN_"):
            continue
        assert target.id not in out, f"{target.id} declared twice"
        nxt = body[i + 1] if i + 1 < len(body) else None
        doc = (nxt.value.value if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
               and isinstance(nxt.value.value, str) else None)  # fmt: skip
        out[target.id] = (getattr(sheet, target.id), doc)
    return out


def reads() -> list[tuple[str, str, int]]:
    """(name, file, number of arguments) of every settings read of an SMN_* name in crawler/."""
    found = []
    for path in (ROOT / "crawler").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in GETTERS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and node.args[0].value.startswith("SMN_")):
                found.append((node.args[0].value, str(path.relative_to(ROOT)),
                              len(node.args) + len(node.keywords)))  # fmt: skip
    return found


def readme_rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        m = README_ROW_RE.match(line)
        if m:
            assert m["name"] not in rows, f"{m['name']} twice in README"
            rows[m["name"]] = m["default"]
    return rows


def test_each_setting_declared_with_a_one_line_comment() -> None:
    names = declared()
    assert len(names) >= 23
    bad = [n for n, (_, doc) in names.items() if not doc or "\n" in doc.strip()]
    assert bad == []


def test_every_setting_read_is_declared_and_read_without_inline_default() -> None:
    names = declared()
    found = reads()
    assert found, "the scan must see the code's settings reads"
    assert sorted({n for n, _, _ in found} - set(names)) == []
    assert [(n, f) for n, f, args in found if args > 1] == []


def test_every_declared_setting_is_used() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "crawler").rglob("*.py")
                     if p.name != "settings.py")  # fmt: skip
    assert [n for n in declared() if n not in text] == []


def test_readme_table_agrees_with_the_sheet() -> None:
    rows = readme_rows()
    names = declared()
    smn_rows = {n: d for n, d in rows.items() if n.startswith("SMN_")}
    assert sorted(smn_rows) == sorted(names)
    wrong = {n: (smn_rows[n], value) for n, (value, _) in names.items()
             if ast.literal_eval(smn_rows[n]) != value}  # fmt: skip
    assert wrong == {}
    for name in ("MIRROR_URL", "REDIS_URL"):
        assert ast.literal_eval(rows[name]) == getattr(sheet, name)


def test_readme_row_pattern_reads_a_row() -> None:
    m = README_ROW_RE.match('| `SMN_X` | `0.5` | what it does |')
    assert m is not None and (m["name"], m["default"]) == ("SMN_X", "0.5")
    assert Path(sheet.__file__).name == "settings.py"
