"""A plan as the column values of its instance's LP, and the LP that plan was solved on.

Explain reads stage 1's duals at the plan's own vertex, so it needs the
plan's ``x``, ``I``, ``s`` and ``B`` as one array over the LP's columns:
:func:`plan_columns` sums the plan's per-category issuance into the LP's
weight groups and places every shipment and stock on its column.
:func:`model_for` rebuilds the LP the plan was solved on: the core LP, with
the equity option's floors when the plan's summary says it used them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.model import LinearProgram, ModelOptions, build_model, weight_groups
from allocator.model.equity import floors, node_demand
from allocator.plan import Plan


def months_of(instance: Instance, periods: pd.Series) -> np.ndarray:
    """Month numbers 1..P of ``YYYY-MM`` labels, 0 for a month outside the horizon (fast)."""
    number = {month: t for t, month in enumerate(instance.months, start=1)}
    return pd.Series(periods, dtype=object).map(number).fillna(0).to_numpy(np.int64)


def model_for(instance: Instance, plan: Plan, fixed: pd.DataFrame | None = None) -> LinearProgram:
    """The LP ``plan`` was solved on: the core LP, with the equity floors of its summary
    and a re-plan's frozen shipments (``fixed``) where there are any."""
    lp = build_model(instance)
    equity = plan.summary.get("equity")
    held = (
        floors(node_demand(lp), equity["z"]) if isinstance(equity, dict) and "z" in equity else None
    )
    if held is None and (fixed is None or fixed.empty):
        return lp
    frozen = None if fixed is None or fixed.empty else fixed
    return build_model(instance, ModelOptions(fixed=frozen, floors=held))


def _place(
    values: np.ndarray,
    keys: pd.DataFrame,
    table: pd.DataFrame,
    on: list[str],
    quantity: str,
    label: str,
) -> None:
    """Put ``table[quantity]`` on the columns of ``keys`` matched on ``on``; refuse strays."""
    if table.empty:
        return
    index = pd.MultiIndex.from_frame(keys[on])
    pos = index.get_indexer(pd.MultiIndex.from_frame(table[on]))
    stray = (pos < 0) & (table[quantity].to_numpy() != 0)
    if stray.any():
        first = table[stray].iloc[0]
        where = ", ".join(f"{c} {first[c]}" for c in on)
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"{int(stray.sum())} row(s) have no place in the model of this instance "
                    f"(the first: {where}); is this the plan of this instance?",
                )
            ]
        )
    cols = keys["col"].to_numpy()[pos[~stray & (pos >= 0)]]
    np.add.at(values, cols, table[quantity].to_numpy(float)[~stray & (pos >= 0)])


def plan_columns(instance: Instance, lp: LinearProgram, plan: Plan) -> np.ndarray:
    """The plan's whole cards on the LP's columns (x, I, s and B; U under equity)."""
    values = np.zeros(lp.n_cols)
    shipments = plan.shipments.assign(t=months_of(instance, plan.shipments["period"]))
    _place(values, lp.variables["x"], shipments, ["link", "t"], "quantity", "shipments.csv")
    stock = plan.stock.assign(t=months_of(instance, plan.stock["period"]))
    _place(values, lp.variables["I"], stock, ["node", "t"], "stock", "stock.csv")
    groups = weight_groups(instance.categories)
    group_of = {c: label for label, members in groups.items() for c in members}
    issuance = plan.issuance.assign(
        t=months_of(instance, plan.issuance["period"]),
        group=plan.issuance["category"].map(group_of),
    )
    per_group = issuance.groupby(["node", "group", "t"], as_index=False)[
        ["issued", "backlog"]
    ].sum()
    reachable = per_group["node"].isin(set(lp.variables["s"]["node"]))
    _place(
        values,
        lp.variables["s"],
        per_group[reachable],
        ["node", "group", "t"],
        "issued",
        "issuance.csv",
    )
    _place(
        values,
        lp.variables["B"],
        per_group[reachable],
        ["node", "group", "t"],
        "backlog",
        "issuance.csv",
    )
    if "U" in lp.variables:
        last = per_group[per_group["t"] == instance.periods].groupby("node")["backlog"].sum()
        u = lp.variables["U"]
        nodes = lp.rows["equity_unmet"]["node"].to_numpy()
        values[u["col"].to_numpy()] = last.reindex(nodes, fill_value=0).to_numpy(float)
    return values
