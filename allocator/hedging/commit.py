"""The committed months: a plan's shipments and issues of its first K months, held on an LP.

A plan's first ``K`` months are *committed*: every shipment ``x[l,t]`` and
every issue ``s[n,g,t]`` of those months keeps the plan's value, zero where
the plan ships or issues nothing, as if those months had been executed. A
scenario can make a committed value impossible (a tranche that has not
arrived, a closed link, a printer that broke): a probe LP on the scenario's
network finds the largest number of committed cards that can all move and
be issued together (as ``replan --freeze`` does for shipments), and each
committed value that is not reached in full there is *dropped*: left free for
the scenario's re-plan. Zero values are never impossible. When every
committed value can be held at once (the held LP is feasible), the probe
would keep them all, so it is run only when the held LP is infeasible.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model import LinearProgram, Stage
from allocator.model.data import weight_groups
from allocator.solvers import Deadline, SolveOptions, solve_lexicographic


@dataclasses.dataclass(frozen=True)
class Commitment:
    """The committed columns of one LP and their values; ``dropped``: cards that have no column.

    ``what`` says per column whether it is a shipment (``x``) or an issue
    (``s``), ``key`` names it (``LINK@YYYY-MM`` or ``NODE/GROUP@YYYY-MM``).
    """

    cols: np.ndarray
    values: np.ndarray
    what: np.ndarray
    key: np.ndarray
    unplaced: list[str]


def plan_values(
    instance: Instance, shipments: pd.DataFrame, issuance: pd.DataFrame, months: int
) -> tuple[pd.Series, pd.Series]:
    """A plan's shipments per (link, t) and issues per (node, group, t) of months 1..``months``.

    The issues are summed per weight group, as the LP has them
    (:func:`~allocator.model.data.weight_groups`).
    """
    t = instance.month_number(shipments["period"].astype(str))
    ships = shipments.assign(t=t)[(t >= 1) & (t <= months)]
    x = ships.groupby(["link", "t"])["quantity"].sum().astype(np.int64)
    group_of = {c: g for g, members in weight_groups(instance.categories).items() for c in members}
    t = instance.month_number(issuance["period"].astype(str))
    issued = issuance.assign(t=t, group=issuance["category"].map(group_of))
    issued = issued[(t >= 1) & (t <= months)]
    s = issued.groupby(["node", "group", "t"])["issued"].sum().astype(np.int64)
    return x, s


def commitment(
    instance: Instance, lp: LinearProgram, x: pd.Series, s: pd.Series, months: int
) -> Commitment:
    """The columns of ``lp`` (built for ``instance``) for months 1..``months``, with values.

    Every shipment and issue column of those months is committed, at the
    value in ``x`` / ``s`` (:func:`plan_values`) or 0. Positive values with no
    column in ``lp`` (a link that can no longer carry a card then, an office
    with no demand left) are listed in ``unplaced``.
    """
    parts = []
    unplaced: list[str] = []
    for what, keys, values in (("x", ["link", "t"], x), ("s", ["node", "group", "t"], s)):
        table = lp.variables[what]
        table = table[table["t"] <= months]
        index = pd.MultiIndex.from_frame(table[keys])
        got = values.reindex(index, fill_value=0).to_numpy(np.int64)
        missing = values[(values > 0) & ~values.index.isin(index)]
        unplaced += [f"{_label(instance, what, k)}: {int(q)}" for k, q in missing.items()]
        labels = [_label(instance, what, k) for k in index]
        parts.append((table["col"].to_numpy(np.int64), got, what, labels))
    return Commitment(
        cols=np.concatenate([p[0] for p in parts]),
        values=np.concatenate([p[1] for p in parts]),
        what=np.concatenate([np.full(len(p[0]), p[2]) for p in parts]),
        key=np.array([k for p in parts for k in p[3]], dtype=object),
        unplaced=unplaced,
    )


def _label(instance: Instance, what: str, key: tuple) -> str:
    *names, t = key
    return f"{'/'.join(str(n) for n in names)}@{instance.month_label(int(t))}"


def hold_all(lp: LinearProgram, held: Commitment) -> LinearProgram | None:
    """``lp`` with every committed column fixed at its value; None if one exceeds its bounds.

    (A capacity a scenario lowered below a committed shipment.) The LP
    returned may still be infeasible: its solve says so.
    """
    if np.any(held.values > lp.col_upper[held.cols]) or held.unplaced:
        return None
    lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
    lower[held.cols] = upper[held.cols] = held.values
    return dataclasses.replace(lp, col_lower=lower, col_upper=upper)


def hold(
    lp: LinearProgram, held: Commitment, options: SolveOptions, deadline: Deadline | None = None
) -> tuple[LinearProgram, list[str]]:
    """``lp`` with every committed value it can still reach fixed, and the ones dropped.

    A probe LP maximises the committed cards that move and are issued
    together (each committed column bounded by its value, zeros fixed at 0);
    each positive value not reached in full is dropped (its column keeps its
    own bounds). The dropped ones are returned as ``KEY: value (only N)``.
    """
    cols, q = held.cols, held.values.astype(float)
    lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
    reached = q.copy()
    positive = q > 0
    if positive.any():
        probe_upper = upper.copy()
        probe_upper[cols] = np.minimum(q, upper[cols])
        objective = np.zeros(lp.n_cols)
        objective[cols[positive]] = -1.0
        probe = dataclasses.replace(
            lp, col_upper=probe_upper, stages=(Stage("commitment probe", objective),)
        )
        values = solve_lexicographic(probe, options, name="commit-probe", deadline=deadline).values
        reached = np.rint(values[cols])
    kept = reached >= q
    lower[cols[kept]] = q[kept]
    upper[cols[kept]] = q[kept]
    dropped = [
        f"{k}: {int(v)} (only {int(r)} possible)"
        for k, v, r in zip(held.key[~kept], q[~kept], reached[~kept], strict=True)
    ]
    return dataclasses.replace(lp, col_lower=lower, col_upper=upper), held.unplaced + dropped
