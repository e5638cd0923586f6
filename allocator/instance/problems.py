"""Collecting input problems, so that every problem of every table is reported at once.

Checks add to a :class:`Collector` instead of raising; when a step is done,
:meth:`Collector.raise_if_any` raises one :class:`~allocator.errors.InputError`
with every problem, in one order everywhere: by file (the files the caller
names first, in that order, then the others as they were first reported), then
by row, then (where the caller names them) by column, the order of the
checks kept otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem

#: Rows of one kind of problem in one column reported one by one; more become one line.
SEPARATE = 5


def row_ranges(rows: list[int], most: int = 8) -> str:
    """Rows as ranges, ``rows 3-1182`` or ``rows 3, 7-9, 12, ...``; at most ``most`` ranges."""
    spans: list[tuple[int, int]] = []
    for row in sorted(rows):
        if spans and row == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    text = ", ".join(f"{a}-{b}" if b > a else f"{a}" for a, b in spans[:most])
    return "rows " + text + (", ..." if len(spans) > most else "")


class Collector:
    """The problems found so far, each with file, spreadsheet row and column."""

    def __init__(self, files: Sequence[str] = (), columns: Sequence[str] = ()) -> None:
        self.problems: list[Problem] = []
        self.files = list(files)
        self.columns = {name: i for i, name in enumerate(columns)}

    def __len__(self) -> int:
        return len(self.problems)

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        """One problem; ``row`` counts like a spreadsheet (header = 1), ``None`` for a file."""
        self.problems.append(Problem(file, row, column, message))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Problems found elsewhere (another step's :class:`InputError`)."""
        self.problems.extend(problems)

    def cells(
        self,
        file: str,
        rows: np.ndarray,
        column: str,
        mask: pd.Series | np.ndarray,
        message: pd.Series | str,
        kind: pd.Series | np.ndarray | str | None = None,
    ) -> None:
        """One problem per row where ``mask`` holds; ``message`` per row or for all.

        Problems of one ``kind`` (default: the same message) in more than
        :data:`SEPARATE` rows of a column become one problem, at the first row,
        that counts the rest and names their rows: a file written with ``.``
        as the thousands separator gives one line, not one per quantity.
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        n = len(np.asarray(mask))
        texts = (
            np.full(n, message, dtype=object)
            if isinstance(message, str)
            else message.to_numpy(dtype=object)
        )
        if kind is None:
            kinds = texts
        elif isinstance(kind, str):
            kinds = np.full(n, kind, dtype=object)
        else:
            kinds = np.asarray(kind, dtype=object)
        groups: dict[object, list[int]] = {}
        for hit in hits.tolist():
            groups.setdefault(kinds[hit], []).append(hit)
        for members in groups.values():
            if len(members) <= SEPARATE:
                for member in members:
                    self.add(file, int(rows[member]), column, str(texts[member]))
                continue
            first, rest = members[0], [int(rows[i]) for i in members[1:]]
            self.add(
                file,
                int(rows[first]),
                column,
                f"{texts[first]}; the same in {len(rest):,} more rows ({row_ranges(rest)})",
            )

    def ordered(self) -> list[Problem]:
        """The problems without repeats, by file, then row, then column (stable otherwise)."""
        unique = list(dict.fromkeys(self.problems))
        rank = {file: i for i, file in enumerate(self.files)}
        for problem in unique:
            rank.setdefault(problem.file, len(rank))
        return sorted(
            unique,
            key=lambda p: (
                rank[p.file],
                p.row if p.row is not None else 0,
                self.columns.get(p.column or "", -1),
            ),
        )

    def raise_if_any(self) -> None:
        """Raise one :class:`InputError` listing every problem, if there is any."""
        if self.problems:
            raise InputError(self.ordered())
