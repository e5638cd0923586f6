"""The report's charts, drawn with matplotlib and returned as inline SVG text.

Each function takes plain tables and returns one ``<svg>`` element, ready to
embed in HTML: text stays text (``svg.fonttype = none``, so the browser's own
sans-serif font draws it and the file stays small), nothing refers to a
network resource, and the output is byte-identical for the same input (no
date in the metadata, element ids salted with the chart's name). Figures are
made with :class:`matplotlib.figure.Figure` directly, never through pyplot, so
no global figure state or GUI backend is involved.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

FILL_CMAP = "RdYlGn"  # fill rate: red (nobody served) to green (everyone served)
BACKLOG_CMAP = "YlOrRd"
SUPPLY, ISSUED, BACKLOG, DEMAND = "#9aa5b1", "#2b6cb0", "#c53030", "#4a5568"
LINK = "#2b6cb0"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}


def cards(value: float, _position: object = None) -> str:
    """A card count for an axis: 950, 12k, 1.2M."""
    magnitude = abs(value)
    if magnitude >= 1e9:
        return f"{value / 1e9:.3g}B"
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.3g}k"
    return f"{value:,.0f}"


def axis_month_labels(periods: Sequence[str] | pd.Index | pd.Series) -> list[str]:
    """Short axis labels for ``YYYY-MM`` months, the year under the first and each January.

    Past 18 months only the first month and each quarter's first are named.

    >>> axis_month_labels(["2017-11", "2017-12", "2018-01"])
    ['Nov\\n2017', 'Dec', 'Jan\\n2018']
    """
    periods = [str(p) for p in periods]
    out = []
    quarters_only = len(periods) > 18  # too many to name every month: name each quarter
    last, year_shown = -3, ""  # a quarter named 1 or 2 months after the last label would collide
    for i, period in enumerate(periods):
        year, month = period[:4], int(period[5:7])
        label = MONTHS[month - 1]
        if quarters_only and i and (month % 3 != 1 or i - last < 3):
            label = ""
        if label:
            last = i
            if year != year_shown:  # the year under its first label (January or the first month)
                label, year_shown = f"{label}\n{year}", year
        out.append(label)
    return out


def _width(quantity: np.ndarray | float, top: float) -> np.ndarray:
    """Line width in points for cards moved: 0.5 to 7, by the square root of the share of top."""
    return 0.5 + 6.5 * np.sqrt(np.asarray(quantity, dtype=float) / top)


def _svg(fig: Figure, name: str) -> str:
    """Render ``fig`` as an ``<svg>`` element: no XML prolog, no metadata, ids prefixed
    with ``name``, the same bytes for the same figure."""
    buf = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": f"allocator-{name}"}):
        fig.savefig(
            buf, format="svg", metadata=dict.fromkeys(("Date", "Creator", "Format", "Type"))
        )
    text = buf.getvalue()
    text = text[text.index("<svg") :].strip()
    # Several charts share one HTML document: prefix every id (and reference) with the
    # chart's name so ids like "axes_1" stay unique on the page.
    for old, new in (('id="', 'id="{}-'), ("url(#", "url(#{}-"), ('href="#', 'href="#{}-')):
        text = text.replace(old, new.format(name))
    return text


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def national(months: pd.DataFrame) -> str:
    """Supply arriving and cards issued (bars) against backlog at month end (line), by month.

    ``months`` has columns period, supply, demand, issued, backlog (one row per
    month, in order); ``supply`` may be missing when the plan does not record it.
    """
    with mpl.rc_context(STYLE):
        fig = _figure(9, 3.4)
        ax = fig.add_subplot()
        x = np.arange(len(months))
        has_supply = "supply" in months
        width = 0.38 if has_supply else 0.6
        if has_supply:
            ax.bar(x - width / 2, months["supply"], width, color=SUPPLY, label="supply arriving")
        ax.bar(
            x + (width / 2 if has_supply else 0),
            months["issued"],
            width,
            color=ISSUED,
            label="cards issued",
        )
        ax.plot(x, months["demand"], color=DEMAND, ls="--", lw=1, marker=".", label="new demand")
        ax.plot(x, months["backlog"], color=BACKLOG, lw=2, marker="o", label="backlog at month end")
        ax.set_xticks(x, axis_month_labels(months["period"]))
        ax.yaxis.set_major_formatter(FuncFormatter(cards))
        ax.set_ylabel("cards")
        ax.set_ylim(bottom=0)
        ax.grid(axis="y", lw=0.4, alpha=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return _svg(fig, "national")


def backlog_heatmap(matrix: pd.DataFrame, *, share: bool = False) -> str:
    """Cards waiting at month end, one row per region (in the given order), one column per month.

    With ``share`` the cells are shares (0 to 1) of the demand so far still
    waiting, drawn on a scale from 0 to 100%.
    """
    rows, columns = matrix.shape
    label = cards if not share else (lambda v, _p=None: f"{100 * v:.0f}%")
    with mpl.rc_context(STYLE):
        fig = _figure(9, 1.3 + 0.2 * max(rows, 3))
        ax = fig.add_subplot()
        values = matrix.to_numpy(dtype=float)
        mesh = ax.pcolormesh(
            values,
            cmap=BACKLOG_CMAP,
            vmin=0,
            vmax=1 if share else max(values.max(initial=0), 1),
            edgecolors="white",
            linewidth=0.5,
        )
        ax.set_xticks(np.arange(columns) + 0.5, axis_month_labels(matrix.columns))
        ax.set_yticks(np.arange(rows) + 0.5, [r or "(no region)" for r in matrix.index])
        ax.set_ylim(rows, 0)  # first region (lowest fill rate) on top
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        if rows * columns <= 120:
            peak = values.max(initial=0)
            for (i, j), v in np.ndenumerate(values):
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    label(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if peak and v > 0.6 * (1 if share else peak) else "black",
                )
        bar = fig.colorbar(mesh, ax=ax, shrink=0.8, pad=0.01, format=FuncFormatter(label))
        bar.set_label("share still waiting" if share else "cards waiting")  # short: 1 row fits
        return _svg(fig, "share" if share else "heatmap")


def region_fill(regions: pd.DataFrame) -> str:
    """Horizontal bars of fill rate by region, in the given order (first on top).

    ``regions`` has columns region, fill_rate and optionally months_waiting_per_card,
    written beside each bar.
    """
    n = len(regions)
    with mpl.rc_context(STYLE):
        fig = _figure(9, 1.0 + 0.2 * max(n, 3))
        ax = fig.add_subplot()
        rate = regions["fill_rate"].to_numpy(dtype=float)
        y = np.arange(n)
        colours = mpl.colormaps[FILL_CMAP](Normalize(0, 1)(rate))
        ax.barh(y, rate, color=colours, height=0.75)
        ax.set_yticks(y, [r or "(no region)" for r in regions["region"]])
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, 1.22)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xticks(np.linspace(0, 1, 6))
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="x", lw=0.4, alpha=0.6)
        wait = (
            regions["months_waiting_per_card"].to_numpy(float)
            if "months_waiting_per_card" in regions
            else None
        )
        for i, r in enumerate(rate):
            label = f"{100 * r:.1f}%" + (f" · waits {wait[i]:.1f} mo" if wait is not None else "")
            ax.text(r + 0.005, i, label, va="center", fontsize=8)
        ax.set_xlabel("cards issued / demand over the horizon")
        return _svg(fig, "regions")


def changes_by_month(
    periods: Sequence[str], old: np.ndarray, new: np.ndarray, start: str | None = None
) -> str:
    """Cards shipped per month under the old plan and the new one, side by side.

    ``start``, the first re-planned month, is marked; before it "new" is what was done.
    """
    with mpl.rc_context(STYLE):
        fig = _figure(9, 3.0)
        ax = fig.add_subplot()
        x = np.arange(len(periods))
        ax.bar(x - 0.2, old, 0.4, color=SUPPLY, label="old plan")
        ax.bar(x + 0.2, new, 0.4, color=ISSUED, label="done, then new plan")
        ax.set_xticks(x, axis_month_labels(periods))
        ax.yaxis.set_major_formatter(FuncFormatter(cards))
        ax.set_ylabel("cards shipped")
        if start is not None and start in periods:
            at = list(periods).index(start) - 0.5
            ax.axvline(at, color=DEMAND, ls=":", lw=1)
            ax.annotate(
                "re-planned from here",
                (at, 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -2),
                textcoords="offset points",
                va="top",
                fontsize=8,
                color=DEMAND,
            )
        ax.grid(axis="y", lw=0.4, alpha=0.6)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
        return _svg(fig, "changes")
