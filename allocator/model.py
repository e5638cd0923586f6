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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.network import arcs, build_graph, reach

INF = np.inf

# Constraint families: rows of the matrix, and bounds on columns. Each name is
# the one used in models/README.md and in the PuLP model's row names.
ROW_FAMILIES = ("stock_balance", "backlog", "issue_capacity")
BOUND_FAMILIES = ("storage", "link_capacity")
VARIABLE_FAMILIES = ("x", "I", "s", "B")
# Built only for a re-plan (``reference`` or ``fixed`` given); documented under
# "Re-planning: stability" in models/README.md.
REPLAN_VARIABLE_FAMILIES = ("x_stable",)
REPLAN_BOUND_FAMILIES = ("stability", "freeze")


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
    # ``c_change @ x + sum(x_old)`` is sum |x - x_old| (see ``add_stability``).
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


def _match(
    instance: Instance, x: pd.DataFrame, table: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows of ``table`` (link, period, quantity) inside the horizon, and their row of ``x``.

    The position is -1 where the link has no column in that month.
    """
    t = instance.month_number(table["period"].astype(str))
    inside = (t >= 1) & (t <= instance.periods)
    keys = pd.MultiIndex.from_arrays([x["link"], x["t"]])
    wanted = pd.MultiIndex.from_arrays([table["link"].astype(str)[inside], t[inside]])
    pos = keys.get_indexer(wanted)
    if len(np.unique(pos[pos >= 0])) != int((pos >= 0).sum()):
        raise ValueError("a (link, period) appears more than once")
    return table[inside].reset_index(drop=True), pos


def _per_shipment(instance: Instance, x: pd.DataFrame, table: pd.DataFrame | None) -> np.ndarray:
    """Quantities of ``table`` (link, period, quantity) per row of ``x`` (0 where absent)."""
    quantity = np.zeros(len(x))
    if table is None or table.empty:
        return quantity
    inside, pos = _match(instance, x, table)
    found = pos >= 0
    quantity[pos[found]] = inside["quantity"].to_numpy(float)[found]
    return quantity


@dataclass
class _Stability:
    """What :func:`add_stability` built, for :func:`build_model` to file away."""

    x_stable: pd.DataFrame  # keys of the copies (link, t, col)
    kept: np.ndarray  # x columns bounded by x_old below their capacity (bound family stability)
    capped: np.ndarray  # copies with a finite capacity (bound family link_capacity)
    cols: np.ndarray  # every shipment column: x where x_old > 0, other x, copies
    plain: np.ndarray  # their cost without the penalty
    change: np.ndarray  # their coefficient in stage 3: -1 on x where x_old > 0, else +1


def add_stability(
    b: _Builder, instance: Instance, x: pd.DataFrame, reference: pd.DataFrame, weight: float
) -> _Stability:
    """x_stable: |x - x_old| made linear with two parallel copies of x[l,t].

    Where the old plan shipped ``x_old > 0``, ``x`` holds the first ``x_old``
    cards (upper bound ``min(x_old, cap)``) and ``x_stable`` any cards beyond
    (upper bound the rest of ``cap``). Then ``x_old - x + x_stable``, and
    ``x`` alone where ``x_old = 0``, is ``|x + x_stable - x_old|`` whenever
    ``x`` is filled first, and more otherwise: minimising it (stage 3,
    coefficients ``change``, constant ``sum x_old``) counts the cards moved
    away from the old plan. The stability penalty ``W`` (``weight``) adds the
    same to the cost: ``x`` where ``x_old > 0`` costs ``c - W``, every other
    shipment column ``c + W``; up to the constant ``W * sum x_old`` this is
    ``c*x + W*|x - x_old|``. Parallel arcs keep the LP a network LP.
    """
    old = _per_shipment(instance, x, reference)
    cols = x["col"].to_numpy()
    cap = b.get("upper", cols)
    cost = b.get("c_cost", cols)
    has = old > 0
    keep = np.minimum(old[has], cap[has])
    b.set("upper", cols[has], keep)
    b.set("c_cost", cols[has], cost[has] - weight)
    b.set("c_cost", cols[~has], cost[~has] + weight)
    rest = cap[has] - keep
    copies = b.columns(int(has.sum()), upper=rest, cost=cost[has] + weight)
    return _Stability(
        x_stable=x[has].assign(col=copies).reset_index(drop=True),
        kept=cols[has][keep < cap[has]],
        capped=copies[np.isfinite(rest)],
        cols=np.concatenate([cols[has], cols[~has], copies]),
        plain=np.concatenate([cost[has], cost[~has], cost[has]]),
        change=np.concatenate([-np.ones(len(keep)), np.ones(int((~has).sum()) + len(copies))]),
    )


def add_fixed(
    b: _Builder,
    instance: Instance,
    x: pd.DataFrame,
    x_stable: pd.DataFrame | None,
    fixed: pd.DataFrame,
) -> np.ndarray:
    """freeze: hold x[l,t] (with its x_stable copy, if any) at a given quantity, as bounds.

    Raises ``ValueError`` when a fixed shipment has no column or exceeds its
    link's capacity (the caller drops such shipments first).
    """
    inside, at = _match(instance, x, fixed)
    if (at < 0).any():
        first = inside.iloc[int(np.flatnonzero(at < 0)[0])]
        raise ValueError(f"fixed: link {first['link']} has no shipment column in {first['period']}")
    keys = pd.MultiIndex.from_arrays([x["link"], x["t"]])
    q = inside["quantity"].to_numpy(float)
    cols = x["col"].to_numpy()[at]
    first = np.minimum(q, b.get("upper", cols))
    rest = q - first
    fixed_cols = [cols]
    if x_stable is not None and len(x_stable):
        copies = pd.Series(
            x_stable["col"].to_numpy(),
            index=pd.MultiIndex.from_arrays([x_stable["link"], x_stable["t"]]),
        )
        copy = copies.reindex(keys[at]).to_numpy(dtype=float, na_value=np.nan)
        has = ~np.isnan(copy)
        copy_cols = copy[has].astype(np.int64)
        if (rest[has] > b.get("upper", copy_cols)).any():
            raise ValueError("fixed: a quantity exceeds its link's capacity")
        b.set("lower", copy_cols, rest[has])
        b.set("upper", copy_cols, rest[has])
        fixed_cols.append(copy_cols)
        rest = np.where(has, 0.0, rest)
    if (rest > 0).any():
        raise ValueError("fixed: a quantity exceeds its link's capacity")
    b.set("lower", cols, first)
    b.set("upper", cols, first)
    return np.concatenate(fixed_cols)


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
    x, link_bounded = add_shipments(b, d, instance)
    bounds = {"link_capacity": link_bounded}
    stable = None
    if reference is not None:
        stable = add_stability(b, instance, x, reference, stability)
        bounds["link_capacity"] = np.concatenate([link_bounded, stable.capped])
        bounds["stability"] = stable.kept
    x_stable = None if stable is None else stable.x_stable
    if fixed is not None:
        bounds["freeze"] = add_fixed(b, instance, x, x_stable, fixed)
    stock, storage_bounded = add_stock(b, d, instance)
    bounds["storage"] = storage_bounded
    s, B = add_issue_and_backlog(b, d)
    moves = x if x_stable is None else pd.concat([x, x_stable], ignore_index=True)
    rows = {
        "stock_balance": add_stock_balance(b, d, instance, moves, stock, s),
        "backlog": add_backlog(b, d, s, B),
        "issue_capacity": add_issue_capacity(b, d, instance, s),
    }
    indptr, indices, data = b.matrix()

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0)

    c_cost = cat(b.c_cost)
    c_plain_cost = c_change = None
    if stable is not None and stability > 0:
        c_plain_cost = c_cost.copy()
        c_plain_cost[stable.cols] = stable.plain
    if stable is not None and len(x):  # with no shipment column, nothing can change
        c_change = np.zeros(len(c_cost))
        c_change[stable.cols] = stable.change
    variables = {
        "x": x[["link", "t", "col"]],
        "I": stock[["node", "t", "col"]],
        "s": s[["node", "group", "t", "col"]],
        "B": B[["node", "group", "t", "col"]],
    }
    if x_stable is not None:
        variables["x_stable"] = x_stable[["link", "t", "col"]]
    return LinearProgram(
        periods=d.P,
        col_lower=cat(b.lower),
        col_upper=cat(b.upper),
        c_wait=cat(b.c_wait),
        c_cost=c_cost,
        wait_constant=d.wait_constant,
        row_lower=cat(b.row_lower),
        row_upper=cat(b.row_upper),
        indptr=indptr,
        indices=indices,
        data=data,
        variables=variables,
        rows=rows,
        bounds=bounds,
        c_plain_cost=c_plain_cost,
        c_change=c_change,
    )
