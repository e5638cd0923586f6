"""Choosing the path of a solve: the min-cost flow, or the PuLP problem with HiGHS or CBC.

The PuLP, HiGHS and CBC adapters are imported when a solve takes them: a
network LP never needs them, and their imports (PuLP's solver registry,
highspy) are a tenth of a second of a plain ``allocator solve``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from allocator.errors import InfeasibleError
from allocator.model import LinearProgram
from allocator.solvers.flow import pylmcf_version
from allocator.solvers.infeasible import diagnose
from allocator.solvers.network_stages import CODE, NetworkPlan, plan_network, solve_network
from allocator.solvers.options import Deadline, SolveOptions, resolve_method
from allocator.solvers.stages import LexResult, StageResult, nothing_to_decide, solve_stages

if TYPE_CHECKING:
    from allocator.solvers.cbc import CbcBackend
    from allocator.solvers.highs import HighsBackend


def highs_version() -> str:
    """The version of HiGHS behind highspy."""
    from allocator.solvers.highs import highs_version as version

    return version()


def _info(options: SolveOptions) -> dict[str, str]:
    if options.solver == "cbc":
        from allocator.solvers.cbc import cbc_version

        return {"name": "cbc", "version": cbc_version()}
    if options.solver in ("auto", "network"):
        return {"name": "network", "version": "pylmcf " + pylmcf_version(), "method": CODE}
    return {"name": "highs", "version": highs_version(), "method": resolve_method(options.method)}


def choose_path(lp: LinearProgram, options: SolveOptions) -> NetworkPlan | str | None:
    """Which path solves ``lp``: a :class:`NetworkPlan` (min-cost flow), or HiGHS/CBC.

    The rule: ``highs`` and ``cbc`` always take their solver (``None``).
    ``auto`` and ``network`` take the min-cost-flow path wherever
    :func:`~allocator.solvers.network_stages.plan_network` accepts the LP (a
    network matrix, every stage's coefficients decimals that scale to int64
    without overflow); otherwise HiGHS, and the returned sentence says why
    (it goes into the summary's solver section).
    """
    if options.solver in ("highs", "cbc"):
        return None
    return plan_network(lp)


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
    lets several solves share one time limit. An LP without a feasible plan
    raises :class:`~allocator.errors.InfeasibleError` naming the cards that
    have nowhere to go, found on the network whichever solver found it
    infeasible (:func:`~allocator.solvers.infeasible.diagnose`).
    """
    if lp.n_cols == 0:
        return nothing_to_decide(lp, _info(options))
    deadline = deadline or Deadline(options.time_limit)
    try:
        return _solve_lexicographic(lp, options, name, deadline)
    except InfeasibleError as error:
        raise diagnose(lp, deadline, error) from None


def _solve_lexicographic(
    lp: LinearProgram, options: SolveOptions, name: str, deadline: Deadline
) -> LexResult:
    """:func:`solve_lexicographic` on the path :func:`choose_path` picks."""
    began = time.perf_counter()
    path = choose_path(lp, options)
    if isinstance(path, NetworkPlan):
        result, duals = solve_network(lp, path, deadline)
        result.build_seconds = time.perf_counter() - began - sum(s.seconds for s in result.stages)
        result.duals = duals
        return result
    from allocator.solvers.cbc import CbcBackend
    from allocator.solvers.highs import HighsBackend
    from allocator.solvers.pulp_model import to_pulp

    model = to_pulp(lp, name=name, deadline=deadline)
    build = time.perf_counter() - began
    deadline.check("building the PuLP model")
    if options.solver == "cbc":
        backend: HighsBackend | CbcBackend = CbcBackend(lp, model)
    else:
        backend = HighsBackend.from_pulp(lp, model, options, deadline)
    result = solve_stages(lp, backend, deadline)
    result.build_seconds = build
    if isinstance(path, str):
        result.solver["network"] = f"not used ({path}); solved by HiGHS"
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
    dual simplex on the arrays directly (also for ``auto`` and ``network``:
    this LP has a side constraint); CBC goes through the PuLP model.
    """
    from allocator.solvers.cbc import CbcBackend
    from allocator.solvers.highs import HighsBackend
    from allocator.solvers.pulp_model import to_pulp

    if options.solver != "cbc":
        backend: HighsBackend | CbcBackend = HighsBackend.from_arrays(lp)
    else:
        backend = CbcBackend(lp, to_pulp(lp, name="once"))
    result = backend.run(stage, deadline or Deadline(options.time_limit))
    values = backend.solution().col_value
    result.objective = lp.stages[0].value(values)
    return result, values
