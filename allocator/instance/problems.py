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
    ) -> None:
        """One problem per row where ``mask`` holds; ``message`` per row or for all."""
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        if isinstance(message, str):
            texts = np.full(len(np.asarray(mask)), message, dtype=object)
        else:
            texts = message.to_numpy(dtype=object)
        for i in hits:
            self.add(file, int(rows[i]), column, str(texts[i]))

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
