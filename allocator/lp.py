"""The one module that talks to PuLP (and, under it, to HiGHS and CBC).

:func:`to_pulp` turns a :class:`~allocator.model.LinearProgram` into a PuLP
problem, one named constraint per row, built in bulk from the CSR arrays
(never ``lpSum`` in a loop). :func:`solve_lexicographic` then solves it in
two stages, as ``model.md`` asks:

1. minimise waiting ``W``;
2. minimise cost on stage 1's optimal face: every column whose reduced cost is
   non-zero is fixed at its bound, and every inequality row whose dual is
   non-zero is held as an equality. Only bounds change, so stage 2 is still a
   network LP and its optimal vertex is whole cards.

PuLP 3.3 hands a problem to HiGHS one column and one row at a time, which
costs more than HiGHS's own solve at national scale. :class:`BulkHiGHS` is
PuLP's HiGHS solver with that one step replaced by a single ``passModel``
call; it reads the PuLP problem itself, so what HiGHS solves is exactly the
PuLP model. A move to PuLP 4 is a change to this module only.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from allocator.errors import SolveError
from allocator.model import LinearProgram

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import highspy

SOLVERS = ("highs", "cbc")
# HiGHS methods for stage 1. Interior points end with crossover, so every method
# returns a vertex. "auto" is HiPO (HiGHS's newer interior point, from the
# highspy-extras package) where it is installed, else IPX; measured in
# benchmarks/README.md. HiGHS silently runs simplex when asked for HiPO without
# highspy-extras, so availability is checked here, not assumed.
METHODS = ("auto", "hipo", "ipx", "simplex")
DEFAULT_METHOD = "auto"


def hipo_available() -> bool:
    """Whether HiGHS's HiPO interior point can run (the highspy-extras package is installed)."""
    return importlib.util.find_spec("highspy_extras") is not None


def resolve_method(method: str) -> str:
    """The HiGHS method a stage-1 request stands for; SolveError if unknown or unavailable."""
    if method not in METHODS:
        raise SolveError(f"unknown HiGHS method '{method}'; choose one of {', '.join(METHODS)}")
    if method == "auto":
        return "hipo" if hipo_available() else "ipx"
    if method == "hipo" and not hipo_available():
        raise SolveError(
            "the HiPO method needs the highspy-extras package: pip install highspy-extras "
            "(matching your highspy version), or use --method ipx"
        )
    return method


@dataclass
class PulpModel:
    """A PuLP problem with its columns and rows in the LinearProgram's order."""

    problem: pulp.LpProblem
    variables: list[pulp.LpVariable]
    constraints: list[pulp.LpConstraint]


def _column_names(lp: LinearProgram) -> list[str]:
    """``FAMILY_COL`` for every column, in column order."""
    names = [""] * lp.n_cols
    for family, keys in lp.variables.items():
        for c in keys["col"].tolist():
            names[c] = f"{family}_{c}"
    return names


def to_pulp(lp: LinearProgram, name: str = "allocation") -> PulpModel:
    """Build the PuLP problem of ``lp`` with waiting as its objective.

    Variables are named ``FAMILY_COL`` and rows ``FAMILY_ROW`` (``x_12``,
    ``stock_balance_40``); ``lp.variables`` and ``lp.rows`` map them to keys.
    """
    upper = [None if not np.isfinite(u) else float(u) for u in lp.col_upper.tolist()]
    lower = lp.col_lower.tolist()
    problem = pulp.LpProblem(name, pulp.LpMinimize)
    new_variable = problem.add_variable
    variables = [
        new_variable(n, lowBound=lo, upBound=up)
        for n, lo, up in zip(_column_names(lp), lower, upper, strict=True)
    ]
    row_names = [""] * lp.n_rows
    for family, keys in lp.rows.items():
        for r in keys["row"].tolist():
            row_names[r] = f"{family}_{r}"
    # Senses and right-hand sides in bulk; then one (variable, coefficient) list
    # sliced per row, so the loop does nothing but make PuLP objects.
    equal = lp.row_lower == lp.row_upper
    below = ~equal & np.isneginf(lp.row_lower)
    senses = np.where(
        equal, pulp.LpConstraintEQ, np.where(below, pulp.LpConstraintLE, pulp.LpConstraintGE)
    ).tolist()
    rhs = np.where(below, lp.row_upper, lp.row_lower).tolist()
    terms = list(
        zip(map(variables.__getitem__, lp.indices.tolist()), lp.data.tolist(), strict=True)
    )
    starts = lp.indptr.tolist()
    new_row, new_expression = pulp.LpConstraint, pulp.LpAffineExpression
    constraints = [
        new_row(new_expression(terms[a:b]), sense, row_name, value)
        for a, b, sense, row_name, value in zip(
            starts[:-1], starts[1:], senses, row_names, rhs, strict=True
        )
    ]
    add = problem.addConstraint
    for constraint in constraints:
        add(constraint)
    problem.setObjective(_objective(variables, lp.c_wait))
    return PulpModel(problem, variables, constraints)


def _objective(
    variables: list[pulp.LpVariable], coefficients: np.ndarray
) -> pulp.LpAffineExpression:
    nz = np.flatnonzero(coefficients)
    return pulp.LpAffineExpression(
        zip([variables[i] for i in nz.tolist()], coefficients[nz].tolist(), strict=True)
    )


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


@dataclass
class StageResult:
    """What one solver run reported."""

    status: str
    objective: float
    seconds: float
    iterations: dict[str, int] = field(default_factory=dict)


@dataclass
class LexResult:
    """The outcome of the two-stage solve: column values and per-stage facts."""

    values: np.ndarray
    waiting: float
    cost: float
    stages: list[StageResult]
    solver: dict[str, Any] = field(default_factory=dict)
    handover_seconds: float = 0.0


def _remaining(deadline: float | None) -> float | None:
    if deadline is None:
        return None
    return max(deadline - time.perf_counter(), 0.0)


def _time_limit_error(time_limit: float | None, stage: str) -> SolveError:
    return SolveError(
        f"the solver stopped at the time limit of {time_limit:g} s during {stage} "
        "before it found an optimal plan; no plan was written. "
        "Raise --time-limit or solve a smaller instance."
    )


_HIGHS_STATUS = {
    "kOptimal": "optimal",
    "kInfeasible": "infeasible",
    "kUnbounded": "unbounded",
    "kUnboundedOrInfeasible": "infeasible or unbounded",
    "kTimeLimit": "time limit",
    "kIterationLimit": "iteration limit",
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


def _face(
    values: np.ndarray, lower: np.ndarray, upper: np.ndarray, reduced: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices to fix and their new (lower, upper): entries with a non-zero dual, at their bound."""
    fix = np.flatnonzero(np.abs(reduced) > tol)
    at_upper = np.abs(values[fix] - upper[fix]) < np.abs(values[fix] - lower[fix])
    bound = np.where(at_upper, upper[fix], lower[fix])
    return fix, bound, bound


def stages_of(lp: LinearProgram) -> list[tuple[str, np.ndarray]]:
    """The lexicographic objectives of ``lp``, most important first.

    Waiting, then cost; a re-plan adds a third, the cards changed against the
    old plan (``lp.c_change``), so that among equally good plans the one
    closest to what was promised is chosen.
    """
    out = [("waiting", lp.c_wait), ("cost", lp.c_cost)]
    if lp.c_change is not None:
        out.append(("change", lp.c_change))
    return out


def _tolerance(objective: np.ndarray) -> float:
    """How far from zero a dual must be to count as non-zero, for this objective's scale."""
    return 1e-7 * max(1.0, float(np.abs(objective).max(initial=0.0)))


def solve_highs(
    lp: LinearProgram,
    model: PulpModel,
    *,
    time_limit: float | None = None,
    method: str = DEFAULT_METHOD,
) -> LexResult:
    """Solve ``model`` lexicographically with HiGHS: each stage on the previous one's optimal face.

    Stage 1 uses ``method``; each later stage starts primal simplex from the
    previous stage's optimal vertex, which is feasible for it, or, on large LPs,
    runs the interior point again (:func:`later_stage_options`).
    """
    method = resolve_method(method)
    if lp.n_cols == 0:
        return _nothing_to_decide(lp, "highs", method)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    options: dict[str, Any] = {"solver": method}
    if method in ("hipo", "ipx"):
        options["run_crossover"] = "on"
    if method == "hipo":
        # Normal equations rather than HiPO's own choice: 15-20% faster on every size
        # measured (benchmarks/README.md).
        options["hipo_system"] = "normaleq"
    solver = BulkHiGHS(model.variables, model.constraints, timeLimit=time_limit, **options)
    problem = model.problem
    began = time.perf_counter()
    solver.createAndConfigureSolver(problem)
    solver.buildSolverModel(problem)
    handover = time.perf_counter() - began
    h: highspy.Highs = problem.solverModel

    col_lower, col_upper = lp.col_lower.copy(), lp.col_upper.copy()
    row_lower, row_upper = lp.row_lower.copy(), lp.row_upper.copy()
    results: list[StageResult] = []
    values = np.zeros(lp.n_cols)
    waiting = lp.wait_constant
    for number, (name, objective) in enumerate(stages_of(lp), start=1):
        label = f"stage {number} ({name})"
        if number > 1:
            previous = stages_of(lp)[number - 2][1]
            _restrict_to_face(h, previous, col_lower, col_upper, row_lower, row_upper)
            h.changeColsCost(lp.n_cols, np.arange(lp.n_cols, dtype=np.int32), objective)
            for key, value in later_stage_options(method, lp.n_cols).items():
                h.setOptionValue(key, value)
        if time_limit is not None:
            h.setOptionValue("time_limit", float(_remaining(deadline) or 0.0))
        began = time.perf_counter()
        h.run()
        status = _highs_status(h)
        constant = lp.wait_constant if number == 1 else 0.0
        results.append(
            StageResult(
                status,
                h.getInfo().objective_function_value + constant,
                time.perf_counter() - began,
                _iterations(h),
            )
        )
        if status == "time limit":
            raise _time_limit_error(time_limit, label)
        if status != "optimal":
            raise SolveError(f"HiGHS could not solve {label}: {status}")
        values = np.asarray(h.getSolution().col_value)
        if number == 1:
            waiting = float(lp.c_wait @ values) + lp.wait_constant
    return LexResult(
        values=values,
        waiting=waiting,
        cost=float(lp.c_cost @ values),
        stages=results,
        solver={"name": "highs", "version": highs_version(), "method": method},
        handover_seconds=handover,
    )


# Above this many columns, a later stage is solved faster by a fresh interior point
# (with presolve and crossover) than by primal simplex from the previous vertex:
# 7.0 s against 18.3 s for stage 2 at 2,000 offices x 24 months (304k columns),
# 0.67 s against 0.58 s at 514 x 12 (40k); see benchmarks/README.md.
LATER_STAGE_IPM_COLUMNS = 100_000


def later_stage_options(method: str, n_cols: int) -> dict[str, Any]:
    """HiGHS options for stages after the first, which start from an optimal vertex."""
    if method in ("hipo", "ipx") and n_cols > LATER_STAGE_IPM_COLUMNS:
        return {"solver": method, "run_crossover": "on"}
    return {"solver": "simplex", "simplex_strategy": 4}  # primal, from the previous vertex


def _restrict_to_face(
    h: highspy.Highs,
    objective: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
) -> None:
    """Restrict ``h`` to the optimal face of the stage just solved (complementary slackness).

    Every column with a non-zero reduced cost is fixed at the bound it sits on
    and every inequality row with a non-zero dual becomes an equality at its
    active side. Only bounds change, so a network LP stays a network LP. The
    bound arrays are updated in place.
    """
    solution = h.getSolution()
    tol = _tolerance(objective)
    fix, lo, up = _face(
        np.asarray(solution.col_value), col_lower, col_upper, np.asarray(solution.col_dual), tol
    )
    if len(fix):
        h.changeColsBounds(len(fix), fix.astype(np.int32), lo, up)
        col_lower[fix], col_upper[fix] = lo, up
    inequality = np.flatnonzero(row_lower != row_upper)
    active, rlo, rup = _face(
        np.asarray(solution.row_value)[inequality],
        row_lower[inequality],
        row_upper[inequality],
        np.asarray(solution.row_dual)[inequality],
        tol,
    )
    if len(active):
        rows = inequality[active]
        h.changeRowsBounds(len(rows), rows.astype(np.int32), rlo, rup)  # type: ignore[attr-defined]  # missing from highspy's stubs
        row_lower[rows], row_upper[rows] = rlo, rup


def _nothing_to_decide(lp: LinearProgram, name: str, method: str | None) -> LexResult:
    """The result for an LP without columns (no card can move): nothing to solve."""
    stages = [
        StageResult("optimal", lp.wait_constant if number == 0 else 0.0, 0.0)
        for number in range(len(stages_of(lp)))
    ]
    info: dict[str, Any] = {
        "name": name,
        "version": highs_version() if name == "highs" else "PuLP " + pulp.__version__,
    }
    if method:
        info["method"] = method
    return LexResult(np.zeros(0), lp.wait_constant, 0.0, stages, info)


def highs_version() -> str:
    """The version of the HiGHS library in use."""
    with _stdout_silenced():
        h = highspy.Highs()
    return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def solve_cbc(lp: LinearProgram, model: PulpModel, *, time_limit: float | None = None) -> LexResult:
    """Solve ``model`` lexicographically with CBC (shipped with PuLP): the fallback."""
    if lp.n_cols == 0:
        return _nothing_to_decide(lp, "cbc", None)
    problem = model.problem
    deadline = None if time_limit is None else time.perf_counter() + time_limit

    def run(stage: str) -> StageResult:
        remaining = _remaining(deadline)
        if remaining is not None and remaining <= 0:
            raise _time_limit_error(time_limit, stage)
        began = time.perf_counter()
        with warnings.catch_warnings():
            # PuLP 3.3 deprecates its bundled CBC in favour of PuLP 4's; pinned to <4, we
            # keep the bundled one, which needs no separate install.
            warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
            cbc = pulp.PULP_CBC_CMD(msg=False, timeLimit=remaining)
            code = problem.solve(cbc)
        status = pulp.LpStatus[code].lower()
        seconds = time.perf_counter() - began
        if remaining is not None and seconds >= remaining and status != "optimal":
            raise _time_limit_error(time_limit, stage)
        if status != "optimal":
            raise SolveError(f"CBC could not solve {stage}: {status}")
        return StageResult(status, float(pulp.value(problem.objective) or 0.0), seconds)

    # PuLP 3.3 writes an MPS file CBC rejects when a stage's objective is empty after
    # another stage was solved (its dummy column stays behind), so an empty stage is
    # not sent to CBC: with nothing to minimise, the whole current face is optimal.
    results: list[StageResult] = []
    values: np.ndarray | None = None
    waiting = lp.wait_constant
    solved_any = False
    for number, (name, objective) in enumerate(stages_of(lp), start=1):
        last = number == len(stages_of(lp))
        if not np.any(objective) and (solved_any or not last):
            results.append(StageResult("optimal", lp.wait_constant if number == 1 else 0.0, 0.0))
            continue
        problem.setObjective(_objective(model.variables, objective))
        result = run(f"stage {number} ({name})")
        solved_any = True
        if number == 1:
            result.objective += lp.wait_constant
        results.append(result)
        values = np.array([v.varValue or 0.0 for v in model.variables])
        if number == 1:
            waiting = float(lp.c_wait @ values) + lp.wait_constant
        if not last:
            reduced = np.array([v.dj or 0.0 for v in model.variables])
            tol = _tolerance(objective)
            lower = np.array([v.lowBound for v in model.variables], dtype=float)
            upper = np.array(
                [np.inf if v.upBound is None else v.upBound for v in model.variables], dtype=float
            )
            fix, bound, _ = _face(values, lower, upper, reduced, tol)
            for i, b in zip(fix.tolist(), bound.tolist(), strict=True):
                model.variables[i].lowBound = b
                model.variables[i].upBound = b
            for constraint in model.constraints:
                if constraint.sense != pulp.LpConstraintEQ and abs(constraint.pi or 0.0) > tol:
                    constraint.sense = pulp.LpConstraintEQ
    assert values is not None  # the last stage always runs when nothing ran before it
    return LexResult(
        values=values,
        waiting=waiting,
        cost=float(lp.c_cost @ values),
        stages=results,
        solver={"name": "cbc", "version": "PuLP " + pulp.__version__},
    )


def solve_once(
    lp: LinearProgram,
    objective: np.ndarray,
    *,
    solver: str = "highs",
    time_limit: float | None = None,
    stage: str = "stage 0",
) -> tuple[StageResult, np.ndarray]:
    """Minimise ``objective`` over ``lp``'s constraints in one solve (no lexicographic stages).

    For a side problem such as the equity option's stage 0 (maximise the
    smallest fill rate), whose optimum need not be whole cards. HiGHS runs
    dual simplex on the arrays directly; CBC goes through the PuLP model.
    """
    began = time.perf_counter()
    if solver == "highs":
        with _stdout_silenced():
            h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("solver", "simplex")
        if time_limit is not None:
            h.setOptionValue("time_limit", float(time_limit))
        rows = np.repeat(np.arange(lp.n_rows, dtype=np.int64), np.diff(lp.indptr))
        pass_arrays(
            h,
            objective,
            lp.col_lower,
            lp.col_upper,
            lp.row_lower,
            lp.row_upper,
            rows,
            lp.indices.astype(np.int64),
            lp.data,
        )
        h.run()
        status = _highs_status(h)
        values = np.asarray(h.getSolution().col_value)
        iterations = _iterations(h)
    else:
        model = to_pulp(lp, name="equity")
        model.problem.setObjective(_objective(model.variables, objective))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
            code = model.problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
        status = pulp.LpStatus[code].lower()
        values = np.array([v.varValue or 0.0 for v in model.variables])
        iterations = {}
    seconds = time.perf_counter() - began
    if status == "time limit" or (
        time_limit is not None and seconds >= time_limit and status != "optimal"
    ):
        raise _time_limit_error(time_limit, stage)
    if status != "optimal":
        raise SolveError(f"{solver.upper()} could not solve {stage}: {status}")
    return StageResult(status, float(objective @ values), seconds, iterations), values
