"""``pegging.csv``: every issued card traced back to the tranche or opening stock it came from.

Cards are followed through the plan's own shipments, month by month, first
in, first out: at every node the cards that arrived earliest leave first,
whether they are issued or shipped on. Within a month a node's new cards
queue as opening stock, then its tranche, then arrivals in the order their
links are listed in ``links.csv``; they leave as issues (categories in the
order of ``instance.toml``), then shipments (links in ``links.csv`` order),
and what remains is the node's stock. Links with no lead time are followed
in the order of the month's flows (a node after every node that ships to it
that month); a loop of such shipments inside one month carries no card from
anywhere, so it is left out of every route.

Each row is one (source, source month, office, issue month, category,
route) with its cards; ``route`` is the chain ``LINK@YYYY-MM;...`` of links
and departure months the cards took (empty when issued where they arrived).
"""

from __future__ import annotations

from collections import defaultdict, deque

import networkx as nx
import numpy as np
import pandas as pd

from allocator.explaining.columns import months_of
from allocator.instance import Instance
from allocator.plan import Plan

COLUMNS = ["source", "source_period", "office", "issue_period", "category", "route", "cards"]
OPENING = "opening"

Lot = tuple[int, str, str, tuple[str, ...]]  # cards, source, source period, route


def _take(queue: deque[list], cards: int, where: str) -> list[Lot]:
    """The oldest ``cards`` cards of ``queue``, split off its front."""
    out: list[Lot] = []
    while cards > 0:
        if not queue:
            raise ValueError(f"the plan moves more cards out of {where} than it has")
        lot = queue[0]
        used = min(lot[0], cards)
        out.append((used, lot[1], lot[2], lot[3]))
        lot[0] -= used
        cards -= used
        if lot[0] == 0:
            queue.popleft()
    return out


Move = tuple[int, str, str, str, int, int]  # order in links.csv, link, from, to, cards, lead


def _same_month_order(moves: list[Move]) -> tuple[list[str], list[Move]]:
    """A month's shipments without same-month loops, and a node order that follows them."""
    same = [m for m in moves if m[5] == 0]
    order = _topological([(m[2], m[3]) for m in same])
    if order is not None:
        return order, moves
    graph = nx.MultiDiGraph()  # a loop inside the month: cancel it (no card comes from it)
    for _, link, frm, to, q, _ in same:
        graph.add_edge(frm, to, key=link, q=q)
    while True:
        try:
            cycle = nx.find_cycle(graph)
        except nx.NetworkXNoCycle:
            break
        least = min(graph.edges[e]["q"] for e in cycle)
        for e in cycle:
            graph.edges[e]["q"] -= least
            if graph.edges[e]["q"] == 0:
                graph.remove_edge(*e)
    kept = {k: d["q"] for _, _, k, d in graph.edges(keys=True, data=True)}
    moves = [m if m[5] else (*m[:4], kept.get(m[1], 0), 0) for m in moves]
    return list(nx.lexicographical_topological_sort(graph)), [m for m in moves if m[4] > 0]


def _topological(edges: list[tuple[str, str]]) -> list[str] | None:
    """The nodes of ``edges``, every tail before its heads (else sorted); None on a loop."""
    nodes = sorted({n for edge in edges for n in edge})
    into = dict.fromkeys(nodes, 0)
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in edges:
        into[b] += 1
        out[a].append(b)
    ready = deque(n for n in nodes if into[n] == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for other in out[node]:
            into[other] -= 1
            if into[other] == 0:
                ready.append(other)
    return order if len(order) == len(nodes) else None


def pegging(instance: Instance, plan: Plan) -> pd.DataFrame:
    """The plan's issued cards by source, route and office (see the module docstring)."""
    months = instance.months
    P = len(months)
    position = {lid: i for i, lid in enumerate(instance.links["id"])}
    lead = dict(
        zip(instance.links["id"], instance.links["lead_time"].astype(int).tolist(), strict=True)
    )
    ships = plan.shipments[plan.shipments["quantity"] > 0]
    by_month: dict[int, list[Move]] = defaultdict(list)
    for t, link, frm, to, q in zip(
        months_of(instance, ships["period"]).tolist(),
        ships["link"].tolist(),
        ships["from"].tolist(),
        ships["to"].tolist(),
        ships["quantity"].tolist(),
        strict=True,
    ):
        by_month[t].append((position[link], link, frm, to, int(q), lead[link]))
    issued = plan.issuance[plan.issuance["issued"] > 0].copy()
    issued["t"] = months_of(instance, issued["period"])
    rank = {c: i for i, c in enumerate(instance.categories)}
    issued["rank"] = issued["category"].map(rank)
    issued = issued.sort_values(["t", "node", "rank"], kind="stable")
    supply = instance.supply[instance.supply["quantity"] > 0]
    arriving: dict[tuple[str, int], list[list]] = defaultdict(list)
    for node, t, q in zip(
        supply["node"], months_of(instance, supply["period"]), supply["quantity"], strict=True
    ):
        if 1 <= t <= P:
            arriving[(str(node), int(t))].append([int(q), str(node), months[t - 1], ()])
    queues: dict[str, deque[list]] = defaultdict(deque)
    for node, q in zip(instance.nodes["id"], instance.nodes["stock"], strict=True):
        if q > 0:
            queues[str(node)].append([int(q), str(node), OPENING, ()])
    issues_by: dict[tuple[int, str], list[tuple[str, int]]] = defaultdict(list)
    for t, node, category, q in zip(
        issued["t"].tolist(),
        issued["node"].tolist(),
        issued["category"].tolist(),
        issued["issued"].tolist(),
        strict=True,
    ):
        issues_by[(t, node)].append((category, q))
    rows: list[tuple] = []
    for t in range(1, P + 1):
        order, moves = _same_month_order(sorted(by_month.get(t, [])))
        by_node: dict[str, list[Move]] = defaultdict(list)
        for move in moves:
            by_node[move[2]].append(move)
        # Every node of the month's same-month flows (in their order: it may only receive),
        # then every other node that ships, issues or receives cards this month.
        active = set(by_node) | {n for (m, n) in issues_by if m == t}
        active |= {n for (n, m) in arriving if m == t}
        ordered = order + sorted(active - set(order))
        month = months[t - 1]
        for node in ordered:
            queue = queues[node]
            queue.extend(arriving.pop((node, t), []))
            for category, q in issues_by.get((t, node), ()):
                for cards, src, sp, route in _take(queue, int(q), node):
                    rows.append((src, sp, node, month, category, route, cards))
            for _, link, _, to, q, ld in by_node.get(node, ()):
                leg = f"{link}@{month}"
                for cards, src, sp, route in _take(queue, q, node):
                    arriving[(to, t + ld)].append([cards, src, sp, (*route, leg)])
    table = pd.DataFrame(
        rows,
        columns=["source", "source_period", "office", "issue_period", "category", "route", "cards"],
    )
    if table.empty:
        return pd.DataFrame(
            {c: pd.Series([], dtype="int64" if c == "cards" else object) for c in COLUMNS}
        )
    table["route"] = table["route"].map(";".join)
    table = table.groupby(COLUMNS[:-1], as_index=False, sort=False)["cards"].sum()
    table["cards"] = table["cards"].astype(np.int64)
    return table.sort_values(COLUMNS[:-1], kind="stable").reset_index(drop=True)[COLUMNS]
