"""The hedged LP in extensive form: one copy of the network LP per scenario, months 1..K shared.

Each scenario ``s`` keeps its own columns and rows (its network LP, built by
:func:`~allocator.model.build_model` from the scenario's instance). One
*commitment column* ``m[key]`` per shipment ``x[l,t]`` and issue ``s[n,g,t]``
of months ``t <= K`` is added, and a row ``copy_s[key] - m[key] = 0`` ties
each scenario's copy to it (non-anticipativity): the committed months are
one decision for every scenario, the later months each scenario's own
recourse. A key some scenario has no column for (a link that cannot carry a
card then) is committed at 0.

With ``expected``, stage 1 minimises the expected waiting ``sum_s p_s W_s``
(``W_s`` each scenario's stage 1 objective, with its constant) and stage 2
the expected cost ``sum_s p_s C_s`` on stage 1's optimal face. With
``cvar:A`` a first stage minimises the CVaR of the waiting in the
Rockafellar-Uryasev form ``eta + sum_s p_s u_s / (1 - A)`` with
``u_s >= W_s - eta``, ``u_s >= 0``, ``eta >= 0`` (waiting is never negative,
so the value at risk is not either); then the expected waiting, then the
expected cost (without the middle stage, the scenarios outside the tail
would be left to the cost alone). The tie rows make this no longer
a network LP: its vertices can be fractional (see :mod:`~allocator.hedging.hedge`
for whole cards).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.hedging.risk import Risk
from allocator.model import LinearProgram, Stage

INF = np.inf
KEYS = {"x": ["link", "t"], "s": ["node", "group", "t"]}


@dataclass(frozen=True)
class Extensive:
    """The extensive-form LP and where each scenario's columns and the commitment sit in it."""

    lp: LinearProgram
    offsets: list[int]  # first column of each scenario's copy
    committed: dict[str, pd.DataFrame]  # "x"/"s": keys + "col" of the commitment column

    def scenario_values(self, values: np.ndarray, i: int, n: int) -> np.ndarray:
        """The columns of scenario ``i`` (its LP has ``n`` columns) in ``values``."""
        return values[self.offsets[i] : self.offsets[i] + n]


class _Parts:
    """Columns, rows and coefficients added block by block, assembled once."""

    def __init__(self) -> None:
        self.n_cols = self.n_rows = 0
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def columns(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        cols = np.arange(self.n_cols, self.n_cols + len(lower))
        self.n_cols += len(lower)
        self.lower.append(lower)
        self.upper.append(upper)
        return cols

    def rows(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        rows = np.arange(self.n_rows, self.n_rows + len(lower))
        self.n_rows += len(lower)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        return rows

    def add(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        self.entries.append((rows, cols, values))

    def program(self, periods: int, stages: list[Stage]) -> LinearProgram:
        rows = np.concatenate([e[0] for e in self.entries]).astype(np.int64)
        cols = np.concatenate([e[1] for e in self.entries]).astype(np.int64)
        data = np.concatenate([e[2] for e in self.entries]).astype(float)
        order = np.lexsort((cols, rows))
        indptr = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.n_rows), out=indptr[1:])
        return LinearProgram(
            periods=periods,
            col_lower=np.concatenate(self.lower),
            col_upper=np.concatenate(self.upper),
            row_lower=np.concatenate(self.row_lower),
            row_upper=np.concatenate(self.row_upper),
            indptr=indptr,
            indices=cols[order],
            data=data[order],
            variables={"h": pd.DataFrame({"col": np.arange(self.n_cols)})},
            rows={"h": pd.DataFrame({"row": np.arange(self.n_rows)})},
            stages=tuple(stages),
            report_cost=stages[-1].objective,
        )


def extensive(
    lps: list[LinearProgram], probability: np.ndarray, commit: int, risk: Risk
) -> Extensive:
    """The extensive-form LP of scenario LPs ``lps`` with probabilities ``probability``."""
    parts = _Parts()
    offsets: list[int] = []
    for lp in lps:
        co, ro = parts.n_cols, parts.n_rows
        parts.columns(lp.col_lower, lp.col_upper)
        parts.rows(lp.row_lower, lp.row_upper)
        parts.add(lp.row_of_entries() + ro, lp.indices + co, lp.data)
        offsets.append(co)
    committed = {what: _tie(parts, lps, offsets, what, commit) for what in KEYS}
    waiting = [lp.stages[0] for lp in lps]

    def weighted(vectors: list[np.ndarray]) -> np.ndarray:
        out = np.zeros(parts.n_cols)
        for v, co, p in zip(vectors, offsets, probability, strict=True):
            out[co : co + len(v)] = p * v
        return out

    constant = float(sum(p * w.constant for w, p in zip(waiting, probability, strict=True)))
    stages = [
        Stage("waiting", weighted([w.objective for w in waiting]), constant),
        Stage("cost", weighted([lp.stage("cost").objective for lp in lps])),
    ]
    if risk.kind == "cvar":
        stages = [_cvar(parts, waiting, offsets, probability, risk.level), *stages]
        stages = [
            Stage(st.name, np.pad(st.objective, (0, parts.n_cols - len(st.objective))), st.constant)
            for st in stages
        ]
    return Extensive(parts.program(lps[0].periods, stages), offsets, committed)


def _tie(
    parts: _Parts, lps: list[LinearProgram], offsets: list[int], what: str, commit: int
) -> pd.DataFrame:
    """Commitment columns for family ``what`` in months 1..``commit``, tied to every copy."""
    keys = KEYS[what]
    tables = [lp.variables[what][lambda v: v["t"] <= commit] for lp in lps]
    union = pd.concat([t[keys] for t in tables]).drop_duplicates().reset_index(drop=True)
    index = pd.MultiIndex.from_frame(union)
    cap = np.full(len(union), INF)
    ties = []
    for lp, table, co in zip(lps, tables, offsets, strict=True):
        at = pd.MultiIndex.from_frame(table[keys]).get_indexer(index)
        own = table["col"].to_numpy(np.int64)
        present = at >= 0
        upper = lp.col_upper[own[np.maximum(at, 0)]] if len(own) else np.zeros(len(union))
        cap = np.where(present, np.minimum(cap, upper), 0.0)
        ties.append((present, own[at[present]] + co))
    cols = parts.columns(np.zeros(len(union)), cap)
    for present, copies in ties:
        rows = parts.rows(np.zeros(len(copies)), np.zeros(len(copies)))
        parts.add(rows, copies, np.ones(len(rows)))
        parts.add(rows, cols[present], -np.ones(len(rows)))
    return union.assign(col=cols)


def _cvar(
    parts: _Parts,
    waiting: list[Stage],
    offsets: list[int],
    probability: np.ndarray,
    level: float,
) -> Stage:
    """The Rockafellar-Uryasev columns and rows; the stage minimising the CVaR at ``level``."""
    n = len(waiting)
    eta, *tails = parts.columns(np.zeros(1 + n), np.full(1 + n, INF)).tolist()
    rows = parts.rows(np.full(n, -INF), np.array([-w.constant for w in waiting]))
    for i, (w, co) in enumerate(zip(waiting, offsets, strict=True)):
        nz = np.flatnonzero(w.objective)
        parts.add(np.full(len(nz), rows[i]), nz + co, w.objective[nz])
        parts.add(np.array([rows[i], rows[i]]), np.array([eta, tails[i]]), np.array([-1.0, -1.0]))
    first = np.zeros(parts.n_cols)
    first[eta] = 1.0
    first[tails] = np.asarray(probability) / (1.0 - level)
    return Stage("cvar", first)
