"""The LP's extensions for re-planning: stability copies, the change objective, frozen shipments.

A re-plan (:mod:`allocator.replan`) builds the LP of ``model.md`` with the old
plan's shipments ``x_old`` as a reference; :func:`allocator.model.build_model`
calls these only when given ``reference`` or ``fixed``, so without them the LP
is exactly model.md's, column for column. Documented under "Re-planning:
stability" in ``models/README.md``:

- :func:`add_stability`: the copies ``x_stable`` that make ``|x - x_old|``
  linear, and the stability penalty ``W`` on the cost (bound family
  ``stability``);
- :func:`replan_objectives`: the cost without the penalty and the third
  stage's objective, the cards changed against the old plan;
- :func:`add_fixed`: shipments held at a given quantity (bound family
  ``freeze``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from allocator.instance import Instance

if TYPE_CHECKING:  # for annotations only: allocator.model imports this module
    from allocator.model import _Builder

# Families built only for a re-plan; each name is the one used in models/README.md.
REPLAN_VARIABLE_FAMILIES = ("x_stable",)
REPLAN_BOUND_FAMILIES = ("stability", "freeze")


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


@dataclass
class _Stability:
    """What :func:`add_stability` built, for :func:`build_model` to file away."""

    x_stable: pd.DataFrame  # keys of the copies (link, t, col)
    kept: np.ndarray  # x columns bounded by x_old below their capacity (bound family stability)
    capped: np.ndarray  # copies with a finite capacity (bound family link_capacity)
    cols: np.ndarray  # every shipment column: x where x_old > 0, other x, copies
    plain: np.ndarray  # their cost without the penalty
    change: np.ndarray  # their coefficient in stage 3: -1 on x where x_old > 0, else +1


def add_stability(
    b: _Builder, instance: Instance, x: pd.DataFrame, reference: pd.DataFrame, weight: float
) -> _Stability:
    """x_stable: |x - x_old| made linear with two parallel copies of x[l,t].

    Where the old plan shipped ``x_old > 0``, ``x`` holds the first ``x_old``
    cards (upper bound ``min(x_old, cap)``) and ``x_stable`` any cards beyond
    (upper bound the rest of ``cap``). Then ``x_old - x + x_stable``, and
    ``x`` alone where ``x_old = 0``, is ``|x + x_stable - x_old|`` whenever
    ``x`` is filled first, and more otherwise: minimising it (stage 3,
    coefficients ``change``, constant ``sum x_old``) counts the cards moved
    away from the old plan. The stability penalty ``W`` (``weight``) adds the
    same to the cost: ``x`` where ``x_old > 0`` costs ``c - W``, every other
    shipment column ``c + W``; up to the constant ``W * sum x_old`` this is
    ``c*x + W*|x - x_old|``. Parallel arcs keep the LP a network LP.
    """
    old = _per_shipment(instance, x, reference)
    cols = x["col"].to_numpy()
    cap = b.get("upper", cols)
    cost = b.get("c_cost", cols)
    has = old > 0
    keep = np.minimum(old[has], cap[has])
    b.set("upper", cols[has], keep)
    b.set("c_cost", cols[has], cost[has] - weight)
    b.set("c_cost", cols[~has], cost[~has] + weight)
    rest = cap[has] - keep
    copies = b.columns(int(has.sum()), upper=rest, cost=cost[has] + weight)
    return _Stability(
        x_stable=x[has].assign(col=copies).reset_index(drop=True),
        kept=cols[has][keep < cap[has]],
        capped=copies[np.isfinite(rest)],
        cols=np.concatenate([cols[has], cols[~has], copies]),
        plain=np.concatenate([cost[has], cost[~has], cost[has]]),
        change=np.concatenate([-np.ones(len(keep)), np.ones(int((~has).sum()) + len(copies))]),
    )


def add_fixed(
    b: _Builder,
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


def replan_objectives(
    stable: _Stability, c_cost: np.ndarray, stability: float, shipments: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """``c_plain_cost`` and ``c_change`` of the LP, over all its columns.

    ``c_cost`` is stage 2's objective as built, with the penalty ``stability``
    folded in by :func:`add_stability`. The cost alone is returned only when
    there is a penalty (``stability > 0``), the change objective (stage 3) only
    when there are ``shipments`` columns: with none, nothing can change.
    """
    c_plain_cost = c_change = None
    if stability > 0:
        c_plain_cost = c_cost.copy()
        c_plain_cost[stable.cols] = stable.plain
    if shipments:
        c_change = np.zeros(len(c_cost))
        c_change[stable.cols] = stable.change
    return c_plain_cost, c_change
