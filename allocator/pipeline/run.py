"""Solve an instance: build the LP, solve its stages, check whole cards, assemble the plan.

:func:`solve` is the function behind ``allocator solve`` and :func:`allocator.solve`;
:func:`solve_model` is its second half, for callers that build the LP with
options of their own (a re-plan).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from allocator._threads import one_blas_thread
from allocator.errors import SolveError
from allocator.instance import Instance, load_instance
from allocator.model import LinearProgram, build_model
from allocator.pipeline.assemble import make_plan
from allocator.pipeline.equity import hold_equity_floor, smallest_fill_rate
from allocator.plan import Plan
from allocator.solvers import Deadline, SolveOptions, solve_lexicographic

# Values farther than this from a whole number mean the solver did not return a vertex.
WHOLE_TOLERANCE = 1e-6

Progress = Callable[[str], None]


def options_from(
    options: SolveOptions | None,
    solver: str | None = None,
    method: str | None = None,
    time_limit: float | None = None,
) -> SolveOptions:
    """``options``, or the default ones, with the keyword shortcuts that were given applied."""
    base = options or SolveOptions()
    return SolveOptions(
        solver=base.solver if solver is None else solver,
        method=base.method if method is None else method,
        time_limit=base.time_limit if time_limit is None else time_limit,
    )


def whole_cards(lp: LinearProgram, values: np.ndarray) -> np.ndarray:
    """Whole-card column values, or :class:`SolveError` if the solution is not integral.

    The LP's optimal vertices are integral; the solver's floating-point values
    are rounded only after checking they are within ``WHOLE_TOLERANCE`` of
    whole numbers, and the rounded plan must satisfy every row and bound exactly.
    """
    cards = np.rint(values)
    off = float(np.abs(values - cards).max(initial=0.0))
    if off > WHOLE_TOLERANCE:
        raise SolveError(
            f"the solver returned a fractional plan (a value {off:.2g} away from a whole card); "
            "this should not happen for whole-number data: please report it with the instance"
        )
    violation = float(lp.residuals(cards).max(initial=0.0))
    below = float((lp.col_lower - cards).max(initial=0.0))
    above = float((cards - lp.col_upper).max(initial=0.0))
    if max(violation, below, above) > 0:
        raise SolveError(
            f"the whole-card plan violates a constraint by {max(violation, below, above):g} cards"
        )
    return cards.astype(np.int64)


@one_blas_thread
def solve(
    instance: Instance | str | Path,
    options: SolveOptions | None = None,
    *,
    equity: bool = False,
    progress: Progress | None = None,
    solver: str | None = None,
    method: str | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Find the plan with least waiting and, among those, least cost.

    Parameters
    ----------
    instance
        A validated instance (:func:`allocator.load_instance`), or the path of
        an instance folder or workbook to load first.
    options
        Solver, method and time limit (:class:`allocator.SolveOptions`);
        ``solver=``, ``method=`` and ``time_limit=`` are shortcuts that
        override them. The time limit covers the whole call, from loading to
        the plan; reaching it raises :class:`SolveError` and no plan is returned.
    equity
        First maximise ``z``, the smallest fill rate at the horizon's end over
        the nodes with demand that some card can reach, then find the plan of
        least waiting and cost that issues at least ``floor(z * demand)``
        cards at each of them (:mod:`allocator.pipeline.equity`). The summary
        gains ``equity``. Off by default.
    progress
        Called with a short description as each step starts.
    """
    options = options_from(options, solver, method, time_limit)
    deadline = Deadline(options.time_limit)  # the limit covers the whole run, load included
    say = progress or (lambda _message: None)
    seconds: dict[str, float] = {"load": 0.0}
    began = time.perf_counter()
    if not isinstance(instance, Instance):
        say("loading the instance")
        instance = load_instance(instance)
        seconds["load"] = time.perf_counter() - began
        deadline.check("loading the instance")
        began = time.perf_counter()
    say("building the model")
    lp = build_model(instance)
    seconds["build"] = time.perf_counter() - began
    deadline.check("building the model")
    facts: dict[str, Any] | None = None
    if equity:
        say("finding the best smallest fill rate (equity)")
        began = time.perf_counter()
        lp, facts = hold_equity_floor(instance, lp, options, deadline)
        seconds["equity"] = time.perf_counter() - began
    plan = solve_model(instance, lp, options, progress=progress, seconds=seconds, deadline=deadline)
    if facts is not None:
        floored = facts.pop("floored")
        facts["smallest_fill_rate"] = smallest_fill_rate(plan.nodes, floored)
        plan.summary["equity"] = facts
    return plan


@one_blas_thread
def solve_model(
    instance: Instance,
    lp: LinearProgram,
    options: SolveOptions | None = None,
    *,
    progress: Progress | None = None,
    seconds: dict[str, float] | None = None,
    name: str = "allocation",
    deadline: Deadline | None = None,
) -> Plan:
    """Solve an LP already built for ``instance`` and assemble its checked, whole-card plan.

    ``seconds`` carries the times of earlier steps into the plan's summary;
    ``name`` is the PuLP problem's; ``deadline`` a time limit shared with
    earlier solves (default: ``options.time_limit`` from now).
    """
    options = options or SolveOptions()
    seconds = dict(seconds or {})
    seconds.setdefault("load", 0.0)
    if progress:
        # "auto" is a rule, not a solver: the solve names the path it takes in the summary.
        progress("solving" if options.solver == "auto" else f"solving with {options.solver}")
    began = time.perf_counter()
    result = solve_lexicographic(lp, options, name=name, deadline=deadline)
    elapsed = time.perf_counter() - began
    # The PuLP problem is built inside the solve: its time counts as model building.
    seconds["build"] = seconds.get("build", 0.0) + result.build_seconds
    seconds["solve"] = elapsed - result.build_seconds
    cards = whole_cards(lp, result.values)
    solver_info = dict(result.solver)
    solver_info["stages"] = [
        {
            "objective": stage.name,
            "status": s.status,
            "seconds": round(s.seconds, 3),
            "iterations": s.iterations,
        }
        for stage, s in zip(lp.stages, result.stages, strict=True)
    ]
    solver_info["handover_seconds"] = round(result.handover_seconds, 3)
    seconds = {k: round(v, 3) for k, v in seconds.items()}
    seconds["write"] = 0.0
    plan = make_plan(instance, lp, cards, solver_info, seconds)
    expected = result.objectives[lp.stages[0].name]
    if abs(plan.summary["objective"]["waiting"] - expected) > 1e-6 * max(1.0, abs(expected)):
        raise SolveError(
            "a later stage changed the waiting found in stage 1 "
            f"({plan.summary['objective']['waiting']} against {expected}); please report it"
        )
    return plan
