"""The lexicographic solve: one stage loop, one optimal-face restriction, for every solver.

:func:`solve_stages` minimises each of an LP's stages in order (waiting, then
cost, then a re-plan's change), each on the optimal face of the one before:
every column whose reduced cost is non-zero is fixed at the bound it sits on,
and every inequality row whose dual is non-zero is held as an equality at its
active side. Only bounds change, so a network LP stays a network LP and its
optimal vertex is whole cards. The solvers themselves are adapters
(:class:`Backend`: :mod:`~allocator.solvers.highs`, :mod:`~allocator.solvers.cbc`)
that load the LP, set an objective, run, and report values and duals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from allocator.model import LinearProgram
from allocator.solvers.options import Deadline


@dataclass
class StageResult:
    """What one solver run reported."""

    status: str
    objective: float
    seconds: float
    iterations: dict[str, int] = field(default_factory=dict)


@dataclass
class LexResult:
    """The outcome of a lexicographic solve: column values and per-stage facts.

    ``objectives`` holds each stage's objective at the values its own run
    returned (so ``objectives["waiting"]`` is stage 1's optimum, which later
    stages must keep).
    """

    values: np.ndarray
    stages: list[StageResult]
    objectives: dict[str, float]
    solver: dict[str, Any] = field(default_factory=dict)
    handover_seconds: float = 0.0
    build_seconds: float = 0.0  # building the solver's own model (the PuLP problem)
    duals: Any = None  # stage 1's duals where the solve gives them directly (the network path)


@dataclass(frozen=True)
class Solution:
    """Column and row values and duals of a solver's last run."""

    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray


class Backend(Protocol):
    """What the stage loop needs of a solver adapter."""

    info: dict[str, Any]
    handover_seconds: float

    def set_objective(self, objective: np.ndarray, *, first: bool) -> None:
        """Minimise ``objective`` next; ``first`` is False once a stage has been solved."""

    def run(self, label: str, deadline: Deadline) -> StageResult:
        """Solve; SolveError on a time limit or anything but an optimum."""

    def solution(self) -> Solution:
        """Values and duals of the last run."""

    def fix(self, cols: np.ndarray, value: np.ndarray, rows: np.ndarray, bound: np.ndarray) -> None:
        """Fix columns at ``value`` and hold rows as equalities at ``bound``."""


def tolerance(objective: np.ndarray) -> float:
    """How far from zero a dual must be to count as non-zero, for this objective's scale."""
    return 1e-7 * max(1.0, float(np.abs(objective).max(initial=0.0)))


def _at_bound(
    values: np.ndarray, lower: np.ndarray, upper: np.ndarray, duals: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Entries with a non-zero dual, and the bound (lower or upper) each sits on."""
    fix = np.flatnonzero(np.abs(duals) > tol)
    at_upper = np.abs(values[fix] - upper[fix]) < np.abs(values[fix] - lower[fix])
    return fix, np.where(at_upper, upper[fix], lower[fix])


class Face:
    """The bounds of the optimal face so far; starts as the LP's own bounds."""

    def __init__(self, lp: LinearProgram) -> None:
        self.col_lower, self.col_upper = lp.col_lower.copy(), lp.col_upper.copy()
        self.row_lower, self.row_upper = lp.row_lower.copy(), lp.row_upper.copy()

    def restrict(self, backend: Backend, objective: np.ndarray) -> None:
        """Restrict ``backend`` to the optimal face of the stage it just solved."""
        solution = backend.solution()
        tol = tolerance(objective)
        cols, value = _at_bound(
            solution.col_value, self.col_lower, self.col_upper, solution.col_dual, tol
        )
        inequality = np.flatnonzero(self.row_lower != self.row_upper)
        active, bound = _at_bound(
            solution.row_value[inequality],
            self.row_lower[inequality],
            self.row_upper[inequality],
            solution.row_dual[inequality],
            tol,
        )
        rows = inequality[active]
        backend.fix(cols, value, rows, bound)
        self.col_lower[cols] = self.col_upper[cols] = value
        self.row_lower[rows] = self.row_upper[rows] = bound


def solve_stages(lp: LinearProgram, backend: Backend, deadline: Deadline) -> LexResult:
    """Minimise ``lp.stages`` in order with ``backend``, each on the previous optimal face.

    A stage whose objective is all zero is not sent to the solver (the whole
    current face is optimal for it), unless no stage has been solved yet and
    it is the last: some plan must come back.
    """
    face = Face(lp)
    results: list[StageResult] = []
    objectives: dict[str, float] = {}
    values = np.zeros(lp.n_cols)
    solved = False
    for number, stage in enumerate(lp.stages, start=1):
        last = number == len(lp.stages)
        if not np.any(stage.objective) and (solved or not last):
            results.append(StageResult("optimal", stage.constant, 0.0))
            objectives[stage.name] = stage.value(values)
            continue
        backend.set_objective(stage.objective, first=not solved)
        result = backend.run(f"stage {number} ({stage.name})", deadline)
        result.objective += stage.constant
        results.append(result)
        values = backend.solution().col_value
        objectives[stage.name] = stage.value(values)
        solved = True
        if not last:
            face.restrict(backend, stage.objective)
    return LexResult(values, results, objectives, backend.info, backend.handover_seconds)


def nothing_to_decide(lp: LinearProgram, info: dict[str, Any]) -> LexResult:
    """The result for an LP without columns (no card can move): nothing to solve."""
    stages = [StageResult("optimal", stage.constant, 0.0) for stage in lp.stages]
    objectives = {stage.name: stage.constant for stage in lp.stages}
    return LexResult(np.zeros(0), stages, objectives, info)
