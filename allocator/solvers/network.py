"""The LP as a min-cost flow: recognise a network matrix and turn it into arcs and node supplies.

The allocation LP is, by construction, a min-cost flow on the time-expanded
network. :func:`as_network` checks that a
:class:`~allocator.model.LinearProgram` really is one and returns it as a
:class:`Network`, or says why not (and the solve goes to HiGHS):

- every equality row is a node. Its sign is its family's (:data:`NODE_SIGNS`:
  a stock balance reads "out - in = supply"; a backlog row is negated so
  that an issue ``s`` flows *into* its demand node); after signing, every
  column has at most one ``+1`` (its tail) and one ``-1`` (its head) there,
  and a missing end is the one extra node, the root, which balances the rest;
- every row of :data:`CAPACITY_ROWS` (the issue capacity, ``sum_g s <= cap``)
  becomes one arc through an extra node of its own (its row number): the
  arc runs from the common tail of its columns to that node, with the row's
  bounds as capacity, and the columns start there instead;
- column bounds are arc bounds; every bound and right-hand side is a whole
  number of cards.

Node ``r`` is row ``r`` (unused for rows that are neither), the root is node
``n_rows``. Arc ``j < n_cols`` is column ``j``; arc ``n_cols + k`` is the
``k``-th capacity row, ``cap_rows[k]``. So a flow maps back to exactly the
column values of the LP, and node potentials to its row duals
(:meth:`Network.row_duals`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.model import LinearProgram

#: Equality-row families that are flow-conservation rows, and the sign that makes them "out - in".
NODE_SIGNS = {"stock_balance": 1.0, "backlog": -1.0, "equity_unmet": -1.0}
#: Inequality-row families that are a capacity on the sum of columns leaving one node.
CAPACITY_ROWS = ("issue_capacity",)


@dataclass(frozen=True, eq=False)
class Network:
    """A min-cost-flow problem whose arcs are an LP's columns (then its capacity rows).

    ``lower``/``upper`` are arc bounds (``upper`` is ``-1`` where unbounded),
    ``supply`` the node supplies (positive: cards enter there). All int64.
    ``sign`` is each row's sign (0 for a capacity row), ``cap_rows`` the rows
    that became arcs ``n_cols..``.
    """

    n_cols: int
    tail: np.ndarray
    head: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    supply: np.ndarray
    sign: np.ndarray
    cap_rows: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Nodes: one per row of the LP, and the root."""
        return len(self.supply)

    @property
    def n_arcs(self) -> int:
        """Arcs: one per column, then one per capacity row."""
        return len(self.tail)

    def arc_cost(self, objective: np.ndarray) -> np.ndarray:
        """Integer arc costs of an integer column objective (capacity arcs cost nothing)."""
        cost = np.zeros(self.n_arcs, dtype=np.int64)
        cost[: self.n_cols] = objective
        return cost

    def row_duals(self, potential: np.ndarray, reduced: np.ndarray, n_rows: int) -> np.ndarray:
        """The LP's row duals (HiGHS's sign) from node potentials and arc reduced costs.

        A node row's dual is ``-sign * (potential - potential[root])`` (the
        LP has no root row: its potential is 0, and a column's reduced cost
        ``c + pi[tail] - pi[head]`` is then ``c - A^T y``); a capacity row's
        dual is its arc's reduced cost.
        """
        duals = -self.sign * (potential[:n_rows] - potential[n_rows])
        duals[self.cap_rows] = reduced[self.n_cols :]
        return duals


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.round(values)) <= 1e-9))


def _row_signs(lp: LinearProgram) -> tuple[np.ndarray, np.ndarray] | str:
    """Each row's sign (0: a capacity row) and whether it is a node; or why the LP is no network."""
    sign = np.zeros(lp.n_rows)
    known = np.zeros(lp.n_rows, dtype=bool)
    for family, table in lp.rows.items():
        rows = table["row"].to_numpy(np.int64)
        if family in NODE_SIGNS:
            if np.any(lp.row_lower[rows] != lp.row_upper[rows]):
                return f"the rows {family} are not equalities"
            sign[rows] = NODE_SIGNS[family]
        elif family in CAPACITY_ROWS:
            if np.any(np.isfinite(lp.row_lower[rows]) & (lp.row_lower[rows] > 0)):
                return f"the rows {family} have a lower bound"
        else:
            return f"the rows {family} are a side constraint"
        known[rows] = True
    if not known.all():
        return "some rows belong to no family"
    return sign, sign != 0


def as_network(lp: LinearProgram) -> Network | str:
    """``lp`` as a :class:`Network`, or a sentence saying why it is not one."""
    signs = _row_signs(lp)
    if isinstance(signs, str):
        return signs
    sign, is_node = signs
    rows, cols, vals = lp.row_of_entries(), lp.indices.astype(np.int64), lp.data
    finite_rhs = lp.row_upper[is_node]
    if not _whole(finite_rhs) or not _whole(lp.col_lower) or np.any(lp.col_lower < 0):
        return "a bound or right-hand side is not a whole number of cards"
    upper = lp.col_upper
    if not _whole(upper[np.isfinite(upper)]):
        return "a bound is not a whole number of cards"
    node_entry = is_node[rows]
    signed = vals[node_entry] * sign[rows[node_entry]]
    if np.any(np.abs(signed) != 1):
        return "a coefficient of a balance row is not +1 or -1"
    n_cols, root = lp.n_cols, lp.n_rows
    out_count = np.bincount(cols[node_entry][signed > 0], minlength=n_cols)
    in_count = np.bincount(cols[node_entry][signed < 0], minlength=n_cols)
    if np.any(out_count > 1) or np.any(in_count > 1):
        return "a column has two +1 (or two -1) entries in balance rows"
    tail = np.full(n_cols, root, dtype=np.int64)
    head = np.full(n_cols, root, dtype=np.int64)
    tail[cols[node_entry][signed > 0]] = rows[node_entry][signed > 0]
    head[cols[node_entry][signed < 0]] = rows[node_entry][signed < 0]
    if np.any((out_count == 0) & (in_count == 0)):
        return "a column is in no balance row"
    capped = (rows[~node_entry], cols[~node_entry], vals[~node_entry])
    arcs = _capacity_arcs(lp, is_node, capped, tail)
    if isinstance(arcs, str):
        return arcs
    cap_rows, cap_tail = arcs
    supply = np.zeros(lp.n_rows + 1, dtype=np.int64)
    supply[:root][is_node] = np.round(sign[is_node] * finite_rhs).astype(np.int64)
    supply[root] = -supply[:root].sum()
    cap_upper = lp.row_upper[cap_rows]
    upper_all = np.concatenate([upper, cap_upper])
    return Network(
        n_cols=n_cols,
        tail=np.concatenate([tail, cap_tail]),
        head=np.concatenate([head, cap_rows]),
        lower=np.concatenate(
            [np.round(lp.col_lower).astype(np.int64), np.zeros(len(cap_rows), np.int64)]
        ),
        upper=np.where(np.isfinite(upper_all), np.round(np.nan_to_num(upper_all)), -1).astype(
            np.int64
        ),
        supply=supply,
        sign=sign,
        cap_rows=cap_rows,
    )


def _capacity_arcs(
    lp: LinearProgram,
    is_node: np.ndarray,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray],
    tail: np.ndarray,
) -> tuple[np.ndarray, np.ndarray] | str:
    """Capacity rows as arcs: (rows, the common tail of their columns); columns re-tailed.

    ``entries`` are the (row, column, value) coefficients of the capacity
    rows. ``tail`` is changed in place: a capped column now leaves its row's
    node. A capacity row without columns becomes an arc from the root that
    carries nothing.
    """
    rows, cols, vals = entries
    if np.any(vals != 1):
        return "a coefficient of a capacity row is not +1"
    if len(np.unique(cols)) != len(cols):
        return "a column is in two capacity rows"
    cap_rows = np.flatnonzero(~is_node)
    upper = lp.row_upper[cap_rows]
    if np.any(~np.isfinite(upper)) or not _whole(upper) or np.any(upper < 0):
        return "a capacity row has no finite, whole, non-negative capacity"
    first = np.full(lp.n_rows, lp.n_rows, dtype=np.int64)
    first[rows[::-1]] = tail[cols[::-1]]
    if np.any(first[rows] != tail[cols]):
        return "the columns of a capacity row leave different nodes"
    tail[cols] = rows
    return cap_rows, first[cap_rows]
