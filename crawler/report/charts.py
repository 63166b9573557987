"""Inline SVG charts for the run report: lines of shares (0-100 %) and stacked bars of counts.

Every point and bar carries ``data-*`` attributes with its series, its run and its value, and a
``<title>`` that the browser shows on hover; nothing is fetched, nothing needs a script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a",
)
"""Colours of the series, in order (twelve: one per coverage field)."""

WIDTH, HEIGHT = 520, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 34
MAX_X_LABELS = 8


def color(index: int) -> str:
    """The colour of the index-th series.

    >>> color(0), color(12)
    ('#1f77b4', '#1f77b4')
    """
    return PALETTE[index % len(PALETTE)]


def x_of(index: int, count: int, band: bool = False) -> float:
    """Horizontal position of the index-th of ``count`` runs: from edge to edge for lines, in
    the middle of its band for bars (one run sits in the middle).

    >>> x_of(0, 1), x_of(0, 3), x_of(2, 3), x_of(0, 2, band=True)
    (276.0, 44.0, 508.0, 160.0)
    """
    span = WIDTH - LEFT - RIGHT
    if band:
        return round(LEFT + span * (index + 0.5) / max(count, 1), 2)
    if count <= 1:
        return LEFT + span / 2
    return round(LEFT + span * index / (count - 1), 2)


def y_of(value: float, top_value: float) -> float:
    """Vertical position of a value on an axis from 0 (bottom) to ``top_value``.

    >>> y_of(100, 100), y_of(0, 100), y_of(50, 100)
    (12.0, 166.0, 89.0)
    """
    span = HEIGHT - TOP - BOTTOM
    share = 0.0 if top_value <= 0 else min(max(value / top_value, 0.0), 1.0)
    return round(TOP + span * (1 - share), 2)


def nice_top(value: float) -> int:
    """An axis top at or above ``value`` whose quarters are round numbers (the grid lines).

    >>> nice_top(0), nice_top(5), nice_top(29), nice_top(610), nice_top(1000)
    (4, 8, 40, 800, 1000)
    """
    step = 1
    while True:
        for factor in (1, 2, 2.5, 5):
            if (step > 1 or factor != 2.5) and 4 * step * factor >= value:
                return int(4 * step * factor)
        step *= 10


def short_run(run_id: str) -> str:
    """A run id as a short axis label: '20261125T061502Z' -> '11-25 06:15'.

    >>> short_run("20261125T061502Z"), short_run("nightly")
    ('11-25 06:15', 'nightly')
    """
    if len(run_id) >= 13 and run_id[8] == "T" and run_id[:8].isdigit():
        return f"{run_id[4:6]}-{run_id[6:8]} {run_id[9:11]}:{run_id[11:13]}"
    return run_id


def _axes(runs: Sequence[str], top_value: float, unit: str, band: bool = False) -> list[str]:
    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        value = top_value * tick
        y = y_of(value, top_value)
        label = f"{value:g}{unit}"
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
                     f'<text class="ylabel" x="{LEFT - 4}" y="{y + 4}">{label}</text>')
    step = max(1, -(-len(runs) // MAX_X_LABELS))
    for i in range(0, len(runs), step):
        anchor = ("middle" if band or len(runs) == 1 else "start" if i == 0
                  else "end" if i == len(runs) - 1 else "middle")
        parts.append(f'<text class="xlabel" x="{x_of(i, len(runs), band)}" '
                     f'y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="{anchor}">{escape(short_run(runs[i]))}</text>')
    return parts


def line_chart(chart_id: str, label: str, runs: Sequence[str],
               series: Mapping[str, Sequence[float | None]], unit: str = "%",
               top_value: float = 100.0) -> str:
    """An SVG line chart: one line per series over the runs; None is no point.

    Each point is a ``<circle class="pt">`` with data-series, data-run and data-value.
    """
    parts = [f'<svg class="chart line" id="{escape(chart_id)}" data-chart="{escape(chart_id)}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}">',
             f"<title>{escape(label)}</title>", *_axes(runs, top_value, unit)]
    for index, (name, values) in enumerate(series.items()):
        paint = color(index)
        cls = f"series s-{escape(name)}"
        # A run without a value (no article of the site) is skipped: the line joins its
        # neighbours, so a drop between two runs with articles stays visible.
        line = [(x_of(i, len(runs)), y_of(v, top_value)) for i, v in enumerate(values)
                if v is not None]
        parts.append(f'<g class="{cls}" data-series="{escape(name)}" stroke="{paint}" '
                     f'fill="{paint}">')
        if len(line) > 1:
            points = " ".join(f"{x},{y}" for x, y in line)
            parts.append(f'<polyline fill="none" points="{points}"/>')
        for i, value in enumerate(values):
            if value is None:
                continue
            x, y = x_of(i, len(runs)), y_of(value, top_value)
            parts.append(
                f'<circle class="pt" cx="{x}" cy="{y}" r="3" data-series="{escape(name)}" '
                f'data-run="{escape(runs[i])}" data-value="{value:g}">'
                f"<title>{escape(name)} {escape(runs[i])}: {value:g}{unit}</title></circle>")
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(chart_id: str, label: str, runs: Sequence[str],
              series: Mapping[str, Sequence[int]], colors: Mapping[str, str] | None = None) -> str:
    """An SVG stacked bar chart of counts per run, one colour per series.

    Each bar is a ``<rect class="bar">`` with data-series, data-run and data-value.
    """
    totals = [sum(values[i] for values in series.values()) for i in range(len(runs))]
    top_value = nice_top(max(totals, default=0))
    parts = [f'<svg class="chart bars" id="{escape(chart_id)}" data-chart="{escape(chart_id)}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}">',
             f"<title>{escape(label)}</title>", *_axes(runs, top_value, "", band=True)]
    span = WIDTH - LEFT - RIGHT
    bar = max(2.0, min(40.0, span / max(len(runs), 1) * 0.7))
    base = [0] * len(runs)
    for index, (name, values) in enumerate(series.items()):
        paint = (colors or {}).get(name) or color(index)
        parts.append(f'<g class="series s-{escape(name)}" data-series="{escape(name)}" '
                     f'fill="{paint}">')
        for i, value in enumerate(values):
            if not value:
                continue
            x = x_of(i, len(runs), band=True) - bar / 2
            y_top = y_of(base[i] + value, top_value)
            y_bottom = y_of(base[i], top_value)
            base[i] += value
            parts.append(
                f'<rect class="bar" x="{x:.2f}" y="{y_top}" width="{bar:.2f}" '
                f'height="{y_bottom - y_top:.2f}" data-series="{escape(name)}" '
                f'data-run="{escape(runs[i])}" data-value="{value}">'
                f"<title>{escape(name)} {escape(runs[i])}: {value}</title></rect>")
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
