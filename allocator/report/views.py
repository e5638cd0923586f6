"""The report's derived tables: shares waiting, when backlogs clear, cost by mode, hub stock.

Each is computed from the plan's tables (and the instance, for costs and node
kinds) so that the page and its tests read the same numbers.
"""

from __future__ import annotations

import pandas as pd

from allocator.instance import Instance
from allocator.plan import Plan


def share_waiting(plan: Plan, regions: pd.Series, months: list[str]) -> pd.DataFrame:
    """Per region and month, the share of the demand so far that still waits at month end.

    Backlog at month end divided by the region's demand from the first month
    to that one: a small province reads as plainly as Jawa Barat.
    """
    region_of = plan.nodes.set_index("node")["region"]
    issuance = plan.issuance.assign(region=plan.issuance["node"].map(region_of).fillna(""))

    def grid(column: str) -> pd.DataFrame:
        table = issuance.pivot_table(
            index="region", columns="period", values=column, aggfunc="sum", fill_value=0
        )
        return table.reindex(index=regions, columns=months, fill_value=0).fillna(0)

    demand_so_far = grid("demand").cumsum(axis=1)
    backlog = grid("backlog")
    return (backlog / demand_so_far.where(demand_so_far > 0)).fillna(0.0).clip(0, 1)


def backlog_clears(backlog: pd.DataFrame) -> pd.DataFrame:
    """Per region (rows of ``backlog``, months as columns): the month its backlog clears.

    ``clears`` is the first month from which nobody waits at any month's end
    to the horizon's end ("" if someone still waits at the end; the first
    month if nobody ever waits); ``peak`` the most cards waiting at a month's
    end and ``peak_month`` when ("" if never); ``left`` the cards still waiting
    at the end.
    """
    rows = []
    months = list(backlog.columns)
    for region, values in backlog.iterrows():
        waiting = [float(v) > 0 for v in values]
        last = max((i for i, w in enumerate(waiting) if w), default=-1)
        clears = "" if not months or last == len(months) - 1 else months[last + 1]
        peak_at = int(values.to_numpy().argmax()) if len(months) else 0
        rows.append(
            {
                "region": region,
                "clears": clears,
                "peak": int(values.max()) if len(months) else 0,
                "peak_month": months[peak_at] if len(months) and values.max() > 0 else "",
                "left": int(values.iloc[-1]) if len(months) else 0,
            }
        )
    return pd.DataFrame(rows, columns=["region", "clears", "peak", "peak_month", "left"])


def cost_split(plan: Plan, instance: Instance) -> pd.DataFrame:
    """The plan's cost by transport mode (road, sea, air, ...) and holding, with shares.

    Moving: the cards on each link times its cost per card; holding: the
    cards in stock at each month's end times the node's holding cost. They
    add up to the plan's cost (``summary.objective.cost``).
    """
    links = instance.links.set_index("id")
    shipped = plan.shipments.assign(
        cost=plan.shipments["quantity"] * plan.shipments["link"].map(links["cost"]).fillna(0.0)
    )
    by_mode = shipped.groupby("mode")[["cost", "quantity"]].sum()
    hold = instance.nodes.set_index("id")["holding_cost"].astype(float)
    stock = plan.stock
    per_card = stock["node"].map(hold).astype(float).fillna(0.0)
    holding = float((stock["stock"].astype(float) * per_card).sum())
    rows = [
        {"what": str(mode), "cards": int(row["quantity"]), "cost": float(row["cost"])}
        for mode, row in by_mode.sort_values("cost", ascending=False).iterrows()
    ]
    rows.append({"what": "holding", "cards": int(stock["stock"].sum()), "cost": holding})
    split = pd.DataFrame(rows, columns=["what", "cards", "cost"])
    total = float(split["cost"].sum())
    split["share"] = split["cost"] / total if total else 0.0
    return split


def hub_stock(plan: Plan, instance: Instance | None, months: list[str]) -> pd.DataFrame:
    """Cards in stock at each hub (and source) at each month's end: a row per node, zeros kept.

    Without the instance, the nodes without demand that ever hold stock stand for the hubs.
    """
    if instance is not None:
        kinds = instance.nodes.set_index("id")["kind"].astype(str)
        holders = [n for n, k in kinds.items() if k in ("hub", "source")]
    else:
        offices = set(plan.nodes.loc[plan.nodes["demand"] > 0, "node"])
        holders = sorted(set(plan.stock["node"]) - offices)
    grid = plan.stock.pivot_table(
        index="node", columns="period", values="stock", aggfunc="sum", fill_value=0
    )
    return grid.reindex(index=holders, columns=months, fill_value=0).fillna(0).astype(int)
