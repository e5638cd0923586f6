"""The instance's data grouped once, as the model's families need it.

:func:`group` reads an :class:`~allocator.instance.Instance` into
:class:`ModelData`: the nodes that can ever hold a card, the links that can
ever carry one (from the network's reach), and demand as a (node, weight
group) x month grid. Every family reads this, never the instance's tables
row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.instance.network import arcs, build_graph, reach

INF = np.inf


@dataclass(frozen=True, eq=False)
class ModelData:
    """The instance's data grouped once, as the families need it."""

    P: int
    nodes: pd.DataFrame  # nodes that can hold cards
    node_index: pd.Index
    links: pd.DataFrame  # links from a node that can hold cards, in links.csv order
    pairs: pd.DataFrame  # (node, group) with demand at a node that cards can reach
    demand: np.ndarray  # (len(pairs), P) new demand per month
    first: np.ndarray  # first month with demand, per pair
    weight: np.ndarray  # w[k] per pair
    wait_constant: float  # waiting of demand that no card can reach

    def node_demand(self) -> pd.Series:
        """``D_n``: total demand per node that some card can reach (nodes with demand only)."""
        per_pair = pd.Series(self.demand.sum(axis=1), index=self.pairs["node"].to_numpy())
        demand = per_pair.groupby(level=0, sort=True).sum()
        return demand[demand > 0]


def weight_groups(categories: Mapping[str, float]) -> dict[str, tuple[str, ...]]:
    """Categories grouped by equal weight: group label -> its categories, in declared order.

    Waiting weighs every card of a group alike, so the LP needs one issue and
    one backlog chain per node and group, not per category: the optimum is the
    same, and the plan splits each group's issue among its categories first
    come, first served (:func:`allocator.pipeline.assemble.split_first_come`). A
    group of one category is labelled by it; a larger one by its members joined
    with ``+``.
    """
    by_weight: dict[float, list[str]] = {}
    for category, weight in categories.items():
        by_weight.setdefault(float(weight), []).append(category)
    return {"+".join(members): tuple(members) for members in by_weight.values()}


def group(instance: Instance) -> ModelData:
    """The instance's data grouped for the families (see :class:`ModelData`)."""
    P = instance.periods
    graph = build_graph(instance)
    r = reach(instance, graph)
    nodes = instance.nodes[instance.nodes["id"].isin(r.supplied)].reset_index(drop=True)
    # The graph's arcs out of nodes that can hold cards drive x and the balance rows;
    # capacity and cost are read from the links table by the arcs' positions.
    used = arcs(graph, r.supplied)
    links = instance.links.iloc[used["position"].to_numpy()].reset_index(drop=True)

    demand = instance.demand[instance.demand["quantity"] > 0]
    t = instance.month_number(demand["period"])
    groups = weight_groups(instance.categories)
    group_of = {category: label for label, members in groups.items() for category in members}
    keys = pd.MultiIndex.from_arrays([demand["node"], demand["category"].map(group_of)])
    pair_index = keys.unique().sort_values()
    grid = np.zeros((len(pair_index), P))
    np.add.at(grid, (pair_index.get_indexer(keys), t - 1), demand["quantity"].to_numpy(float))
    pairs = pair_index.to_frame(index=False, name=["node", "group"])
    weight = pairs["group"].map(lambda g: instance.categories[groups[g][0]]).to_numpy(float)
    reachable = pairs["node"].isin(r.supplied).to_numpy()
    # Demand nobody can serve waits from the month it arises to the horizon's end.
    months_waiting = P - np.arange(P)  # demand of month t waits P - t + 1 months
    wait_constant = float((weight[~reachable] * (grid[~reachable] @ months_waiting)).sum())
    pairs = pairs[reachable].reset_index(drop=True)
    grid, weight = grid[reachable], weight[reachable]
    first = (grid > 0).argmax(axis=1) + 1
    return ModelData(
        P, nodes, pd.Index(nodes["id"]), links, pairs, grid, first, weight, wait_constant
    )


def monthly_limits(instance: Instance, what: str, ids: pd.Index, base: pd.Series) -> np.ndarray:
    """A (len(ids), P) array of a limit per id and month, ``inf`` where unlimited.

    ``base`` is the every-month value (Int64, <NA> = unlimited) aligned with
    ``ids``; rows of ``capacity.csv`` with ``what`` override single months.
    """
    P = instance.periods
    values = base.astype("Float64").fillna(INF).to_numpy(dtype=float)
    limits = np.repeat(values[:, None], P, axis=1)
    over = instance.capacity[instance.capacity["what"] == what]
    if not over.empty:
        pos = ids.get_indexer(over["id"])
        t = instance.month_number(over["period"])
        keep = pos >= 0
        limits[pos[keep], t[keep] - 1] = over["capacity"].to_numpy(dtype=float)[keep]
    return limits


def ranges(counts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(start, start + count)`` for each pair, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - offsets + np.repeat(starts, counts)
