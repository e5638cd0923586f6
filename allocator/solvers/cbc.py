"""The CBC adapter (CBC ships with PuLP 3.3): the fallback solver, through the PuLP problem.

Each stage is a fresh CBC run on the PuLP problem, with the objective, the
bounds and the senses the stage loop has set. PuLP 3.3 deprecates its bundled
CBC in favour of PuLP 4's; pinned to <4, we keep the bundled one, which needs
no separate install.
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np
import pulp

from allocator.errors import InfeasibleError, SolveError
from allocator.model import LinearProgram
from allocator.solvers.options import Deadline, time_limit_error
from allocator.solvers.pulp_model import PulpModel
from allocator.solvers.stages import Solution, StageResult


def cbc_version() -> str:
    """What the plan's summary calls this solver's version."""
    return "PuLP " + pulp.__version__


class CbcBackend:
    """CBC behind the stage loop."""

    def __init__(self, lp: LinearProgram, model: PulpModel) -> None:
        self.lp = lp
        self.model = model
        self.handover_seconds = 0.0
        self.info: dict[str, Any] = {"name": "cbc", "version": cbc_version()}

    def set_objective(self, objective: np.ndarray, *, first: bool) -> None:
        """Minimise ``objective`` in the next run."""
        self.model.set_objective(objective)

    def run(self, label: str, deadline: Deadline) -> StageResult:
        """Run CBC with the time left; SolveError on a time limit or anything but an optimum."""
        remaining = deadline.remaining()
        if remaining is not None and remaining <= 0:
            raise time_limit_error(deadline.limit, label)
        began = time.perf_counter()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
            code = self.model.problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=remaining))
        status = pulp.LpStatus[code].lower()
        seconds = time.perf_counter() - began
        if remaining is not None and seconds >= remaining and status != "optimal":
            raise time_limit_error(deadline.limit, label)
        if status == "infeasible":
            raise InfeasibleError(f"CBC could not solve {label}: {status}")
        if status != "optimal":
            raise SolveError(f"CBC could not solve {label}: {status}")
        return StageResult(status, float(pulp.value(self.model.problem.objective) or 0.0), seconds)

    def solution(self) -> Solution:
        """Values and duals as PuLP read them back from CBC."""
        variables, constraints = self.model.variables, self.model.constraints
        values = np.array([v.varValue or 0.0 for v in variables])
        rows = self.lp.row_of_entries()
        activity = np.zeros(self.lp.n_rows)
        np.add.at(activity, rows, self.lp.data * values[self.lp.indices])
        return Solution(
            values,
            np.array([v.dj or 0.0 for v in variables]),
            activity,
            np.array([c.pi or 0.0 for c in constraints]),
        )

    def fix(self, cols: np.ndarray, value: np.ndarray, rows: np.ndarray, bound: np.ndarray) -> None:
        """Fix columns by their bounds; hold rows as equalities.

        A PuLP row has one side, its right-hand side, so that is the active one.
        """
        for i, v in zip(cols.tolist(), value.tolist(), strict=True):
            self.model.variables[i].lowBound = v
            self.model.variables[i].upBound = v
        for r in rows.tolist():
            self.model.constraints[r].sense = pulp.LpConstraintEQ
