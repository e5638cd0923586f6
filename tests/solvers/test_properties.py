"""Property tests: on random small instances, every solver path gives the lexicographic optimum.

The optimum is computed a second way, independently of the model code, as one
min-cost flow on the time-expanded graph (``tests/mcf_reference.py``); every
plan must also pass the independent verifier. The paths differ only in the
solver, HiGHS's method for stage 1, and how later stages run (primal simplex
from the previous vertex, or a fresh interior point as large LPs do).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from mcf_reference import lexicographic_optimum
from strategies import instances

import allocator
from allocator.solvers import highs
from allocator.solvers.options import hipo_available

IPM = "hipo" if hipo_available() else "ipx"

#: (solver, stage-1 method, later stages by interior point, examples drawn)
PATHS = [
    pytest.param("highs", "auto", False, 80, id="highs-auto"),
    pytest.param("highs", "ipx", False, 60, id="highs-ipx"),
    pytest.param("highs", "simplex", False, 60, id="highs-simplex"),
    pytest.param("highs", IPM, True, 40, id="highs-later-stages-by-interior-point"),
    pytest.param("cbc", "auto", False, 10, id="cbc"),
]


@pytest.mark.parametrize(("solver", "method", "later_ipm", "examples"), PATHS)
def test_every_solver_path_verifies_and_equals_the_min_cost_flow_optimum(
    solver: str, method: str, later_ipm: bool, examples: int
) -> None:
    options = allocator.SolveOptions(solver=solver, method=method)

    @settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(inst=instances())
    def check(inst: allocator.Instance) -> None:
        with pytest.MonkeyPatch.context() as patch:
            if later_ipm:  # large LPs solve later stages by a fresh interior point: force it
                patch.setattr(highs, "LATER_STAGE_IPM_COLUMNS", 0)
            plan = allocator.solve(inst, options)
        assert allocator.verify(inst, plan) == []
        waiting, cost = lexicographic_optimum(inst)
        assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-9)
        assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-9)

    check()
