"""``marginal_values.csv``: the waiting one more card, truck, shelf or printer saves, where exact.

One row per limit and month whose next unit lowers the least waiting
(``value`` > 0), with how many units that value holds for:

- ``supply`` (a node's cards arriving in a month): the exact value of one
  more card there from the residual network (:mod:`~allocator.explaining.residual`),
  holding for the least room on its cheapest path;
- ``link``, ``storage`` (column upper bounds) and ``issue`` (printing rows):
  stage 1's reduced cost or row dual at HiGHS's optimal basis, holding as
  far as HiGHS's ranging keeps that basis optimal. Where the ranging gives
  no room (the basis is degenerate in that direction, and the dual may
  overstate the next unit), the value is the saving of the cheapest residual
  cycle through that limit instead: one more unit of room there is used along
  that cycle by an optimal re-solve, and so is each further unit up to the
  cycle's least room. One search per limit, for the largest few
  (:data:`CERTIFY`, largest dual first); the rest are left out, never guessed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.explaining.flow import HOLD, PRINT, SHIP
from allocator.explaining.residual import Residual
from allocator.instance import Instance
from allocator.model import LinearProgram
from allocator.solvers.sensitivity import Sensitivity

COLUMNS = ["what", "id", "period", "value", "holds_up_to"]
#: Degenerate limits tried by a residual cycle, largest dual first (one search each).
CERTIFY = 20
WHAT = ("supply", "link", "storage", "issue")


def _holds(room: np.ndarray) -> np.ndarray:
    """Whole units a value holds for (``inf`` stays ``inf``)."""
    return np.where(np.isinf(room), np.inf, np.floor(room + 1e-9))


def _rows(
    what: str,
    ids: np.ndarray,
    t: np.ndarray,
    value: np.ndarray,
    room: np.ndarray,
    arc: np.ndarray | None = None,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "what": what,
            "id": ids,
            "t": t,
            "value": np.round(value, 9) + 0.0,
            "room": _holds(room),
            "arc": np.full(len(ids), -1) if arc is None else arc,
        }
    )


def _arc_of(net: Residual, kind: int, keys: np.ndarray, by: np.ndarray) -> np.ndarray:
    """The arc of each of ``keys`` (columns, or printer rows), -1 if none."""
    mine = np.flatnonzero(net.kind == kind)
    lookup = pd.Series(mine, index=by[mine])
    return lookup.reindex(keys).fillna(-1).to_numpy(np.int64)


def marginal_values(
    instance: Instance,
    lp: LinearProgram,
    sens: Sensitivity,
    net: Residual,
    frozen: np.ndarray | None = None,
) -> tuple[pd.DataFrame, int]:
    """The table of exact marginal values, and how many positive ones were left out."""
    tol = net.tol
    sb = lp.rows["stock_balance"]
    rows = sb["row"].to_numpy()
    parts = [
        _rows("supply", sb["node"].to_numpy(), sb["t"].to_numpy(), net.value(rows), net.neck[rows])
    ]

    ic = lp.rows["issue_capacity"]
    r = ic["row"].to_numpy()
    parts.append(
        _rows(
            "issue",
            ic["node"].to_numpy(),
            ic["t"].to_numpy(),
            -sens.row_dual[r],
            sens.row_upper_up[r] - lp.row_upper[r],
            _arc_of(net, PRINT, r, net.head),
        )
    )
    for what, family, key in (("link", "link_capacity", "link"), ("storage", "storage", "node")):
        table = lp.variables["x" if what == "link" else "I"]
        bounded = table[table["col"].isin(lp.bounds.get(family, np.zeros(0)))]
        if frozen is not None and len(frozen):  # a frozen shipment's bound is the freeze
            bounded = bounded[~bounded["col"].isin(frozen)]
        c = bounded["col"].to_numpy()
        at_upper = np.abs(sens.col_value[c] - lp.col_upper[c]) < 0.5
        value = np.where(at_upper, -sens.col_dual[c], 0.0)
        parts.append(
            _rows(
                what,
                bounded[key].to_numpy(),
                bounded["t"].to_numpy(),
                value,
                sens.col_upper_up[c] - lp.col_upper[c],
                _arc_of(net, SHIP if what == "link" else HOLD, c, net.col),
            )
        )
    table = pd.concat(parts, ignore_index=True)
    positive = table[table["value"] > tol].copy()
    doubtful = positive[(positive["room"] < 1) & (positive["arc"] >= 0)]
    for i in doubtful.sort_values("value", ascending=False, kind="stable").index[:CERTIFY]:
        saving, room = net.cycle(int(positive.at[i, "arc"]))
        positive.at[i, "value"] = round(saving, 9) if saving > tol else 0.0
        positive.at[i, "room"] = _holds(np.array([room]))[0] if saving > tol else 0.0
    exact = positive[positive["room"] >= 1]
    left_out = len(positive) - len(exact)
    # Ties (often many: every office of a province in the same month) in the order of
    # the instance's files, so that the vendor and the hubs come before the offices.
    place = {n: i for i, n in enumerate(instance.nodes["id"])}
    place_link = {n: i for i, n in enumerate(instance.links["id"])}
    where = [
        place_link.get(i, 0) if w == "link" else place.get(i, 0)
        for w, i in zip(exact["what"], exact["id"], strict=True)
    ]
    order = exact.assign(rank=exact["what"].map({w: i for i, w in enumerate(WHAT)}), place=where)
    order = order.sort_values(["value", "rank", "place", "t"], ascending=[False, True, True, True])
    out = pd.DataFrame(
        {
            "what": order["what"].to_numpy(),
            "id": order["id"].astype(str).to_numpy(),
            "period": instance.month_label(order["t"].to_numpy(np.int64))
            if len(order)
            else np.array([], dtype=object),
            "value": order["value"].to_numpy(float),
            "holds_up_to": [
                "inf" if np.isinf(v) else str(int(v)) for v in order["room"].to_numpy(float)
            ],
        }
    )
    return out[COLUMNS].reset_index(drop=True), int(left_out)
