"""Re-plan from a month onwards, starting from what really happened: the orchestration.

:func:`replan` takes an instance, the plan made for it and a month ``start``
inside the horizon, and solves the months from ``start`` to the horizon's
end again. This module runs the steps; reading the new facts is
:mod:`~allocator.replanning.inputs`, the state at ``start`` and the re-plan
instance :mod:`~allocator.replanning.state`, the freeze probe
:mod:`~allocator.replanning.freeze`, ``changes.csv`` and the comparison
:mod:`~allocator.replanning.summary`. The steps:

1. **What happened before ``start``.** The old plan's shipments, issuance and
   the instance's supply of the earlier months are taken as executed, except
   where *actuals* say otherwise: ``shipments.csv`` (the plan's format;
   ``link, period, quantity``, optionally ``arrival`` when cards arrived or
   will arrive at another month than the link's lead time says),
   ``issuance.csv`` (``node, period, category, issued``) and ``supply.csv``
   (the instance's format). A row replaces the old plan's (or the instance's)
   row with the same key: (link, period), (node, period, category) or (node,
   period). To record that a planned shipment did not leave, give it with
   quantity 0. Actuals that are impossible (more cards leave or are issued at
   a node than it could have had, cards issued before their demand arose) are
   input errors, with file, row and column.
2. **The state at ``start``**: stock at every node at the end of the month
   before, cards in transit (shipments that left before ``start`` and arrive
   from ``start`` on become supply at their destination in their arrival
   month) and each office's backlog per category (demand in the new first
   month, added to the demand arising then). The backlog follows from the
   instance's demand before ``start`` and what was issued: it is history, not
   new demand.
3. **The re-plan instance**: an ordinary :class:`Instance` (validated like any
   other) starting at ``start``, with that state, the future supply
   (``supply`` replaces the instance's supply rows from ``start`` on), the
   future demand (``demand`` likewise replaces the demand arising from
   ``start`` on) and the future capacity rows (``capacity`` rows are added,
   replacing rows with the same what, id and period). Rows of
   ``supply``/``demand``/``capacity`` dated before ``start`` may repeat the
   instance's own rows (a copied and edited file) but not change them: what
   happened then is in the actuals.
4. **The solve**, lexicographic as always (waiting, then cost), plus a third
   stage: among the plans optimal in both, the one moving fewest cards away
   from the old plan's shipments (so with no new facts, the old plan itself).
   Two options:

   - ``freeze=N``: every shipment of the old plan leaving in the first N
     months from ``start`` is held at its old quantity (as bounds on x),
     unless it has become impossible; other link-months stay free. A frozen
     shipment is impossible when its link can no longer carry cards then,
     when a capacity override is now below it, or when its origin cannot have
     the cards: an LP first finds the largest number of frozen cards that can
     all move together (a max-flow on the same network), and every frozen
     shipment that does not move in full there is *dropped* (left free for
     the re-plan). Dropped shipments and why are listed in
     ``summary["replan"]["freeze"]["dropped"]``.
   - ``stability=W``: adds ``W`` per card moved away from the old plan's
     shipments to the cost stage (stage 2), so waiting stays optimal; see
     "Re-planning: stability" in ``models/README.md``.

The result is a :class:`Replan`: a plan of the re-plan instance (months from
``start`` only: it verifies against that instance, which it writes beside
itself as ``instance/``), plus ``changes.csv`` and ``summary["replan"]``.
The months before ``start`` are never in the new plan's tables: they are
history. ``changes.csv`` covers the whole original horizon (before ``start``,
``new`` is what was executed), and ``summary["replan"]["compare"]`` sets the
old plan's promised figures against the new ones over the whole original
horizon (executed months + re-plan).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance import Instance, load_instance
from allocator.instance.problems import Collector
from allocator.model import ModelOptions, build_model
from allocator.pipeline import Progress, options_from, solve_model
from allocator.plan import Plan, Replan, read_plan
from allocator.replanning.freeze import freeze as hold_frozen
from allocator.replanning.inputs import check_actuals, check_override
from allocator.replanning.state import executed, replan_instance
from allocator.replanning.summary import changes_table, replan_summary
from allocator.solvers import Deadline, SolveOptions
from allocator.verification import verify


def replan(
    instance: Instance | str | Path,
    plan: Plan | str | Path,
    *,
    start: str,
    actuals: str | Path | Mapping[str, pd.DataFrame] | None = None,
    supply: str | Path | pd.DataFrame | None = None,
    demand: str | Path | pd.DataFrame | None = None,
    capacity: str | Path | pd.DataFrame | None = None,
    freeze: int = 0,
    stability: float = 0.0,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    check_plan: bool = True,
    solver: str | None = None,
    method: str | None = None,
    time_limit: float | None = None,
) -> Replan:
    """Re-plan the months from ``start`` after what really happened (see the module docstring).

    Parameters
    ----------
    instance, plan
        The instance (or its path) and the plan made for it (or its folder).
    start
        First month to re-plan, ``YYYY-MM`` inside the horizon; the first
        month re-plans everything.
    actuals
        Folder with ``shipments.csv``, ``issuance.csv``, ``supply.csv`` (any of
        them), or a mapping of those names to DataFrames: what really left,
        was issued and arrived before ``start``.
    supply
        CSV path or DataFrame (``node, period, quantity``) replacing the supply
        from ``start`` on.
    demand
        CSV path or DataFrame (``node, period, category, quantity``, as
        ``demand.csv``) replacing the demand arising from ``start`` on. The
        backlog carried into ``start`` is not in it: that follows from the
        months before.
    capacity
        CSV path or DataFrame (``what, id, period, capacity``) of capacity
        overrides added from ``start`` on.
    freeze
        Months from ``start`` whose old shipments are kept where possible.
    stability
        Penalty per card moved away from the old plan's shipments (cost stage);
        at 0 the plan is the optimum closest to the old plan (stage 3).
    options, solver, method, time_limit
        As for :func:`allocator.solve`; the time limit covers the freeze probe too.
    check_plan
        Verify ``plan`` against ``instance`` first (a plan made for other data
        is an input error). Pass ``False`` only for a plan already verified
        against this instance, as :func:`allocator.run_batch` does once for
        all its scenarios.

    Raises
    ------
    InputError
        Every problem in the new facts, with file, row and column.
    SolveError
        As for :func:`allocator.solve`.
    """
    options = options_from(options, solver, method, time_limit)
    began = time.perf_counter()
    deadline = Deadline(options.time_limit)
    say = progress or (lambda _message: None)
    say("loading the instance and the old plan")
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    folder = None if isinstance(plan, Plan) else str(plan)
    if not isinstance(plan, Plan):
        plan = read_plan(plan)
    _check_request(instance, plan, folder or "plan", start, freeze, stability, check_plan)
    out = Collector()
    s = instance.months.index(start) + 1
    actual = check_actuals(actuals, instance, s, out)
    new_supply = check_override("supply", supply, instance, s, out)
    new_demand = check_override("demand", demand, instance, s, out)
    new_capacity = check_override("capacity", capacity, instance, s, out)
    out.raise_if_any()
    say("deriving the state")
    past = executed(instance, plan, s, actual, out)
    out.raise_if_any()
    new = replan_instance(instance, past, s, new_supply, new_capacity, new_demand)
    seconds = {"load": time.perf_counter() - began}

    began = time.perf_counter()
    old = plan.shipments.copy()
    kept, dropped = hold_frozen(new, old, int(freeze), options, deadline)
    say("building the model")
    model = ModelOptions(
        reference=old[["link", "period", "quantity"]],
        stability=float(stability),
        fixed=kept[["link", "period", "quantity"]] if freeze else None,
    )
    lp = build_model(new, model)
    seconds["build"] = time.perf_counter() - began
    made = solve_model(
        new, lp, options, progress=progress, seconds=seconds, name="replan", deadline=deadline
    )
    changes = changes_table(old, past.shipments, made.shipments)
    made.summary["replan"] = replan_summary(
        instance=instance,
        new=new,
        start=start,
        old_summary=plan.summary,
        old_folder=folder,
        past=past,
        actuals={kind: len(given.table) for kind, given in actual.items()},
        freeze=(int(freeze), kept, dropped),
        stability=stability,
        changes=changes,
        new_summary=made.summary,
    )
    return Replan(
        shipments=made.shipments,
        issuance=made.issuance,
        stock=made.stock,
        nodes=made.nodes,
        summary=made.summary,
        extra={"changes": changes},
        instance=new,
    )


def _check_request(
    instance: Instance,
    plan: Plan,
    label: str,
    start: str,
    freeze: int,
    stability: float,
    check_plan: bool,
) -> None:
    """The month, the options and the old plan itself, before any new fact is read."""
    if not (isinstance(start, str) and start in instance.months):
        months = instance.months
        raise InputError(
            [
                Problem(
                    "--from",
                    None,
                    None,
                    f"'{start}' is not a month of the horizon {months[0]}..{months[-1]}; "
                    "give the first month to re-plan as YYYY-MM",
                )
            ]
        )
    out = Collector()
    if not (isinstance(freeze, int | np.integer) and freeze >= 0):
        out.add("--freeze", None, None, f"'{freeze}' is not a whole number of months >= 0")
    if not (np.isfinite(stability) and stability >= 0):
        out.add("--stability", None, None, f"'{stability}' is not a number >= 0")
    for sentence in verify(instance, plan) if check_plan else []:
        out.add(label, None, None, f"the old plan does not fit the instance: {sentence}")
    out.raise_if_any()
