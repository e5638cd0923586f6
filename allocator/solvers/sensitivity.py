"""Stage 1's sensitivity: values, duals and ranging of the waiting LP, from one HiGHS basis.

:func:`stage_one_sensitivity` solves the first stage of a
:class:`~allocator.model.LinearProgram` (least waiting) with HiGHS's simplex
to an optimal basis and returns, keyed to the LP's columns and rows, the
values, the duals (HiGHS's sign: the change of the optimum per unit of a
row's bound, and a column's reduced cost) and HiGHS's ranging of the bounds:
how far each active bound may be raised before that basis stops being
optimal. Within that range the optimum moves by exactly the dual per unit.

This is the only code that reads duals from a solver for ``allocator
explain``; the rest of explain reads the :class:`Sensitivity` arrays and
does not know which solver made them. Given the column values of a plan that
is optimal for stage 1 (and, better, duals optimal with them), HiGHS starts
from them: a crossover to a basis at that vertex, then primal simplex, which
only pivots degenerately, and not at all when the duals were given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from allocator.errors import SolveError
from allocator.model import LinearProgram
from allocator.solvers.highs import HighsBackend, highspy
from allocator.solvers.options import Deadline


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Stage 1 at an optimal basis, as arrays over the LP's columns and rows.

    ``waiting`` is stage 1's optimum (with its constant). ``col_dual`` are
    the reduced costs and ``row_dual`` the row duals, both as HiGHS reports
    them for a minimisation: raising a binding upper bound by one changes the
    optimum by the dual (a negative number where the bound holds waiting
    back). ``col_upper_up`` and ``row_upper_up`` are, for every column and
    row whose upper bound is active in the basis, the largest value that
    bound may be raised to with this basis still optimal (``inf``: no
    limit); elsewhere they are the bound itself. ``iterations`` counts
    HiGHS's simplex pivots.
    """

    waiting: float
    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray
    col_upper_up: np.ndarray
    row_upper_up: np.ndarray
    seconds: float
    iterations: int


def stage_one_sensitivity(
    lp: LinearProgram,
    start: np.ndarray | None = None,
    duals: np.ndarray | None = None,
    deadline: Deadline | None = None,
) -> Sensitivity:
    """Solve ``lp``'s first stage with HiGHS to an optimal basis; its duals and ranging.

    ``start``: column values of a plan optimal for that stage, and ``duals``
    (optional) row duals optimal with them: HiGHS's crossover then finds an
    optimal basis at that vertex with no simplex pivot at all; with values
    alone it pivots (primal simplex) from the vertex; with neither it solves
    from nothing. Whatever is given, the basis, duals and ranging returned
    are HiGHS's. Raises :class:`~allocator.errors.SolveError` at the deadline
    or without an optimum.
    """
    began = time.perf_counter()
    deadline = deadline or Deadline(None)
    if lp.n_cols == 0 or lp.n_rows == 0:  # nothing to decide: no duals to read
        none, rows = np.zeros(lp.n_cols), np.zeros(lp.n_rows)
        return Sensitivity(
            waiting=lp.stages[0].value(none),
            col_value=none,
            col_dual=lp.stages[0].objective.astype(float),
            row_value=rows,
            row_dual=rows,
            col_upper_up=lp.col_upper.copy(),
            row_upper_up=lp.row_upper.copy(),
            seconds=time.perf_counter() - began,
            iterations=0,
        )
    backend = HighsBackend.from_arrays(lp)
    h = backend.h
    if start is not None and lp.n_cols:
        values = np.asarray(start, dtype=float)
        activity = np.zeros(lp.n_rows)
        np.add.at(activity, lp.row_of_entries(), lp.data * values[lp.indices])
        given = highspy.HighsSolution()
        given.col_value = values
        given.row_value = activity
        given.value_valid = True
        if duals is not None:
            y = np.asarray(duals, dtype=float)
            reduced = lp.stages[0].objective.astype(float).copy()
            np.add.at(reduced, lp.indices, -lp.data * y[lp.row_of_entries()])
            given.col_dual = reduced
            given.row_dual = y
            given.dual_valid = True
        # HiGHS 1.15's crossover crashes on a model it has never run: run it for no pivots first.
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_iteration_limit", 0)
        h.run()
        h.setOptionValue("simplex_iteration_limit", 2**31 - 1)
        h.crossover(given)  # a basis at the plan's vertex (a warning without duals)
        h.setOptionValue("simplex_strategy", 4)  # primal: the vertex stays feasible
    backend.run("stage 1 (waiting) for its duals", deadline)  # no pivot if already optimal
    solution = backend.solution()
    status, ranging = h.getRanging()
    if status != highspy.HighsStatus.kOk or not ranging.valid:
        raise SolveError(f"HiGHS could not range stage 1's bounds: {status}")
    return Sensitivity(
        waiting=float(h.getInfo().objective_function_value) + lp.stages[0].constant,
        col_value=solution.col_value,
        col_dual=solution.col_dual,
        row_value=solution.row_value,
        row_dual=solution.row_dual,
        col_upper_up=_finite(np.asarray(ranging.col_bound_up.value_, dtype=float)),
        row_upper_up=_finite(np.asarray(ranging.row_bound_up.value_, dtype=float)),
        seconds=time.perf_counter() - began,
        iterations=int(h.getInfo().simplex_iteration_count),
    )


def _finite(values: np.ndarray) -> np.ndarray:
    """HiGHS's infinity (1e30 and above) as ``inf``."""
    return np.where(values >= highspy.kHighsInf, np.inf, values)
