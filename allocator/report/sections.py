"""The report's sections, each a ``<section>`` of HTML with at most one chart.

Every figure comes from the plan folder (its summary and tables) and, for the
map, the instance; regions and offices are ranked by
:mod:`allocator.plan.figures`, the same ranking as the terminal and
``summary.json``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from allocator.instance import Instance
from allocator.instance.periods import month_labels
from allocator.plan import Plan
from allocator.plan.figures import WORST, rank_offices
from allocator.report import charts
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
            esc(f"{months[0]} to {months[-1]} ({len(months)} months)") if months else "?",
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
    rates = plan.nodes.set_index("node")["fill_rate"]
    nodes = instance.nodes[["id", "kind", "lat", "lon"]].copy()
    nodes["lat"] = pd.to_numeric(nodes["lat"], errors="coerce")
    nodes["lon"] = pd.to_numeric(nodes["lon"], errors="coerce")
    nodes["fill_rate"] = nodes["id"].map(rates).astype(float)
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
    return section(
        "map",
        "Map of the network",
        body,
        chart=charts.network_map(nodes, instance.links[["from", "to"]], moved),
        caption="Nodes by latitude and longitude: offices coloured by fill rate, hubs as "
        "squares, sources as stars; a link's width grows with the cards moved along it over "
        "the horizon (all months and modes together; by the square root, so that small "
        "flows stay visible).",
    )
