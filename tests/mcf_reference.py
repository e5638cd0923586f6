"""An independent reference optimum: the model of ``model.md`` as ONE min-cost flow.

Written from ``model.md`` alone, sharing no code with ``allocator.model`` /
``allocator.solvers``, so that tests can compare the LP's ``(W*, C*)`` with it.

The time-expanded graph (a networkx ``MultiDiGraph``, parallel links allowed):

- ``("stock", n, t)`` for every node and month, with node supply
  ``supply[n,t]`` (+ ``stock0[n]`` in month 1);
- holding arcs ``("stock", n, t) -> ("stock", n, t+1)`` carrying ``I[n,t]``,
  capacity ``storage[n,t]``, cost ``hold[n]``; in month P the arc goes to the
  free sink ``"end"`` instead (leftover cards, still paying ``hold`` and
  bounded by ``storage[n,P]``);
- shipping arcs ``("stock", from, t) -> ("stock", to, t+lead)`` carrying
  ``x[l,t]``, only where ``t + lead <= P``, capacity ``cap[l,t]``, cost ``cost[l]``;
- issue arcs ``("stock", n, t) -> ("issue", n, t)``, capacity ``issue_cap[n,t]``,
  then ``("issue", n, t) -> ("demand", n, k, t)`` carrying ``s[n,k,t]``;
- ``("demand", n, k, t)`` consumes ``d[n,k,t]``; backlog arcs run *backwards*
  in time, ``("demand", n, k, t+1) -> ("demand", n, k, t)``, carrying
  ``B[n,k,t]`` at weight ``w[k]`` (a card issued in month t' serves demand of
  month t <= t' and crosses t' - t of them: one per month waited);
  ``B[n,k,P]`` comes from the super source ``"unmet"`` at weight ``w[k]``;
- ``"unmet"`` supplies ``sum d``, ``"end"`` absorbs ``sum stock0 + sum supply``,
  and ``"unmet" -> "end"`` (free) takes the demand that is served. Conservation
  at ``("demand", n, k, t)`` is exactly ``B[t] = B[t-1] + d[t] - s[t]``, at
  ``("stock", n, t)`` exactly the stock balance.

The demand side is therefore always feasible; only storage can make an
instance infeasible (more cards than room at a node that cannot send them
on), and then the LP is infeasible too: ``networkx.NetworkXUnfeasible`` is
raised.

Objective weights. networkx needs integer weights, so every ``w[k]``,
``cost[l]`` and ``hold[n]`` is scaled by ``10**6`` and must then be whole
(at most 6 decimals; ``ValueError`` otherwise). The two objectives are
combined as ``BIG * waiting + cost`` with ``BIG = S * N * P * cmax + 1`` (all
scaled), where ``S`` is the total number of cards (stock0 + supply), ``N`` the
number of nodes and ``cmax`` the largest link or holding cost. Why it is big
enough: there are no cycles through demand nodes and all weights are >= 0, so
some lexicographic optimum is cycle-free; each of its ``S`` cards then follows a
simple path visiting at most ``N * P`` stock nodes and pays at most ``cmax``
on each, so its cost is below ``BIG``. Any flow with more waiting pays at
least one more scaled unit of waiting, i.e. ``BIG`` more, so the min-cost flow
has the least waiting, and among those the least cost.

``W*`` and ``C*`` are recomputed from the flow on the arcs, not from the
combined objective.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from allocator.instance import Instance
from allocator.plan import PLAN_TABLES as PLAN_COLUMNS
from allocator.plan import Plan
from allocator.plan.core import WHOLE_COLUMNS as WHOLE

SCALE = 10**6


@dataclass
class FlowSolution:
    """A min-cost-flow optimum in the model's variables (only non-zero entries)."""

    waiting: float
    cost: float
    x: dict[tuple[str, int], int]  # (link id, month) -> cards leaving
    s: dict[tuple[str, str, int], int]  # (node, category, month) -> cards issued
    B: dict[tuple[str, str, int], int]  # (node, category, month) -> waiting at month's end
    I: dict[tuple[str, int], int]  # (node, month) -> cards on hand at month's end  # noqa: E741


def _scaled(value: float, what: str) -> int:
    """``value * 10**6`` as an integer; refuses values with more than 6 decimals."""
    scaled = float(value) * SCALE
    whole = round(scaled)
    if abs(scaled - whole) > 1e-6 * max(1.0, abs(scaled)):
        raise ValueError(f"{what} = {value!r} has more than 6 decimals")
    return int(whole)


def _limit(value: object) -> int | None:
    """A capacity cell as an int, or None for unlimited (<NA>)."""
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def _monthly(instance: Instance, what: str, ids: list[str], base: list[int | None]) -> dict:
    """``{(id, t): capacity or None}`` for every id and month, with capacity.csv overrides."""
    months = {label: t for t, label in enumerate(instance.months, start=1)}
    out = {(i, t): b for i, b in zip(ids, base, strict=True) for t in months.values()}
    cap = instance.capacity
    for row in cap[cap["what"] == what].itertuples(index=False):
        out[(str(row.id), months[str(row.period)])] = _limit(row.capacity)
    return out


def _arc(
    graph: nx.MultiDiGraph, u: object, v: object, key: object, weight: int, capacity: int | None
) -> None:
    attrs: dict[str, int] = {"weight": weight}
    if capacity is not None:
        attrs["capacity"] = capacity
    graph.add_edge(u, v, key=key, **attrs)


def min_cost_flow_solution(instance: Instance) -> FlowSolution:
    """Solve the lexicographic model of ``instance`` as one min-cost flow; see the module doc."""
    P = instance.periods
    months = {label: t for t, label in enumerate(instance.months, start=1)}
    nodes = instance.nodes
    node_ids = [str(n) for n in nodes["id"]]
    w = {k: _scaled(v, f"weight of {k}") for k, v in instance.categories.items()}
    hold = {
        n: _scaled(h, f"holding_cost of {n}")
        for n, h in zip(node_ids, nodes["holding_cost"], strict=True)
    }
    links = instance.links
    link_ids = [str(i) for i in links["id"]]
    link_from = dict(zip(link_ids, links["from"].astype(str), strict=True))
    link_to = dict(zip(link_ids, links["to"].astype(str), strict=True))
    lead = dict(zip(link_ids, links["lead_time"].astype(int), strict=True))
    link_cost = {
        lid: _scaled(c, f"cost of {lid}") for lid, c in zip(link_ids, links["cost"], strict=True)
    }

    storage = _monthly(instance, "storage", node_ids, [_limit(v) for v in nodes["storage"]])
    issue_cap = _monthly(instance, "issue", node_ids, [_limit(v) for v in nodes["issue_capacity"]])
    link_cap = _monthly(instance, "link", link_ids, [_limit(v) for v in links["capacity"]])

    supply = {(n, t): 0 for n in node_ids for t in range(1, P + 1)}
    for n, s0 in zip(node_ids, nodes["stock"], strict=True):
        supply[(n, 1)] += int(s0)
    for row in instance.supply.itertuples(index=False):
        supply[(str(row.node), months[str(row.period)])] += int(row.quantity)
    demand: dict[tuple[str, str, int], int] = {}
    for row in instance.demand.itertuples(index=False):
        key = (str(row.node), str(row.category), months[str(row.period)])
        demand[key] = demand.get(key, 0) + int(row.quantity)
    pairs = sorted({(n, k) for n, k, _ in demand})
    total_cards = sum(supply.values())
    total_demand = sum(demand.values())

    cmax = max([0, *hold.values(), *link_cost.values()])
    big = total_cards * len(node_ids) * P * cmax + 1

    g = nx.MultiDiGraph()
    g.add_node("unmet", demand=-total_demand)
    g.add_node("end", demand=total_cards)
    for n in node_ids:
        for t in range(1, P + 1):
            g.add_node(("stock", n, t), demand=-supply[(n, t)])
    for n, k in pairs:
        for t in range(1, P + 1):
            g.add_node(("demand", n, k, t), demand=demand.get((n, k, t), 0))
    _arc(g, "unmet", "end", "served", 0, None)
    for n in node_ids:
        for t in range(1, P + 1):
            after = ("stock", n, t + 1) if t < P else "end"
            _arc(g, ("stock", n, t), after, "hold", hold[n], storage[(n, t)])
    ships = [(lid, t) for lid in link_ids for t in range(1, P - lead[lid] + 1)]
    for lid, t in ships:
        _arc(
            g,
            ("stock", link_from[lid], t),
            ("stock", link_to[lid], t + lead[lid]),
            lid,
            link_cost[lid],
            link_cap[(lid, t)],
        )
    for n in sorted({n for n, _ in pairs}):
        for t in range(1, P + 1):
            _arc(g, ("stock", n, t), ("issue", n, t), "issue", 0, issue_cap[(n, t)])
    for n, k in pairs:
        for t in range(1, P + 1):
            _arc(g, ("issue", n, t), ("demand", n, k, t), "serve", 0, None)
            before = ("demand", n, k, t + 1) if t < P else "unmet"
            _arc(g, before, ("demand", n, k, t), "backlog", big * w[k], None)

    flow = nx.min_cost_flow(g)

    x: dict[tuple[str, int], int] = {}
    for lid, t in ships:
        if sent := flow[("stock", link_from[lid], t)][("stock", link_to[lid], t + lead[lid])][lid]:
            x[(lid, t)] = sent
    s: dict[tuple[str, str, int], int] = {}
    B: dict[tuple[str, str, int], int] = {}
    for n, k in pairs:
        for t in range(1, P + 1):
            served = flow[("issue", n, t)][("demand", n, k, t)]["serve"]
            before = ("demand", n, k, t + 1) if t < P else "unmet"
            waiting = flow[before][("demand", n, k, t)]["backlog"]
            if served:
                s[(n, k, t)] = served
            if waiting:
                B[(n, k, t)] = waiting
    I: dict[tuple[str, int], int] = {}  # noqa: E741
    for n in node_ids:
        for t in range(1, P + 1):
            after = ("stock", n, t + 1) if t < P else "end"
            if held := flow[("stock", n, t)][after]["hold"]:
                I[(n, t)] = held

    waiting = sum(w[k] * b for (_, k, _), b in B.items()) / SCALE
    cost = (
        sum(link_cost[lid] * q for (lid, _), q in x.items())
        + sum(hold[n] * q for (n, _), q in I.items())
    ) / SCALE
    return FlowSolution(waiting=waiting, cost=cost, x=x, s=s, B=B, I=I)


def lexicographic_optimum(instance: Instance) -> tuple[float, float]:
    """``(W*, C*)``: the least waiting, and the least cost among plans with that waiting."""
    solution = min_cost_flow_solution(instance)
    return solution.waiting, solution.cost


def reference_plan(instance: Instance) -> Plan:
    """The min-cost-flow optimum as a :class:`Plan` with the tables of ``formats.md``.

    Lets tests run :func:`allocator.verify` on optimal plans that the LP
    code did not make.
    """
    sol = min_cost_flow_solution(instance)
    label = dict(enumerate(instance.months, start=1))
    links = instance.links.set_index("id")
    shipments = pd.DataFrame(
        [
            (
                lid,
                links.at[lid, "from"],
                links.at[lid, "to"],
                links.at[lid, "mode"],
                label[t],
                label[t + int(links.at[lid, "lead_time"])],
                q,
            )
            for (lid, t), q in sol.x.items()
        ],
        columns=PLAN_COLUMNS["shipments"],
    )
    demand = {
        (str(r.node), str(r.category), str(r.period)): int(r.quantity)
        for r in instance.demand.itertuples(index=False)
    }
    keys = set(demand) | {(n, k, label[t]) for n, k, t in (*sol.s, *sol.B)}
    months = {v: t for t, v in label.items()}
    issuance = pd.DataFrame(
        [
            (
                n,
                p,
                k,
                demand.get((n, k, p), 0),
                sol.s.get((n, k, months[p]), 0),
                sol.B.get((n, k, months[p]), 0),
            )
            for n, k, p in keys
        ],
        columns=PLAN_COLUMNS["issuance"],
    )
    issuance = issuance[issuance[["demand", "issued", "backlog"]].ne(0).any(axis=1)]
    stock = pd.DataFrame(
        [(n, label[t], q) for (n, t), q in sol.I.items()], columns=PLAN_COLUMNS["stock"]
    )
    P = instance.periods
    per_node = (
        issuance.assign(
            unmet=issuance["backlog"].where(issuance["period"] == label[P], 0),
            card_months_waiting=issuance["backlog"],
        )
        .groupby("node")[["demand", "issued", "unmet", "card_months_waiting"]]
        .sum()
    )
    per_node = per_node[per_node["demand"] > 0]
    info = instance.nodes.set_index("id")
    nodes = pd.DataFrame(
        {
            "node": per_node.index.astype(str),
            "name": info.loc[per_node.index, "name"].to_numpy(),
            "region": info.loc[per_node.index, "region"].to_numpy(),
            "demand": per_node["demand"].to_numpy(),
            "issued": per_node["issued"].to_numpy(),
            "unmet": per_node["unmet"].to_numpy(),
            "fill_rate": (per_node["issued"] / per_node["demand"]).to_numpy(),
            "card_months_waiting": per_node["card_months_waiting"].to_numpy(),
        }
    )
    total_demand, issued = int(sum(demand.values())), int(sum(sol.s.values()))
    summary = {
        "instance": {"name": instance.name, "sha256": instance.sha256},
        "status": "optimal",
        "objective": {"waiting": sol.waiting, "cost": sol.cost},
        "totals": {
            "demand": total_demand,
            "issued": issued,
            "unmet": int(sum(b for (_, _, t), b in sol.B.items() if t == P)),
            "fill_rate": issued / total_demand if total_demand else 1.0,
            "card_months_waiting": int(sum(sol.B.values())),
        },
        "solver": {"name": "networkx.min_cost_flow", "version": nx.__version__},
    }
    frames = {
        "shipments": shipments.sort_values(["period", "link"]),
        "issuance": issuance.sort_values(["node", "category", "period"]),
        "stock": stock.sort_values(["node", "period"]),
        "nodes": nodes.sort_values("node"),
    }
    for name, frame in frames.items():
        frames[name] = frame.reset_index(drop=True).astype({c: "int64" for c in WHOLE[name]})
    return Plan(summary=summary, **frames)
