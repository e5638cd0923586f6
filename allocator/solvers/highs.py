"""The HiGHS adapter: the PuLP problem handed over in one call, the stages run on HiGHS itself.

PuLP 3.3 hands a problem to HiGHS one column and one row at a time, which
costs more than HiGHS's own solve at national scale. :class:`BulkHiGHS` is
PuLP's HiGHS solver with that one step replaced by a single ``passModel``
call; it reads the PuLP problem itself, so what HiGHS solves is exactly the
PuLP model. :class:`HighsBackend` then runs the stages on that ``Highs``
object, reading every status from HiGHS (PuLP 3.3 reports a run stopped by
its time limit as optimal).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pulp

from allocator.errors import InfeasibleError, SolveError
from allocator.model import LinearProgram
from allocator.solvers.options import Deadline, SolveOptions, resolve_method, time_limit_error
from allocator.solvers.pulp_model import PulpModel
from allocator.solvers.stages import Solution, StageResult
from allocator.solvers.watch import Watcher, current_watcher

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import highspy


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner when its first object is made)."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class BulkHiGHS(pulp.HiGHS):  # type: ignore[misc,valid-type]
    """PuLP's HiGHS solver, handing the problem over in one ``passModel`` call."""

    def __init__(
        self, columns: list[pulp.LpVariable], rows: list[pulp.LpConstraint], **options: Any
    ):
        super().__init__(mip=False, msg=False, **options)
        self.columns = columns
        self.rows = rows

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        with _stdout_silenced():
            super().createAndConfigureSolver(lp)

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        for i, var in enumerate(self.columns):
            var.index = i
        n = len(self.columns)
        row_index: list[int] = []
        col_index: list[int] = []
        values: list[float] = []
        row_lower = np.empty(len(self.rows))
        row_upper = np.empty(len(self.rows))
        for r, constraint in enumerate(self.rows):
            constraint.index = r
            for var, coefficient in constraint.items():
                col_index.append(var.index)
                values.append(coefficient)
            row_index.extend([r] * len(constraint))
            lo, up = constraint.getLb(), constraint.getUb()
            row_lower[r] = -highspy.kHighsInf if lo is None else lo
            row_upper[r] = highspy.kHighsInf if up is None else up
        cost = np.zeros(n)
        for var, coefficient in lp.objective.items():
            cost[var.index] = coefficient
        lower = np.array(
            [-highspy.kHighsInf if v.lowBound is None else v.lowBound for v in self.columns],
            dtype=float,
        )
        upper = np.array(
            [highspy.kHighsInf if v.upBound is None else v.upBound for v in self.columns],
            dtype=float,
        )
        pass_arrays(
            lp.solverModel,
            cost,
            lower,
            upper,
            row_lower,
            row_upper,
            np.asarray(row_index, dtype=np.int64),
            np.asarray(col_index, dtype=np.int64),
            np.asarray(values, dtype=float),
        )


def pass_arrays(
    h: highspy.Highs,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
) -> None:
    """Load an LP given as COO arrays into a Highs object in one call (column-wise)."""
    model = highspy.HighsLp()
    model.num_col_ = len(cost)
    model.num_row_ = len(row_lower)
    model.col_cost_ = cost
    model.col_lower_ = np.where(np.isinf(lower), -highspy.kHighsInf, lower)
    model.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper)
    model.row_lower_ = np.where(np.isinf(row_lower), -highspy.kHighsInf, row_lower)
    model.row_upper_ = np.where(np.isinf(row_upper), highspy.kHighsInf, row_upper)
    order = np.lexsort((rows, cols))
    start = np.zeros(len(cost) + 1, dtype=np.int32)
    np.cumsum(np.bincount(cols, minlength=len(cost)), out=start[1:])
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = start
    model.a_matrix_.index_ = rows[order].astype(np.int32)
    model.a_matrix_.value_ = values[order]
    status = h.passModel(model)
    if status != highspy.HighsStatus.kOk:
        raise SolveError(f"HiGHS refused the model: {status}")


_HIGHS_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnbounded": "unbounded",
    "kUnboundedOrInfeasible": "infeasible or unbounded",
    "kTimeLimit": "time limit",
    "kIterationLimit": "iteration limit",
    "kInterrupt": "interrupted",
}


def _iterations(h: highspy.Highs) -> dict[str, int]:
    info = h.getInfo()
    counts = {
        "ipm": int(info.ipm_iteration_count),
        "crossover": int(info.crossover_iteration_count),
        "simplex": int(info.simplex_iteration_count),
    }
    return {k: v for k, v in counts.items() if v}


def _highs_status(h: highspy.Highs) -> str:
    raw = h.getModelStatus()
    name = getattr(raw, "name", str(raw)).split(".")[-1]
    return _HIGHS_STATUS.get(name, name)


# Above this many columns, a later stage is solved faster by a fresh interior point
# (with presolve and crossover) than by primal simplex from the previous vertex:
# 7.0 s against 18.3 s for stage 2 at 2,000 offices x 24 months (304k columns),
# 0.67 s against 0.58 s at 514 x 12 (40k); see benchmarks/README.md.
LATER_STAGE_IPM_COLUMNS = 100_000


#: Primal simplex from the previous vertex may take this many pivots per row (at least
#: PRIMAL_PIVOTS_MIN) before a later stage is handed to dual simplex instead. Here it
#: takes 0.05-0.09 pivots per row (1,058 at indonesia-2017, 1,767 at 514 x 12), where
#: dual simplex takes 4-10x longer; on NETGEN's min-cost flows (8,192 nodes) primal
#: stalled for 234k pivots (218 s) where dual simplex took 6 s (issue 15).
PRIMAL_PIVOTS_PER_ROW = 2
PRIMAL_PIVOTS_MIN = 10_000


def later_stage_options(method: str, n_cols: int) -> dict[str, Any]:
    """HiGHS options for stages after the first, which start from an optimal vertex."""
    if method in ("hipo", "ipx") and n_cols > LATER_STAGE_IPM_COLUMNS:
        return {"solver": method, "run_crossover": "on"}
    return {"solver": "simplex", "simplex_strategy": 4}  # primal, from the previous vertex


#: How often (seconds) the main thread looks up from a running solve: for Ctrl-C and the deadline.
POLL_SECONDS = 0.1
#: How long a cancelled solve may take to stop before the interruption goes on up anyway.
CANCEL_SECONDS = 5.0


def run_interruptibly(h: highspy.Highs, deadline: Deadline) -> None:
    """Run ``h`` in a thread of its own, so that Ctrl-C and the deadline stop it promptly.

    HiGHS holds the thread it runs in until it is done; run in the main
    thread, Ctrl-C waited for the end of the solve (25 s at 2,000 x 24). Here
    the main thread waits in short steps, and on Ctrl-C (or SIGTERM, which the
    CLI turns into the same) or at the deadline asks HiGHS to stop at its next
    check (a callback of its simplex and interior point), then lets the
    interruption go on up.
    """
    if not h.HandleUserInterrupt:
        h.HandleUserInterrupt = True
    h.startSolve()
    try:
        while True:
            finished, _ = h.wait(POLL_SECONDS)
            if finished:
                return
            if deadline.passed():
                h.cancelSolve()
    except BaseException:
        h.cancelSolve()
        h.wait(CANCEL_SECONDS)
        raise


@contextlib.contextmanager
def _iterations_told(h: highspy.Highs, watcher: Watcher | None) -> Iterator[None]:
    """Tell ``watcher`` each interior-point iteration, from HiGHS's IPM callback."""
    if watcher is None:
        yield
        return

    def told(event: Any) -> None:
        done = int(event.data_out.ipm_iteration_count)  # at the start of each iteration
        if done >= 0:  # -1: the callback came from outside the iterations (crossover)
            watcher.iteration(done + 1)

    h.cbIpmInterrupt += told
    try:
        yield
    finally:
        h.cbIpmInterrupt -= told


class HighsBackend:
    """HiGHS behind the stage loop, on a model loaded either from PuLP or from the arrays."""

    def __init__(self, h: highspy.Highs, lp: LinearProgram, method: str, handover: float) -> None:
        self.h = h
        self.lp = lp
        self.method = method
        self.handover_seconds = handover
        self.primal_guard = False  # a later stage's primal simplex, under its pivot limit
        self.info: dict[str, Any] = {"name": "highs", "version": highs_version(), "method": method}

    @classmethod
    def from_pulp(
        cls,
        lp: LinearProgram,
        model: PulpModel,
        options: SolveOptions,
        deadline: Deadline | None = None,
    ) -> HighsBackend:
        """HiGHS loaded with the PuLP problem ``model`` of ``lp`` (the normal path)."""
        method = resolve_method(options.method)
        extra: dict[str, Any] = {"solver": method}
        if method in ("hipo", "ipx"):
            extra["run_crossover"] = "on"
        if method == "hipo":
            # Normal equations rather than HiPO's own choice: 15-20% faster on every size
            # measured (benchmarks/README.md).
            extra["hipo_system"] = "normaleq"
        solver = BulkHiGHS(
            model.variables, model.constraints, timeLimit=options.time_limit, **extra
        )
        began = time.perf_counter()
        solver.createAndConfigureSolver(model.problem)
        solver.buildSolverModel(model.problem)
        if deadline is not None:
            deadline.check("handing the model to HiGHS")
        return cls(model.problem.solverModel, lp, method, time.perf_counter() - began)

    @classmethod
    def from_arrays(cls, lp: LinearProgram) -> HighsBackend:
        """HiGHS loaded straight from the arrays, dual simplex: for a side problem (stage 0)."""
        with _stdout_silenced():
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("solver", "simplex")
        began = time.perf_counter()
        pass_arrays(
            h,
            lp.stages[0].objective,
            lp.col_lower,
            lp.col_upper,
            lp.row_lower,
            lp.row_upper,
            lp.row_of_entries(),
            lp.indices.astype(np.int64),
            lp.data,
        )
        return cls(h, lp, "simplex", time.perf_counter() - began)

    def set_objective(self, objective: np.ndarray, *, first: bool) -> None:
        """Minimise ``objective``; after the first stage, with the later stages' options."""
        n = self.lp.n_cols
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), objective)
        self.primal_guard = False
        if not first:
            options = later_stage_options(self.method, n)
            for key, value in options.items():
                self.h.setOptionValue(key, value)
            if options.get("simplex_strategy") == 4:
                pivots = max(PRIMAL_PIVOTS_MIN, PRIMAL_PIVOTS_PER_ROW * self.lp.n_rows)
                self.h.setOptionValue("simplex_iteration_limit", pivots)
                self.primal_guard = True

    def run(self, label: str, deadline: Deadline) -> StageResult:
        """Run HiGHS with the time left; SolveError unless HiGHS says optimal (InfeasibleError)."""
        remaining = deadline.remaining()
        if remaining is not None:
            if remaining <= 0:
                raise time_limit_error(deadline.limit, label)
            self.h.setOptionValue("time_limit", float(remaining))
        began = time.perf_counter()
        with _iterations_told(self.h, current_watcher()):
            run_interruptibly(self.h, deadline)
        status = _highs_status(self.h)
        if status == "iteration limit" and self.primal_guard:
            # Primal simplex stalls from this vertex: dual simplex goes on from its basis.
            self.h.setOptionValue("simplex_iteration_limit", 2**31 - 1)
            self.h.setOptionValue("simplex_strategy", 1)
            self.primal_guard = False
            run_interruptibly(self.h, deadline)
            status = _highs_status(self.h)
        if status == "time limit" or (status != "optimal" and deadline.passed()):
            # Cancelled at the deadline, HiGHS may report kInterrupt, or kNotset in crossover.
            raise time_limit_error(deadline.limit, label)
        if status in ("infeasible", "infeasible or unbounded"):
            raise InfeasibleError(f"HiGHS could not solve {label}: {status}")
        if status != "optimal":
            raise SolveError(f"HiGHS could not solve {label}: {status}")
        objective = self.h.getInfo().objective_function_value
        return StageResult(status, objective, time.perf_counter() - began, _iterations(self.h))

    def solution(self) -> Solution:
        """HiGHS's column and row values and duals."""
        s = self.h.getSolution()
        return Solution(
            np.asarray(s.col_value),
            np.asarray(s.col_dual),
            np.asarray(s.row_value),
            np.asarray(s.row_dual),
        )

    def fix(self, cols: np.ndarray, value: np.ndarray, rows: np.ndarray, bound: np.ndarray) -> None:
        """Fix columns and hold rows, as bounds (a network LP stays one)."""
        if len(cols):
            self.h.changeColsBounds(len(cols), cols.astype(np.int32), value, value)
        if len(rows):
            self.h.changeRowsBounds(len(rows), rows.astype(np.int32), bound, bound)  # type: ignore[attr-defined]  # missing from highspy's stubs


def highs_version() -> str:
    """The version of the HiGHS library in use."""
    with _stdout_silenced():
        h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
