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


def extensive(
    lps: list[LinearProgram], probability: np.ndarray, commit: int, risk: Risk
) -> Extensive:
    """The extensive-form LP of scenario LPs ``lps`` with probabilities ``probability``."""
    offsets = np.cumsum([0] + [lp.n_cols for lp in lps]).tolist()
    row_offsets = np.cumsum([0] + [lp.n_rows for lp in lps]).tolist()
    n_cols = offsets[-1]
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for lp, co, ro in zip(lps, offsets, row_offsets, strict=False):
        entries.append((lp.row_of_entries() + ro, lp.indices + co, lp.data))
    lower = [np.concatenate([lp.col_lower for lp in lps])]
    upper = [np.concatenate([lp.col_upper for lp in lps])]
    row_lower = [np.concatenate([lp.row_lower for lp in lps])]
    row_upper = [np.concatenate([lp.row_upper for lp in lps])]
    n_rows = row_offsets[-1]

    committed: dict[str, pd.DataFrame] = {}
    for what, keys in KEYS.items():
        tables = [lp.variables[what][lambda v: v["t"] <= commit] for lp in lps]
        union = pd.concat([t[keys] for t in tables]).drop_duplicates().reset_index(drop=True)
        cols = np.arange(n_cols, n_cols + len(union))
        n_cols += len(union)
        cap = np.full(len(union), INF)
        index = pd.MultiIndex.from_frame(union)
        for lp, table, co in zip(lps, tables, offsets, strict=False):
            at = pd.MultiIndex.from_frame(table[keys]).get_indexer(index)
            own = table["col"].to_numpy(np.int64)
            present = at >= 0
            cap = np.where(present, np.minimum(cap, lp.col_upper[own[np.maximum(at, 0)]]), 0.0)
            copies = own[at[present]] + co
            rows = np.arange(n_rows, n_rows + int(present.sum()))
            n_rows += len(rows)
            entries.append((rows, copies, np.ones(len(rows))))
            entries.append((rows, cols[present], -np.ones(len(rows))))
            row_lower.append(np.zeros(len(rows)))
            row_upper.append(np.zeros(len(rows)))
        lower.append(np.zeros(len(union)))
        upper.append(cap)
        committed[what] = union.assign(col=cols)

    waiting = [lp.stages[0] for lp in lps]
    cost = np.zeros(n_cols)
    for lp, co, p in zip(lps, offsets, probability, strict=False):
        cost[co : co + lp.n_cols] = p * lp.stage("cost").objective
    expected = np.zeros(n_cols)
    for w, lp, co, p in zip(waiting, lps, offsets, probability, strict=False):
        expected[co : co + lp.n_cols] = p * w.objective
    constant = float(sum(p * w.constant for w, p in zip(waiting, probability, strict=False)))
    stages = [Stage("waiting", expected, constant), Stage("cost", cost)]
    if risk.kind == "cvar":
        eta, tails = n_cols, np.arange(n_cols + 1, n_cols + 1 + len(lps))
        n_cols += 1 + len(lps)
        lower.append(np.zeros(1 + len(lps)))
        upper.append(np.full(1 + len(lps), INF))
        rows = np.arange(n_rows, n_rows + len(lps))
        n_rows += len(lps)
        for i, (w, co) in enumerate(zip(waiting, offsets, strict=False)):
            nz = np.flatnonzero(w.objective)
            entries.append((np.full(len(nz), rows[i]), nz + co, w.objective[nz]))
            entries.append(
                (np.array([rows[i], rows[i]]), np.array([eta, tails[i]]), np.array([-1.0, -1.0]))
            )
        row_lower.append(np.full(len(lps), -INF))
        row_upper.append(np.array([-w.constant for w in waiting]))
        first = np.zeros(n_cols)
        first[eta] = 1.0
        first[tails] = np.asarray(probability) / (1.0 - risk.level)
        pad = np.zeros(1 + len(lps))
        stages = [
            Stage("cvar", first),
            *(Stage(st.name, np.concatenate([st.objective, pad]), st.constant) for st in stages),
        ]

    rows_all = np.concatenate([e[0] for e in entries]).astype(np.int64)
    cols_all = np.concatenate([e[1] for e in entries]).astype(np.int64)
    data = np.concatenate([e[2] for e in entries]).astype(float)
    order = np.lexsort((cols_all, rows_all))
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_all, minlength=n_rows), out=indptr[1:])
    lp = LinearProgram(
        periods=lps[0].periods,
        col_lower=np.concatenate(lower),
        col_upper=np.concatenate(upper),
        row_lower=np.concatenate(row_lower),
        row_upper=np.concatenate(row_upper),
        indptr=indptr,
        indices=cols_all[order],
        data=data[order],
        variables={"h": pd.DataFrame({"col": np.arange(n_cols)})},
        rows={"h": pd.DataFrame({"row": np.arange(n_rows)})},
        stages=tuple(stages),
        report_cost=stages[-1].objective,
    )
    return Extensive(lp, offsets[:-1], committed)
