"""HEDGING: how a plan holds up over scenarios (``stress``), and a plan hedged against them.

:func:`stress` commits a plan's first K months and re-plans the rest under
each scenario of a what-if table; :func:`solve` is :func:`allocator.solve`,
which with ``hedge=`` finds the first K months that are best across the
scenarios (:mod:`~allocator.hedging.hedge`).
"""

from allocator.hedging.exposure import Stress as Stress
from allocator.hedging.exposure import stress as stress
from allocator.hedging.hedge import hedged_plan as hedged_plan
from allocator.hedging.hedge import solve as solve
from allocator.hedging.risk import Risk as Risk

__all__ = ["Risk", "Stress", "hedged_plan", "solve", "stress"]
