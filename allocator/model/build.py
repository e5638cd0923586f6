"""``build_model``: the allocation LP as a flat list of families, one call each.

:func:`build_model` is a pure function of the instance and its
:class:`ModelOptions`: it groups the data once (:func:`~allocator.model.data.group`),
adds each family in the order of ``models/README.md``, and names the
lexicographic stages. :data:`FAMILIES` lists every family with its kind, the
option that builds it and the function that adds it; ``tests/model`` checks
it against the document and against what each option builds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model import equity, families, reference
from allocator.model.data import ModelData, group
from allocator.model.program import Builder, LinearProgram, Stage


@dataclass(frozen=True, eq=False)
class ModelOptions:
    """What to build besides the core LP: a re-plan's reference, or the equity option.

    Parameters
    ----------
    reference
        The old plan's shipments (``link, period, quantity``; rows outside the
        horizon are ignored). Given, shipments are split against them (family
        ``x_stable``) and a third stage, ``change``, picks among the plans
        optimal in waiting and cost one moving fewest cards away from them.
    stability
        ``W >= 0``: adds ``W * |x - x_old|`` per link and month to the cost
        stage (needs ``reference``); 0 leaves the cost unchanged.
    fixed
        Shipments (``link, period, quantity``) held at exactly that quantity
        (bound family ``freeze``); each must have a column and fit its capacity.
    fill_rate
        Build the equity option's stage 0 instead: ``z`` and ``equity_floor``,
        with one stage that maximises the smallest fill rate.
    floors
        Cards each node must issue at least (``F_n``, indexed by node id):
        families ``U`` and ``equity_unmet``.
    """

    reference: pd.DataFrame | None = None
    stability: float = 0.0
    fixed: pd.DataFrame | None = None
    fill_rate: bool = False
    floors: pd.Series | None = None

    def check(self) -> None:
        """Raise ValueError for options that contradict each other."""
        if self.stability < 0:
            raise ValueError("the stability weight must be >= 0")
        if self.stability > 0 and self.reference is None:
            raise ValueError("a stability penalty needs the reference plan's shipments")
        if self.fill_rate and self.floors is not None:
            raise ValueError("equity stage 0 (fill_rate) and floors are two different LPs")


Kind = Literal["variable", "row", "bound"]


@dataclass(frozen=True)
class Family:
    """One family of the LP: its kind, the option that builds it (None: always), its builder."""

    kind: Kind
    option: str | None
    builder: Callable[..., Any]


#: Every family of the LP, in the order build_model adds it. Options: "re-plan" (a
#: reference, and fixed shipments for freeze), "equity, stage 0", "equity" (floors).
FAMILIES: dict[str, Family] = {
    "x": Family("variable", None, families.add_shipments),
    "link_capacity": Family("bound", None, families.add_shipments),
    "x_stable": Family("variable", "re-plan", reference.add_stability),
    "stability": Family("bound", "re-plan", reference.add_stability),
    "freeze": Family("bound", "re-plan", reference.add_fixed),
    "I": Family("variable", None, families.add_stock),
    "storage": Family("bound", None, families.add_stock),
    "s": Family("variable", None, families.add_issue_and_backlog),
    "B": Family("variable", None, families.add_issue_and_backlog),
    "stock_balance": Family("row", None, families.add_stock_balance),
    "backlog": Family("row", None, families.add_backlog),
    "issue_capacity": Family("row", None, families.add_issue_capacity),
    "z": Family("variable", "equity, stage 0", equity.add_fill_rate),
    "equity_floor": Family("row", "equity, stage 0", equity.add_equity_floor),
    "U": Family("variable", "equity", equity.add_equity_unmet),
    "equity_unmet": Family("row", "equity", equity.add_equity_unmet),
}


def build_model(instance: Instance, options: ModelOptions | None = None) -> LinearProgram:
    """Build the LP of ``models/README.md`` for ``instance`` (pure: the instance is not changed).

    Without ``options`` the LP is the core model, with two stages: waiting,
    then cost. See :class:`ModelOptions` for the re-plan and equity families.
    """
    options = options or ModelOptions()
    options.check()
    d = group(instance)
    b = Builder()
    bounds: dict[str, np.ndarray] = {}
    variables: dict[str, pd.DataFrame] = {}
    rows: dict[str, pd.DataFrame] = {}

    x, bounds["link_capacity"] = families.add_shipments(b, d, instance)
    variables["x"] = x[["link", "t", "col"]]
    if options.reference is not None:
        stable = reference.add_stability(b, instance, x, options.reference, options.stability)
        variables["x_stable"] = stable.x_stable[["link", "t", "col"]]
        bounds["link_capacity"] = np.concatenate([bounds["link_capacity"], stable.capped])
        bounds["stability"] = stable.kept
    x_stable = stable.x_stable if options.reference is not None else None
    if options.fixed is not None:
        bounds["freeze"] = reference.add_fixed(b, instance, x, x_stable, options.fixed)
    stock, bounds["storage"] = families.add_stock(b, d, instance)
    variables["I"] = stock[["node", "t", "col"]]
    s, B = families.add_issue_and_backlog(b, d)
    variables["s"] = s[["node", "group", "t", "col"]]
    variables["B"] = B[["node", "group", "t", "col"]]
    moves = x if x_stable is None else pd.concat([x, x_stable], ignore_index=True)
    rows["stock_balance"] = families.add_stock_balance(b, d, instance, moves, stock, s)
    rows["backlog"] = families.add_backlog(b, d, s, B)
    rows["issue_capacity"] = families.add_issue_capacity(b, d, instance, s)
    if options.fill_rate:
        z = equity.add_fill_rate(b)
        variables["z"] = pd.DataFrame({"col": z})
        rows["equity_floor"] = equity.add_equity_floor(b, d, s, z)
    if options.floors is not None:
        variables["U"], rows["equity_unmet"] = equity.add_equity_unmet(b, d, B, options.floors)
    names = dict(
        zip(instance.nodes["id"].astype(str), instance.nodes["name"].astype(str), strict=True)
    )
    return b.program(
        d.P,
        variables,
        rows,
        bounds,
        _stages(b, d, options, len(x)),
        b.column_array("cost"),
        months=tuple(instance.months),
        names=names,
    )


def _stages(b: Builder, d: ModelData, options: ModelOptions, shipments: int) -> tuple[Stage, ...]:
    """The lexicographic stages the options ask for, most important first."""
    if options.fill_rate:
        return (Stage("equity", b.column_array("equity")),)
    cost = b.column_array("cost")
    if options.reference is not None:
        cost = cost + b.column_array("penalty")
    stages = [Stage("waiting", b.column_array("waiting"), d.wait_constant), Stage("cost", cost)]
    if options.reference is not None and shipments:
        stages.append(Stage("change", b.column_array("change")))
    return tuple(stages)
