"""A plan as one self-contained HTML page a planner can send round.

The page is built from the plan folder alone, plus the instance it names
(``summary.instance.source``) for the map's coordinates, so a plan from an
older run can still be reported. It needs no network to open: the charts are
inline SVG drawn by matplotlib (:mod:`allocator.charts`), the styles are
inline, and there is no script at all. If the instance cannot be found, every
section but the map is drawn and the page says why the map is missing.

Sections (each ``<section>`` has an id; those with a chart have class
``chart-section`` and hold exactly one ``<figure class="chart">``):

- ``headline``: demand, issued, unmet, fill rate, waiting, cost, status, instance;
- ``national``: supply, issuance and backlog month by month (chart);
- ``backlog``: backlog by region and month, regions by final fill rate (heatmap);
- ``regions``: fill rate by region (bar chart) and the ten offices served worst;
- ``map``: nodes by latitude and longitude, offices coloured by fill rate, links
  sized by cards moved (chart);
- ``changes``: for a re-plan (a plan with ``changes.csv``), what changed (chart).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import InputError
from allocator.htmlparts import (
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
from allocator.instance import Instance
from allocator.plan import Plan, read_plan

WORST = 10  # offices listed as served worst

CSS = """
:root { --ink: #1a202c; --muted: #5a6473; --rule: #d9dee5; --accent: #2b6cb0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       "Noto Sans", "Liberation Sans", sans-serif; color: var(--ink); margin: 0;
       background: #f7f8fa; line-height: 1.45; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 0 0 8px; }
p.lead, p.note { color: var(--muted); margin: 4px 0 12px; }
nav { margin: 8px 0 20px; font-size: 0.9rem; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
section { background: #fff; border: 1px solid var(--rule); border-radius: 6px;
          padding: 16px 20px; margin: 0 0 18px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
           gap: 10px; margin: 8px 0 14px; }
.figure { border: 1px solid var(--rule); border-radius: 5px; padding: 8px 10px; }
.figure .value { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums;
                 overflow-wrap: anywhere; }
.figure .label { color: var(--muted); font-size: 0.82rem; }
.figure.bad .value { color: #c53030; }
figure.chart { margin: 6px 0 10px; }
figure.chart svg { display: block; width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 6px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--rule); text-align: left; }
th { background: #f0f2f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.meta th { background: none; font-weight: normal; color: var(--muted); }
code { font-size: 0.85rem; word-break: break-all; }
.missing { color: #9c4221; background: #fffaf0; border: 1px solid #fbd38d; padding: 8px 12px;
           border-radius: 5px; }
details { margin-top: 8px; }
"""


# -- the plan's figures as tables ------------------------------------------------------


def horizon(summary: dict[str, Any], issuance: pd.DataFrame) -> list[str]:
    """The plan's months as ``YYYY-MM``: from the summary, else the months the plan mentions."""
    info = summary.get("instance", {})
    if info.get("start") and info.get("periods"):
        first = pd.Period(info["start"], freq="M")
        return [str(first + i) for i in range(int(info["periods"]))]
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


def region_figures(nodes: pd.DataFrame) -> pd.DataFrame:
    """Demand, issued, unmet, fill rate and average wait by region.

    Lowest fill rate first; among equal fill rates, most card-months waiting first.
    """
    by = nodes.groupby("region", sort=True)[
        ["demand", "issued", "unmet", "card_months_waiting"]
    ].sum()
    demand = by["demand"].to_numpy(float)
    rate = np.ones(len(by))
    np.divide(by["issued"].to_numpy(float), demand, out=rate, where=demand > 0)
    by["fill_rate"] = rate
    by["average_wait"] = _average_wait(by["card_months_waiting"], by["demand"])
    by = by.reset_index()
    by["_waiting"] = -by["card_months_waiting"]
    order = by.sort_values(["fill_rate", "_waiting", "region"], kind="stable")
    return order.drop(columns="_waiting")


def _average_wait(card_months: pd.Series, demand: pd.Series) -> np.ndarray:
    """Months a card of demand waited on average (0 where there is no demand)."""
    out = np.zeros(len(demand))
    d = demand.to_numpy(float)
    np.divide(card_months.to_numpy(float), d, out=out, where=d > 0)
    return out


def backlog_matrix(plan: Plan, regions: pd.Series, months: list[str]) -> pd.DataFrame:
    """Cards waiting at month end: a row per region (in ``regions`` order), a column per month."""
    region_of = plan.nodes.set_index("node")["region"]
    issuance = plan.issuance.assign(region=plan.issuance["node"].map(region_of).fillna(""))
    grid = issuance.pivot_table(
        index="region", columns="period", values="backlog", aggfunc="sum", fill_value=0
    )
    return grid.reindex(index=regions, columns=months, fill_value=0).fillna(0)


def worst_offices(nodes: pd.DataFrame, n: int = WORST) -> pd.DataFrame:
    """The ``n`` offices served worst: lowest fill rate, then longest average wait."""
    frame = nodes.assign(average_wait=_average_wait(nodes["card_months_waiting"], nodes["demand"]))
    frame["_wait"] = -frame["average_wait"]
    order = frame.sort_values(["fill_rate", "_wait", "node"], kind="stable")
    columns = ["node", "name", "region", "demand", "issued", "unmet", "fill_rate", "average_wait"]
    return order.head(n)[columns]


# -- finding the instance ----------------------------------------------------------------


def locate_instance(
    summary: dict[str, Any],
    plan_folder: str | Path,
    instance: Instance | str | Path | None = None,
) -> tuple[Instance | None, str | None]:
    """The instance a plan names, and a note for the page (``None`` when all is well).

    An explicit ``instance`` (an Instance or a path) is used as given; a path
    that cannot be loaded raises :class:`InputError`. Otherwise a relative
    ``summary.instance.source`` is looked for in the plan folder, the working
    directory, then each folder above the plan folder; a plan that records no
    source but holds an ``instance/`` folder (a re-plan) uses that. A plan
    whose instance is not found, or no longer loads, gets no map, and the note
    says why.
    """
    from allocator.instance.load import load_instance

    recorded = summary.get("instance", {})
    if isinstance(instance, Instance):
        return instance, None
    if instance is not None:
        found = load_instance(instance)
        return found, _hash_note(found, recorded, str(instance))
    source = recorded.get("source")
    here = Path(plan_folder).resolve()
    if not source:
        if (here / "instance").is_dir():  # a re-plan keeps its instance inside the plan
            source = "instance"
        else:
            return None, "the plan does not record where its instance was loaded from"
    candidates = [Path(source)]
    if not Path(source).is_absolute():
        candidates = [here / source, Path(source), *(folder / source for folder in here.parents)]
    path = next((c for c in candidates if c.exists()), None)
    if path is None:
        return None, (
            f"its instance '{source}' was not found (looked in the plan folder, the working "
            "directory and the folders above the plan); pass it with --instance"
        )
    try:
        found = load_instance(path)
    except InputError as exc:
        return None, f"its instance at {path} could not be loaded: {exc.problems[0]}"
    return found, _hash_note(found, recorded, os.path.relpath(path))


def _hash_note(found: Instance, recorded: dict[str, Any], where: str) -> str | None:
    made = recorded.get("sha256")
    if made and found.sha256 != made:
        return (
            f"the instance at {where} has changed since this plan was made (sha256 "
            f"{found.sha256[:12]}..., the plan's {made[:12]}...): the map shows its current "
            "nodes and links"
        )
    return None


# -- sections ----------------------------------------------------------------------------


def _headline(summary: dict[str, Any], months: list[str]) -> str:
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


def _national(months: pd.DataFrame) -> str:
    from allocator import charts

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


def _backlog(matrix: pd.DataFrame) -> str:
    from allocator import charts

    return section(
        "backlog",
        "Backlog by region and month",
        "",
        chart=charts.backlog_heatmap(matrix),
        caption="Cards waiting at each month's end in each region; regions ordered by fill "
        "rate at the horizon's end, lowest on top.",
    )


def _regions(regions: pd.DataFrame, nodes: pd.DataFrame) -> str:
    from allocator import charts

    names = {
        "fill_rate": "fill rate",
        "card_months_waiting": "card-months waiting",
        "average_wait": "average wait (months)",
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
        + table(worst_offices(nodes).rename(columns=names), formats, "worst")
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


def _map(plan: Plan, instance: Instance | None, note: str | None) -> str:
    from allocator import charts

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


# -- the page ------------------------------------------------------------------------------


def render_plan_report(
    plan: Plan, instance: Instance | None = None, *, instance_note: str | None = None
) -> str:
    """The HTML page of ``plan``; ``instance`` gives the map (``None``: no map, see the note)."""
    summary = plan.summary
    name = summary.get("instance", {}).get("name", "plan")
    months = horizon(summary, plan.issuance)
    regions = region_figures(plan.nodes)
    sections = [
        _headline(summary, months),
        _national(monthly(plan, months)),
        _backlog(backlog_matrix(plan, regions["region"], months)),
        _regions(regions, plan.nodes),
        _map(plan, instance, instance_note),
    ]
    titles = [
        ("headline", "Headline"),
        ("national", "Month by month"),
        ("backlog", "Backlog by region"),
        ("regions", "Fill rate by region"),
        ("map", "Map"),
    ]
    if "changes" in plan.extra:
        from allocator.report_changes import changes_section

        sections.append(changes_section(plan.extra["changes"], summary))
        titles.append(("changes", "Changes"))
    nav = "".join(f'<a href="#{sid}">{esc(t)}</a>' for sid, t in titles)
    kind = "Re-plan" if "changes" in plan.extra else "Plan"
    description = (
        f'<p class="lead">{esc(instance.description)}</p>'
        if instance is not None and instance.description
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="allocator">'
        f"<title>{esc(kind)} report: {esc(name)}</title><style>{CSS}</style></head>\n"
        f"<body><main><h1>{esc(kind)} report: {esc(name)}</h1>{description}"
        f"<nav>{nav}</nav>\n" + "\n".join(sections) + "\n</main></body></html>\n"
    )


def build_report(
    plan_folder: str | Path, *, instance: Instance | str | Path | None = None
) -> tuple[str, str | None]:
    """The report of ``plan_folder`` and why it has no map (``None`` when it has one, or
    when its instance has changed: then the note says so and the page shows it)."""
    plan = read_plan(plan_folder)
    found, note = locate_instance(plan.summary, plan_folder, instance)
    return render_plan_report(plan, found, instance_note=note), note


def render_report(plan_folder: str | Path, *, instance: Instance | str | Path | None = None) -> str:
    """The HTML report of the plan in ``plan_folder``.

    ``instance`` (an Instance or a path) overrides the instance the plan names;
    see :func:`locate_instance`. Raises :class:`InputError` if the plan folder
    is incomplete.
    """
    return build_report(plan_folder, instance=instance)[0]


def write_report(
    plan_folder: str | Path,
    output: str | Path,
    *,
    instance: Instance | str | Path | None = None,
    force: bool = False,
) -> Path:
    """Write the report of ``plan_folder`` to ``output``, atomically.

    Refuses an existing ``output`` unless ``force`` (checked before any work).
    """
    from allocator._atomic import refuse_existing, write_file_atomic

    refuse_existing(output, force=force)
    page = render_report(plan_folder, instance=instance)
    return write_file_atomic(output, page.encode(), force=force)
