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
from collections import deque
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


class Keyed:
    """The ``value`` of each row of a key table, looked up by key arrays (integer codes: fast).

    ``keys`` end with the month ``t``; the others are labels (node, group).
    """

    def __init__(self, table: pd.DataFrame, keys: list[str], value: str) -> None:
        self.labels = [pd.Index(pd.unique(table[k].to_numpy())) for k in keys[:-1]]
        self.span = int(table[keys[-1]].max()) + 2 if len(table) else 2
        self.index = pd.Index(self._code([table[k].to_numpy() for k in keys]))
        self.values = table[value].to_numpy()

    def _code(self, arrays: list[np.ndarray]) -> np.ndarray:
        code = np.zeros(len(arrays[-1]), dtype=np.int64)
        missing = np.zeros(len(code), dtype=bool)
        for labels, array in zip(self.labels, arrays[:-1], strict=False):
            pos = labels.get_indexer(array)
            missing |= pos < 0
            code = code * len(labels) + pos
        t = np.asarray(arrays[-1], dtype=np.int64)
        missing |= (t < 0) | (t >= self.span)
        return np.where(missing, -1, code * self.span + t)

    def __call__(self, arrays: list[np.ndarray]) -> np.ndarray:
        """The value at each key (-1 where there is none)."""
        if not len(self.values) or not len(arrays[-1]):
            return np.full(len(arrays[-1]), -1, dtype=np.int64)
        code = self._code(arrays)
        pos = self.index.get_indexer(code)
        pos[code < 0] = -1
        return np.where(pos >= 0, self.values[np.maximum(pos, 0)], -1)


def _stock_row(lp: LinearProgram) -> Keyed:
    return Keyed(lp.rows["stock_balance"], ["node", "t"], "row")


def _lookup(keyed: Keyed, keys: list[np.ndarray]) -> np.ndarray:
    return keyed(keys)


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
    printer = Keyed(ic, ["node", "t"], "row")
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
    backlog = Keyed(bl, ["node", "group", "t"], "row")
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


def network_duals(lp: LinearProgram, a: dict[str, np.ndarray]) -> np.ndarray | None:
    """Stage 1's optimal row duals for the plan whose :func:`arcs` are ``a``, from the network.

    The cheapest residual path from every node to the root (costs may be
    negative: label-correcting search from the root) is an optimal potential
    when the plan is of least waiting; turned into row duals (the inverse of
    :func:`potentials`), it lets HiGHS start from an optimal basis at once.
    ``None`` when the search does not settle (a plan that is not of least
    waiting has a cycle that lowers the waiting) or some node cannot reach the root.
    """
    forward = a["flow"] < a["cap"] - 0.5
    backward = a["flow"] > a["low"] + 0.5
    u = np.concatenate([a["tail"][forward], a["head"][backward]])
    v = np.concatenate([a["head"][forward], a["tail"][backward]])
    w = np.concatenate([a["cost"][forward], -a["cost"][backward]])
    n, root = lp.n_rows + 1, lp.n_rows
    order = np.argsort(v, kind="stable")
    start = np.searchsorted(v[order], np.arange(n + 1)).tolist()
    tails, weights = u[order].tolist(), w[order].tolist()
    dist = [np.inf] * n
    dist[root] = 0.0
    waiting = [False] * n
    queue: deque[int] = deque([root])
    budget = 50 * n
    while queue:
        budget -= 1
        if budget < 0:
            return None
        node = queue.popleft()
        waiting[node] = False
        d = dist[node]
        for k in range(start[node], start[node + 1]):
            other, nd = tails[k], d + weights[k]
            if nd < dist[other] - 1e-9:
                dist[other] = nd
                if not waiting[other]:
                    waiting[other] = True
                    queue.append(other)
    D = np.asarray(dist)
    if not np.isfinite(D).all():
        return None
    y = D[: lp.n_rows].copy()
    for family in ("backlog", "equity_unmet"):
        if family in lp.rows:
            rows = lp.rows[family]["row"].to_numpy()
            y[rows] = -D[rows]
    ic = lp.rows["issue_capacity"]
    stock = _lookup(_stock_row(lp), [ic["node"].to_numpy(), ic["t"].to_numpy()])
    y[ic["row"].to_numpy()] = D[ic["row"].to_numpy()] - D[stock]
    return y


def residual(lp: LinearProgram, a: dict[str, np.ndarray], row_dual: np.ndarray) -> Residual:
    """The residual network of the plan's :func:`arcs` ``a``, each node's distance to the root.

    ``row_dual`` are stage 1's optimal row duals (HiGHS's sign); with them as
    potentials every residual arc costs >= 0 (up to rounding, clipped), so
    one Dijkstra search from the root gives the exact distances.
    """
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
