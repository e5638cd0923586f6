"""From the solver's whole-card column values to plan tables and reported figures.

Every figure is recomputed here from whole cards (never taken from the
solver's objective value), with the definitions of ``docs/model.md``'s
'Reported figures': demand, issued, unmet, fill_rate, waiting,
card_months_waiting and cost, for the plan, per node, per region (ranked by
:func:`allocator.plan.figures.rank_regions`) and per month.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.instance import Instance, unusual
from allocator.model import LinearProgram, weight_groups
from allocator.plan.core import PLAN_TABLES, SORT_KEYS, Plan
from allocator.plan.figures import fill_rate, region_records


def _sorted(name: str, table: pd.DataFrame) -> pd.DataFrame:
    table = table[PLAN_TABLES[name]]
    return table.sort_values(SORT_KEYS[name], kind="stable").reset_index(drop=True)


def shipments_table(instance: Instance, lp: LinearProgram, cards: np.ndarray) -> pd.DataFrame:
    """One row per link and month with cards leaving.

    A re-plan splits x[l,t] where the old plan shipped into two parallel
    columns (``x`` and ``x_stable``): the shipment is their sum.
    """
    x = lp.variables["x"]
    qty = cards[x["col"].to_numpy()]
    if "x_stable" in lp.variables:
        copies = lp.variables["x_stable"]
        both = pd.concat([x, copies], ignore_index=True)[["link", "t"]]
        both["quantity"] = np.concatenate([qty, cards[copies["col"].to_numpy()]])
        x = both.groupby(["link", "t"], as_index=False, sort=False)["quantity"].sum()
        qty = x["quantity"].to_numpy()
    x = x.assign(quantity=qty)[qty > 0]
    links = instance.links.set_index("id")
    lead = links.loc[x["link"], "lead_time"].to_numpy(np.int64)
    t = x["t"].to_numpy()
    table = pd.DataFrame(
        {
            "link": x["link"].to_numpy(),
            "from": links.loc[x["link"], "from"].to_numpy(),
            "to": links.loc[x["link"], "to"].to_numpy(),
            "mode": links.loc[x["link"], "mode"].to_numpy(),
            "period": instance.month_label(t) if len(t) else np.array([], dtype=object),
            "arrival": instance.month_label(t + lead) if len(t) else np.array([], dtype=object),
            "quantity": x["quantity"].to_numpy(np.int64),
        }
    )
    return _sorted("shipments", table)


def split_first_come(demand: np.ndarray, issued: np.ndarray) -> np.ndarray:
    """Split each group's monthly issue among its categories, first come, first served.

    ``demand`` is (groups, categories, P): new demand per category and month,
    categories in priority order for demand arising in the same month (pad
    with zero rows). ``issued`` is (groups, P): each group's cards issued per
    month, never more than its backlog. People are served in the order their
    demand arose (then by category), so the first ``sum(issued[:t])`` of them
    are served by month ``t``. Returns whole cards per group, category and month.
    """
    G, k, P = demand.shape
    blocks = demand.transpose(0, 2, 1).reshape(G, P * k)  # month-major arrival blocks
    starts = (np.cumsum(blocks, axis=1) - blocks).reshape(G, P, k).transpose(0, 2, 1)
    served_by = np.cumsum(issued, axis=1)
    served = np.clip(
        served_by[:, None, None, :] - starts[:, :, :, None], 0, demand[:, :, :, None]
    ).sum(axis=2)  # (groups, categories, P): served by the end of each month
    return np.diff(served, axis=2, prepend=0)


def issuance_grid(instance: Instance, lp: LinearProgram, cards: np.ndarray) -> pd.DataFrame:
    """Demand, issued and backlog for every (node, category) with demand and every month.

    The LP issues per weight group (:func:`allocator.model.weight_groups`);
    groups of several categories are split first come, first served.
    """
    P = instance.periods
    demand = instance.demand
    keys = pd.MultiIndex.from_arrays([demand["node"], demand["category"]])
    pairs = keys.unique().sort_values()
    d = np.zeros((len(pairs), P), dtype=np.int64)
    np.add.at(
        d,
        (pairs.get_indexer(keys), instance.month_number(demand["period"]) - 1),
        demand["quantity"].to_numpy(np.int64),
    )
    groups = weight_groups(instance.categories)
    group_of = {c: label for label, members in groups.items() for c in members}
    rank = {c: i for i, c in enumerate(instance.categories)}
    pair_nodes = pairs.get_level_values(0).to_numpy()
    pair_categories = pairs.get_level_values(1).to_numpy()
    pair_groups = np.array([group_of[c] for c in pair_categories], dtype=object)

    # The LP's issue per (node, group) and month.
    group_index = pd.MultiIndex.from_arrays([pair_nodes, pair_groups]).unique()
    issued = np.zeros((len(group_index), P), dtype=np.int64)
    sv = lp.variables["s"]
    if len(sv):
        rows = group_index.get_indexer(pd.MultiIndex.from_arrays([sv["node"], sv["group"]]))
        issued[rows, sv["t"].to_numpy() - 1] = cards[sv["col"].to_numpy()]

    s = np.zeros_like(d)
    of_group = group_index.get_indexer(pd.MultiIndex.from_arrays([pair_nodes, pair_groups]))
    size = np.bincount(of_group, minlength=len(group_index))
    direct = size[of_group] == 1
    s[direct] = issued[of_group[direct]]
    shared = np.flatnonzero(~direct)
    if len(shared):
        ranks = np.array([rank[c] for c in pair_categories[shared]])
        shared = shared[np.lexsort((ranks, of_group[shared]))]
        groups_used, ordinal = np.unique(of_group[shared], return_inverse=True)
        slot = np.arange(len(shared)) - np.searchsorted(ordinal, ordinal)
        padded = np.zeros((len(groups_used), int(slot.max()) + 1, P), dtype=np.int64)
        padded[ordinal, slot] = d[shared]
        s[shared] = split_first_come(padded, issued[groups_used])[ordinal, slot]
    backlog = np.cumsum(d - s, axis=1)
    n = len(pairs)
    return pd.DataFrame(
        {
            "node": np.repeat(pair_nodes, P),
            "category": np.repeat(pair_categories, P),
            "t": np.tile(np.arange(1, P + 1), n),
            "demand": d.ravel(),
            "issued": s.ravel(),
            "backlog": backlog.ravel(),
        }
    )


def make_plan(
    instance: Instance,
    lp: LinearProgram,
    cards: np.ndarray,
    solver: dict[str, Any],
    seconds: dict[str, float],
) -> Plan:
    """Assemble the plan of whole-card column values ``cards`` (int64)."""
    months = np.array(instance.months, dtype=object)
    grid = issuance_grid(instance, lp, cards)
    grid["period"] = months[grid["t"].to_numpy() - 1]
    issuance = _sorted("issuance", grid[(grid[["demand", "issued", "backlog"]] != 0).any(axis=1)])
    stock_vars = lp.variables["I"]
    held = cards[stock_vars["col"].to_numpy()]
    stock = stock_vars.assign(stock=held, period=months[stock_vars["t"].to_numpy() - 1])
    stock = _sorted("stock", stock[held > 0])
    nodes = node_figures(instance, grid)
    weights = grid["category"].map(instance.categories).to_numpy(float)
    summary = {
        "instance": {
            "name": instance.name,
            "sha256": instance.sha256,
            "source": instance.source,
            "start": instance.start,
            "periods": instance.periods,
        },
        "status": "optimal",
        "objective": {
            "waiting": float((weights * grid["backlog"].to_numpy()).sum()),
            # The cost alone, without a re-plan's stability penalty.
            "cost": round(float(lp.report_cost @ cards), 6),
        },
        "totals": totals(grid, instance),
        "warnings": unusual(instance),
        "regions": region_records(nodes),
        "months": monthly(instance, grid),
        "solver": solver,
        "model": {"columns": lp.n_cols, "rows": lp.n_rows, "nonzeros": lp.n_nonzeros},
        "seconds": seconds,
    }
    return Plan(
        shipments=shipments_table(instance, lp, cards),
        issuance=issuance,
        stock=stock,
        nodes=nodes,
        summary=summary,
    )


def node_figures(instance: Instance, grid: pd.DataFrame) -> pd.DataFrame:
    """The plan's ``nodes`` table: per node with demand, its demand, issue, unmet and waiting."""
    per_node = grid.groupby("node", sort=True).agg(
        demand=("demand", "sum"), issued=("issued", "sum"), card_months_waiting=("backlog", "sum")
    )
    last = grid[grid["t"] == instance.periods].groupby("node", sort=True)["backlog"].sum()
    per_node["unmet"] = last.reindex(per_node.index, fill_value=0)
    per_node = per_node[per_node["demand"] > 0]
    info = instance.nodes.set_index("id")
    nodes = pd.DataFrame(
        {
            "node": per_node.index.to_numpy(),
            "name": info.loc[per_node.index, "name"].to_numpy(),
            "region": info.loc[per_node.index, "region"].to_numpy(),
            "demand": per_node["demand"].to_numpy(np.int64),
            "issued": per_node["issued"].to_numpy(np.int64),
            "unmet": per_node["unmet"].to_numpy(np.int64),
            "fill_rate": np.round(fill_rate(per_node["issued"], per_node["demand"]), 6),
            "card_months_waiting": per_node["card_months_waiting"].to_numpy(np.int64),
        }
    )
    return _sorted("nodes", nodes)


def totals(grid: pd.DataFrame, instance: Instance) -> dict[str, Any]:
    """Plan-wide demand, issued, unmet, fill rate and unweighted card-months waiting."""
    demand = int(grid["demand"].sum())
    issued = int(grid["issued"].sum())
    unmet = int(grid.loc[grid["t"] == instance.periods, "backlog"].sum())
    return {
        "demand": demand,
        "issued": issued,
        "unmet": unmet,
        "fill_rate": round(float(fill_rate(np.array([issued]), np.array([demand]))[0]), 6),
        "card_months_waiting": int(grid["backlog"].sum()),
    }


def monthly(instance: Instance, grid: pd.DataFrame) -> list[dict[str, Any]]:
    """Per month: supply arriving, demand arising, cards issued, backlog at month end."""
    by = grid.groupby("t")[["demand", "issued", "backlog"]].sum()
    by = by.reindex(range(1, instance.periods + 1), fill_value=0)
    supply = np.zeros(instance.periods, dtype=np.int64)
    np.add.at(
        supply,
        instance.month_number(instance.supply["period"]) - 1,
        instance.supply["quantity"].to_numpy(np.int64),
    )
    cumulative_demand = by["demand"].cumsum()
    cumulative_issued = by["issued"].cumsum()
    months = instance.months
    return [
        {
            "period": months[t - 1],
            "supply": int(supply[t - 1]),
            "demand": int(by.at[t, "demand"]),
            "issued": int(by.at[t, "issued"]),
            "backlog": int(by.at[t, "backlog"]),
            "fill_rate": round(
                float(
                    fill_rate(np.array([cumulative_issued[t]]), np.array([cumulative_demand[t]]))[0]
                ),
                6,
            ),
        }
        for t in range(1, instance.periods + 1)
    ]
