"""The allocation LP of ``model.md``, built in bulk from grouped tables.

:func:`build_model` is a pure function of the instance. It returns a
:class:`LinearProgram`: the columns (variables ``x``, ``I``, ``s``, ``B``), the
rows in CSR form and the two objectives (waiting, cost) as numpy arrays, plus
key tables that say which (link, month), (node, month) or (node, category,
month) each column and row stands for. It reads like the formulation: one
``add_*`` call per constraint family, each named as in ``models/README.md``.

Nothing here knows about PuLP or a solver (that is :mod:`allocator.lp`). Only
the variables that can matter are created: no ``x`` for a link whose tail can
never hold a card or that would arrive after the horizon, no
``I`` at a node that can never hold a card, no ``s``/``B`` before a demand
first arises. Demand that no card can reach keeps its backlog as a constant.

A re-plan's extensions (the stability copies ``x_stable``, the change
objective, frozen shipments) are in :mod:`allocator.model_replan`;
:func:`build_model` adds them only when given ``reference`` or ``fixed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.instance.network import arcs, build_graph, reach
from allocator.model_replan import add_fixed, add_stability, replan_objectives

INF = np.inf

# Constraint families: rows of the matrix, and bounds on columns. Each name is
# the one used in models/README.md and in the PuLP model's row names.
ROW_FAMILIES = ("stock_balance", "backlog", "issue_capacity")
BOUND_FAMILIES = ("storage", "link_capacity")
VARIABLE_FAMILIES = ("x", "I", "s", "B")


@dataclass
class LinearProgram:
    """The LP of model.md as arrays, with the keys of every column and row.

    ``variables[f]`` is a table of the keys of family ``f`` with a ``col``
    column (x: link, t; I: node, t; s and B: node, group, t, where a group is the
    categories of one weight, see :func:`weight_groups`).
    ``rows[f]`` likewise with a ``row`` column. Months ``t`` are 1..P.
    ``bounds[f]`` lists the columns whose upper bound comes from bound family
    ``f``. The matrix is CSR (``indptr``, ``indices``, ``data``); row ``i``
    reads ``row_lower[i] <= A[i] @ x <= row_upper[i]``.
    """

    periods: int
    col_lower: np.ndarray
    col_upper: np.ndarray
    c_wait: np.ndarray
    c_cost: np.ndarray
    wait_constant: float
    row_lower: np.ndarray
    row_upper: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    variables: dict[str, pd.DataFrame]
    rows: dict[str, pd.DataFrame]
    bounds: dict[str, np.ndarray] = field(default_factory=dict)
    # With a stability penalty, ``c_cost`` is stage 2's objective (cost + penalty)
    # and ``c_plain_cost`` the cost alone; ``None`` when there is no penalty.
    c_plain_cost: np.ndarray | None = None
    # A third lexicographic stage, for a re-plan: cards changed against the old
    # plan, minimised over the plans optimal in waiting and cost. ``None``: two stages.
    # ``c_change @ x + sum(x_old)`` is sum |x - x_old|
    # (see :func:`allocator.model_replan.add_stability`).
    c_change: np.ndarray | None = None

    @property
    def n_cols(self) -> int:
        """Number of columns (variables)."""
        return len(self.col_lower)

    @property
    def n_rows(self) -> int:
        """Number of rows (constraints)."""
        return len(self.row_lower)

    @property
    def n_nonzeros(self) -> int:
        """Number of matrix coefficients."""
        return len(self.data)

    def residuals(self, values: np.ndarray) -> np.ndarray:
        """How far each row is outside its bounds at ``values`` (0 where satisfied)."""
        products = self.data * values[self.indices]
        activity = np.zeros(self.n_rows)
        np.add.at(activity, np.repeat(np.arange(self.n_rows), np.diff(self.indptr)), products)
        return np.maximum(self.row_lower - activity, 0) + np.maximum(activity - self.row_upper, 0)


def _ranges(counts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(start, start + count)`` for each pair, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - offsets + np.repeat(starts, counts)


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


def weight_groups(categories: dict[str, float]) -> dict[str, tuple[str, ...]]:
    """Categories grouped by equal weight: group label -> its categories, in declared order.

    Waiting weighs every card of a group alike, so the LP needs one issue and
    one backlog chain per node and group, not per category: the optimum is the
    same, and the plan splits each group's issue among its categories first
    come, first served (:func:`allocator.results.split_first_come`). A group
    of one category is labelled by it; a larger one by its members joined
    with ``+``.
    """
    by_weight: dict[float, list[str]] = {}
    for category, weight in categories.items():
        by_weight.setdefault(float(weight), []).append(category)
    return {"+".join(members): tuple(members) for members in by_weight.values()}


class _Builder:
    """Accumulates columns and COO entries family by family."""

    def __init__(self) -> None:
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.c_wait: list[np.ndarray] = []
        self.c_cost: list[np.ndarray] = []
        self.n_cols = 0
        self.entry_rows: list[np.ndarray] = []
        self.entry_cols: list[np.ndarray] = []
        self.entry_vals: list[np.ndarray] = []
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.n_rows = 0

    def columns(
        self,
        n: int,
        upper: np.ndarray | float = INF,
        wait: np.ndarray | float = 0.0,
        cost: np.ndarray | float = 0.0,
    ) -> np.ndarray:
        cols = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        self.lower.append(np.zeros(n))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        self.c_wait.append(np.broadcast_to(np.asarray(wait, dtype=float), (n,)).copy())
        self.c_cost.append(np.broadcast_to(np.asarray(cost, dtype=float), (n,)).copy())
        self.n_cols += n
        return cols

    def _chunks(self, cols: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(chunk, positions in ``cols``, offsets inside the chunk) of columns already added."""
        starts = np.cumsum([0, *(len(a) for a in self.lower)])
        chunk = np.searchsorted(starts, cols, side="right") - 1
        return [
            (int(c), np.flatnonzero(chunk == c), cols[chunk == c] - starts[c])
            for c in np.unique(chunk)
        ]

    def get(self, what: str, cols: np.ndarray) -> np.ndarray:
        """Current ``lower``, ``upper`` or ``c_cost`` of columns already added."""
        arrays = getattr(self, what)
        out = np.empty(len(cols))
        for c, at, local in self._chunks(cols):
            out[at] = arrays[c][local]
        return out

    def set(self, what: str, cols: np.ndarray, values: np.ndarray | float) -> None:
        """Change ``lower``, ``upper`` or ``c_cost`` of columns already added."""
        arrays = getattr(self, what)
        values = np.broadcast_to(np.asarray(values, dtype=float), cols.shape)
        for c, at, local in self._chunks(cols):
            arrays[c][local] = values[at]

    def rows(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        n = len(lower)
        rows = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self.row_lower.append(np.asarray(lower, dtype=float))
        self.row_upper.append(np.asarray(upper, dtype=float))
        self.n_rows += n
        return rows

    def entries(self, rows: np.ndarray, cols: np.ndarray, value: float | np.ndarray) -> None:
        self.entry_rows.append(rows)
        self.entry_cols.append(cols)
        self.entry_vals.append(np.broadcast_to(np.asarray(value, dtype=float), rows.shape).copy())

    def matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = np.concatenate(self.entry_rows) if self.entry_rows else np.zeros(0, np.int64)
        cols = np.concatenate(self.entry_cols) if self.entry_cols else np.zeros(0, np.int64)
        vals = np.concatenate(self.entry_vals) if self.entry_vals else np.zeros(0)
        order = np.lexsort((cols, rows))
        indptr = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n_rows), out=indptr[1:])
        return indptr, cols[order], vals[order]


@dataclass
class _Data:
    """The instance's data grouped once, as the families need it."""

    P: int
    nodes: pd.DataFrame  # nodes that can hold cards, with position 'a'
    node_index: pd.Index
    links: pd.DataFrame  # links that can serve demand
    pairs: pd.DataFrame  # (node, group) with demand at a node that cards can reach
    demand: np.ndarray  # (len(pairs), P) new demand per month
    first: np.ndarray  # first month with demand, per pair
    weight: np.ndarray  # w[k] per pair
    wait_constant: float  # waiting of demand that no card can reach


def _group(instance: Instance) -> _Data:
    P = instance.periods
    graph = build_graph(instance)
    r = reach(instance, graph)
    nodes = instance.nodes[instance.nodes["id"].isin(r.supplied)].reset_index(drop=True)
    node_index = pd.Index(nodes["id"])
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
    return _Data(P, nodes, node_index, links, pairs, grid, first, weight, wait_constant)


def add_shipments(b: _Builder, d: _Data, instance: Instance) -> tuple[pd.DataFrame, np.ndarray]:
    """Variables x[l,t] for t + lead[l] <= P, bounded by link_capacity."""
    lead = d.links["lead_time"].to_numpy(np.int64)
    counts = np.maximum(d.P - lead, 0)
    link_pos = np.repeat(np.arange(len(d.links)), counts)
    t = _ranges(counts, np.ones(len(d.links), dtype=np.int64))
    caps = monthly_limits(instance, "link", pd.Index(d.links["id"]), d.links["capacity"])
    cost = d.links["cost"].to_numpy(float)[link_pos]
    cols = b.columns(len(t), upper=caps[link_pos, t - 1], cost=cost)
    x = pd.DataFrame(
        {"link": d.links["id"].to_numpy()[link_pos], "link_pos": link_pos, "t": t, "col": cols}
    )
    bounded = cols[np.isfinite(caps[link_pos, t - 1])]
    return x, bounded


def add_stock(b: _Builder, d: _Data, instance: Instance) -> tuple[pd.DataFrame, np.ndarray]:
    """Variables I[n,t] at nodes that can hold cards, bounded by storage."""
    n = len(d.nodes)
    a = np.repeat(np.arange(n), d.P)
    t = np.tile(np.arange(1, d.P + 1), n)
    storage = monthly_limits(instance, "storage", d.node_index, d.nodes["storage"])
    hold = d.nodes["holding_cost"].to_numpy(float)[a]
    cols = b.columns(len(a), upper=storage[a, t - 1], cost=hold)
    stock = pd.DataFrame({"node": d.nodes["id"].to_numpy()[a], "a": a, "t": t, "col": cols})
    return stock, cols[np.isfinite(storage[a, t - 1])]


def add_issue_and_backlog(b: _Builder, d: _Data) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Variables s[n,g,t] and B[n,g,t] per weight group g, from the month demand first arises."""
    counts = d.P - d.first + 1
    pair = np.repeat(np.arange(len(d.pairs)), counts)
    t = _ranges(counts, d.first)
    keys = pd.DataFrame(
        {
            "node": d.pairs["node"].to_numpy()[pair],
            "group": d.pairs["group"].to_numpy()[pair],
            "pair": pair,
            "t": t,
        }
    )
    s_cols = b.columns(len(t))
    B_cols = b.columns(len(t), wait=d.weight[pair])
    return keys.assign(col=s_cols), keys.assign(col=B_cols)


def add_stock_balance(
    b: _Builder, d: _Data, instance: Instance, x: pd.DataFrame, stock: pd.DataFrame, s: pd.DataFrame
) -> pd.DataFrame:
    """stock_balance[n,t]: I[t] = I[t-1] + supply + arrivals - departures - issued."""
    P, n = d.P, len(d.nodes)
    rhs = np.zeros((n, P))
    supply = instance.supply[instance.supply["node"].isin(d.node_index)]
    np.add.at(
        rhs,
        (d.node_index.get_indexer(supply["node"]), instance.month_number(supply["period"]) - 1),
        supply["quantity"].to_numpy(float),
    )
    rhs[:, 0] += d.nodes["stock"].to_numpy(float)
    rows = b.rows(rhs.ravel(), rhs.ravel())
    base = rows[0] if len(rows) else 0

    def row(a: np.ndarray, t: np.ndarray) -> np.ndarray:
        return base + a * P + (t - 1)

    a, t = stock["a"].to_numpy(), stock["t"].to_numpy()
    b.entries(row(a, t), stock["col"].to_numpy(), 1.0)
    later = t < P
    b.entries(row(a[later], t[later] + 1), stock["col"].to_numpy()[later], -1.0)

    frm = d.node_index.get_indexer(d.links["from"])[x["link_pos"].to_numpy()]
    to = d.node_index.get_indexer(d.links["to"])[x["link_pos"].to_numpy()]
    lead = d.links["lead_time"].to_numpy(np.int64)[x["link_pos"].to_numpy()]
    xt = x["t"].to_numpy()
    b.entries(row(frm, xt), x["col"].to_numpy(), 1.0)
    b.entries(row(to, xt + lead), x["col"].to_numpy(), -1.0)

    sa = d.node_index.get_indexer(s["node"])
    b.entries(row(sa, s["t"].to_numpy()), s["col"].to_numpy(), 1.0)
    return pd.DataFrame(
        {
            "node": d.nodes["id"].to_numpy().repeat(P),
            "t": np.tile(np.arange(1, P + 1), n),
            "row": rows,
        }
    )


def add_backlog(b: _Builder, d: _Data, s: pd.DataFrame, B: pd.DataFrame) -> pd.DataFrame:
    """backlog[n,g,t]: B[t] = B[t-1] + d[t] - s[t] (d summed over the group's categories)."""
    pair, t = s["pair"].to_numpy(), s["t"].to_numpy()
    rhs = d.demand[pair, t - 1]
    rows = b.rows(rhs, rhs)
    b.entries(rows, B["col"].to_numpy(), 1.0)
    b.entries(rows, s["col"].to_numpy(), 1.0)
    carried = t > d.first[pair]
    b.entries(rows[carried], B["col"].to_numpy()[np.flatnonzero(carried) - 1], -1.0)
    return s[["node", "group", "t"]].assign(row=rows)


def add_issue_capacity(b: _Builder, d: _Data, instance: Instance, s: pd.DataFrame) -> pd.DataFrame:
    """issue_capacity[n,t]: sum_g s[n,g,t] <= issue_cap[n,t], where finite."""
    caps = monthly_limits(instance, "issue", d.node_index, d.nodes["issue_capacity"])
    a = d.node_index.get_indexer(s["node"])
    t = s["t"].to_numpy()
    limit = caps[a, t - 1]
    capped = np.isfinite(limit)
    key = a[capped] * d.P + (t[capped] - 1)
    groups, group_of = np.unique(key, return_inverse=True)
    ga, gt = groups // d.P, groups % d.P + 1
    upper = caps[ga, gt - 1]
    rows = b.rows(np.full(len(groups), -INF), upper)
    b.entries(rows[group_of], s["col"].to_numpy()[capped], 1.0)
    return pd.DataFrame({"node": d.nodes["id"].to_numpy()[ga], "t": gt, "row": rows})


def build_model(
    instance: Instance,
    reference: pd.DataFrame | None = None,
    stability: float = 0.0,
    fixed: pd.DataFrame | None = None,
) -> LinearProgram:
    """Build the LP of model.md for ``instance`` (pure: the instance is not changed).

    The optional arguments serve a re-plan (``allocator.replan``); without them
    the LP is exactly model.md's.

    Parameters
    ----------
    instance
        The validated instance.
    reference
        The old plan's shipments (``link, period, quantity``; rows outside the
        horizon are ignored). Given, shipments are split against them (family
        ``x_stable``) and a third stage (``c_change``) picks, among the plans
        optimal in waiting and cost, one moving fewest cards away from them.
    stability
        ``W >= 0``: adds ``W * |x - x_old|`` per link and month to the cost
        objective (needs ``reference``); 0 leaves the cost unchanged.
    fixed
        Shipments (``link, period, quantity``) held at exactly that quantity
        (bound family ``freeze``); each must have a column and fit its capacity.
    """
    if stability < 0:
        raise ValueError("the stability weight must be >= 0")
    if stability > 0 and reference is None:
        raise ValueError("a stability penalty needs the reference plan's shipments")
    d = _group(instance)
    b = _Builder()
    bounds: dict[str, np.ndarray] = {}
    x, bounds["link_capacity"] = add_shipments(b, d, instance)
    stable = None
    if reference is not None:
        stable = add_stability(b, instance, x, reference, stability)
        bounds["link_capacity"] = np.concatenate([bounds["link_capacity"], stable.capped])
        bounds["stability"] = stable.kept
    x_stable = None if stable is None else stable.x_stable
    if fixed is not None:
        bounds["freeze"] = add_fixed(b, instance, x, x_stable, fixed)
    stock, bounds["storage"] = add_stock(b, d, instance)
    s, B = add_issue_and_backlog(b, d)
    moves = x if x_stable is None else pd.concat([x, x_stable], ignore_index=True)
    rows = {
        "stock_balance": add_stock_balance(b, d, instance, moves, stock, s),
        "backlog": add_backlog(b, d, s, B),
        "issue_capacity": add_issue_capacity(b, d, instance, s),
    }
    variables = {
        "x": x[["link", "t", "col"]],
        "I": stock[["node", "t", "col"]],
        "s": s[["node", "group", "t", "col"]],
        "B": B[["node", "group", "t", "col"]],
    }
    if x_stable is not None:
        variables["x_stable"] = x_stable[["link", "t", "col"]]
    lp = _assemble(b, d, variables, rows, bounds)
    if stable is not None:
        lp.c_plain_cost, lp.c_change = replan_objectives(stable, lp.c_cost, stability, len(x))
    return lp


def _concat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0)


def _assemble(
    b: _Builder,
    d: _Data,
    variables: dict[str, pd.DataFrame],
    rows: dict[str, pd.DataFrame],
    bounds: dict[str, np.ndarray],
) -> LinearProgram:
    """The :class:`LinearProgram` of what ``b`` accumulated, with its key tables."""
    indptr, indices, data = b.matrix()
    return LinearProgram(
        periods=d.P,
        col_lower=_concat(b.lower),
        col_upper=_concat(b.upper),
        c_wait=_concat(b.c_wait),
        c_cost=_concat(b.c_cost),
        wait_constant=d.wait_constant,
        row_lower=_concat(b.row_lower),
        row_upper=_concat(b.row_upper),
        indptr=indptr,
        indices=indices,
        data=data,
        variables=variables,
        rows=rows,
        bounds=bounds,
    )
