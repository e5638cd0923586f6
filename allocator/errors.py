"""Errors a user can act on, and the exit codes they map to.

Every error the engine raises on purpose is an :class:`AllocatorError`; the CLI
turns it into a message and an exit code without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, located as a spreadsheet shows it.

    ``row`` counts like a spreadsheet: the header is row 1, the first data row
    is row 2. ``row`` and ``column`` are ``None`` when the problem concerns the
    whole file (a missing file, an empty table).
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class AllocatorError(Exception):
    """Base of every error the engine raises deliberately."""

    exit_code = EXIT_FAILURE


class InputError(AllocatorError):
    """The input (files, tables or command line) is wrong; lists every problem found."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("input", None, None, problems)]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class SolveError(AllocatorError):
    """The solver did not deliver an optimal, whole-card plan (time limit, numerical trouble)."""

    exit_code = EXIT_FAILURE


class VerificationError(AllocatorError):
    """A plan does not check out against its instance; ``problems`` say how (sentences)."""

    exit_code = EXIT_FAILURE

    def __init__(self, problems: Iterable[str], message: str = "the plan does not check out"):
        self.problems = list(problems)
        self.message = message
        super().__init__(f"{message}:\n" + "\n".join(f"  {p}" for p in self.problems))


class PlanExistsError(AllocatorError):
    """The target plan folder exists and overwriting was not asked for."""

    exit_code = EXIT_BAD_INPUT
