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

import contextlib
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from allocator._threads import one_blas_thread
from allocator.errors import InfeasibleError, InputError, Problem
from allocator.instance import Instance, load_instance
from allocator.instance.problems import Collector
from allocator.model import ModelOptions, build_model
from allocator.pipeline import Progress, options_from, solve_model
from allocator.plan import PLAN_TABLES, Plan, Replan, read_plan
from allocator.replanning.freeze import freeze as hold_frozen
from allocator.replanning.inputs import Input, check_actuals, check_override
from allocator.replanning.state import Past, executed, replan_instance, transit_notes
from allocator.replanning.summary import changes_table, replan_summary
from allocator.solvers import Deadline, SolveOptions
from allocator.verification import verify

FACTS = ("supply", "demand", "capacity")


@one_blas_thread
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
    supply, demand, capacity
        CSV paths or DataFrames with the columns of ``supply.csv``,
        ``demand.csv`` and ``capacity.csv``: the supply and the demand arising
        from ``start`` on replace the instance's (the backlog carried into
        ``start`` follows from the months before); capacity rows are added.
    freeze
        Months from ``start`` whose old shipments are kept where possible.
    stability
        Penalty per card moved away from the old plan's shipments (cost stage);
        at 0 the plan is the optimum closest to the old plan (stage 3).
    options, solver, method, time_limit
        As for :func:`allocator.solve`; the time limit covers the freeze probe too.
    check_plan
        Verify ``plan`` against ``instance`` first; ``False`` only for a plan
        already verified against it (:func:`allocator.run_batch` checks once).

    Raises :class:`InputError` for every problem in the new facts (file, row,
    column); :class:`SolveError` as :func:`allocator.solve` does, stranded cards' links named.
    """
    options = options_from(options, solver, method, time_limit)
    began = time.perf_counter()
    deadline = Deadline(options.time_limit)
    say = progress or (lambda _message: None)
    instance, plan, folder = _loaded(instance, plan, say)
    _check_request(instance, plan, folder or "plan", start, freeze, stability, check_plan)
    s = instance.months.index(start) + 1
    actual, past, new = _state(instance, plan, s, actuals, (supply, demand, capacity), say)
    seconds = {"load": time.perf_counter() - began}
    deadline.check("reading the re-plan's facts")
    old = plan.shipments.copy()
    with _noted(instance, past, s):  # no plan: say where the stranded cards come from
        model, kept, dropped = _held(new, old, freeze, stability, options, deadline)
        made = _solve(new, model, options, deadline, progress, seconds)
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
    return _as_replan(made, changes, new)


@contextlib.contextmanager
def _noted(instance: Instance, past: Past, start: int) -> Iterator[None]:
    """Note on an infeasible re-plan's error where its stranded cards come from (held, at sea)."""
    try:
        yield
    except InfeasibleError as error:
        raise error.noted(transit_notes(instance, past, start)) from None


def _loaded(
    instance: Instance | str | Path, plan: Plan | str | Path, say: Progress
) -> tuple[Instance, Plan, str | None]:
    """The instance and the old plan, read where given as paths, and the plan's folder if any."""
    say("loading the instance and the old plan")
    instance = instance if isinstance(instance, Instance) else load_instance(instance)
    folder = None if isinstance(plan, Plan) else str(plan)
    plan = plan if isinstance(plan, Plan) else read_plan(plan)
    return instance, plan, folder


def _held(
    new: Instance,
    old: pd.DataFrame,
    freeze: int,
    stability: float,
    options: SolveOptions,
    deadline: Deadline,
) -> tuple[ModelOptions, pd.DataFrame, pd.DataFrame]:
    """The re-plan's model options (the old shipments as reference, the frozen ones fixed).

    Also the old shipments of the frozen months that are kept, and those dropped.
    """
    kept, dropped = hold_frozen(new, old, int(freeze), options, deadline)
    model = ModelOptions(
        reference=old[["link", "period", "quantity"]],
        stability=float(stability),
        fixed=kept[["link", "period", "quantity"]] if freeze else None,
    )
    return model, kept, dropped


def _as_replan(made: Plan, changes: pd.DataFrame, new: Instance) -> Replan:
    """The re-plan as returned: the new plan's tables and summary, its changes, its instance."""
    tables = {name: getattr(made, name) for name in PLAN_TABLES}
    return Replan(**tables, summary=made.summary, extra={"changes": changes}, instance=new)


def _solve(
    new: Instance,
    model: ModelOptions,
    options: SolveOptions,
    deadline: Deadline,
    progress: Progress | None,
    seconds: dict[str, float],
) -> Plan:
    """The plan of the re-plan instance ``new``, with the old plan as the model's reference."""
    if progress:
        progress("building the model")
    began = time.perf_counter()
    lp = build_model(new, model)
    seconds["build"] = time.perf_counter() - began
    return solve_model(
        new, lp, options, progress=progress, seconds=seconds, name="replan", deadline=deadline
    )


def _state(
    instance: Instance,
    plan: Plan,
    start: int,
    actuals: str | Path | Mapping[str, pd.DataFrame] | None,
    facts: tuple[str | Path | pd.DataFrame | None, ...],
    say: Progress,
) -> tuple[dict[str, Input], Past, Instance]:
    """The actuals, the state they leave at ``start``, and the re-plan instance with the new facts.

    ``facts`` are the new supply, demand and capacity (each may be ``None``).
    Every problem in them is raised together, before the state is derived.
    """
    out = Collector()
    actual = check_actuals(actuals, instance, start, out)
    supply, demand, capacity = (
        check_override(kind, given, instance, start, out)
        for kind, given in zip(FACTS, facts, strict=True)
    )
    out.raise_if_any()
    say("deriving the state")
    past = executed(instance, plan, start, actual, out)
    out.raise_if_any()
    return actual, past, replan_instance(instance, past, start, supply, capacity, demand)


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
    left = len(instance.months) - instance.months.index(start)
    if not (isinstance(freeze, int | np.integer) and freeze >= 0):
        out.add("--freeze", None, None, f"'{freeze}' is not a whole number of months >= 0")
    elif freeze > left:
        out.add(
            "--freeze",
            None,
            None,
            f"{freeze} months is longer than the {left} month(s) re-planned from {start}: "
            f"freeze at most {left}",
        )
    if not (np.isfinite(stability) and stability >= 0):
        out.add("--stability", None, None, f"'{stability}' is not a number >= 0")
    for sentence in verify(instance, plan) if check_plan else []:
        other = sentence.startswith("the plan was made for other data")
        out.add(label, None, None, sentence if other else f"the old plan does not fit: {sentence}")
    out.raise_if_any()
