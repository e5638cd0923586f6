"""allocator: allocate scarce cards over a distribution network and time.

>>> import allocator
>>> inst = allocator.load_instance("instances/tiny")
>>> plan = allocator.solve(inst)
>>> plan.summary["totals"]["unmet"]
5
"""

from typing import Any

from allocator._version import __version__ as __version__
from allocator.errors import AllocatorError, InputError, PlanExistsError, Problem, SolveError
from allocator.instance import Instance, generate_instance, load_instance, write_instance
from allocator.plan import Plan, read_plan
from allocator.replan import replan
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
    "generate_instance",
    "load_instance",
    "read_plan",
    "render_report",
    "replan",
    "run_batch",
    "solve",
    "verify",
    "write_instance",
    "write_report",
]

# Imported on first use: reports pull in matplotlib, batches the process pool.
_LAZY = {
    "run_batch": "allocator.batch",
    "render_report": "allocator.report",
    "write_report": "allocator.report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'allocator' has no attribute {name!r}")
