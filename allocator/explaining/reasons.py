"""``shortfalls.csv``: every office, category and month with cards waiting, and why they wait.

The reason is read off the residual network of stage 1
(:mod:`~allocator.explaining.residual`), in which ``dist`` is the exact change
of the least waiting per extra unit anywhere. For a waiting cell (office
``n``, weight group ``g``, month ``t``), serving one more of its people in
``t`` means one more card through ``S(n,t)`` (the office's stock), through
the printer ``Q(n,t)`` if it has one, to ``D(n,g,t)``, cutting its backlog;
the cell is *first in line* at a node when that route is a cheapest one
from there. In this order:

1. ``unreachable``: no chain of links leads to ``n`` from stock or supply;
2. ``issue_capacity``: the printer is full in ``t`` and the cell is first
   in line for one more printed card; ``priority`` if another (heavier)
   group is;
3. ``priority``: the office's next card serves someone else first (a
   heavier category, or people who would otherwise wait longer);
4. otherwise the cell is first in line for one more card at ``S(n,t)``, and
   the question is where that card could come from: along arcs with room
   that stay on a cheapest path (*tight* arcs), backwards from ``S(n,t)``.
   If they lead to a link or a store that is full (``link_capacity``,
   ``storage``: relaxing it brings a card that is worth more there than
   where it is), that is the reason; else if they lead to a node where cards
   enter (a tranche's node, in any month) the cards are short
   (``national_supply``); else, if no card that could ever reach ``n`` exists
   yet, the cards are short too; if such cards exist but none can be at
   ``n`` by ``t`` along the links' lead times, ``lead_time``; and otherwise
   the cards that could come save more waiting elsewhere (``national_supply``).

Each rule is a cut of the time-expanded network: relaxing the evidence it
names lets a cheapest path carry one more card to these people, which the
tests confirm by re-solving hand-worked instances.
"""

from __future__ import annotations

import itertools
from collections import deque

import networkx as nx
import numpy as np
import pandas as pd

from allocator.explaining.columns import months_of
from allocator.explaining.flow import HOLD, PRINT, SHIP, WAIT, Keyed
from allocator.explaining.residual import Residual
from allocator.instance import Instance
from allocator.instance.network import reach
from allocator.model import LinearProgram, weight_groups
from allocator.plan import Plan

COLUMNS = ["node", "category", "period", "cards_waiting", "card_months", "reason", "evidence"]
REASONS = (
    "unreachable",
    "national_supply",
    "lead_time",
    "link_capacity",
    "issue_capacity",
    "storage",
    "priority",
)


def _index(table: pd.DataFrame, keys: list[str], value: str) -> Keyed:
    return Keyed(table, keys, value)


def _get(keyed: Keyed, arrays: list[np.ndarray]) -> np.ndarray:
    return keyed(arrays)


def _same(a: np.ndarray, b: np.ndarray, tol: float) -> np.ndarray:
    """Where two path costs are equal (both finite, within ``tol``)."""
    finite = np.isfinite(a) & np.isfinite(b)
    out = np.zeros(len(a), dtype=bool)
    out[finite] = np.abs(a[finite] - b[finite]) <= tol
    return out


def _spread(
    net: Residual, n_nodes: int, starts: list[tuple[int, int]], kinds: tuple[int, ...]
) -> np.ndarray:
    """Label every node reached from ``starts`` (node, label) along tight arcs of ``kinds``.

    Breadth first from all starts at once, in the order given: a node keeps
    the first label that reaches it (-1: none).
    """
    label = np.full(n_nodes, -1, dtype=np.int64)
    usable = net.tight() & np.isin(net.kind, kinds)
    tails, heads = net.tail[usable], net.head[usable]
    order = np.argsort(tails, kind="stable")
    start = np.searchsorted(tails[order], np.arange(n_nodes + 1)).tolist()
    targets = heads[order].tolist()
    queue: deque[int] = deque()
    for node, mark in starts:
        if 0 <= node < n_nodes and label[node] < 0:
            label[node] = mark
            queue.append(node)
    marks = label.tolist()
    while queue:
        node = queue.popleft()
        for k in range(start[node], start[node + 1]):
            other = targets[k]
            if other < n_nodes and marks[other] < 0:
                marks[other] = marks[node]
                queue.append(other)
    return np.asarray(marks, dtype=np.int64)


class _Context:
    """What the rules read: the LP's node ids for each cell, the network, the instance."""

    def __init__(self, instance: Instance, lp: LinearProgram, net: Residual) -> None:
        self.instance, self.lp, self.net = instance, lp, net
        self.months = instance.months
        self._served: dict[int, str] = {}
        self.stock = _index(lp.rows["stock_balance"], ["node", "t"], "row")
        self.printer = _index(lp.rows["issue_capacity"], ["node", "t"], "row")
        self.backlog = _index(lp.rows["backlog"], ["node", "group", "t"], "row")
        wait = net.kind == WAIT
        self.wait_tail = dict(zip(net.head[wait].tolist(), net.tail[wait].tolist(), strict=True))
        self.weight_of = dict(
            zip(
                lp.rows["backlog"]["row"],
                lp.stages[0].objective[lp.variables["B"]["col"].to_numpy()],
                strict=True,
            )
        )
        self.group_of_row = dict(
            zip(lp.rows["backlog"]["row"], lp.rows["backlog"]["group"], strict=True)
        )
        self.node_of_row = {
            **dict(zip(lp.rows["backlog"]["row"], lp.rows["backlog"]["node"], strict=True)),
        }
        self.t_of_row = dict(zip(lp.rows["backlog"]["row"], lp.rows["backlog"]["t"], strict=True))
        print_arc = np.flatnonzero(net.kind == PRINT)
        self.print_room = dict(
            zip(net.head[print_arc].tolist(), (net.cap - net.flow)[print_arc].tolist(), strict=True)
        )
        self.print_cap = dict(
            zip(net.head[print_arc].tolist(), net.cap[print_arc].tolist(), strict=True)
        )

    def served_instead(self, start: int) -> str:
        """Whom one more card at ``start`` goes to first: the first people on its cheapest path."""
        if start in self._served:
            return self._served[start]
        node, seen = start, 0
        toward, root = self.net.toward, self.net.root
        found = "no one: it would stay unused"
        while 0 <= node != root and seen < 10_000:
            if node in self.group_of_row:
                found = (
                    f"{self.group_of_row[node]} (weight {self.weight_of[node]:g}) at "
                    f"{self.node_of_row[node]} in {self.months[int(self.t_of_row[node]) - 1]}"
                )
                break
            node, seen = int(toward[node]), seen + 1
        self._served[start] = found
        return found


def _earliest(instance: Instance) -> dict[str, tuple[int, str, int, str]]:
    """Per node: the earliest month a card can be there (1-based) and by which chain of links,
    and the first month any card that can ever get there exists, and where."""
    graph = nx.DiGraph()
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for lid, frm, to, lead in instance.links[["id", "from", "to", "lead_time"]].itertuples(
        index=False
    ):
        if (frm, to) not in best or int(lead) < best[(frm, to)][0]:
            best[(frm, to)] = (int(lead), str(lid))
    for (frm, to), (lead, lid) in best.items():
        graph.add_edge(frm, to, weight=lead, link=lid)
    first: dict[str, int] = {}
    for node in instance.nodes.loc[instance.nodes["stock"] > 0, "id"]:
        first[str(node)] = 1
    supply = instance.supply[instance.supply["quantity"] > 0]
    months = months_of(instance, supply["period"])
    for node, t in zip(supply["node"], months, strict=True):
        if t >= 1:
            first[str(node)] = min(first.get(str(node), t), int(t))
    source = ("source",)
    graph.add_node(source)
    for node, t in first.items():
        graph.add_edge(source, node, weight=t - 1, link="")
    if not first:
        return {}
    dist, paths = nx.single_source_dijkstra(graph, source)
    exists_graph = graph.copy()
    for a, b in exists_graph.edges:
        if a != source:
            exists_graph.edges[a, b]["weight"] = 0
    exists, where = nx.single_source_dijkstra(exists_graph, source)
    out = {}
    for node, d in dist.items():
        if node == source:
            continue
        path = paths[node]
        origin = path[1]
        legs = [graph.edges[a, b]["link"] for a, b in itertools.pairwise(path[1:])]
        via = f"from {origin} in {instance.months[first[origin] - 1]}"
        if legs:
            via += " by " + ", ".join(legs)
        out[str(node)] = (int(d) + 1, via, int(exists[node]) + 1, str(where[node][1]))
    return out


def shortfalls(instance: Instance, lp: LinearProgram, plan: Plan, net: Residual) -> pd.DataFrame:
    """The table of waiting cells with their reasons (see the module docstring)."""
    waiting = plan.issuance[plan.issuance["backlog"] > 0]
    groups = weight_groups(instance.categories)
    group_of = {c: label for label, members in groups.items() for c in members}
    t = months_of(instance, waiting["period"])
    node = waiting["node"].to_numpy()
    period = waiting["period"].to_numpy()
    group = waiting["category"].map(group_of).to_numpy()
    cx = _Context(instance, lp, net)
    S = _get(cx.stock, [node, t])
    Q = _get(cx.printer, [node, t])
    D = _get(cx.backlog, [node, group, t])
    supplied = reach(instance).supplied
    reason = np.full(len(waiting), "", dtype=object)
    evidence = np.full(len(waiting), "", dtype=object)
    reason[~np.isin(node, list(supplied))] = "unreachable"
    evidence[reason == "unreachable"] = (
        "no chain of links leads here from a node with stock or supply"
    )

    dist, tol = net.dist, net.tol
    todo = np.flatnonzero((reason == "") & (D >= 0) & (S >= 0))
    weight = np.array([cx.weight_of.get(int(d), 0.0) for d in D[todo]], dtype=float)
    after = np.array([cx.wait_tail.get(int(d), net.root) for d in D[todo]], dtype=np.int64)
    through = -weight + dist[after]  # one more served here, then on as cheaply as possible
    has_printer = Q[todo] >= 0
    room = np.array([cx.print_room.get(int(q), np.inf) if q >= 0 else np.inf for q in Q[todo]])
    first_at_q = has_printer & _same(dist[np.maximum(Q[todo], 0)], through, tol)
    first_at_s = (room > 0.5) & _same(dist[S[todo]], through, tol)
    full = has_printer & (room <= 0.5)
    labels = _supply_side(instance, lp, net)
    for k, i in enumerate(todo):
        if full[k]:
            if first_at_q[k]:
                q = int(Q[i])
                reason[i] = "issue_capacity"
                evidence[i] = (
                    f"printing at {node[i]} is full in {period[i]}: {cx.print_cap[q]:g} cards"
                )
            else:
                reason[i] = "priority"
                evidence[i] = "the printer's next card would serve " + cx.served_instead(int(Q[i]))
        elif not first_at_s[k]:
            reason[i] = "priority"
            evidence[i] = "others come first: one more card here would serve " + cx.served_instead(
                int(S[i])
            )
        else:
            reason[i], evidence[i] = labels(int(S[i]), str(node[i]), int(t[i]))
    leftover = reason == ""
    reason[leftover] = "lead_time"
    evidence[leftover] = "no card can reach this office in this month"
    table = pd.DataFrame(
        {
            "node": node,
            "category": waiting["category"].to_numpy(),
            "period": waiting["period"].to_numpy(),
            "cards_waiting": waiting["backlog"].to_numpy(np.int64),
            "card_months": np.round(
                waiting["backlog"].to_numpy(float)
                * waiting["category"].map(instance.categories).to_numpy(float),
                6,
            ),
            "reason": reason,
            "evidence": evidence,
        }
    )
    return table.sort_values(["node", "category", "period"], kind="stable").reset_index(drop=True)


def _supply_side(instance: Instance, lp: LinearProgram, net: Residual):
    """The rule for a cell first in line at its office: which full arc, tranche or lead time."""
    n_nodes = lp.n_rows
    finite = np.isfinite(net.dist[net.tail]) & np.isfinite(net.dist[net.head])
    full = (net.flow >= net.cap - 0.5) & np.isin(net.kind, (SHIP, HOLD)) & finite
    gain = np.zeros(len(net.tail))
    gain[full] = net.dist[net.tail[full]] - net.cost[full] - net.dist[net.head[full]]
    drops = np.flatnonzero(full & (gain > net.tol) & (net.head < n_nodes))
    drops = drops[np.lexsort((drops, -gain[drops]))]
    by_arc = _spread(net, n_nodes, [(int(net.head[a]), int(a)) for a in drops], (SHIP,))

    sb = lp.rows["stock_balance"]
    sources = set(instance.nodes.loc[instance.nodes["stock"] > 0, "id"])
    supply = instance.supply[instance.supply["quantity"] > 0]
    sources |= set(supply["node"])
    arriving = pd.MultiIndex.from_arrays([supply["node"], months_of(instance, supply["period"])])
    at_source = sb[sb["node"].isin(sources)].copy()
    at_source["tranche"] = pd.MultiIndex.from_frame(at_source[["node", "t"]]).isin(arriving)
    at_source = at_source.sort_values(["tranche", "t", "node"], ascending=[False, False, True])
    by_source = _spread(net, n_nodes, [(int(r), int(r)) for r in at_source["row"]], (SHIP, HOLD))
    months = instance.months
    row_node = dict(zip(sb["row"].tolist(), sb["node"].tolist(), strict=True))
    row_t = dict(zip(sb["row"].tolist(), sb["t"].tolist(), strict=True))
    links = instance.links.set_index("id")
    mode = links["mode"].astype(str).to_dict()
    lead = links["lead_time"].astype(int).to_dict()
    x = lp.variables["x"]
    x_link = dict(zip(x["col"].tolist(), x["link"].tolist(), strict=True))
    x_t = dict(zip(x["col"].tolist(), x["t"].tolist(), strict=True))
    held = lp.variables["I"]
    i_node = dict(zip(held["col"].tolist(), held["node"].tolist(), strict=True))
    i_t = dict(zip(held["col"].tolist(), held["t"].tolist(), strict=True))
    cumulative = _cumulative(instance)
    earliest = _earliest(instance)

    def label(s: int, node: str, t: int) -> tuple[str, str]:
        month = months[t - 1]
        arc = int(by_arc[s])
        if arc >= 0:
            col = int(net.col[arc])
            if net.kind[arc] == SHIP:
                link = x_link[col]
                return "link_capacity", (
                    f"{link} carries its full capacity of {net.cap[arc]:g} cards in "
                    f"{months[x_t[col] - 1]} ({mode[link]}, {lead[link]} month(s) in transit)"
                )
            return "storage", (
                f"{i_node[col]} holds its full storage of {net.cap[arc]:g} cards at the end of "
                f"{months[i_t[col] - 1]}"
            )
        have, need = cumulative(t)
        row = int(by_source[s])
        if row >= 0:
            short = "no card exists yet" if have == 0 else "every card that can reach here"
            used = "" if have == 0 else " is used"
            return "national_supply", (
                f"{short} by {month}{used}; one more at "
                f"{row_node[row]} in {months[row_t[row] - 1]} would serve these "
                f"(by {month}: {have:,} cards supplied, {need:,} demanded)"
            )
        never = (instance.periods + 1, "", instance.periods + 1, "")
        first, via, exists, origin = earliest.get(node, never)
        if exists > t:
            when = months[exists - 1] if exists <= instance.periods else "after the horizon"
            return "national_supply", (
                f"no card that can reach here exists by {month}: the first arrives at {origin} "
                f"in {when} (by {month}: {have:,} cards supplied, {need:,} demanded)"
            )
        if first > t:
            when = months[first - 1] if first <= instance.periods else "after the horizon"
            return "lead_time", f"the earliest a card can be here is {when} ({via})"
        return "national_supply", (
            f"cards are short, and those that can reach here by {month} save more waiting "
            f"elsewhere (by {month}: {have:,} cards supplied, {need:,} demanded)"
        )

    return label


def _cumulative(instance: Instance):
    """Cards supplied (with opening stock) and demanded nationally up to month ``t``."""
    P = instance.periods
    supply = np.zeros(P + 1, dtype=np.int64)
    t = months_of(instance, instance.supply["period"])
    keep = (t >= 1) & (t <= P)
    np.add.at(supply, t[keep], instance.supply["quantity"].to_numpy(np.int64)[keep])
    supply[1] += int(instance.nodes["stock"].sum())
    demand = np.zeros(P + 1, dtype=np.int64)
    t = months_of(instance, instance.demand["period"])
    keep = (t >= 1) & (t <= P)
    np.add.at(demand, t[keep], instance.demand["quantity"].to_numpy(np.int64)[keep])
    have, need = np.cumsum(supply), np.cumsum(demand)
    return lambda month: (int(have[month]), int(need[month]))
