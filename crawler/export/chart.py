"""``chart.png``: articles per month per site, as stacked bars, drawn with matplotlib's Agg
backend so that the same counts always give the same bytes."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping

TOP_SITES = 8
"""Sites drawn on their own; the others share one 'other sites' colour."""
MAX_LABELS = 24
"""At most this many month labels on the x axis."""
OTHER = "other sites"


def series(per_month_site: Mapping[tuple[str, str], int],
           top: int = TOP_SITES) -> tuple[list[str], dict[str, list[int]]]:
    """Months that have articles (sorted, 'undated' last) and per site its count per month;
    the ``top`` largest sites by total, then the rest as 'other sites'.

    >>> months, per_site = series({("2024-05", "a.com"): 2, ("2024-06", "b.com"): 1,
    ...                            ("2024-06", "c.com"): 1}, top=1)
    >>> months, per_site
    (['2024-05', '2024-06'], {'a.com': [2, 0], 'other sites': [0, 2]})
    """
    months = sorted({m for m, _ in per_month_site}, key=lambda m: (m == "undated", m))
    totals: Counter[str] = Counter()
    for (_, site), n in per_month_site.items():
        totals[site] += n
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    shown = ranked[:top]
    per_site = {site: [0] * len(months) for site in shown}
    if len(ranked) > top:
        per_site[OTHER] = [0] * len(months)
    index = {m: i for i, m in enumerate(months)}
    for (month, site), n in per_month_site.items():
        per_site[site if site in shown else OTHER][index[month]] += n
    return months, per_site


def render(per_month_site: Mapping[tuple[str, str], int], title: str) -> bytes:
    """The PNG bytes of the chart (1200 x 600 pixels)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    months, per_site = series(per_month_site)
    fig = Figure(figsize=(12, 6), dpi=100)
    ax = fig.add_subplot()
    bottom = [0] * len(months)
    colors = [matplotlib.colormaps["tab10"](i) for i in range(10)]
    for i, (site, counts) in enumerate(per_site.items()):
        color = "#b0b0b0" if site == OTHER else colors[i % len(colors)]
        ax.bar(range(len(months)), counts, bottom=bottom, label=site, color=color, width=0.85)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    step = max(1, -(-len(months) // MAX_LABELS))
    ticks = list(range(0, len(months), step))
    ax.set_xticks(ticks, [months[i] for i in ticks], rotation=45, ha="right")
    ax.set_xlim(-0.6, max(len(months), 1) - 0.4)
    ax.set_xlabel("month of publication (months without articles are left out)")
    ax.set_ylabel("articles (one per story)")
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if per_site:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, title="site")
    if not months:
        ax.text(0.5, 0.5, "no articles", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
