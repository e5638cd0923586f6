"""allocator: allocate scarce cards over a distribution network and time.

    >>> import allocator
    >>> inst = allocator.load_instance("instances/tiny")
    >>> plan = allocator.solve(inst)
    >>> plan.summary["totals"]["unmet"]
    5
"""

from allocator.errors import AllocatorError, InputError, PlanExistsError, Problem, SolveError
from allocator.instance import Instance, write_instance
from allocator.load import load_instance
from allocator.plan import Plan, read_plan
from allocator.solve import solve
from allocator.verify import verify

__all__ = [
    "AllocatorError",
    "InputError",
    "Instance",
    "Plan",
    "PlanExistsError",
    "Problem",
    "SolveError",
    "load_instance",
    "read_plan",
    "solve",
    "verify",
    "write_instance",
]

__version__ = "0.1.0"
