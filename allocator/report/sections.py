"""The report's sections, each a ``<section>`` of HTML with at most one chart.

Every figure comes from the plan folder (its summary and tables) and, for the
map, the instance; regions and offices are ranked by
:mod:`allocator.plan.figures`, the same ranking as the terminal and
``summary.json``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from allocator._format import month
from allocator.instance import Instance
from allocator.instance.periods import month_labels
from allocator.plan import Plan
from allocator.plan.figures import WORST, rank_offices
from allocator.report import charts, extras, maps, views
from allocator.report.basemap import load_basemap
from allocator.report.html import (
    esc,
    meta_table,
    money,
    notice,
    number,
    percent,
    section,
    table,
    whole,
)

# -- the plan's figures as tables ------------------------------------------------------


def horizon(summary: dict[str, Any], issuance: pd.DataFrame) -> list[str]:
    """The plan's months as ``YYYY-MM``: from the summary, else the months the plan mentions."""
    info = summary.get("instance", {})
    if info.get("start") and info.get("periods"):
        return month_labels(str(info["start"]), int(info["periods"]))
    if summary.get("months"):
        return [m["period"] for m in summary["months"]]
    return sorted(issuance["period"].unique().tolist())


def monthly(plan: Plan, months: list[str]) -> pd.DataFrame:
    """National supply (when the summary records it), demand, issued and backlog by month."""
    recorded = plan.summary.get("months")
    if recorded:
        return pd.DataFrame.from_records(recorded)
    by = plan.issuance.groupby("period")[["demand", "issued", "backlog"]].sum()
    return by.reindex(months, fill_value=0).rename_axis("period").reset_index()


def backlog_matrix(plan: Plan, regions: pd.Series, months: list[str]) -> pd.DataFrame:
    """Cards waiting at month end: a row per region (in ``regions`` order), a column per month."""
    region_of = plan.nodes.set_index("node")["region"]
    issuance = plan.issuance.assign(region=plan.issuance["node"].map(region_of).fillna(""))
    grid = issuance.pivot_table(
        index="region", columns="period", values="backlog", aggfunc="sum", fill_value=0
    )
    return grid.reindex(index=regions, columns=months, fill_value=0).fillna(0)


# -- sections ----------------------------------------------------------------------------


def headline_section(summary: dict[str, Any], months: list[str], *, verified: bool) -> str:
    """Headline figures, the instance and the solver; whether the plan was verified."""
    totals = summary.get("totals", {})
    objective = summary.get("objective", {})
    solver = summary.get("solver", {})
    figures = [
        ("demand", "demand (cards)", whole(totals.get("demand", 0)), False),
        ("issued", "cards issued", whole(totals.get("issued", 0)), False),
        ("unmet", "unmet at horizon end", whole(totals.get("unmet", 0)), totals.get("unmet", 0)),
        ("fill_rate", "fill rate", percent(totals.get("fill_rate", 1.0)), False),
        ("waiting", "waiting (weighted card-months)", number(objective.get("waiting", 0)), False),
        (
            "card_months_waiting",
            "card-months waiting",
            whole(totals.get("card_months_waiting", 0)),
            False,
        ),
        ("cost", "cost", money(objective.get("cost", 0)), False),
        ("status", "solver status", str(summary.get("status", "unknown")), False),
    ]
    boxes = "".join(
        f'<div class="figure{" bad" if bad else ""}" data-figure="{key}">'
        f'<div class="value">{esc(value)}</div><div class="label">{esc(label)}</div></div>'
        for key, label, value, bad in figures
    )
    info = summary.get("instance", {})
    model = summary.get("model", {})
    meta = [
        ("instance", f"<strong>{esc(info.get('name', '?'))}</strong>"),
        ("instance sha256", f'<code data-figure="sha256">{esc(info.get("sha256", "?"))}</code>'),
        ("loaded from", f"<code>{esc(info.get('source') or '(not recorded)')}</code>"),
        (
            "horizon",
            esc(f"{month(months[0])} to {month(months[-1])} ({len(months)} months)")
            if months
            else "?",
        ),
        (
            "solver",
            esc(
                " ".join(
                    str(s) for s in (solver.get("name"), solver.get("version")) if s is not None
                )
                + (f", method {solver['method']}" if solver.get("method") else "")
            ),
        ),
        (
            "checked",
            '<span data-figure="verified">'
            + (
                "verified against its instance: every constraint holds, in whole cards"
                if verified
                else "not verified (see the note at the top)"
            )
            + "</span>",
        ),
    ]
    if model:
        meta.append(
            (
                "model size",
                esc(
                    f"{whole(model.get('columns', 0))} columns, "
                    f"{whole(model.get('rows', 0))} rows, "
                    f"{whole(model.get('nonzeros', 0))} nonzeros"
                ),
            )
        )
    return (
        '<section id="headline"><h2>Headline</h2>'
        f'<div class="figures">{boxes}</div>{meta_table(meta)}</section>'
    )


def national_section(months: pd.DataFrame) -> str:
    cols = [c for c in ("period", "supply", "demand", "issued", "backlog") if c in months]
    shown = months[cols].copy()
    if "fill_rate" in months:
        shown["fill rate so far"] = months["fill_rate"]
    formats = {c: whole for c in cols if c != "period"} | {"fill rate so far": percent}
    return section(
        "national",
        "Supply, issuance and backlog, month by month",
        f"<details><summary>the figures</summary>{table(shown, formats)}</details>",
        chart=charts.national(months),
        caption="Nationally: cards arriving from the printer, cards issued to people, new "
        "demand, and cards still waiting at each month's end.",
    )


def backlog_section(matrix: pd.DataFrame) -> str:
    return section(
        "backlog",
        "Backlog by region and month",
        "",
        chart=charts.backlog_heatmap(matrix),
        caption="Cards waiting at each month's end in each region; regions ordered by fill "
        "rate at the horizon's end, lowest on top.",
    )


def regions_section(regions: pd.DataFrame, nodes: pd.DataFrame) -> str:
    names = {
        "fill_rate": "fill rate",
        "card_months_waiting": "card-months waiting",
        "months_waiting_per_card": "average wait (months)",
    }
    formats = {
        "demand": whole,
        "issued": whole,
        "unmet": whole,
        "fill rate": percent,
        "card-months waiting": whole,
        "average wait (months)": lambda v: f"{v:.2f}",
    }
    body = (
        f"<h3>The {min(WORST, len(nodes))} offices served worst</h3>"
        '<p class="note">Lowest fill rate first; among equals, the longest average wait '
        "(card-months waiting per card of demand).</p>"
        + table(rank_offices(nodes, WORST).rename(columns=names), formats, "worst")
        + "<details><summary>every region</summary>"
        + table(regions.rename(columns=names), formats, "regions")
        + "</details>"
    )
    return section(
        "regions",
        "Fill rate by region at the horizon's end",
        body,
        chart=charts.region_fill(regions),
        caption="Cards issued over the horizon as a share of demand, by region, with the "
        "average wait of a card of demand in months.",
    )


def map_section(plan: Plan, instance: Instance | None, note: str | None) -> str:
    if instance is None:
        return notice("map", "Map", f"No map: {note or 'no instance'}.")
    served = plan.nodes.set_index("node")
    nodes = instance.nodes[["id", "name", "kind", "lat", "lon"]].copy()
    nodes["lat"] = pd.to_numeric(nodes["lat"], errors="coerce")
    nodes["lon"] = pd.to_numeric(nodes["lon"], errors="coerce")
    nodes["fill_rate"] = nodes["id"].map(served["fill_rate"]).astype(float)
    per_card = served["card_months_waiting"] / served["demand"].where(served["demand"] > 0)
    nodes["months_waited"] = nodes["id"].map(per_card).astype(float)
    moved = plan.shipments.groupby(["from", "to"], as_index=False)[["quantity"]].sum()
    unplaced = int(nodes[["lat", "lon"]].isna().any(axis=1).sum())
    if unplaced == len(nodes):
        return notice("map", "Map", "No map: no node of the instance has a latitude and longitude.")
    body = (
        f'<p class="note">{unplaced} node(s) without latitude and longitude are not drawn.</p>'
        if unplaced
        else ""
    )
    if note:
        body += f'<p class="missing">{esc(note)}.</p>'
    basemap = load_basemap()
    body = f'<p class="note attribution">{esc(basemap.attribution)}</p>' + body
    measure = (
        "fill rate (some office is short at the horizon's end)"
        if maps.map_measure(nodes) == "fill_rate"
        else "the months a card of demand waited (every office is served in full, so fill "
        "rate would not tell them apart)"
    )
    return section(
        "map",
        "Map of the network",
        body,
        chart=maps.network_map(nodes, instance.links[["from", "to"]], moved, basemap),
        caption=f"Offices coloured by {measure}; the worst served drawn on top and larger. "
        "Hubs are squares with their names, sources stars; a link's width grows with the "
        "cards moved along it over the horizon (by the square root, so that small flows stay "
        "visible).",
    )


def share_section(share: pd.DataFrame, backlog: pd.DataFrame) -> str:
    """The share of demand still waiting, and the month each region's backlog clears."""
    clears = views.backlog_clears(backlog)
    shown = pd.DataFrame(
        {
            "region": [r or "(no region)" for r in clears["region"]],
            "backlog clears": [month(c) if c else "not by the end" for c in clears["clears"]],
            "most waiting": clears["peak"],
            "in": [month(m) if m else "" for m in clears["peak_month"]],
            "waiting at the end": clears["left"],
        }
    )
    formats = {"most waiting": whole, "waiting at the end": whole}
    return section(
        "share",
        "Share of demand still waiting, and when each backlog clears",
        "<h3>When each region's backlog clears</h3>"
        '<p class="note">The first month from which nobody waits at a month\'s end, to the '
        "end of the horizon.</p>" + table(shown, formats, "clears"),
        chart=charts.backlog_heatmap(share, share=True),
        caption="Cards waiting at each month's end as a share of the region's demand so far, "
        "so that a small province reads as plainly as a large one; regions as above.",
    )


def cost_section(plan: Plan, instance: Instance | None) -> str:
    """The plan's cost split by transport mode and holding."""
    if instance is None:
        return notice("cost", "Cost", "No cost split: the instance (link costs) is missing.")
    split = views.cost_split(plan, instance)
    shown = split.rename(columns={"what": "mode", "share": "share of cost"})
    formats = {"cards": whole, "cost": money, "share of cost": percent}
    return section(
        "cost",
        "Cost by mode and holding",
        table(shown, formats, "cost"),
        chart=extras.cost_bars(split),
        caption="Moving cards (cards on each link times its cost per card), by mode, and "
        "holding them (cards in stock at each month's end times the node's holding cost); "
        "together the plan's cost.",
    )


def stock_section(plan: Plan, instance: Instance | None, months: list[str]) -> str:
    """Cards in stock at each hub at each month's end."""
    stock = views.hub_stock(plan, instance, months)
    if stock.empty:
        return notice("stock", "Stock at the hubs", "No hub in this network.")
    names = {}
    if instance is not None:
        names = {
            i: maps.hub_label(n)
            for i, n in zip(instance.nodes["id"], instance.nodes["name"], strict=True)
        }
    held = int(stock.to_numpy().max(initial=0))
    note = (
        '<p class="note">No hub holds a card at any month\'s end: cards flow straight through.</p>'
        if held == 0
        else ""
    )
    return section(
        "stock",
        "Stock at the source and the hubs over time",
        note,
        chart=extras.hub_stock_lines(stock, names),
        caption="Cards in stock at each month's end where cards are held (the source and the "
        "hubs): the ones that hold most each a line, the others summed.",
    )
