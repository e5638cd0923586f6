"""The equity families: a floor on every node's fill rate, kept a network LP.

Minimising waiting alone may serve cheap, close offices first and leave remote
ones with nothing. The equity option (``allocator.solve(..., equity=True)``,
run by :mod:`allocator.pipeline.equity`) builds the LP twice:

1. **stage 0** (``ModelOptions(fill_rate=True)``): the core LP plus one column
   ``z`` in ``[0, 1]`` (:func:`add_fill_rate`) and a row ``equity_floor[n]``
   per node with demand that some card can reach (:func:`add_equity_floor`),
   ``sum_{g,t} s[n,g,t] - D_n z >= 0``; its only stage maximises ``z``, so
   ``z*`` is the best smallest fill rate at the horizon's end. Nodes no card
   can reach are left out of the minimum (their fill rate is 0 whatever the plan).
2. **the floors** (``ModelOptions(floors=F)``, ``F_n = floor(z* D_n + 1e-9)``
   whole cards, :func:`floors`): a column ``U[n]`` (cards of ``n`` still
   waiting at the horizon's end), bounded above by ``D_n - F_n``, with a row
   ``equity_unmet[n]``: ``U[n] - sum_g B[n,g,P] = 0`` (:func:`add_equity_unmet`).
   Each ``B[n,g,P]`` gains one ``-1`` and ``U`` has one ``+1``, so the matrix
   stays a network matrix and the plan whole cards. Since the cards issued at
   ``n`` are ``D_n`` minus its final backlog, the bound is exactly ``sum s >= F_n``.

Documented under "Equity (option)" in ``models/README.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.model.data import ModelData
from allocator.model.program import INF, Builder, LinearProgram

# Added to z* D_n before rounding down, so that a floor of exactly a whole card is kept.
FLOOR_SLACK = 1e-9


def node_demand(lp: LinearProgram) -> pd.Series:
    """``D_n``: total demand per node that some card can reach, read off the backlog rows."""
    rows = lp.rows["backlog"]
    per_row = pd.Series(lp.row_lower[rows["row"].to_numpy()], index=rows["node"].to_numpy())
    demand = per_row.groupby(level=0, sort=True).sum()
    return demand[demand > 0]


def floors(demand: pd.Series, z: float) -> pd.Series:
    """``F_n = floor(z D_n + 1e-9)`` whole cards per node (``demand`` is ``D_n``)."""
    return np.floor(demand * z + FLOOR_SLACK).astype(np.int64)


def add_fill_rate(b: Builder) -> np.ndarray:
    """z: the smallest fill rate at the horizon's end, in [0, 1]; objective ``equity`` is -z."""
    return b.columns(1, upper=1.0, equity=-1.0)


def add_equity_floor(b: Builder, d: ModelData, s: pd.DataFrame, z: np.ndarray) -> pd.DataFrame:
    """equity_floor[n]: sum_{g,t} s[n,g,t] - D_n z >= 0, per node with demand cards can reach."""
    demand = d.node_demand()
    rows = b.rows(np.zeros(len(demand)), np.full(len(demand), INF))
    node_row = pd.Series(rows, index=demand.index)
    b.entries(node_row.reindex(s["node"].to_numpy()).to_numpy(np.int64), s["col"].to_numpy(), 1.0)
    b.entries(rows, np.full(len(demand), z[0], dtype=np.int64), -demand.to_numpy(float))
    return pd.DataFrame({"node": demand.index.to_numpy(), "row": rows})


def add_equity_unmet(
    b: Builder, d: ModelData, B: pd.DataFrame, floor: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """U[n] <= D_n - F_n and equity_unmet[n]: U[n] - sum_g B[n,g,P] = 0, per node with a floor.

    ``floor`` is ``F_n`` per node (index: node ids with reachable demand).
    """
    demand = d.node_demand().reindex(floor.index)
    u = b.columns(len(floor), upper=(demand - floor).to_numpy(float))
    rows = b.rows(np.zeros(len(floor)), np.zeros(len(floor)))
    last = B[B["t"] == d.P]
    at = pd.Series(np.arange(len(floor)), index=floor.index).reindex(last["node"].to_numpy())
    keep = at.notna().to_numpy()
    b.entries(rows, u, 1.0)
    b.entries(rows[at.to_numpy()[keep].astype(np.int64)], last["col"].to_numpy()[keep], -1.0)
    nodes = pd.DataFrame({"node": floor.index.to_numpy()})
    return nodes.assign(col=u), nodes.assign(row=rows)
