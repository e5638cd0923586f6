"""What an instance holds, before anything is solved: sizes, supply against demand, reach."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.instance.core import Instance
from allocator.instance.network import build_graph, unreachable_demand
from allocator.instance.sanity import unusual


@dataclass
class InstanceInfo:
    """Facts about an instance for ``allocator info``.

    ``sizes``: counts of nodes by kind, links by mode, categories, months and
    the LP's expected size. ``months``: per month supply, demand and their
    running totals. ``unreachable``: nodes with demand that no supply can reach.
    ``notes``: what is valid but probably not meant (:func:`~allocator.instance.unusual`).
    """

    name: str
    description: str
    sha256: str
    sizes: dict[str, int]
    months: pd.DataFrame
    unreachable: pd.DataFrame
    notes: list[str]


def describe_instance(instance: Instance) -> InstanceInfo:
    """Summarise ``instance`` for a planner."""
    graph = build_graph(instance)
    kinds = instance.nodes["kind"].value_counts()
    modes = instance.links["mode"].replace("", "(none)").value_counts()
    sizes = {
        "months": instance.periods,
        "nodes": len(instance.nodes),
        **{f"nodes: {k}": int(v) for k, v in sorted(kinds.items())},
        "links": len(instance.links),
        **{f"links: {m}": int(v) for m, v in sorted(modes.items())},
        "categories": len(instance.categories),
        "supply rows": len(instance.supply),
        "demand rows": len(instance.demand),
        "capacity overrides": len(instance.capacity),
    }
    P = instance.periods
    supply = np.zeros(P, dtype=np.int64)
    np.add.at(
        supply,
        instance.month_number(instance.supply["period"]) - 1,
        instance.supply["quantity"].to_numpy(np.int64),
    )
    supply[0] += int(instance.nodes["stock"].sum())
    demand = np.zeros(P, dtype=np.int64)
    np.add.at(
        demand,
        instance.month_number(instance.demand["period"]) - 1,
        instance.demand["quantity"].to_numpy(np.int64),
    )
    months = pd.DataFrame(
        {
            "period": instance.months,
            "supply": supply,
            "demand": demand,
            "cumulative_supply": np.cumsum(supply),
            "cumulative_demand": np.cumsum(demand),
        }
    )
    months["cumulative_gap"] = months["cumulative_supply"] - months["cumulative_demand"]
    return InstanceInfo(
        name=instance.name,
        description=instance.description,
        sha256=instance.sha256,
        sizes=sizes,
        months=months,
        unreachable=unreachable_demand(instance, graph),
        notes=unusual(instance),
    )
