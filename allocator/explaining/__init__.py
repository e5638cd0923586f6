"""WHY: why offices wait, what one more unit is worth, and where each card came from.

:func:`explain` (``allocator.explain``) returns an :class:`Explanation`: the
tables ``marginal_values``, ``shortfalls`` and ``pegging`` as DataFrames and
their roll-up. It reads stage 1's duals through
:mod:`allocator.solvers.sensitivity` and is otherwise solver-independent.
"""

from allocator.explaining.run import FILES as FILES
from allocator.explaining.run import Explanation as Explanation
from allocator.explaining.run import PlanMismatchError as PlanMismatchError
from allocator.explaining.run import check_plan as check_plan
from allocator.explaining.run import explain as explain

__all__ = ["FILES", "Explanation", "PlanMismatchError", "check_plan", "explain"]
