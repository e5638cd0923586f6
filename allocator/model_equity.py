"""The equity option of ``model.md``: a floor on every node's fill rate, kept a network LP.

Minimising waiting alone may serve cheap, close offices first and leave remote
ones with nothing. With equity on (``allocator.solve(..., equity=True)``):

1. stage 0 (:func:`equity_lp`) is the LP of :func:`allocator.model.build_model`
   plus one column ``z`` in ``[0, 1]`` and a row ``equity_floor[n]`` per node
   with demand that some card can reach, ``sum_{g,t} s[n,g,t] - D_n z >= 0``;
   maximising ``z`` gives ``z*``, the best smallest fill rate at the horizon's
   end. Nodes no card can reach are left out of the minimum (their fill rate
   is 0 whatever the plan).
2. Each such node gets a floor of ``F_n = floor(z* D_n + 1e-9)`` whole cards
   (:func:`floors`), held in the normal stages by :func:`add_equity_unmet`:
   a column ``U[n]`` (cards of ``n`` still waiting at the horizon's end),
   bounded above by ``D_n - F_n``, with a row ``equity_unmet[n]``:
   ``U[n] - sum_g B[n,g,P] = 0``. Each ``B[n,g,P]`` gains one ``-1`` and ``U``
   has one ``+1``, so the matrix stays a network matrix and the plan whole
   cards. Since the cards issued at ``n`` are ``D_n`` minus its final backlog,
   the bound is exactly ``sum s >= F_n``.

Documented under "Equity (option)" in ``models/README.md``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from allocator.model import LinearProgram

# Families built only with equity on; each name is the one used in models/README.md.
EQUITY_VARIABLE_FAMILIES = ("z", "U")
EQUITY_ROW_FAMILIES = ("equity_floor", "equity_unmet")
# Added to z* D_n before rounding down, so that a floor of exactly a whole card is kept.
FLOOR_SLACK = 1e-9


def node_demand(lp: LinearProgram) -> pd.Series:
    """``D_n``: total demand per node that some card can reach, read off the backlog rows."""
    rows = lp.rows["backlog"]
    per_row = pd.Series(lp.row_lower[rows["row"].to_numpy()], index=rows["node"].to_numpy())
    demand = per_row.groupby(level=0, sort=True).sum()
    return demand[demand > 0]


def _extend(
    lp: LinearProgram,
    family: str,
    keys: pd.DataFrame,
    lower: np.ndarray,
    upper: np.ndarray,
    row_family: str,
    row_keys: pd.DataFrame,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    entries: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> LinearProgram:
    """``lp`` with new columns (family ``family``) and rows (``row_family``), as a new LP.

    ``entries`` are (row, column, value) of the new coefficients, with rows and
    columns numbered after the existing ones.
    """
    n_new = len(lower)
    cols = np.arange(lp.n_cols, lp.n_cols + n_new, dtype=np.int64)
    rows = np.arange(lp.n_rows, lp.n_rows + len(row_lower), dtype=np.int64)
    old_rows = np.repeat(np.arange(lp.n_rows, dtype=np.int64), np.diff(lp.indptr))
    all_rows = np.concatenate([old_rows, entries[0]])
    all_cols = np.concatenate([lp.indices, entries[1]])
    all_vals = np.concatenate([lp.data, entries[2]])
    order = np.lexsort((all_cols, all_rows))
    n_rows = lp.n_rows + len(row_lower)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(all_rows, minlength=n_rows), out=indptr[1:])
    zeros = np.zeros(n_new)

    def pad(c: np.ndarray | None) -> np.ndarray | None:
        return None if c is None else np.concatenate([c, zeros])

    return replace(
        lp,
        col_lower=np.concatenate([lp.col_lower, lower]),
        col_upper=np.concatenate([lp.col_upper, upper]),
        c_wait=np.concatenate([lp.c_wait, zeros]),
        c_cost=np.concatenate([lp.c_cost, zeros]),
        c_plain_cost=pad(lp.c_plain_cost),
        c_change=pad(lp.c_change),
        row_lower=np.concatenate([lp.row_lower, row_lower]),
        row_upper=np.concatenate([lp.row_upper, row_upper]),
        indptr=indptr,
        indices=all_cols[order],
        data=all_vals[order],
        variables={**lp.variables, family: keys.assign(col=cols)},
        rows={**lp.rows, row_family: row_keys.assign(row=rows)},
        bounds=dict(lp.bounds),
    )


def equity_lp(lp: LinearProgram) -> tuple[LinearProgram, np.ndarray]:
    """Stage 0: ``lp`` plus ``z`` and the rows ``equity_floor[n]``; and the objective ``-z``.

    Minimising the returned objective maximises ``z``, the smallest fill rate
    at the horizon's end over the nodes with demand that some card can reach.
    """
    demand = node_demand(lp)
    s = lp.variables["s"]
    z = lp.n_cols
    first = lp.n_rows
    node_row = pd.Series(np.arange(first, first + len(demand)), index=demand.index)
    s_rows = node_row.reindex(s["node"].to_numpy()).to_numpy()
    entries = (
        np.concatenate([s_rows.astype(np.int64), node_row.to_numpy(np.int64)]),
        np.concatenate([s["col"].to_numpy(np.int64), np.full(len(demand), z, dtype=np.int64)]),
        np.concatenate([np.ones(len(s)), -demand.to_numpy(float)]),
    )
    out = _extend(
        lp,
        "z",
        pd.DataFrame(index=[0]),
        np.zeros(1),
        np.ones(1),
        "equity_floor",
        pd.DataFrame({"node": demand.index.to_numpy()}),
        np.zeros(len(demand)),
        np.full(len(demand), np.inf),
        entries,
    )
    objective = np.zeros(out.n_cols)
    objective[z] = -1.0
    return out, objective


def floors(demand: pd.Series, z: float) -> pd.Series:
    """``F_n = floor(z D_n + 1e-9)`` whole cards per node (``demand`` is ``D_n``)."""
    return np.floor(demand * z + FLOOR_SLACK).astype(np.int64)


def add_equity_unmet(lp: LinearProgram, floor: pd.Series) -> LinearProgram:
    """``lp`` with ``U[n] <= D_n - F_n`` and rows ``equity_unmet[n]: U[n] - sum_g B[n,g,P] = 0``.

    ``floor`` is ``F_n`` per node (index: node ids with reachable demand).
    """
    demand = node_demand(lp).reindex(floor.index)
    B = lp.variables["B"]
    last = B[B["t"] == lp.periods]
    u = np.arange(lp.n_cols, lp.n_cols + len(floor), dtype=np.int64)
    rows = np.arange(lp.n_rows, lp.n_rows + len(floor), dtype=np.int64)
    node_pos = pd.Series(np.arange(len(floor)), index=floor.index)
    at = node_pos.reindex(last["node"].to_numpy()).to_numpy()
    keep = ~np.isnan(at)
    b_rows = rows[at[keep].astype(np.int64)]
    entries = (
        np.concatenate([rows, b_rows]),
        np.concatenate([u, last["col"].to_numpy(np.int64)[keep]]),
        np.concatenate([np.ones(len(u)), -np.ones(len(b_rows))]),
    )
    return _extend(
        lp,
        "U",
        pd.DataFrame({"node": floor.index.to_numpy()}),
        np.zeros(len(floor)),
        (demand - floor).to_numpy(float),
        "equity_unmet",
        pd.DataFrame({"node": floor.index.to_numpy()}),
        np.zeros(len(floor)),
        np.zeros(len(floor)),
        entries,
    )
