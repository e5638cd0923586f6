"""The report's map: the network over Indonesia's coastlines, offices by how well served.

Offices are coloured by the measure that tells them apart: fill rate while
some office is short at the horizon's end, else (everyone served) the months
a card of demand waited. The worst-served are drawn last, on top and a little
larger, so that at 2,000 offices they are the dots one sees; hubs are
labelled with their place names; links are drawn by the cards they carried.
"""

from __future__ import annotations

from typing import Any

import matplotlib as mpl
import matplotlib.patheffects as patheffects
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, PercentFormatter

from allocator.report.basemap import Basemap
from allocator.report.charts import FILL_CMAP, LINK, STYLE, _figure, _svg, _width, cards

LAND, NEIGHBOUR, SEA, COAST = "#f3efe6", "#e6e8eb", "#eaf2f8", "#8a9bb0"
WAIT_CMAP = "RdYlGn_r"  # months waited: green (none) to red (long)


def map_measure(nodes: pd.DataFrame) -> str:
    """``fill_rate`` while some office is short, else ``months_waited`` (per card of demand)."""
    rated = nodes["fill_rate"].dropna()
    return "fill_rate" if len(rated) and float(rated.min()) < 1 - 1e-9 else "months_waited"


def hub_label(name: str) -> str:
    """A hub's place for the map: ``Hub Banda Aceh (Aceh)`` -> ``Banda Aceh``."""
    text = str(name).split(" (")[0]
    return text[4:] if text.startswith("Hub ") else text


def network_map(
    nodes: pd.DataFrame, links: pd.DataFrame, moved: pd.DataFrame, basemap: Basemap
) -> str:
    """Nodes over the basemap, offices coloured by :func:`map_measure`, links by cards moved.

    ``nodes``: id, name, kind, lat, lon, fill_rate and months_waited (NaN
    without demand); ``links``: from, to; ``moved``: from, to, quantity.
    Nodes without coordinates are left out (the caller says how many).
    """
    placed = nodes.dropna(subset=["lat", "lon"]).set_index("id")
    with mpl.rc_context(STYLE):
        west, east = float(placed["lon"].min()) - 1.5, float(placed["lon"].max()) + 1.5
        south, north = float(placed["lat"].min()) - 1.5, float(placed["lat"].max()) + 1.5
        aspect = min(max((north - south) / max(east - west, 1e-9), 0.25), 1.2)
        fig = _figure(10, 1.5 + 7.4 * aspect)
        ax = fig.add_subplot()
        ax.set_facecolor(SEA)
        _draw_basemap(ax, basemap)
        top = _draw_links(ax, placed, links, moved)
        points, measure = _draw_offices(ax, placed)
        _draw_hubs(ax, placed)
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        for side in ("top", "right"):
            ax.spines[side].set_visible(True)
        _legend(ax, top)
        if points is not None:
            if measure == "fill_rate":
                bar = fig.colorbar(points, ax=ax, shrink=0.7, pad=0.01, format=PercentFormatter(1))
                bar.set_label("office fill rate (red: short)")
            else:
                bar = fig.colorbar(
                    points, ax=ax, shrink=0.7, pad=0.01, format=FuncFormatter(_months)
                )
                bar.set_label("months a card of demand waited (everyone is served)")
        return _svg(fig, "map")


def _months(value: float, _position: object = None) -> str:
    return f"{value:.1f} mo"


def _draw_basemap(ax: Any, basemap: Basemap) -> None:
    """Neighbours grey, Indonesia light, coastlines and province borders drawn, with ids."""
    others = PolyCollection(
        basemap.neighbours, facecolors=NEIGHBOUR, edgecolors=COAST, linewidths=0.3, zorder=0
    )
    others.set_gid("neighbours")
    ax.add_collection(others)
    land = PolyCollection(
        basemap.indonesia, facecolors=LAND, edgecolors=COAST, linewidths=0.5, zorder=0
    )
    land.set_gid("coastline")
    ax.add_collection(land)
    borders = LineCollection(basemap.provinces, colors=COAST, linewidths=0.3, alpha=0.6, zorder=0)
    borders.set_gid("provinces")
    ax.add_collection(borders)


def _draw_links(ax: Any, placed: pd.DataFrame, links: pd.DataFrame, moved: pd.DataFrame) -> float:
    """Every link faint, used ones by the cards they carried; the largest quantity."""

    def segments(pairs: pd.DataFrame) -> list[np.ndarray]:
        pairs = pairs[pairs["from"].isin(placed.index) & pairs["to"].isin(placed.index)]
        a = placed.loc[pairs["from"], ["lon", "lat"]].to_numpy(float)
        b = placed.loc[pairs["to"], ["lon", "lat"]].to_numpy(float)
        return list(np.stack([a, b], axis=1)) if len(pairs) else []

    every = links[["from", "to"]].drop_duplicates()
    ax.add_collection(LineCollection(segments(every), colors="#c3ccd6", linewidths=0.3, zorder=1))
    moved = moved[(moved["quantity"] > 0)]
    moved = moved[moved["from"].isin(placed.index) & moved["to"].isin(placed.index)]
    top = float(moved["quantity"].max()) if len(moved) else 1.0
    if len(moved):
        moved = moved.sort_values("quantity", kind="stable")  # biggest drawn last, on top
        widths = _width(moved["quantity"].to_numpy(float), top)
        ax.add_collection(
            LineCollection(segments(moved), colors=LINK, linewidths=widths, alpha=0.45, zorder=2)
        )
    return top


def _draw_offices(ax: Any, placed: pd.DataFrame) -> tuple[Any, str]:
    """Offices with demand, the worst drawn last and larger; the scatter and its measure."""
    rated = placed[placed["fill_rate"].notna()]
    measure = map_measure(placed)
    if rated.empty:
        return None, measure
    if measure == "fill_rate":
        values = rated["fill_rate"].to_numpy(float)
        # The scale starts at the worst office's rate (in steps of 10%): where every office
        # gets 85% or more, 85% and 100% must not both look green.
        low = min(float(np.floor(values.min() * 10) / 10), 0.9)
        cmap, norm = FILL_CMAP, Normalize(low, 1)
        badness = (1 - values) / (1 - low)
    else:
        values = rated["months_waited"].to_numpy(float)
        cmap, norm = WAIT_CMAP, Normalize(0, max(float(np.nanmax(values)), 1.0))
        badness = values / max(float(np.nanmax(values)), 1e-9)
    order = np.argsort(badness, kind="stable")  # the best first, the worst last (on top)
    many = len(rated) > 600
    # Four sizes, one scatter each: a scatter of one size is one marker in the SVG that each
    # office refers to (a scatter of many sizes writes a whole path per office).
    steps = np.ceil(np.clip(badness[order], 0, 1) * 3).astype(int)
    lon, lat = rated["lon"].to_numpy(float)[order], rated["lat"].to_numpy(float)[order]
    points = None
    for step in range(4):
        chosen = steps == step
        if not chosen.any():
            continue
        drawn = ax.scatter(
            lon[chosen],
            lat[chosen],
            c=values[order][chosen],
            cmap=cmap,
            norm=norm,
            s=(5.0 if many else 14.0) + (7.0 if many else 6.0) * step,
            linewidths=0.2 if many else 0.3,
            edgecolors="#333333",
            zorder=3 + step / 10,
        )
        points = points or drawn
    return points, measure


def _draw_hubs(ax: Any, placed: pd.DataFrame) -> None:
    """Hubs as squares with their place names; sources as stars."""
    kind = placed["kind"].astype(str)
    hubs = placed[kind == "hub"]
    ax.scatter(hubs["lon"], hubs["lat"], marker="s", s=16, color="#1a202c", zorder=4)
    for _, hub in hubs.iterrows():
        ax.annotate(
            hub_label(hub.get("name", "")),
            (hub["lon"], hub["lat"]),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=6.5,
            color="#1a202c",
            zorder=6,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white")],
        )
    sources = placed[kind == "source"]
    ax.scatter(sources["lon"], sources["lat"], marker="*", s=140, color="#1a202c", zorder=5)


def _legend(ax: Any, top: float) -> None:
    """Sources, hubs and link widths, under the map."""
    handles = [
        Line2D([], [], marker="*", ls="", color="#1a202c", ms=10, label="source"),
        Line2D([], [], marker="s", ls="", color="#1a202c", ms=5, label="hub (named)"),
        Line2D([], [], marker="o", ls="", color="#999999", ms=6, label="office (worst on top)"),
        *(
            Line2D([], [], color=LINK, lw=float(_width(q, top)), alpha=0.45, label=cards(q))
            for q in sorted({round(q) for q in (top, top / 10, top / 100) if q >= 1}, reverse=True)
        ),
        Line2D([], [], color="#c3ccd6", lw=1, label="link not used"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncols=4,
        frameon=False,
        title="cards moved along a link over the horizon",
        title_fontsize=8,
    )
