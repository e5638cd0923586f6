"""The LP as a PuLP problem: one named variable per column, one named constraint per row.

:func:`to_pulp` builds the PuLP problem of a
:class:`~allocator.model.LinearProgram` in bulk from its CSR arrays (never
``lpSum`` in a loop). Variables are named ``FAMILY_COL`` and rows
``FAMILY_ROW`` (``x_12``, ``stock_balance_40``); ``lp.variables`` and
``lp.rows`` map them to keys. This and the solver adapters beside it are the
only code that knows PuLP; a move to PuLP 4 is a change to this package only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from allocator.model import LinearProgram
from allocator.solvers.options import Deadline


@dataclass(frozen=True)
class PulpModel:
    """A PuLP problem with its columns and rows in the LinearProgram's order."""

    problem: pulp.LpProblem
    variables: list[pulp.LpVariable]
    constraints: list[pulp.LpConstraint]

    def set_objective(self, coefficients: np.ndarray) -> None:
        """Make ``coefficients @ x`` the problem's objective (minimised)."""
        self.problem.setObjective(objective(self.variables, coefficients))


def _names(families: dict, key: str, n: int) -> list[str]:
    """``FAMILY_INDEX`` for every column (``key="col"``) or row (``key="row"``), in order."""
    names = [""] * n
    for family, keys in families.items():
        for i in keys[key].tolist():
            names[i] = f"{family}_{i}"
    return names


#: Columns or rows added between two looks at the deadline while the PuLP problem is built.
CHUNK_ROWS = 20_000


def to_pulp(
    lp: LinearProgram, name: str = "allocation", deadline: Deadline | None = None
) -> PulpModel:
    """Build the PuLP problem of ``lp`` with its first stage as the objective.

    Building it is Python work of about 10 microseconds a column; with a
    ``deadline``, a time limit reached meanwhile stops it within a chunk of rows.
    """
    upper = [None if not np.isfinite(u) else float(u) for u in lp.col_upper.tolist()]
    lower = lp.col_lower.tolist()
    problem = pulp.LpProblem(name, pulp.LpMinimize)
    new_variable = problem.add_variable
    names = _names(dict(lp.variables), "col", lp.n_cols)
    variables: list[pulp.LpVariable] = []
    for first in range(0, lp.n_cols, CHUNK_ROWS):
        if deadline is not None:
            deadline.check("building the PuLP model")
        last = min(first + CHUNK_ROWS, lp.n_cols)
        variables += [
            new_variable(n, lowBound=lo, upBound=up)
            for n, lo, up in zip(
                names[first:last], lower[first:last], upper[first:last], strict=True
            )
        ]
    row_names = _names(dict(lp.rows), "row", lp.n_rows)
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
    if deadline is not None:
        deadline.check("building the PuLP model")
    starts = lp.indptr.tolist()
    new_row, new_expression = pulp.LpConstraint, pulp.LpAffineExpression
    constraints: list[pulp.LpConstraint] = []
    add = problem.addConstraint
    for first in range(0, lp.n_rows, CHUNK_ROWS):
        if deadline is not None:
            deadline.check("building the PuLP model")
        last = min(first + CHUNK_ROWS, lp.n_rows)
        chunk = [
            new_row(new_expression(terms[a:b]), sense, row_name, value)
            for a, b, sense, row_name, value in zip(
                starts[first:last],
                starts[first + 1 : last + 1],
                senses[first:last],
                row_names[first:last],
                rhs[first:last],
                strict=True,
            )
        ]
        for constraint in chunk:
            add(constraint)
        constraints += chunk
    model = PulpModel(problem, variables, constraints)
    if lp.stages:
        model.set_objective(lp.stages[0].objective)
    return model


def objective(
    variables: list[pulp.LpVariable], coefficients: np.ndarray
) -> pulp.LpAffineExpression:
    """``coefficients @ variables`` as a PuLP expression (non-zero terms only)."""
    nz = np.flatnonzero(coefficients)
    return pulp.LpAffineExpression(
        zip([variables[i] for i in nz.tolist()], coefficients[nz].tolist(), strict=True)
    )
