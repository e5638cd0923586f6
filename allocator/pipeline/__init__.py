"""THE SOLVE: instance -> LP -> stages -> whole cards -> :class:`~allocator.plan.Plan`.

:func:`solve` is ``allocator.solve``; :func:`solve_model` solves an LP built
with options of its own (a re-plan's) and assembles its plan.
"""

from allocator.pipeline.run import Progress as Progress
from allocator.pipeline.run import options_from as options_from
from allocator.pipeline.run import solve as solve
from allocator.pipeline.run import solve_model as solve_model

__all__ = ["Progress", "options_from", "solve", "solve_model"]
