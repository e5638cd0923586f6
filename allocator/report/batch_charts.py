"""The batch page's chart: each scenario's added waiting against the base, as inline SVG.

Drawn like the plan report's charts (:mod:`allocator.report.charts`): a
:class:`~matplotlib.figure.Figure` made directly (no pyplot), text kept as
text, no metadata, ids prefixed with the chart's name, so the same table
gives the same bytes.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from allocator._format import signed as _signed
from allocator.report.charts import _svg

MORE, LESS, SAME = "#c53030", "#2f855a", "#9aa5b1"  # more waiting than base, less, the same
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
#: Most bars drawn; the page's table lists every scenario.
MOST_BARS = 40


def _axis(value: float, _position: object = None) -> str:
    """An axis label for a change in card-months: -3M, +1.2M, +12k, +950."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        text = f"{value / 1e6:+.3g}M"
    elif magnitude >= 1e4:
        text = f"{value / 1e3:+.3g}k"
    else:
        return _signed(value)
    return text


def waiting_against_base(ranked: pd.DataFrame, base_waiting: float) -> str:
    """Horizontal bars of ``waiting_vs_base`` per scenario, in the given order (first on top).

    ``ranked`` has columns scenario and waiting_vs_base (solved scenarios
    only, at most :data:`MOST_BARS` are drawn); the zero line is the base,
    whose waiting ``base_waiting`` labels it.
    """
    shown = ranked.head(MOST_BARS)
    n = len(shown)
    added = shown["waiting_vs_base"].to_numpy(dtype=float)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(9, 1.2 + 0.28 * max(n, 3)), layout="constrained")
        ax = fig.add_subplot()
        y = np.arange(n)
        colours = [MORE if a > 0 else LESS if a < 0 else SAME for a in added]
        ax.barh(y, added, color=colours, height=0.7)
        ax.axvline(0, color="#1a202c", lw=1)
        ax.set_yticks(y, shown["scenario"].tolist())
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", lw=0.4, alpha=0.6)
        ax.xaxis.set_major_formatter(FuncFormatter(_axis))
        span = float(np.abs(added).max()) if n else 0.0
        span = span or 1.0
        low = min(0.0, float(added.min()) if n else 0.0)
        high = max(0.0, float(added.max()) if n else 0.0)
        ax.set_xlim(low - 0.18 * span, high + 0.18 * span)
        for i, a in enumerate(added):
            ax.text(
                a + (0.01 * span if a >= 0 else -0.01 * span),
                i,
                _signed(a),
                va="center",
                ha="left" if a >= 0 else "right",
                fontsize=8,
            )
        ax.set_xlabel(
            f"waiting against the base (weighted card-months; the base waits {base_waiting:,.0f})"
        )
        return _svg(fig, "against-base")
