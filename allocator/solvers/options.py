"""How to solve: :class:`SolveOptions` (solver, method, time limit), and the one :class:`Deadline`.

Every entry point (``allocator.solve``, ``replan``, ``run_batch``, the CLI)
takes one frozen :class:`SolveOptions` instead of the same keywords spelled
out again; it is checked when made, so a bad option fails before any work.
"""

from __future__ import annotations

import importlib.util
import math
import time
from dataclasses import dataclass, replace

from allocator.errors import SolveError

# "auto": the min-cost-flow path wherever the LP is a network and its costs scale to
# int64 exactly, HiGHS otherwise (see allocator.solvers.run.choose_path).
SOLVERS = ("auto", "network", "highs", "cbc")
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


@dataclass(frozen=True)
class SolveOptions:
    """How every LP of a run is solved.

    Parameters
    ----------
    solver
        ``"auto"`` (default: the min-cost-flow path, LEMON, wherever the LP
        is a network and its costs scale to whole numbers exactly; HiGHS
        otherwise), ``"network"`` (the same, asked for by name), ``"highs"``
        or ``"cbc"``.
    method
        HiGHS's method for stage 1 (also where ``auto`` falls back to
        HiGHS): ``"auto"`` (HiPO where highspy-extras is installed, else
        IPX), ``"hipo"``, ``"ipx"`` or ``"simplex"``.
        Interior points end with crossover, so all give a vertex.
    time_limit
        Seconds for the whole run (every stage, every auxiliary solve);
        reaching it raises :class:`SolveError` and no plan is returned.

    Raises
    ------
    SolveError
        An unknown solver or method, HiPO without highspy-extras, or a
        negative time limit.
    """

    solver: str = "auto"
    method: str = DEFAULT_METHOD
    time_limit: float | None = None

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise SolveError(f"unknown solver '{self.solver}'; choose one of {', '.join(SOLVERS)}")
        if self.time_limit is not None and not (self.time_limit >= 0):
            raise SolveError("the time limit must be zero or more seconds")
        if self.solver != "cbc":
            resolve_method(self.method)

    def with_time_limit(self, seconds: float | None) -> SolveOptions:
        """The same options with another time limit."""
        return replace(self, time_limit=seconds)


class Deadline:
    """The moment a run's time limit ends (none when the limit is ``None``)."""

    def __init__(self, seconds: float | None) -> None:
        self.limit = seconds
        self.end = None if seconds is None else time.perf_counter() + seconds

    def passed(self) -> bool:
        """Whether the time limit is over."""
        return self.end is not None and time.perf_counter() >= self.end

    def check(self, step: str) -> None:
        """Raise the time-limit error if the limit is over, naming the step just done."""
        if self.passed():
            raise time_limit_error(self.limit, step)

    def remaining(self) -> float | None:
        """Seconds left (0 once passed), or ``None`` without a limit."""
        return None if self.end is None else max(self.end - time.perf_counter(), 0.0)


def time_limit_error(limit: float | None, stage: str) -> SolveError:
    """The error of a run stopped by its time limit during ``stage``."""
    shown = "0" if limit is None or math.isnan(limit) else f"{limit:g}"
    return SolveError(
        f"the time limit of {shown} s was reached during {stage}, before an optimal plan "
        "was found; no plan was written. Raise --time-limit or solve a smaller instance."
    )
