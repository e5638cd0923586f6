"""The families built against a reference plan (a re-plan): stability copies, frozen shipments.

A re-plan (:mod:`allocator.replanning`) builds the LP with the old plan's
shipments ``x_old`` as a reference (``ModelOptions(reference=...)``); without
it none of this is built and the LP is the core one, column for column.
Documented under "Re-planning" in ``models/README.md``:

- :func:`add_stability`: the copies ``x_stable`` that make ``|x - x_old|``
  linear (bound family ``stability``), the stability penalty ``W`` as an
  objective of its own (added to the cost in stage 2), and the third stage's
  objective, the cards changed against the old plan;
- :func:`add_fixed`: shipments held at a given quantity (bound family ``freeze``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model.program import Builder


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


@dataclass(frozen=True)
class Stability:
    """What :func:`add_stability` built."""

    x_stable: pd.DataFrame  # keys of the copies (link, link_pos, t, col)
    kept: np.ndarray  # x columns bounded by x_old below their capacity (bound family stability)
    capped: np.ndarray  # copies with a finite capacity (bound family link_capacity)


def add_stability(
    b: Builder, instance: Instance, x: pd.DataFrame, reference: pd.DataFrame, weight: float
) -> Stability:
    """x_stable: |x - x_old| made linear with two parallel copies of x[l,t].

    Where the old plan shipped ``x_old > 0``, ``x`` holds the first ``x_old``
    cards (upper bound ``min(x_old, cap)``) and ``x_stable`` any cards beyond
    (upper bound the rest of ``cap``). Then ``x_old - x + x_stable``, and
    ``x`` alone where ``x_old = 0``, is ``|x + x_stable - x_old|`` whenever
    ``x`` is filled first, and more otherwise: minimising it (objective
    ``change``: -1 on ``x`` where ``x_old > 0``, +1 on every other shipment
    column; plus the constant ``sum x_old``) counts the cards moved away from
    the old plan. The stability penalty ``W`` (``weight``, objective
    ``penalty``, added to the cost in stage 2) is ``W`` times the same: ``-W``
    on ``x`` where ``x_old > 0`` and ``+W`` on every other shipment column; up
    to the constant ``W * sum x_old`` it is ``W*|x - x_old|``. Parallel arcs
    keep the LP a network LP.
    """
    old = _per_shipment(instance, x, reference)
    cols = x["col"].to_numpy()
    cap = b.get("upper", cols)
    cost = b.get("cost", cols)
    has = old > 0
    keep = np.minimum(old[has], cap[has])
    b.set("upper", cols[has], keep)
    rest = cap[has] - keep
    copies = b.columns(int(has.sum()), upper=rest, cost=cost[has], penalty=weight, change=1.0)
    b.set("penalty", cols[has], -weight)
    b.set("penalty", cols[~has], weight)
    b.set("change", cols[has], -1.0)
    b.set("change", cols[~has], 1.0)
    return Stability(
        x_stable=x[has].assign(col=copies).reset_index(drop=True),
        kept=cols[has][keep < cap[has]],
        capped=copies[np.isfinite(rest)],
    )


def add_fixed(
    b: Builder,
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
