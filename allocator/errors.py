"""Errors a user can act on, and the exit codes they map to.

Every error the engine raises on purpose is an :class:`AllocatorError`; the CLI
turns it into a message and an exit code without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

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


@dataclass(frozen=True)
class Stranded:
    """Cards no plan can place: ``cards`` at ``node`` in ``period``, and what holds them there.

    ``why`` states the node's limits that month (storage, links out, issuing);
    ``note`` where the cards come from, when the caller knows (a re-plan: in
    transit on a link); ``missing`` marks cards that must leave the node (held
    shipments) but cannot be there, instead of cards that cannot leave.
    """

    node: str
    period: str
    cards: int
    why: str
    name: str = ""
    note: str = ""
    missing: bool = False

    def __str__(self) -> str:
        who = self.node if self.name in ("", self.node) else f"{self.node} ({self.name})"
        note = f" ({self.note})" if self.note else ""
        if self.missing:
            head = f"{self.cards:,} cards must leave {who} in {self.period}{note}"
            return f"{head} that it cannot have: {self.why}"
        return f"{self.cards:,} cards at {who} in {self.period}{note} can go nowhere: {self.why}"


#: How many stranded places an infeasibility message names (the most cards first).
STRANDED_SHOWN = 3


class InfeasibleError(SolveError):
    """No plan satisfies the data: ``stranded`` says which cards have nowhere to go, most first.

    Without ``stranded`` (the LP could not be diagnosed) the message is the
    solver's. The data, not the solver, are at fault: exit code 2.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, stranded: Sequence[Stranded] = ()):
        self.stranded = sorted(stranded, key=lambda s: (-s.cards, s.period, s.node, s.missing))
        self.solver_message = message
        super().__init__(_no_plan(self.stranded) if self.stranded else message)

    def noted(self, notes: Mapping[tuple[str, str], str]) -> InfeasibleError:
        """The same error with a note (their origin) per (node, period) in ``notes``."""
        stranded = [
            replace(s, note=notes.get((s.node, s.period), s.note)) if not s.missing else s
            for s in self.stranded
        ]
        return InfeasibleError(self.solver_message, stranded)


def _no_plan(stranded: Sequence[Stranded]) -> str:
    """One line: the stranded places with most cards, and how many more there are."""
    shown = [str(s) for s in stranded[:STRANDED_SHOWN]]
    rest = stranded[STRANDED_SHOWN:]
    if rest:
        places = "place" if len(rest) == 1 else "places"
        shown.append(f"and {len(rest)} more {places} ({sum(s.cards for s in rest):,} cards)")
    if len(stranded) == 1:
        return f"no plan exists: {shown[0]}"
    total = sum(s.cards for s in stranded)
    return f"no plan exists ({total:,} cards in {len(stranded)} places): " + "; ".join(shown)


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
