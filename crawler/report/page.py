"""The run report's one HTML page: styles, charts and a small script inline, nothing fetched."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from crawler.report import charts
from crawler.report.history import RunRow
from crawler.runs.manifest import COVERAGE_FIELDS
from crawler.runs.status import EXIT_STATUSES

STATUS_COLORS = {"ok": "#2ca02c", "failed": "#d62728", "nothing_found": "#ff7f0e",
                 "monitor": "#e6a800", "unfinished": "#7f7f7f"}
COUNT_COLORS = {"articles": "#1f77b4", "duplicates": "#9edae5", "rejects": "#d62728"}

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;
background:#f5f6f8}
header{background:#14213d;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1e0}main{padding:8px 24px 40px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:16px 0;padding:12px 16px}
h2{font-size:16px;margin:4px 0 10px}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e7eaf0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f6;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;white-space:nowrap;border-radius:10px;padding:0 8px;color:#fff;
font-size:12px}
td.files{width:190px;min-width:190px}.files a{display:inline-block;font-size:12px;margin-right:6px}
.problems{color:#8a1c1c;font-size:12px;margin:0;padding-left:16px}
tr.problems-row td{border-top:none;padding-top:0}
tr.run:has(+ tr.problems-row) td{border-bottom:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(430px,1fr));gap:12px}
.card{border:1px solid #e2e5eb;border-radius:6px;padding:6px 8px}
.card h3{font-size:14px;margin:0 0 4px}.card .sub{color:#5b6476;font-weight:normal}
svg.chart{width:100%;max-width:760px;height:auto;display:block}svg .grid{stroke:#e3e6ec}
svg text{font-size:10px;fill:#5b6476}svg .ylabel{text-anchor:end}
svg polyline{stroke-width:1.6}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;margin:4px 0 8px}
.legend button{border:1px solid #cfd5df;background:#fff;border-radius:4px;cursor:pointer;
font-size:12px;padding:1px 6px}.legend button.off{opacity:.35}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.hidden{display:none}input[type=search]{padding:3px 6px;width:220px}
.scroll{max-height:460px;overflow:auto}td.t{white-space:nowrap}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(430px,1fr));gap:0 16px}
"""

SCRIPT = """
(function(){
  var legend=document.querySelectorAll('.legend button[data-series]');
  legend.forEach(function(b){b.addEventListener('click',function(){
    b.classList.toggle('off');
    var off=b.classList.contains('off');
    document.querySelectorAll('.coverage g.series[data-series="'+b.dataset.series+'"]')
      .forEach(function(g){g.style.display=off?'none':'';});
  });});
  var filter=document.getElementById('site-filter');
  if(filter){filter.addEventListener('input',function(){
    var q=filter.value.trim().toLowerCase();
    document.querySelectorAll('.coverage .card').forEach(function(c){
      c.classList.toggle('hidden',q!==''&&c.dataset.site.indexOf(q)<0);});
  });}
  document.body.dataset.ready='1';
})();
"""


def _td(value: object, numeric: bool = False) -> str:
    cls = ' class="n"' if numeric else ""
    return f"<td{cls}>{escape(str(value))}</td>"


def duration_text(seconds: float | None) -> str:
    """A duration for people.

    >>> duration_text(None), duration_text(42), duration_text(3725), duration_text(7500)
    ('', '42 s', '62 min', '2 h 05 min')
    """
    if seconds is None:
        return ""
    if seconds < 120:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def time_text(iso: str | None) -> str:
    """A manifest time, short: '2026-11-25T06:15:02Z' -> '2026-11-25 06:15:02'.

    >>> time_text("2026-11-25T06:15:02Z"), time_text(None)
    ('2026-11-25 06:15:02', '')
    """
    return (iso or "").replace("T", " ").removesuffix("Z")


def _badge(status: str, code: int | None) -> str:
    paint = STATUS_COLORS.get(status, "#444")
    text = status if code is None else f"{status} ({code})"
    return f'<span class="badge" style="background:{paint}">{escape(text)}</span>'


def _links(row: RunRow, base: Path) -> str:
    links = []
    for name in row.files:
        href = os.path.relpath(row.folder / name, base).replace(os.sep, "/")
        label = name.rsplit(".", 1)[0].replace("crawl", "log")
        links.append(f'<a href="{escape(href)}" title="{escape(name)}">{escape(label)}</a>')
    return "".join(links)


def runs_table(rows: Sequence[RunRow], base: Path) -> str:
    """Every run, newest first: status, exit code, duration, counts, files, and under a run
    its problems."""
    head = ("run", "status", "started", "duration", "attempts", "requests", "responses",
            "articles", "duplicates", "rejects", "failed requests", "files")
    out = ['<div class="scroll"><table id="runs"><thead><tr>',
           "".join(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    for row in reversed(rows):
        out.append(
            f'<tr class="run" data-run="{escape(row.run_id)}" data-status="{escape(row.status)}">'
            f"<td>{escape(row.run_id)}</td><td>{_badge(row.status, row.exit_status)}</td>"
            + f'<td class="t">{escape(time_text(row.started_at))}</td>'
            + _td(duration_text(row.duration), True)
            + _td(row.attempts, True) + _td(row.requests, True) + _td(row.responses, True)
            + _td(row.articles, True) + _td(row.duplicates, True) + _td(row.rejects, True)
            + _td(row.error_count, True)
            + f'<td class="files">{_links(row, base)}</td></tr>')
        if row.problems:  # the monitors' findings, full width under their run
            problems = "".join(f"<li>{escape(p)}</li>" for p in row.problems)
            out.append(f'<tr class="problems-row" data-problems-of="{escape(row.run_id)}">'
                       f'<td></td><td colspan="{len(head) - 1}"><ul class="problems">'
                       f"{problems}</ul></td></tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def counts_chart(rows: Sequence[RunRow]) -> str:
    """Articles, duplicates and rejects per run, stacked."""
    runs = [r.run_id for r in rows]
    series = {"articles": [r.articles for r in rows], "duplicates": [r.duplicates for r in rows],
              "rejects": [r.rejects for r in rows]}
    return (_legend(list(series), COUNT_COLORS, toggles=False)
            + charts.bar_chart("counts", "Articles, duplicates and rejects per run", runs,
                               series, COUNT_COLORS))


def errors_section(rows: Sequence[RunRow]) -> str:
    """Failed requests by reason: a stacked bar per run and a table of the totals."""
    totals: Counter[str] = Counter()
    for row in rows:
        totals.update(row.errors)
    rejects: Counter[str] = Counter()
    for row in rows:
        rejects.update(row.rejects_by_reason)
    if not totals and not rejects:
        return "<p>No failed request and no rejected article in these runs.</p>"
    reasons = [r for r, _ in totals.most_common()]
    colors = {r: charts.color(i) for i, r in enumerate(reasons)}
    runs = [r.run_id for r in rows]
    series = {reason: [row.errors.get(reason, 0) for row in rows] for reason in reasons}
    out = []
    if reasons:
        out += [_legend(reasons, colors, toggles=False),
                charts.bar_chart("errors", "Failed requests per run, by reason", runs, series,
                                 colors)]
    head = "<tr><th>reason</th><th>kind</th><th>all runs</th><th>latest run</th></tr>"
    latest = rows[-1] if rows else None
    body = [f'<tr data-reason="{escape(reason)}"><td>{escape(reason)}</td><td>failed request</td>'
            + _td(n, True) + _td(latest.errors.get(reason, 0) if latest else 0, True) + "</tr>"
            for reason, n in totals.most_common()]
    body += [f'<tr data-reason="{escape(reason)}"><td>{escape(reason)}</td><td>rejected article'
             "</td>" + _td(n, True)
             + _td(latest.rejects_by_reason.get(reason, 0) if latest else 0, True) + "</tr>"
             for reason, n in rejects.most_common()]
    out.append(f'<table id="errors">{head}{"".join(body)}</table>')
    return "".join(out)


def _legend(names: Sequence[str], colors: dict[str, str], toggles: bool) -> str:
    items = []
    for name in names:
        swatch = f'<i style="background:{colors[name]}"></i>{escape(name)}'
        if toggles:
            items.append(f'<button type="button" data-series="{escape(name)}">{swatch}</button>')
        else:
            items.append(f"<span>{swatch}</span>")
    return f'<div class="legend">{"".join(items)}</div>'


def coverage_section(rows: Sequence[RunRow]) -> str:
    """Per site, the share of its articles with each field, across runs: a drop is a change of
    the site's layout (or of the extractor)."""
    totals: Counter[str] = Counter()
    for row in rows:
        totals.update({site: int(c.get("articles", 0)) for site, c in row.coverage.items()})
    sites = [site for site, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]
    runs = [r.run_id for r in rows]
    colors = {name: charts.color(i) for i, name in enumerate(COVERAGE_FIELDS)}
    cards = []
    for site in sites:
        series: dict[str, list[float | None]] = {}
        for name in COVERAGE_FIELDS:
            values: list[float | None] = []
            for row in rows:
                entry = row.coverage.get(site)
                values.append(None if not entry or not entry.get("articles")
                              else float(entry.get("fields", {}).get(name, 0.0)))
            series[name] = values
        chart = charts.line_chart(f"coverage-{site}", f"Field coverage on {site}", runs, series)
        cards.append(f'<div class="card" data-site="{escape(site)}"><h3>{escape(site)} '
                     f'<span class="sub">{totals[site]} articles in these runs</span></h3>'
                     f"{chart}</div>")
    if not cards:
        return "<p>No article exported in these runs.</p>"
    return ('<p><input type="search" id="site-filter" placeholder="filter sites"> '
            "Click a field to hide or show it.</p>"
            + _legend(COVERAGE_FIELDS, colors, toggles=True)
            + f'<div class="cards">{"".join(cards)}</div>')


def statuses_table() -> str:
    """What each exit status means and what to do."""
    body = "".join(f"<tr><td>{s.code}</td><td>{_badge(s.name, None)}</td>"
                   f"<td>{escape(s.meaning)}</td><td>{escape(s.action)}</td></tr>"
                   for s in EXIT_STATUSES)
    return ("<table><tr><th>exit</th><th>status</th><th>meaning</th><th>what to do</th></tr>"
            f"{body}</table>")


def render(rows: Sequence[RunRow], base: Path, title: str, chart_runs: int) -> str:
    """The whole page; links are relative to ``base`` (the folder the page is written to)."""
    shown = list(rows)[-chart_runs:] if chart_runs > 0 else list(rows)
    latest = rows[-1] if rows else None
    summary = (f"{len(rows)} runs; latest {escape(latest.run_id)}: "
               f"{_badge(latest.status, latest.exit_status)}, {latest.articles} articles"
               if latest else "no runs yet")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    window = (f" (charts: the last {len(shown)} of {len(rows)} runs)"
              if len(shown) < len(rows) else "")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<header><h1>{escape(title)}</h1><p>{summary} &middot; generated {stamp}</p></header>",
        "<main>",
        f'<section id="runs-section"><h2>Runs</h2>{runs_table(rows, base)}</section>',
        '<div class="pair">'
        f'<section id="counts-section"><h2>Articles per run{window}</h2>'
        f"{counts_chart(shown)}</section>",
        f'<section id="errors-section"><h2>Errors by reason{window}</h2>'
        f"{errors_section(shown)}</section></div>",
        f'<section class="coverage" id="coverage-section"><h2>Field coverage per site{window}'
        f"</h2>{coverage_section(shown)}</section>",
        f'<section id="statuses-section"><h2>Exit statuses</h2>{statuses_table()}</section>',
        f"</main><script>{SCRIPT}</script></body></html>",
    ])
