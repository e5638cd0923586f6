"""Stage 1 as a flow on the time-expanded network, and the exact value of one more card anywhere.

The waiting LP is a min-cost flow (``models/README.md``, "Why whole cards"):
a node per stock-balance row ``S(n,t)``, per issue-capacity row ``Q(n,t)``
(the printer, a node between the stock and the people), per backlog row
``D(n,g,t)`` and per equity row, plus one root ``R`` that takes leftover
cards and gives unmet demand. Every column is an arc: ``x`` from
``S(from,t)`` to ``S(to,t+lead)``, ``I`` from ``S(n,t)`` to ``S(n,t+1)`` (to
``R`` in the last month), ``s`` from ``S`` (or ``Q``) to ``D``, the printer
from ``S(n,t)`` to ``Q(n,t)``, and ``B[n,g,t]`` backwards in time from
``D(n,g,t+1)`` (from ``R`` in the last month), costing the weight.

One more card at a node goes from there to ``R`` along the cheapest path of
the *residual* network (arcs with room forwards, arcs with flow backwards at
minus their cost). Its length, negated, is the exact waiting saved by that
card, whatever basis the solver found: :class:`Residual` computes it for
every node at once, with one Dijkstra search from ``R`` in which stage 1's
duals (any optimal ones) make every residual arc's cost non-negative.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model import LinearProgram

#: Arc kinds, as stored in :attr:`Residual.kind`.
SHIP, HOLD, ISSUE, PRINT, WAIT, UNMET = range(6)


@dataclass(frozen=True, eq=False)
class Residual:
    """The plan as a flow, the duals as potentials, and each node's distance to the root.

    Arrays over arcs: ``tail``, ``head``, ``flow``, ``cap``, ``cost``,
    ``kind`` (:data:`SHIP` ... :data:`UNMET`) and ``col`` (the LP column, or
    -1 for a printer arc). ``dist[v]`` is the cost of the cheapest residual
    path from node ``v`` to the root (``inf`` if none): one more card at a
    stock node ``v`` changes the optimal waiting by exactly ``dist[v]``, and
    so does each of the first ``neck[v]`` more cards (the least room on that
    cheapest path: sending cards along a cheapest path keeps it cheapest);
    ``toward[v]`` is the next node on that path.
    Nodes are the LP's rows, and ``root`` is ``lp.n_rows``.
    """

    tail: np.ndarray
    head: np.ndarray
    flow: np.ndarray
    cap: np.ndarray
    cost: np.ndarray
    kind: np.ndarray
    col: np.ndarray
    dist: np.ndarray
    neck: np.ndarray
    toward: np.ndarray
    root: int
    tol: float
    potential: np.ndarray
    residual_arcs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # u, v, reduced w, room
    _out: tuple[list, list, list, list] | None = None

    def value(self, nodes: np.ndarray) -> np.ndarray:
        """The waiting one more card at each of ``nodes`` saves (``-dist``, rounded)."""
        return np.round(-self.dist[nodes], 9) + 0.0

    def cycle(self, arc: int) -> tuple[float, float]:
        """The waiting one more unit of room on ``arc`` saves, by the cheapest cycle through it.

        The unit goes along ``arc`` and back from its head to its tail by the
        cheapest residual path; returns (saving, the least room on that cycle).
        A lower bound on the exact value, and equal to it when it meets the
        basis's dual (which bounds it from above).
        """
        tail, head = int(self.tail[arc]), int(self.head[arc])
        u, v, w, room = self.residual_arcs
        if self._out is None:
            order = np.argsort(u, kind="stable")
            start = np.searchsorted(u[order], np.arange(self.root + 2))
            object.__setattr__(
                self,
                "_out",
                (start.tolist(), v[order].tolist(), w[order].tolist(), room[order].tolist()),
            )
        assert self._out is not None
        starts, heads, weights, rooms = self._out
        dist = {head: 0.0}
        neck = {head: np.inf}
        heap = [(0.0, head)]
        done: set[int] = set()
        while heap:
            d, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            if node == tail:
                real = d + self.potential[head] - self.potential[tail]
                return -(float(self.cost[arc]) + real), neck[node]
            for k in range(starts[node], starts[node + 1]):
                other, nd = heads[k], d + weights[k]
                if nd < dist.get(other, np.inf):
                    dist[other] = nd
                    neck[other] = min(neck[node], rooms[k])
                    heapq.heappush(heap, (nd, other))
        return -np.inf, 0.0

    def room(self) -> np.ndarray:
        """Arcs that can carry one more card forwards."""
        return self.flow < self.cap - 0.5

    def tight(self) -> np.ndarray:
        """Arcs with room on a cheapest path: one more card at the tail may take them."""
        finite = np.isfinite(self.dist[self.head]) & np.isfinite(self.dist[self.tail])
        slack = np.full(len(self.tail), np.inf)
        slack[finite] = (
            self.cost[finite] + self.dist[self.head[finite]] - self.dist[self.tail[finite]]
        )
        return self.room() & (np.abs(slack) <= self.tol)


def _stock_row(lp: LinearProgram) -> pd.Series:
    sb = lp.rows["stock_balance"]
    return pd.Series(sb["row"].to_numpy(), index=pd.MultiIndex.from_frame(sb[["node", "t"]]))


def _lookup(series: pd.Series, keys: list[np.ndarray]) -> np.ndarray:
    if series.empty:
        return np.full(len(keys[0]), -1, dtype=np.int64)
    pos = series.index.get_indexer(pd.MultiIndex.from_arrays(keys))
    return np.where(pos >= 0, series.to_numpy()[np.maximum(pos, 0)], -1)


def arcs(instance: Instance, lp: LinearProgram, values: np.ndarray) -> dict[str, np.ndarray]:
    """Every column of ``lp`` (and every printer) as an arc with its flow at ``values``."""
    root = lp.n_rows
    stock = _stock_row(lp)
    parts: list[dict[str, np.ndarray]] = []

    def add(kind: int, tail: np.ndarray, head: np.ndarray, col: np.ndarray, **extra: np.ndarray):
        flow = extra.get("flow", values[col] if len(col) else np.zeros(0))
        cap = extra.get("cap", lp.col_upper[col] if len(col) else np.zeros(0))
        low = extra.get("low", lp.col_lower[col] if len(col) else np.zeros(0))
        parts.append(
            {
                "tail": tail.astype(np.int64),
                "head": head.astype(np.int64),
                "flow": np.asarray(flow, dtype=float),
                "cap": np.asarray(cap, dtype=float),
                "low": np.asarray(low, dtype=float),
                "cost": lp.stages[0].objective[col] if len(col) else np.zeros(0),
                "kind": np.full(len(tail), kind),
                "col": col.astype(np.int64),
            }
        )

    x = lp.variables["x"]
    links = instance.links.set_index("id")
    frm = links.loc[x["link"], "from"].to_numpy()
    to = links.loc[x["link"], "to"].to_numpy()
    t = x["t"].to_numpy()
    arrive = t + links.loc[x["link"], "lead_time"].to_numpy(np.int64)
    add(SHIP, _lookup(stock, [frm, t]), _lookup(stock, [to, arrive]), x["col"].to_numpy())

    held = lp.variables["I"]
    n, t = held["node"].to_numpy(), held["t"].to_numpy()
    nxt = np.where(t < lp.periods, _lookup(stock, [n, np.minimum(t + 1, lp.periods)]), root)
    add(HOLD, _lookup(stock, [n, t]), nxt, held["col"].to_numpy())

    ic = lp.rows["issue_capacity"]
    printer = pd.Series(ic["row"].to_numpy(), index=pd.MultiIndex.from_frame(ic[["node", "t"]]))
    ic_rows = ic["row"].to_numpy()
    activity = np.zeros(lp.n_rows)
    np.add.at(activity, lp.row_of_entries(), lp.data * values[lp.indices])
    add(
        PRINT,
        _lookup(stock, [ic["node"].to_numpy(), ic["t"].to_numpy()]),
        ic_rows,
        np.full(len(ic), -1),
        flow=activity[ic_rows],
        cap=lp.row_upper[ic_rows],
        low=np.zeros(len(ic)),
    )
    parts[-1]["cost"] = np.zeros(len(ic))

    bl = lp.rows["backlog"]
    backlog = pd.Series(
        bl["row"].to_numpy(), index=pd.MultiIndex.from_frame(bl[["node", "group", "t"]])
    )
    s = lp.variables["s"]
    sn, sg, st = s["node"].to_numpy(), s["group"].to_numpy(), s["t"].to_numpy()
    via = _lookup(printer, [sn, st])
    source = np.where(via >= 0, via, _lookup(stock, [sn, st]))
    add(ISSUE, source, _lookup(backlog, [sn, sg, st]), s["col"].to_numpy())

    B = lp.variables["B"]
    bn, bg, bt = B["node"].to_numpy(), B["group"].to_numpy(), B["t"].to_numpy()
    later = _lookup(backlog, [bn, bg, np.minimum(bt + 1, lp.periods)])
    last = np.full(len(B), root)
    if "equity_unmet" in lp.rows:
        eu = lp.rows["equity_unmet"]
        held_by = pd.Series(eu["row"].to_numpy(), index=eu["node"].to_numpy())
        last = held_by.reindex(bn).fillna(root).to_numpy(np.int64)
    add(
        WAIT,
        np.where(bt < lp.periods, later, last),
        _lookup(backlog, [bn, bg, bt]),
        B["col"].to_numpy(),
    )

    if "U" in lp.variables:
        u = lp.variables["U"]
        add(
            UNMET,
            np.full(len(u), root),
            lp.rows["equity_unmet"]["row"].to_numpy(),
            u["col"].to_numpy(),
        )
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def potentials(lp: LinearProgram, row_dual: np.ndarray) -> np.ndarray:
    """Node potentials from stage 1's row duals, so that an arc's reduced cost is its column's.

    Stock rows keep their dual; a printer node is its stock row's dual plus
    the printer's; backlog and equity rows (written inflow minus outflow)
    change sign; the root is 0.
    """
    pi = np.zeros(lp.n_rows + 1)
    pi[: lp.n_rows] = row_dual
    for family in ("backlog", "equity_unmet"):
        if family in lp.rows:
            rows = lp.rows[family]["row"].to_numpy()
            pi[rows] = -row_dual[rows]
    ic = lp.rows["issue_capacity"]
    stock = _lookup(_stock_row(lp), [ic["node"].to_numpy(), ic["t"].to_numpy()])
    pi[ic["row"].to_numpy()] = row_dual[stock] + row_dual[ic["row"].to_numpy()]
    return pi


def residual(
    instance: Instance, lp: LinearProgram, values: np.ndarray, row_dual: np.ndarray
) -> Residual:
    """The residual network of the plan ``values`` and every node's distance to the root.

    ``row_dual`` are stage 1's optimal row duals (HiGHS's sign); with them as
    potentials every residual arc costs >= 0 (up to rounding, clipped), so
    one Dijkstra search from the root gives the exact distances.
    """
    a = arcs(instance, lp, values)
    pi = potentials(lp, row_dual)
    root = lp.n_rows
    reduced = a["cost"] - pi[a["tail"]] + pi[a["head"]]
    forward = a["flow"] < a["cap"] - 0.5
    backward = a["flow"] > a["low"] + 0.5
    # Residual arcs u -> v with their reduced costs.
    u = np.concatenate([a["tail"][forward], a["head"][backward]])
    v = np.concatenate([a["head"][forward], a["tail"][backward]])
    w = np.maximum(np.concatenate([reduced[forward], -reduced[backward]]), 0.0)
    room = np.concatenate([(a["cap"] - a["flow"])[forward], (a["flow"] - a["low"])[backward]])
    scale = max(1.0, float(np.abs(lp.stages[0].objective).max(initial=0.0)) * max(lp.periods, 1))
    reduced_dist, neck, toward = _dijkstra(root + 1, root, u, v, w, room)
    dist = reduced_dist + pi  # back from reduced to real path costs
    return Residual(
        tail=a["tail"],
        head=a["head"],
        flow=a["flow"],
        cap=a["cap"],
        cost=a["cost"],
        kind=a["kind"],
        col=a["col"],
        dist=dist,
        neck=neck,
        toward=toward,
        root=root,
        tol=1e-7 * scale,
        potential=pi,
        residual_arcs=(u, v, w, room),
    )


def _dijkstra(
    n: int, root: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, room: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shortest distances from every node to ``root`` along arcs ``u -> v`` of weight ``w >= 0``.

    Also each node's next node on its shortest path (-1: none) and that
    path's bottleneck, the least ``room`` on it.
    """
    order = np.argsort(v, kind="stable")
    start = np.searchsorted(v[order], np.arange(n + 1))
    tails = u[order].tolist()
    tails_head = v[order].tolist()
    weights = w[order].tolist()
    rooms = room[order].tolist()
    starts = start.tolist()
    dist = [np.inf] * n
    neck = [0.0] * n
    via = [-1] * n
    dist[root] = 0.0
    neck[root] = np.inf
    heap = [(0.0, root)]
    done = [False] * n
    while heap:
        d, node = heapq.heappop(heap)
        if done[node]:
            continue
        done[node] = True
        if node != root:
            k = via[node]
            neck[node] = min(rooms[k], neck[tails_head[k]])
        for k in range(starts[node], starts[node + 1]):
            other = tails[k]
            nd = d + weights[k]
            if nd < dist[other]:
                dist[other] = nd
                via[other] = k
                heapq.heappush(heap, (nd, other))
    toward = [tails_head[k] if k >= 0 else -1 for k in via]
    return np.asarray(dist), np.asarray(neck), np.asarray(toward, dtype=np.int64)
