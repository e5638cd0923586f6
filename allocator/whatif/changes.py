"""Applying one scenario's changes to an instance, in order: delays, scales and capacities.

See :mod:`allocator.whatif.scenarios` for what each change means. Every
result is an instance with exactly the column types of the one changed.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.instance.cells import TEXT
from allocator.whatif.scenarios import FILE, read_scenarios

# Quantities stay within what the instance files accept (15 digits).
_MAX_QUANTITY = 10**15 - 1


def apply_scenario(
    instance: Instance, changes: pd.DataFrame, *, start: str | None = None
) -> Instance:
    """The instance with one scenario's changes applied, in order.

    ``changes`` are rows of :func:`read_scenarios` (or an unchecked table with
    the same columns, checked first). The result is a valid instance with
    exactly the column types of ``instance``. With ``start`` (a re-plan from
    that month), a blank period means every month from ``start`` on, and
    earlier months are left alone.
    """
    return apply_changes(instance, changes, start=start)[0]


def apply_changes(
    instance: Instance, changes: pd.DataFrame, *, start: str | None = None
) -> tuple[Instance, list[str]]:
    """:func:`apply_scenario`, plus notes on what the changes did beyond the obvious.

    The notes say how many cards a delay pushed past the horizon.
    """
    if "row" not in changes.columns:
        changes = read_scenarios(changes, instance, start=start)
    supply, demand, capacity = instance.supply, instance.demand, instance.capacity
    every = [m for m in instance.months if start is None or m >= start]
    notes: list[str] = []
    for row in changes.itertuples(index=False):
        months = [row.period] if row.period else every
        if row.change == "supply_delay":
            supply, lost = _delay(instance, supply, row.target, months, int(row.value))
            if lost:
                notes.append(
                    f"{lost:,} cards of supply delayed past the horizon's last month "
                    f"({instance.months[-1]}) are lost (scenario table row {row.row})"
                )
        elif row.change == "supply_scale":
            mask = supply["period"].isin(months) & (
                (supply["node"] == row.target) if row.target != "*" else True
            )
            supply = _scale(supply, mask, row.value, row.row)
        elif row.change == "demand_scale":
            mask = demand["period"].isin(months) & _place(instance, demand["node"], row.target)
            demand = _scale(demand, mask, row.value, row.row)
        elif row.change == "link_capacity":
            capacity = _override(capacity, "link", [row.target], months, int(row.value))
        elif row.change == "issue_capacity":
            nodes = instance.nodes["id"]
            ids = nodes[_place(instance, nodes, row.target)].tolist()
            capacity = _override(capacity, "issue", ids, months, int(row.value))
        else:  # only unchecked tables get here
            raise InputError(f"unknown change '{row.change}'")
    return instance.replace(supply=supply, demand=demand, capacity=capacity), notes


def _place(instance: Instance, node_ids: pd.Series, target: str) -> pd.Series:
    """Rows whose node is ``target`` (a node id), lies in region ``target``, or all for ``*``."""
    if target == "*":
        return pd.Series(True, index=node_ids.index)
    if target in set(instance.nodes["id"]):
        return node_ids == target
    region = instance.nodes.set_index("id")["region"]
    return node_ids.map(region) == target


def _scale(table: pd.DataFrame, mask: pd.Series, factor: float, row: int) -> pd.DataFrame:
    """``quantity`` times ``factor`` where ``mask``, rounded down, exactly on the decimal."""
    exact = Fraction(repr(float(factor)))
    quantity = table["quantity"].to_numpy(dtype=np.int64)
    picked = np.asarray(mask, dtype=bool)
    scaled = quantity.astype(object)
    scaled[picked] = scaled[picked] * exact.numerator // exact.denominator
    if len(scaled) and max(scaled) > _MAX_QUANTITY:
        raise InputError(
            [
                Problem(
                    FILE,
                    int(row),
                    "value",
                    f"factor {factor:g} makes a quantity larger than 15 digits",
                )
            ]
        )
    out = table.copy()
    out["quantity"] = scaled.astype(np.int64)
    return out


def _delay(
    instance: Instance, supply: pd.DataFrame, target: str, periods: list[str], delay: int
) -> tuple[pd.DataFrame, int]:
    """Supply with the tranches of ``periods`` ``delay`` months later, and the cards lost.

    Lost cards are those pushed past the horizon's last month.
    """
    mask = supply["period"].isin(periods) & ((supply["node"] == target) if target != "*" else True)
    mask = mask.to_numpy(dtype=bool)
    if delay == 0 or not mask.any():
        return supply, 0
    t = instance.month_number(supply["period"]) + np.where(mask, delay, 0)
    inside = t <= instance.periods
    lost = int(supply["quantity"].to_numpy(dtype=np.int64)[~inside].sum())
    moved = supply.copy()
    moved["period"] = pd.Series(
        instance.month_label(np.minimum(t, instance.periods)), dtype=TEXT
    ).to_numpy()
    moved = moved[inside]
    # A delayed tranche joins the one already due that month: (node, period) stays unique.
    aggregate = {c: ("sum" if c == "quantity" else "first") for c in moved.columns}
    aggregate.pop("node")
    aggregate.pop("period")
    merged = moved.groupby(["node", "period"], sort=False, as_index=False).agg(aggregate)
    merged = merged[supply.columns].astype(supply.dtypes.to_dict())
    return merged.reset_index(drop=True), lost


def _override(
    capacity: pd.DataFrame, what: str, ids: list[str], months: list[str], value: int
) -> pd.DataFrame:
    """``capacity`` with (what, id, month) set to ``value`` for every id and month."""
    keys = pd.MultiIndex.from_product([ids, months], names=["id", "period"])
    new = pd.DataFrame(
        {
            "what": what,
            "id": keys.get_level_values("id"),
            "period": keys.get_level_values("period"),
            "capacity": value,
        }
    )
    for extra in capacity.columns.difference(new.columns):
        new[extra] = ""
    replaced = (capacity["what"] == what) & pd.MultiIndex.from_frame(
        capacity[["id", "period"]]
    ).isin(keys)
    kept = capacity[~np.asarray(replaced, dtype=bool)]
    out = pd.concat([kept, new[capacity.columns]], ignore_index=True)
    return out.astype(capacity.dtypes.to_dict())
