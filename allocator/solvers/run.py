"""Choosing the adapter for a solve: the PuLP problem, then HiGHS or CBC behind the stage loop."""

from __future__ import annotations

import time

import numpy as np

from allocator.model import LinearProgram
from allocator.solvers.cbc import CbcBackend, cbc_version
from allocator.solvers.highs import HighsBackend, highs_version
from allocator.solvers.options import Deadline, SolveOptions, resolve_method
from allocator.solvers.pulp_model import to_pulp
from allocator.solvers.stages import LexResult, StageResult, nothing_to_decide, solve_stages


def _info(options: SolveOptions) -> dict[str, str]:
    if options.solver == "highs":
        return {
            "name": "highs",
            "version": highs_version(),
            "method": resolve_method(options.method),
        }
    return {"name": "cbc", "version": cbc_version()}


def solve_lexicographic(
    lp: LinearProgram,
    options: SolveOptions,
    *,
    name: str = "allocation",
    deadline: Deadline | None = None,
) -> LexResult:
    """Solve ``lp``'s stages in order through its PuLP problem (``name``), with ``options``.

    With HiGHS, stage 1 uses ``options.method`` and each later stage starts
    primal simplex from the previous stage's optimal vertex, which is feasible
    for it, or, on large LPs, runs the interior point again
    (:func:`~allocator.solvers.highs.later_stage_options`). Raises
    :class:`~allocator.errors.SolveError` at the time limit or when a stage
    has no optimum. ``deadline`` (default: ``options.time_limit`` from now)
    lets several solves share one time limit.
    """
    if lp.n_cols == 0:
        return nothing_to_decide(lp, _info(options))
    deadline = deadline or Deadline(options.time_limit)
    began = time.perf_counter()
    model = to_pulp(lp, name=name, deadline=deadline)
    build = time.perf_counter() - began
    deadline.check("building the PuLP model")
    if options.solver == "highs":
        backend: HighsBackend | CbcBackend = HighsBackend.from_pulp(lp, model, options, deadline)
    else:
        backend = CbcBackend(lp, model)
    result = solve_stages(lp, backend, deadline)
    result.build_seconds = build
    return result


def solve_once(
    lp: LinearProgram,
    options: SolveOptions,
    *,
    stage: str = "stage 0",
    deadline: Deadline | None = None,
) -> tuple[StageResult, np.ndarray]:
    """Minimise ``lp``'s first stage in one solve, without later stages or a vertex guarantee.

    For a side problem such as the equity option's stage 0 (maximise the
    smallest fill rate), whose optimum need not be whole cards. HiGHS runs
    dual simplex on the arrays directly; CBC goes through the PuLP model.
    """
    if options.solver == "highs":
        backend: HighsBackend | CbcBackend = HighsBackend.from_arrays(lp)
    else:
        backend = CbcBackend(lp, to_pulp(lp, name="once"))
    result = backend.run(stage, deadline or Deadline(options.time_limit))
    values = backend.solution().col_value
    result.objective = lp.stages[0].value(values)
    return result, values
