"""One office or one province, in plain words: demand, waiting, why, where its cards came from.

:func:`describe` turns an :class:`~allocator.explaining.run.Explanation` and
its plan into short paragraphs for ``allocator explain --office`` and
``--region``: what was asked for and issued month by month, why people wait
(each reason with its evidence), which tranches fed the place and by which
routes, and what would help it most (the exact marginal values of the
supply, links and printers on its routes).
"""

from __future__ import annotations

import pandas as pd

from allocator._format import month, number, whole
from allocator.errors import InputError, Problem
from allocator.explaining.run import Explanation
from allocator.instance import Instance
from allocator.plan import Plan

SHOWN = 5


def _months(issuance: pd.DataFrame) -> list[str]:
    by = issuance.groupby(["period", "category"])[["demand", "issued", "backlog"]].sum()
    lines = []
    for period, rows in by.groupby(level=0, sort=True):
        parts = [
            f"{cat}: {whole(r.demand)} asked, {whole(r.issued)} issued, {whole(r.backlog)} waiting"
            for (_, cat), r in rows.iterrows()
        ]
        lines.append(f"  {month(str(period))}  " + "; ".join(parts))
    return lines


def describe(
    instance: Instance,
    plan: Plan,
    explanation: Explanation,
    *,
    office: str | None = None,
    region: str | None = None,
) -> list[str]:
    """Lines describing one office (``office``, a node id) or one province (``region``)."""
    nodes = instance.nodes
    if office is not None:
        if office not in set(nodes["id"]):
            raise InputError(
                [Problem("--office", None, None, f"no node '{office}' in the instance")]
            )
        ids = [office]
        info = nodes.set_index("id").loc[office]
        title = f"{office} {info['name']} ({info['region'] or 'no region'})"
    else:
        ids = nodes.loc[nodes["region"] == region, "id"].tolist()
        if not ids:
            known = ", ".join(sorted(set(nodes["region"].astype(str)) - {""})[:8])
            raise InputError(
                [Problem("--region", None, None, f"no region '{region}' (regions: {known}, ...)")]
            )
        title = f"{region}: {len(ids)} node(s)"
    issuance = plan.issuance[plan.issuance["node"].isin(ids)]
    lines = [title]
    demand, issued = int(issuance["demand"].sum()), int(issuance["issued"].sum())
    lines.append(f"Demand {whole(demand)}, issued {whole(issued)}, unmet {whole(demand - issued)}.")
    if office is not None and not issuance.empty:
        lines.append("By month:")
        lines += _months(issuance)
    short = explanation.shortfalls[explanation.shortfalls["node"].isin(ids)]
    if short.empty:
        lines.append("Nobody waits at a month's end here.")
    else:
        lines.append("Why people wait (card-months of waiting, weighted):")
        by = short.groupby(["reason", "evidence"], sort=False)["card_months"].sum()
        by = by.sort_values(ascending=False, kind="stable")
        for (reason, evidence), weight in by.head(2 * SHOWN).items():
            lines.append(f"  {reason}, {number(weight)}: {evidence}")
        if len(by) > 2 * SHOWN:
            lines.append(f"  ... and {len(by) - 2 * SHOWN} more")
    pegs = explanation.pegging[explanation.pegging["office"].isin(ids)]
    if not pegs.empty:
        lines.append("Where its cards came from:")
        fed = pegs.groupby(["source", "source_period", "route"], sort=False)["cards"].sum()
        fed = fed.sort_values(ascending=False, kind="stable")
        for (source, when, route), cards in fed.head(SHOWN).items():
            lines.append(f"  {whole(cards)} from {source} ({month(when)}) via {route or 'no link'}")
        if len(fed) > SHOWN:
            lines.append(f"  ... and {len(fed) - SHOWN} more routes")
    lines += _helps(explanation, ids, pegs)
    return lines


def _helps(explanation: Explanation, ids: list[str], pegs: pd.DataFrame) -> list[str]:
    """The largest exact marginal values at these nodes and on the routes that fed them."""
    legs = {leg.split("@")[0] for route in pegs["route"] for leg in route.split(";") if leg}
    upstream = set(ids) | set(pegs["source"]) | {leg.split(">")[0] for leg in legs}
    margins = explanation.marginal_values
    mine = margins[
        (margins["what"].isin(["supply", "storage", "issue"]) & margins["id"].isin(upstream))
        | ((margins["what"] == "link") & margins["id"].isin(legs))
    ]
    if mine.empty:
        return ["No limit on its routes has an exact marginal value: one more unit saves nothing."]
    out = ["What would help it most (waiting saved per extra unit, and for how many units):"]
    for r in mine.head(SHOWN).itertuples(index=False):
        out.append(
            f"  one more {r.what} at {r.id} in {month(r.period)}: {number(r.value)} "
            f"(holds for {r.holds_up_to})"
        )
    return out
