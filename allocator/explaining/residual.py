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

from allocator.explaining.flow import lookup, stock_row
from allocator.model import LinearProgram


@dataclass(frozen=True, eq=False)
class Residual:
    """The plan as a flow, the duals as potentials, and each node's distance to the root.

    Arrays over arcs: ``tail``, ``head``, ``flow``, ``cap``, ``cost``,
    ``kind`` (:data:`~allocator.explaining.flow.SHIP` ... ``UNMET``) and
    ``col`` (the LP column, or -1 for a printer arc). ``dist[v]`` is the cost
    of the cheapest residual path from node ``v`` to the root (``inf`` if none): one more card at a
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
    stock = lookup(stock_row(lp), [ic["node"].to_numpy(), ic["t"].to_numpy()])
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
    stock = lookup(stock_row(lp), [ic["node"].to_numpy(), ic["t"].to_numpy()])
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
