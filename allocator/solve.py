"""Solve an instance: build the LP, solve it lexicographically, check, assemble the plan.

This is the function behind ``allocator solve`` and :func:`allocator.solve`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from allocator import lp as lp_module
from allocator import model_equity
from allocator.errors import SolveError
from allocator.instance import Instance
from allocator.instance.load import load_instance
from allocator.instance.network import unreachable_demand
from allocator.model import LinearProgram, build_model
from allocator.plan import Plan
from allocator.results import make_plan

# Values farther than this from a whole number mean the solver did not return a vertex.
WHOLE_TOLERANCE = 1e-6

Progress = Callable[[str], None]


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


def solve(
    instance: Instance | str | Path,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    method: str = lp_module.DEFAULT_METHOD,
    progress: Progress | None = None,
    equity: bool = False,
) -> Plan:
    """Find the plan with least waiting and, among those, least cost.

    Parameters
    ----------
    instance
        A validated instance (:func:`allocator.load_instance`), or the path of
        an instance folder or workbook to load first.
    solver
        ``"highs"`` (default) or ``"cbc"``.
    time_limit
        Seconds for both stages together; reaching it raises :class:`SolveError`
        and no plan is returned.
    method
        HiGHS's method for stage 1: ``"auto"`` (default: HiPO interior point
        where highspy-extras is installed, else IPX), ``"hipo"``, ``"ipx"`` or
        ``"simplex"``. Interior points end with crossover, so all give a vertex.
    progress
        Called with a short description as each step starts.
    equity
        First maximise ``z``, the smallest fill rate at the horizon's end over
        the nodes with demand that some card can reach, then find the plan of
        least waiting and cost that issues at least ``floor(z * demand)``
        cards at each of them (:mod:`allocator.model_equity`). The summary
        gains ``equity``. Off by default.
    """
    check_options(solver, time_limit)
    seconds: dict[str, float] = {"load": 0.0}
    began = time.perf_counter()
    if not isinstance(instance, Instance):
        if progress:
            progress("loading the instance")
        instance = load_instance(instance)
        seconds["load"] = time.perf_counter() - began
        began = time.perf_counter()
    if progress:
        progress("building the model")
    lp = build_model(instance)
    seconds["build"] = time.perf_counter() - began
    if not equity:
        return solve_model(
            instance,
            lp,
            solver=solver,
            time_limit=time_limit,
            method=method,
            progress=progress,
            seconds=seconds,
        )
    if progress:
        progress("finding the best smallest fill rate (equity)")
    began = time.perf_counter()
    lp, facts = hold_equity_floor(instance, lp, solver=solver, time_limit=time_limit)
    seconds["equity"] = time.perf_counter() - began
    remaining = None if time_limit is None else max(time_limit - seconds["equity"], 0.0)
    plan = solve_model(
        instance,
        lp,
        solver=solver,
        time_limit=remaining,
        method=method,
        progress=progress,
        seconds=seconds,
    )
    plan.summary["equity"] = facts
    return plan


def hold_equity_floor(
    instance: Instance, lp: LinearProgram, *, solver: str = "highs", time_limit: float | None = None
) -> tuple[LinearProgram, dict[str, Any]]:
    """Solve the equity option's stage 0; return ``lp`` (of ``instance``) with floors held.

    Stage 0 maximises ``z``, the smallest fill rate over the nodes with demand
    that some card can reach; each of them then gets ``floor(z * D_n + 1e-9)``
    whole cards (:mod:`allocator.model_equity`). Also returns the summary's
    ``equity`` facts: ``z``, ``floors`` (nodes with a floor), ``floor_cards``
    (their sum), ``left_out`` (nodes with demand no card can reach), stage 0's
    status and seconds.
    """
    demand = model_equity.node_demand(lp)
    z = 1.0  # the smallest fill rate over no node at all
    stage = lp_module.StageResult("optimal", 1.0, 0.0)
    if len(demand):
        stage0, objective = model_equity.equity_lp(lp)
        stage, values = lp_module.solve_once(
            stage0, objective, solver=solver, time_limit=time_limit, stage="stage 0 (equity)"
        )
        z = float(min(max(values[stage0.variables["z"]["col"].iloc[0]], 0.0), 1.0))
    floor = model_equity.floors(demand, z)
    return model_equity.add_equity_unmet(lp, floor), {
        "z": z,
        "floors": len(floor),
        "floor_cards": int(floor.sum()),
        "left_out": len(unreachable_demand(instance)),
        "status": stage.status,
        "seconds": round(stage.seconds, 3),
    }


def check_options(solver: str, time_limit: float | None) -> None:
    """Reject an unknown solver or a negative time limit before any work is done."""
    if solver not in lp_module.SOLVERS:
        raise SolveError(f"unknown solver '{solver}'; choose one of {', '.join(lp_module.SOLVERS)}")
    if time_limit is not None and time_limit < 0:
        raise SolveError("the time limit must be zero or more seconds")


def solve_model(
    instance: Instance,
    lp: LinearProgram,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    method: str = lp_module.DEFAULT_METHOD,
    progress: Progress | None = None,
    seconds: dict[str, float] | None = None,
    name: str = "allocation",
) -> Plan:
    """Solve an LP already built for ``instance`` and assemble its checked, whole-card plan.

    This is the part of :func:`solve` after :func:`~allocator.model.build_model`,
    for callers that build the LP with options of their own (a re-plan).
    ``seconds`` carries the times of earlier steps into the plan's summary.
    """
    check_options(solver, time_limit)
    seconds = dict(seconds or {})
    seconds.setdefault("load", 0.0)
    began = time.perf_counter()
    model = lp_module.to_pulp(lp, name=name)
    seconds["build"] = seconds.get("build", 0.0) + time.perf_counter() - began

    began = time.perf_counter()
    if progress:
        progress(f"solving with {solver}")
    if solver == "highs":
        result = lp_module.solve_highs(lp, model, time_limit=time_limit, method=method)
    else:
        result = lp_module.solve_cbc(lp, model, time_limit=time_limit)
    seconds["solve"] = time.perf_counter() - began
    cards = whole_cards(lp, result.values)
    solver_info = dict(result.solver)
    solver_info["stages"] = [
        {
            "objective": stage,
            "status": s.status,
            "seconds": round(s.seconds, 3),
            "iterations": s.iterations,
        }
        for (stage, _), s in zip(lp_module.stages_of(lp), result.stages, strict=True)
    ]
    solver_info["handover_seconds"] = round(result.handover_seconds, 3)
    seconds = {k: round(v, 3) for k, v in seconds.items()}
    seconds["write"] = 0.0
    plan = make_plan(instance, lp, cards, solver_info, seconds)
    expected = result.waiting
    if abs(plan.summary["objective"]["waiting"] - expected) > 1e-6 * max(1.0, abs(expected)):
        raise SolveError(
            "stage 2 changed the waiting found in stage 1 "
            f"({plan.summary['objective']['waiting']} against {expected}); please report it"
        )
    return plan
