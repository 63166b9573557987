"""The shape of the package, read from its imports: rooms that stand one above the other (no
import circle), and the mirror as a leaf that only the command line, the demo and the mirror
itself import."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.crawling import ROOT

PACKAGE = ROOT / "crawler"
MIRROR_USERS = {"crawler.__main__", "crawler.demo"}
"""The modules outside crawler.mirror that may import it."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str) -> set[str]:
    """The project modules a module imports, at any depth of its code (lazy imports too)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from pkg import sub" imports the submodule pkg.sub when there is one
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]  # fmt: skip
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # "crawler.x.Name" -> "crawler.x"
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def test_the_graph_is_read() -> None:
    assert "crawler.navigation.spider" in GRAPH
    assert "crawler.pages" in GRAPH["crawler.navigation.spider"]
    assert "crawler.state" in GRAPH["crawler.navigation.spider"]


def test_no_import_circles() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(GRAPH):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_the_mirror_is_a_leaf() -> None:
    users = {name for name, targets in GRAPH.items()
             if not name.startswith("crawler.mirror")
             and any(t == "crawler.mirror" or t.startswith("crawler.mirror.") for t in targets)}
    assert users <= MIRROR_USERS, sorted(users - MIRROR_USERS)
    assert users, "the command line serves the mirror: the graph must show it"


def test_the_crawl_path_never_reaches_the_mirror() -> None:
    """Nothing reachable from the spider, the runs or the export imports the mirror."""
    roots = ["crawler.navigation.spider", "crawler.runs.scheduled", "crawler.export.export",
             "crawler.settings"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(GRAPH[node])
    assert not [m for m in seen if m.startswith("crawler.mirror")]


def test_no_spider_callback_is_a_generator_that_returns_a_value() -> None:
    """Scrapy's own check of generator callbacks (``return value`` in a generator loses the
    value), done here once for every generator method of every spider: the settings turn off
    WARN_ON_GENERATOR_RETURN_VALUE, which re-reads a callback's source for every response."""
    import inspect

    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.misc import is_generator_with_return_value
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    checked = []
    for name in loader.list():
        spider = loader.load(name)
        for attr, member in inspect.getmembers(spider, inspect.isgeneratorfunction):
            checked.append(f"{name}.{attr}")
            assert not is_generator_with_return_value(member), f"{name}.{attr} returns a value"
    assert any(c.endswith(".parse") for c in checked), checked
