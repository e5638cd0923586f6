"""The LP as arrays: :class:`LinearProgram`, its ordered :class:`Stage` list, :class:`Builder`.

A :class:`LinearProgram` is what :func:`~allocator.model.build_model` returns
and what the solvers read: columns with bounds, rows in CSR form with bounds,
the objectives of its lexicographic stages in order, and key tables that say
which (link, month), (node, month) or (node, group, month) each column and
row stands for. It knows nothing of PuLP or a solver.

A :class:`Builder` accumulates columns, rows and coefficients family by
family and assembles the CSR matrix once, at the end (one sparse assembly
path for every family, the re-plan and equity ones included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

INF = np.inf


@dataclass(frozen=True, eq=False)
class Stage:
    """One lexicographic objective: minimise ``objective @ x + constant``.

    ``name`` is what the summary calls it (``waiting``, ``cost``, ``change``,
    ``equity``); ``constant`` is a part of the objective no column can change
    (the waiting of demand that no card can reach).
    """

    name: str
    objective: np.ndarray
    constant: float = 0.0

    def value(self, x: np.ndarray) -> float:
        """The stage's objective at column values ``x``."""
        return float(self.objective @ x) + self.constant


@dataclass(frozen=True, eq=False)
class LinearProgram:
    """The LP of ``models/README.md`` as arrays, with the keys of every column and row.

    ``variables[f]`` is a table of the keys of family ``f`` with a ``col``
    column (x: link, t; I: node, t; s and B: node, group, t, where a group is
    the categories of one weight, see :func:`~allocator.model.weight_groups`).
    ``rows[f]`` likewise with a ``row`` column. Months ``t`` are 1..P.
    ``bounds[f]`` lists the columns whose upper bound comes from bound family
    ``f``. The matrix is CSR (``indptr``, ``indices``, ``data``); row ``i``
    reads ``row_lower[i] <= A[i] @ x <= row_upper[i]``. ``stages`` are
    minimised in order, each over the optimal face of the ones before;
    ``report_cost`` is the cost a plan reports (without a re-plan's stability
    penalty, which only steers stage 2). ``months`` (``YYYY-MM``, month 1
    first) and ``names`` (node id to name) label the keys in messages, such as
    the cards an infeasible LP has nowhere to put; empty, months are numbers.
    """

    periods: int
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    variables: Mapping[str, pd.DataFrame]
    rows: Mapping[str, pd.DataFrame]
    stages: tuple[Stage, ...]
    report_cost: np.ndarray
    bounds: Mapping[str, np.ndarray] = field(default_factory=dict)
    months: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)

    def month(self, t: int) -> str:
        """Month ``t`` (1..P) as ``YYYY-MM``, or ``month t`` when the LP has no labels."""
        return self.months[t - 1] if 0 < t <= len(self.months) else f"month {t}"

    @property
    def n_cols(self) -> int:
        """Number of columns (variables)."""
        return len(self.col_lower)

    @property
    def n_rows(self) -> int:
        """Number of rows (constraints)."""
        return len(self.row_lower)

    @property
    def n_nonzeros(self) -> int:
        """Number of matrix coefficients."""
        return len(self.data)

    def stage(self, name: str) -> Stage:
        """The stage called ``name``; KeyError if the LP has none."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"the LP has no stage '{name}'")

    def row_of_entries(self) -> np.ndarray:
        """The row of each matrix coefficient (the COO row array of the CSR matrix)."""
        return np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.indptr))

    def residuals(self, values: np.ndarray) -> np.ndarray:
        """How far each row is outside its bounds at ``values`` (0 where satisfied)."""
        products = self.data * values[self.indices]
        activity = np.zeros(self.n_rows)
        np.add.at(activity, self.row_of_entries(), products)
        return np.maximum(self.row_lower - activity, 0) + np.maximum(activity - self.row_upper, 0)


class Builder:
    """Accumulates columns, rows and coefficients family by family; assembles them once.

    Columns come in chunks (one per ``columns`` call). Each chunk has bounds
    and a coefficient per objective it was given (``waiting=``, ``cost=``,
    ...); an objective a chunk was not given is 0 on its columns.
    """

    def __init__(self) -> None:
        self._chunks: list[dict[str, np.ndarray]] = []
        self._starts = [0]
        self._objectives: list[str] = []
        self.n_cols = 0
        self._entry_rows: list[np.ndarray] = []
        self._entry_cols: list[np.ndarray] = []
        self._entry_vals: list[np.ndarray] = []
        self._row_lower: list[np.ndarray] = []
        self._row_upper: list[np.ndarray] = []
        self.n_rows = 0

    def columns(
        self, n: int, upper: np.ndarray | float = INF, **objectives: np.ndarray | float
    ) -> np.ndarray:
        """Add ``n`` columns with lower bound 0; returns their indices."""
        cols = np.arange(self.n_cols, self.n_cols + n, dtype=np.int64)
        chunk = {"lower": np.zeros(n), "upper": _full(upper, n)}
        for name, value in objectives.items():
            chunk[name] = _full(value, n)
            if name not in self._objectives:
                self._objectives.append(name)
        self._chunks.append(chunk)
        self.n_cols += n
        self._starts.append(self.n_cols)
        return cols

    def _located(self, cols: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """(chunk, positions in ``cols``, offsets inside the chunk) of columns already added."""
        starts = np.asarray(self._starts)
        chunk = np.searchsorted(starts, cols, side="right") - 1
        return [
            (int(c), np.flatnonzero(chunk == c), cols[chunk == c] - starts[c])
            for c in np.unique(chunk)
        ]

    def get(self, what: str, cols: np.ndarray) -> np.ndarray:
        """``lower``, ``upper`` or an objective's coefficients of columns already added."""
        out = np.zeros(len(cols))
        for c, at, local in self._located(cols):
            if what in self._chunks[c]:
                out[at] = self._chunks[c][what][local]
        return out

    def set(self, what: str, cols: np.ndarray, values: np.ndarray | float) -> None:
        """Change ``lower``, ``upper`` or an objective's coefficients of columns already added."""
        values = np.broadcast_to(np.asarray(values, dtype=float), cols.shape)
        if what not in ("lower", "upper") and what not in self._objectives:
            self._objectives.append(what)
        for c, at, local in self._located(cols):
            chunk = self._chunks[c]
            if what not in chunk:
                chunk[what] = np.zeros(len(chunk["lower"]))
            chunk[what][local] = values[at]

    def rows(self, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Add rows ``lower <= A x <= upper``; returns their indices."""
        n = len(lower)
        rows = np.arange(self.n_rows, self.n_rows + n, dtype=np.int64)
        self._row_lower.append(np.asarray(lower, dtype=float))
        self._row_upper.append(np.asarray(upper, dtype=float))
        self.n_rows += n
        return rows

    def entries(self, rows: np.ndarray, cols: np.ndarray, value: float | np.ndarray) -> None:
        """Add matrix coefficients at (``rows``, ``cols``)."""
        self._entry_rows.append(rows)
        self._entry_cols.append(cols)
        self._entry_vals.append(np.broadcast_to(np.asarray(value, dtype=float), rows.shape).copy())

    def column_array(self, what: str) -> np.ndarray:
        """``lower``, ``upper`` or an objective over every column, in column order."""
        parts = [chunk.get(what, np.zeros(len(chunk["lower"]))) for chunk in self._chunks]
        return np.concatenate(parts) if parts else np.zeros(0)

    def program(
        self,
        periods: int,
        variables: Mapping[str, pd.DataFrame],
        rows: Mapping[str, pd.DataFrame],
        bounds: Mapping[str, np.ndarray],
        stages: tuple[Stage, ...],
        report_cost: np.ndarray,
        months: tuple[str, ...] = (),
        names: Mapping[str, str] | None = None,
    ) -> LinearProgram:
        """The :class:`LinearProgram` of everything added, with its CSR matrix (and labels)."""
        entry_rows = _concat(self._entry_rows, np.int64)
        entry_cols = _concat(self._entry_cols, np.int64)
        values = _concat(self._entry_vals, np.float64)
        order = np.lexsort((entry_cols, entry_rows))
        indptr = np.zeros(self.n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(entry_rows, minlength=self.n_rows), out=indptr[1:])
        return LinearProgram(
            periods=periods,
            col_lower=self.column_array("lower"),
            col_upper=self.column_array("upper"),
            row_lower=_concat(self._row_lower, np.float64),
            row_upper=_concat(self._row_upper, np.float64),
            indptr=indptr,
            indices=entry_cols[order],
            data=values[order],
            variables=dict(variables),
            rows=dict(rows),
            stages=stages,
            report_cost=report_cost,
            bounds=dict(bounds),
            months=tuple(months),
            names=dict(names or {}),
        )


def _full(value: np.ndarray | float, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), (n,)).copy()


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
