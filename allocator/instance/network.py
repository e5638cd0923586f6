"""The distribution network as a graph: who can send cards to whom.

Links become edges of a networkx ``MultiDiGraph`` keyed by link id (parallel
sea and air links on one pair are real and kept apart). The graph answers
the structural questions asked before any LP is built: which nodes can ever
hold cards, which links can ever carry cards to someone waiting, and which
offices have demand that no supply can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from allocator.instance.core import Instance


def build_graph(instance: Instance) -> nx.MultiDiGraph:
    """The instance's nodes and links as a ``MultiDiGraph`` (edge key = link id)."""
    graph = nx.MultiDiGraph()
    nodes = instance.nodes
    graph.add_nodes_from(
        (row.id, {"kind": row.kind, "region": row.region})
        for row in nodes[["id", "kind", "region"]].itertuples(index=False)
    )
    links = instance.links
    graph.add_edges_from(
        (frm, to, lid, {"position": pos, "mode": mode, "lead_time": int(lead)})
        for pos, (lid, frm, to, mode, lead) in enumerate(
            zip(
                links["id"],
                links["from"],
                links["to"],
                links["mode"],
                links["lead_time"],
                strict=True,
            )
        )
    )
    return graph


def arcs(graph: nx.MultiDiGraph, tails: frozenset[str] | set[str]) -> pd.DataFrame:
    """The graph's edges leaving ``tails`` as a table (link, from, to, lead_time, position).

    These are the arcs whose flows enter the stock balance of their two end
    nodes in the LP; ``position`` is the link's row in ``links.csv``, and rows
    come in that order.
    """
    rows = [
        (key, frm, to, data["lead_time"], data["position"])
        for frm, to, key, data in graph.out_edges(list(tails), keys=True, data=True)
    ]
    table = pd.DataFrame(rows, columns=["link", "from", "to", "lead_time", "position"])
    return table.sort_values("position", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Reach:
    """Which nodes and links can matter for a plan.

    ``supplied``: nodes that can ever hold a card (reachable from a node with
    stock or supply). ``useful``: nodes from which some demand can be reached.
    ``links``: ids of links from a supplied node; no other link can ever carry
    a card.
    """

    supplied: frozenset[str]
    useful: frozenset[str]
    links: frozenset[str]


def reach(instance: Instance, graph: nx.MultiDiGraph | None = None) -> Reach:
    """Compute which nodes can hold cards and which links can ever carry one."""
    graph = build_graph(instance) if graph is None else graph
    sources = set(instance.nodes.loc[instance.nodes["stock"] > 0, "id"])
    sources |= set(instance.supply.loc[instance.supply["quantity"] > 0, "node"])
    supplied: set[str] = set()
    for node in sources:
        if node not in supplied:
            supplied |= nx.descendants(graph, node) | {node}
    sinks = set(instance.demand.loc[instance.demand["quantity"] > 0, "node"])
    useful: set[str] = set()
    reverse = graph.reverse(copy=False)
    for node in sinks:
        if node not in useful:
            useful |= nx.descendants(reverse, node) | {node}
    # A link matters wherever its tail can hold cards: even a link that leads to no
    # demand can lower cost (cheaper storage at its head), so none is pruned for that.
    links = instance.links
    keep = links["from"].isin(supplied)
    return Reach(frozenset(supplied), frozenset(useful), frozenset(links.loc[keep, "id"]))


def unreachable_demand(instance: Instance, graph: nx.MultiDiGraph | None = None) -> pd.DataFrame:
    """Nodes with demand that no card can ever reach, with their total demand.

    Their demand stays unmet whatever the plan; this is a warning for the
    planner, not an error. Columns: node, name, region, demand.
    """
    supplied = reach(instance, graph).supplied
    demand = instance.demand.groupby("node", sort=True)["quantity"].sum()
    demand = demand[(demand > 0) & ~demand.index.isin(list(supplied))]
    names = instance.nodes.set_index("id")
    return pd.DataFrame(
        {
            "node": demand.index.astype(str),
            "name": names.loc[demand.index, "name"].to_numpy(),
            "region": names.loc[demand.index, "region"].to_numpy(),
            "demand": demand.to_numpy(dtype="int64"),
        }
    )
