"""The field-level difference between the records exported before and those re-extracted.

Records are matched by ``url``. For every field whose value differs, the diff counts the
records per site and keeps a few examples (address, value before, value after); records found
on one side only are counted too.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

EXAMPLES = 3
"""Examples kept per field."""
_SHOWN = 300
"""Characters of a text value shown in an example."""


def shown(value: Any) -> Any:
    """A value as an example shows it: long text cut.

    >>> shown("x" * 400)[-19:], shown([1, 2])
    ('x [+100 characters]', [1, 2])
    """
    if isinstance(value, str) and len(value) > _SHOWN:
        return value[:_SHOWN] + f" [+{len(value) - _SHOWN} characters]"
    return value


def field_diff(before: Iterable[dict[str, Any]], after: Iterable[dict[str, Any]]
               ) -> dict[str, Any]:
    """Compare two sets of records by address.

    >>> a = [{"url": "u1", "site": "a.com", "title": "T", "body": "B"},
    ...      {"url": "u2", "site": "b.com", "title": "T2", "body": "B"}]
    >>> b = [{"url": "u1", "site": "a.com", "title": "New", "body": "B"},
    ...      {"url": "u3", "site": "b.com", "title": "T3", "body": "B"}]
    >>> d = field_diff(a, b)
    >>> title = d["fields"]["title"]
    >>> d["compared"], d["identical"], title["records"], title["sites"]
    (1, 0, 1, {'a.com': 1})
    >>> d["only_before"]["records"], d["only_after"]["records"]
    (1, 1)
    >>> field_diff(a, a)["fields"]
    {}
    """
    old = {str(r.get("url")): r for r in before}
    new = {str(r.get("url")): r for r in after}
    fields: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[dict[str, Any]]] = defaultdict(list)
    identical = 0
    common = [url for url in old if url in new]
    for url in common:
        a, b = old[url], new[url]
        changed = [name for name in sorted(set(a) | set(b)) if a.get(name) != b.get(name)]
        if not changed:
            identical += 1
            continue
        site = str(b.get("site") or a.get("site") or "?")
        for name in changed:
            fields[name][site] += 1
            if len(examples[name]) < EXAMPLES:
                examples[name].append({"url": url, "before": shown(a.get(name)),
                                       "after": shown(b.get(name))})
    only_before = [url for url in old if url not in new]
    only_after = [url for url in new if url not in old]
    return {
        "compared": len(common),
        "identical": identical,
        "changed": len(common) - identical,
        "fields": {name: {"records": sum(sites.values()), "sites": dict(sorted(sites.items())),
                          "examples": examples[name]}
                   for name, sites in sorted(fields.items())},
        "only_before": {"records": len(only_before), "examples": only_before[:EXAMPLES]},
        "only_after": {"records": len(only_after), "examples": only_after[:EXAMPLES]},
    }


def summary(diff: dict[str, Any]) -> list[str]:
    """A few lines for the terminal.

    >>> summary({"compared": 2, "identical": 1, "changed": 1, "only_before": {"records": 0},
    ...          "only_after": {"records": 0},
    ...          "fields": {"title": {"records": 1, "sites": {"a.com": 1}}}})
    ... # doctest: +NORMALIZE_WHITESPACE
    ['2 records compared: 1 identical, 1 changed, 0 only before, 0 only after',
     '  title: 1 (a.com 1)']
    """
    lines = [f"{diff['compared']} records compared: {diff['identical']} identical, "
             f"{diff['changed']} changed, {diff['only_before']['records']} only before, "
             f"{diff['only_after']['records']} only after"]
    for name, info in diff["fields"].items():
        sites = ", ".join(f"{site} {n}" for site, n in info["sites"].items())
        lines.append(f"  {name}: {info['records']} ({sites})")
    return lines
