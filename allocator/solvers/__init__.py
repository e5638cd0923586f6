"""THE SOLVERS: the only code that knows PuLP, HiGHS, CBC and LEMON (``pylmcf``).

:func:`solve_lexicographic` solves a :class:`~allocator.model.LinearProgram`'s
stages in order, each on the previous optimal face: as exact min-cost flows
wherever the LP is a network (:mod:`~allocator.solvers.network_stages`, the
default), else through PuLP with one stage loop for every solver
(:mod:`~allocator.solvers.stages`); :func:`solve_once` solves its first stage
alone, for a side problem. Both take one :class:`SolveOptions`.
"""

from allocator.solvers.options import Deadline as Deadline
from allocator.solvers.options import SolveOptions as SolveOptions
from allocator.solvers.run import highs_version as highs_version
from allocator.solvers.run import solve_lexicographic as solve_lexicographic
from allocator.solvers.run import solve_once as solve_once
from allocator.solvers.stages import LexResult as LexResult
from allocator.solvers.stages import StageResult as StageResult

__all__ = [
    "Deadline",
    "LexResult",
    "SolveOptions",
    "StageResult",
    "highs_version",
    "solve_lexicographic",
    "solve_once",
]
