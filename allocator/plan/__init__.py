"""THE OUTPUT: a plan as data (:class:`Plan`, :class:`Replan`), its files and its figures.

:func:`read_plan` reads a plan folder back through the same boundary as every
other file; :mod:`~allocator.plan.figures` holds the one ranking of regions
and offices that every output uses; :mod:`~allocator.plan.dispatch_lists`
turns shipments into dispatch lists per sender and month; :mod:`~allocator.plan.xlsx` writes the
plan as one workbook (imported on first use: it needs openpyxl).
"""

from allocator.plan.core import PLAN_TABLES as PLAN_TABLES
from allocator.plan.core import Plan as Plan
from allocator.plan.core import Replan as Replan
from allocator.plan.dispatch_lists import Dispatch as Dispatch
from allocator.plan.dispatch_lists import dispatch as dispatch
from allocator.plan.files import read_plan as read_plan

__all__ = ["PLAN_TABLES", "Dispatch", "Plan", "Replan", "dispatch", "read_plan"]
