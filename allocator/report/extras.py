"""The report's charts of money and stock: cost by mode and holding, stock at the hubs.

Drawn like :mod:`allocator.report.charts` (inline SVG, no pyplot, same bytes
for the same input).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from allocator.report.charts import STYLE, _figure, _svg, axis_month_labels, cards

MODE_COLOURS = {
    "road": "#2b6cb0",
    "rail": "#6b46c1",
    "sea": "#2c7a7b",
    "air": "#dd6b20",
    "holding": "#718096",
}


def cost_bars(split: pd.DataFrame) -> str:
    """Horizontal bars of the plan's cost by mode and holding (``split`` of ``cost_split``)."""
    n = len(split)
    with mpl.rc_context(STYLE):
        fig = _figure(9, 0.9 + 0.32 * max(n, 5))
        ax = fig.add_subplot()
        y = np.arange(n)
        colours = [MODE_COLOURS.get(w, "#4a5568") for w in split["what"]]
        ax.barh(y, split["cost"], color=colours, height=0.7)
        ax.set_yticks(y, list(split["what"]))
        ax.set_ylim(n - 0.5, -0.5)
        ax.xaxis.set_major_formatter(FuncFormatter(cards))
        top = float(split["cost"].max()) if n else 1.0
        ax.set_xlim(0, max(top, 1.0) * 1.25)
        for i, row in enumerate(split.itertuples(index=False)):
            ax.text(
                row.cost + top * 0.01,
                i,
                f"{cards(row.cost)} ({100 * row.share:.1f}%)",
                va="center",
                fontsize=8,
            )
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", lw=0.4, alpha=0.6)
        ax.set_xlabel("cost over the horizon")
        return _svg(fig, "cost")


def hub_stock_lines(stock: pd.DataFrame, names: dict[str, str], shown: int = 8) -> str:
    """Stock at month end at the ``shown`` hubs that hold most, the rest summed as one line."""
    peaks = stock.max(axis=1).sort_values(ascending=False, kind="stable")
    top = [n for n in peaks.index[:shown] if peaks[n] > 0]
    rest = stock.drop(index=top).sum(axis=0)
    with mpl.rc_context(STYLE):
        fig = _figure(9, 3.2)
        ax = fig.add_subplot()
        x = np.arange(stock.shape[1])
        palette = mpl.colormaps["tab10"]
        for i, node in enumerate(top):
            ax.plot(x, stock.loc[node], lw=1.6, color=palette(i % 10), label=names.get(node, node))
        if len(stock) > len(top):
            others = len(stock) - len(top)
            ax.plot(x, rest, lw=1.2, ls="--", color="#718096", label=f"{others} other hub(s)")
        ax.set_xticks(x, axis_month_labels(stock.columns))
        ax.yaxis.set_major_formatter(FuncFormatter(cards))
        ax.set_ylim(bottom=0, top=max(float(stock.to_numpy().max(initial=0)), 1.0) * 1.1)
        ax.set_ylabel("cards in stock at month end")
        ax.grid(axis="y", lw=0.4, alpha=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
        return _svg(fig, "stock")
