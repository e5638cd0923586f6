"""``--freeze N``: which of the old plan's shipments of the first N months can still be kept.

A frozen shipment is impossible when its link can no longer carry cards
then, when a capacity override is now below it, or when its origin cannot
have the cards: a probe LP on the same network finds the largest number of
frozen cards that can all move together (a max-flow), and every frozen
shipment that does not move in full there is dropped, with the reason.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model import LinearProgram, Stage, build_model
from allocator.solvers import Deadline, SolveOptions, solve_lexicographic


def freeze(
    new: Instance, old: pd.DataFrame, months: int, options: SolveOptions, deadline: Deadline
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The old shipments of the first ``months`` months of ``new`` to hold, and those dropped.

    ``old`` is the old plan's ``shipments`` table; the dropped ones carry a ``reason``.
    """
    t = new.month_number(old["period"].astype(str))
    frozen = old[(t >= 1) & (t <= months)][["link", "from", "period", "quantity"]]
    frozen = frozen.reset_index(drop=True).astype({"quantity": np.int64})
    if frozen.empty:
        return frozen, frozen.assign(reason=pd.Series([], dtype=str))
    lp = build_model(new)
    x = lp.variables["x"]
    keys = pd.MultiIndex.from_arrays([x["link"], x["t"]])
    pos = keys.get_indexer(
        pd.MultiIndex.from_arrays([frozen["link"], new.month_number(frozen["period"])])
    )
    q = frozen["quantity"].to_numpy(float)
    col = np.where(pos >= 0, x["col"].to_numpy()[np.maximum(pos, 0)], -1)
    cap = np.where(pos >= 0, lp.col_upper[np.maximum(col, 0)], 0.0)
    reason = np.full(len(frozen), "", dtype=object)
    reason[pos < 0] = "no card can reach the link's origin any more"
    low = (pos >= 0) & (cap < q)
    reason[low] = [f"the link's capacity then is now {c:g}" for c in cap[low]]
    open_ = reason == ""
    if open_.any():
        moved = _most_frozen_cards(lp, col[open_], q[open_], options, deadline)
        short = moved < q[open_]
        idx = np.flatnonzero(open_)[short]
        reason[idx] = [
            f"{frm} cannot have the cards then: while keeping the most frozen cards, "
            f"only {int(v)} of these {int(n)} can leave"
            for frm, v, n in zip(frozen["from"].to_numpy()[idx], moved[short], q[idx], strict=True)
        ]
    dropped = frozen.assign(reason=reason)[reason != ""].reset_index(drop=True)
    return frozen[reason == ""].reset_index(drop=True), dropped


def _most_frozen_cards(
    lp: LinearProgram,
    cols: np.ndarray,
    quantity: np.ndarray,
    options: SolveOptions,
    deadline: Deadline,
) -> np.ndarray:
    """Cards on each frozen column when as many frozen cards as possible move together."""
    upper = lp.col_upper.copy()
    upper[cols] = quantity
    objective = np.zeros(lp.n_cols)
    objective[cols] = -1.0
    probe = dataclasses.replace(lp, col_upper=upper, stages=(Stage("freeze probe", objective),))
    values = solve_lexicographic(
        probe, options, name="replan-freeze-probe", deadline=deadline
    ).values
    return np.rint(values)[cols]
