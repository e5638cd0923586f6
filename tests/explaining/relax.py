"""Helpers for the explain tests: small instances from frames, and one limit raised."""

from __future__ import annotations

import pandas as pd

import allocator


def make(
    nodes: list[dict],
    links: list[dict],
    supply: list[tuple[str, str, int]],
    demand: list[tuple[str, str, str, int]],
    categories: dict[str, float],
    periods: int,
) -> allocator.Instance:
    """An instance starting 2017-03 from plain rows (checked like any other)."""
    return allocator.Instance.from_frames(
        name="hand",
        start="2017-03",
        periods=periods,
        categories=categories,
        nodes=pd.DataFrame(nodes),
        links=pd.DataFrame(links),
        supply=pd.DataFrame(supply, columns=["node", "period", "quantity"]),
        demand=pd.DataFrame(demand, columns=["node", "period", "category", "quantity"]),
    )


def current_limit(instance: allocator.Instance, what: str, ident: str, period: str) -> int:
    """A link's, a store's or a printer's limit in one month (capacity.csv overrides first)."""
    over = instance.capacity
    hit = over[(over["what"] == what) & (over["id"] == ident) & (over["period"] == period)]
    if len(hit):
        return int(hit["capacity"].iloc[-1])
    if what == "link":
        value = instance.links.set_index("id").at[ident, "capacity"]
    else:
        column = {"storage": "storage", "issue": "issue_capacity"}[what]
        value = instance.nodes.set_index("id").at[ident, column]
    return 10**9 if pd.isna(value) else int(value)  # unlimited: a limit far above any plan


def raised(
    instance: allocator.Instance, what: str, ident: str, period: str, k: int
) -> allocator.Instance:
    """``instance`` with ``k`` more cards of supply, link, storage or printing in ``period``."""
    if what == "supply":
        extra = pd.DataFrame({"node": [ident], "period": [period], "quantity": [k]})
        supply = pd.concat([instance.supply, extra], ignore_index=True)
        return instance.replace(supply=supply.astype(instance.supply.dtypes.to_dict()))
    limit = current_limit(instance, what, ident, period)
    row = pd.DataFrame({"what": [what], "id": [ident], "period": [period], "capacity": [limit + k]})
    over = instance.capacity
    keep = ~((over["what"] == what) & (over["id"] == ident) & (over["period"] == period))
    capacity = pd.concat([over[keep], row], ignore_index=True)
    return instance.replace(capacity=capacity.astype({"capacity": "int64"}))


def waiting_at(plan: allocator.Plan, node: str, category: str, period: str) -> int:
    """Cards of ``category`` still waiting at ``node`` at the end of ``period``."""
    rows = plan.issuance
    hit = rows[(rows["node"] == node) & (rows["category"] == category) & (rows["period"] == period)]
    return int(hit["backlog"].sum())
