"""allocator: allocate scarce cards over a distribution network and time.

>>> import allocator
>>> inst = allocator.load_instance("instances/tiny")
>>> plan = allocator.solve(inst)
>>> plan.summary["totals"]["unmet"]
5

The names below are the stable surface; the subpackages (``instance``,
``model``, ``solvers``, ``pipeline``, ``plan``, ``verification``,
``replanning``, ``whatif``, ``hedging``, ``explaining``, ``report``, ``registry``,
``cli``) are internal, except
``allocator.model`` and ``allocator.solvers`` for modellers.
"""

from typing import TYPE_CHECKING, Any

from allocator._version import __version__ as __version__
from allocator.errors import AllocatorError as AllocatorError
from allocator.errors import InfeasibleError as InfeasibleError
from allocator.errors import InputError as InputError
from allocator.errors import PlanExistsError as PlanExistsError
from allocator.errors import Problem as Problem
from allocator.errors import SolveError as SolveError

if TYPE_CHECKING:  # the names below are imported on first use, see _LAZY
    from allocator.explaining import Explanation as Explanation
    from allocator.explaining import explain as explain
    from allocator.hedging import Stress as Stress
    from allocator.hedging import solve as solve
    from allocator.hedging import stress as stress
    from allocator.instance import Instance as Instance
    from allocator.instance import describe_instance as describe_instance
    from allocator.instance import generate_instance as generate_instance
    from allocator.instance import load_instance as load_instance
    from allocator.instance import write_instance as write_instance
    from allocator.plan import Dispatch as Dispatch
    from allocator.plan import Plan as Plan
    from allocator.plan import Replan as Replan
    from allocator.plan import dispatch as dispatch
    from allocator.plan import read_plan as read_plan
    from allocator.plan.xlsx import write_plan_xlsx as write_plan_xlsx
    from allocator.replanning import replan as replan
    from allocator.report import render_report as render_report
    from allocator.report import write_geojson as write_geojson
    from allocator.report import write_report as write_report
    from allocator.report.batch_page import write_batch_report as write_batch_report
    from allocator.report.dispatch_page import write_dispatch as write_dispatch
    from allocator.solvers import SolveOptions as SolveOptions
    from allocator.verification import verify as verify
    from allocator.whatif import apply_scenario as apply_scenario
    from allocator.whatif import read_scenarios as read_scenarios
    from allocator.whatif import run_batch as run_batch

#: Raised for any output (plan, report, results) that exists and may not be replaced.
OutputExistsError = PlanExistsError

__all__ = [
    "AllocatorError",
    "Dispatch",
    "Explanation",
    "InfeasibleError",
    "InputError",
    "Instance",
    "OutputExistsError",
    "Plan",
    "PlanExistsError",
    "Problem",
    "Replan",
    "SolveError",
    "SolveOptions",
    "Stress",
    "__version__",
    "apply_scenario",
    "build_demand",
    "describe_instance",
    "dispatch",
    "explain",
    "generate_instance",
    "load_instance",
    "read_plan",
    "read_scenarios",
    "render_report",
    "replan",
    "run_batch",
    "solve",
    "stress",
    "verify",
    "write_batch_report",
    "write_dispatch",
    "write_geojson",
    "write_instance",
    "write_plan_xlsx",
    "write_record_demand",
    "write_report",
]

# Imported on first use, so that ``import allocator`` (and ``allocator --help``) stays
# fast: the engine pulls in pandas, numpy, networkx and the solver; reports matplotlib,
# workbooks openpyxl. ``from allocator import solve`` imports the engine then.
_LAZY = {
    "Explanation": "allocator.explaining",
    "explain": "allocator.explaining",
    "Instance": "allocator.instance",
    "describe_instance": "allocator.instance",
    "generate_instance": "allocator.instance",
    "load_instance": "allocator.instance",
    "write_instance": "allocator.instance",
    "solve": "allocator.hedging",
    "Stress": "allocator.hedging",
    "stress": "allocator.hedging",
    "Dispatch": "allocator.plan",
    "Plan": "allocator.plan",
    "Replan": "allocator.plan",
    "dispatch": "allocator.plan",
    "read_plan": "allocator.plan",
    "replan": "allocator.replanning",
    "SolveOptions": "allocator.solvers",
    "verify": "allocator.verification",
    "apply_scenario": "allocator.whatif",
    "read_scenarios": "allocator.whatif",
    "run_batch": "allocator.whatif",
    "build_demand": "allocator.registry",
    "write_record_demand": "allocator.registry",
    "render_report": "allocator.report",
    "write_report": "allocator.report",
    "write_geojson": "allocator.report",
    "write_dispatch": "allocator.report.dispatch_page",
    "write_batch_report": "allocator.report.batch_page",
    "write_plan_xlsx": "allocator.plan.xlsx",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'allocator' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
