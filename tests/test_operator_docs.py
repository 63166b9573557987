"""The README's operators' section says what the code does: the exit statuses and the metrics."""

from __future__ import annotations

import re

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from crawler.runs.metrics import registry_of
from crawler.runs.status import EXIT_STATUSES
from tests.crawling import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _table_after(heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table after ``heading``."""
    lines = README.split(heading, 1)[1].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows[2:]  # after the header and its rule


def test_exit_status_table_matches_the_code() -> None:
    rows = _table_after("**Exit statuses and what to do**")
    assert [(int(r[0]), r[1]) for r in rows] == [(s.code, s.name) for s in EXIT_STATUSES]


def test_metrics_table_names_every_metric_a_run_writes() -> None:
    manifest = {"status": "ended", "exit_status": 0, "started_at": "2026-01-01T00:00:00Z",
                "finished_at": "2026-01-01T00:01:00Z", "coverage": {"spacewar.com":
                {"articles": 3}}, "status_counts": {"200": 4}, "duplicates": 1, "rejects": 0,
                "requests": 5, "errors": {"http_404": 1}, "retries": 0, "problems": []}
    text = generate_latest(registry_of([manifest])).decode()
    written = {f.name + "_total" if f.type == "counter" else f.name
               for f in text_string_to_metric_families(text)}
    documented = {name for row in _table_after("**Metrics**")
                  for name in re.findall(r"`(smn_[a-z_]+)`", row[0])}
    assert documented == written
