"""Stage 1 as a flow: every column of the waiting LP as an arc of the time-expanded network.

:func:`arcs` lays the plan out on the network that
:mod:`~allocator.explaining.residual` describes (a node per stock-balance,
issue-capacity, backlog and equity row, plus the root), for the residual
network and for :func:`~allocator.explaining.residual.network_duals`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model import LinearProgram

#: Arc kinds, as stored in :attr:`~allocator.explaining.residual.Residual.kind`.
SHIP, HOLD, ISSUE, PRINT, WAIT, UNMET = range(6)

#: Arrays over arcs: ``tail``, ``head``, ``flow``, ``cap``, ``low``, ``cost``, ``kind``, ``col``.
Arcs = dict[str, np.ndarray]


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


def stock_row(lp: LinearProgram) -> Keyed:
    """The stock-balance row (the network's stock node) of each (node, month)."""
    return Keyed(lp.rows["stock_balance"], ["node", "t"], "row")


def lookup(keyed: Keyed, keys: list[np.ndarray]) -> np.ndarray:
    """The rows of ``keyed`` at ``keys`` (-1 where there is none)."""
    return keyed(keys)


def arcs(instance: Instance, lp: LinearProgram, values: np.ndarray) -> Arcs:
    """Every column of ``lp`` (and every printer) as an arc with its flow at ``values``."""
    stock = stock_row(lp)
    printer = Keyed(lp.rows["issue_capacity"], ["node", "t"], "row")
    backlog = Keyed(lp.rows["backlog"], ["node", "group", "t"], "row")
    parts = [
        _shipping(instance, lp, values, stock),
        _holding(lp, values, stock),
        _printing(lp, values, stock),
        _issuing(lp, values, stock, printer, backlog),
        _waiting(lp, values, backlog),
    ]
    if "U" in lp.variables:
        parts.append(_unmet(lp, values))
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _part(
    lp: LinearProgram,
    values: np.ndarray,
    kind: int,
    tail: np.ndarray,
    head: np.ndarray,
    col: np.ndarray,
    **extra: np.ndarray,
) -> Arcs:
    """Arcs of one kind from ``tail`` to ``head``; flow, bounds and cost are their columns'.

    ``extra`` gives ``flow``, ``cap``, ``low`` or ``cost`` for arcs that are no column.
    """
    flow = extra.get("flow", values[col] if len(col) else np.zeros(0))
    cap = extra.get("cap", lp.col_upper[col] if len(col) else np.zeros(0))
    low = extra.get("low", lp.col_lower[col] if len(col) else np.zeros(0))
    cost = extra.get("cost", lp.stages[0].objective[col] if len(col) else np.zeros(0))
    return {
        "tail": tail.astype(np.int64),
        "head": head.astype(np.int64),
        "flow": np.asarray(flow, dtype=float),
        "cap": np.asarray(cap, dtype=float),
        "low": np.asarray(low, dtype=float),
        "cost": cost,
        "kind": np.full(len(tail), kind),
        "col": col.astype(np.int64),
    }


def _shipping(instance: Instance, lp: LinearProgram, values: np.ndarray, stock: Keyed) -> Arcs:
    """The shipments ``x``: from the sender's stock to the receiver's on arrival."""
    x = lp.variables["x"]
    links = instance.links.set_index("id")
    frm = links.loc[x["link"], "from"].to_numpy()
    to = links.loc[x["link"], "to"].to_numpy()
    t = x["t"].to_numpy()
    arrive = t + links.loc[x["link"], "lead_time"].to_numpy(np.int64)
    return _part(
        lp, values, SHIP, lookup(stock, [frm, t]), lookup(stock, [to, arrive]), x["col"].to_numpy()
    )


def _holding(lp: LinearProgram, values: np.ndarray, stock: Keyed) -> Arcs:
    """The stock held ``I``: from a month's stock to the next's (to the root in the last)."""
    held = lp.variables["I"]
    n, t = held["node"].to_numpy(), held["t"].to_numpy()
    nxt = np.where(t < lp.periods, lookup(stock, [n, np.minimum(t + 1, lp.periods)]), lp.n_rows)
    return _part(lp, values, HOLD, lookup(stock, [n, t]), nxt, held["col"].to_numpy())


def _printing(lp: LinearProgram, values: np.ndarray, stock: Keyed) -> Arcs:
    """The printers: from an office's stock to its issue-capacity node, carrying what it issues."""
    ic = lp.rows["issue_capacity"]
    ic_rows = ic["row"].to_numpy()
    activity = np.zeros(lp.n_rows)
    np.add.at(activity, lp.row_of_entries(), lp.data * values[lp.indices])
    return _part(
        lp,
        values,
        PRINT,
        lookup(stock, [ic["node"].to_numpy(), ic["t"].to_numpy()]),
        ic_rows,
        np.full(len(ic), -1),
        flow=activity[ic_rows],
        cap=lp.row_upper[ic_rows],
        low=np.zeros(len(ic)),
        cost=np.zeros(len(ic)),
    )


def _issuing(
    lp: LinearProgram, values: np.ndarray, stock: Keyed, printer: Keyed, backlog: Keyed
) -> Arcs:
    """The issuance ``s``: from the office's printer (or its stock) to the people waiting."""
    s = lp.variables["s"]
    sn, sg, st = s["node"].to_numpy(), s["group"].to_numpy(), s["t"].to_numpy()
    via = lookup(printer, [sn, st])
    source = np.where(via >= 0, via, lookup(stock, [sn, st]))
    return _part(lp, values, ISSUE, source, lookup(backlog, [sn, sg, st]), s["col"].to_numpy())


def _waiting(lp: LinearProgram, values: np.ndarray, backlog: Keyed) -> Arcs:
    """The backlog ``B``: backwards in time, from next month's waiting (or the root, or equity)."""
    root = lp.n_rows
    B = lp.variables["B"]
    bn, bg, bt = B["node"].to_numpy(), B["group"].to_numpy(), B["t"].to_numpy()
    later = lookup(backlog, [bn, bg, np.minimum(bt + 1, lp.periods)])
    last = np.full(len(B), root)
    if "equity_unmet" in lp.rows:
        eu = lp.rows["equity_unmet"]
        held_by = pd.Series(eu["row"].to_numpy(), index=eu["node"].to_numpy())
        last = held_by.reindex(bn).fillna(root).to_numpy(np.int64)
    return _part(
        lp,
        values,
        WAIT,
        np.where(bt < lp.periods, later, last),
        lookup(backlog, [bn, bg, bt]),
        B["col"].to_numpy(),
    )


def _unmet(lp: LinearProgram, values: np.ndarray) -> Arcs:
    """The equity option's unmet demand ``U``: from the root to each office's equity node."""
    u = lp.variables["U"]
    return _part(
        lp,
        values,
        UNMET,
        np.full(len(u), lp.n_rows),
        lp.rows["equity_unmet"]["row"].to_numpy(),
        u["col"].to_numpy(),
    )
