"""One scenario of a batch: apply its changes, solve or re-plan, and tabulate the outcome.

:func:`run_scenario` is what every executor runs (this process, local
processes, a Dask worker); it never raises for a failing scenario.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pandas as pd

from allocator._threads import one_blas_thread
from allocator.errors import AllocatorError
from allocator.instance import Instance
from allocator.pipeline import solve
from allocator.plan import Plan
from allocator.replanning import replan
from allocator.solvers import SolveOptions
from allocator.whatif.base import region_records
from allocator.whatif.changes import apply_changes

SUPPLY_CHANGES = {"supply_delay", "supply_scale"}
DEMAND_CHANGES = {"demand_scale"}
CAPACITY_CHANGES = {"link_capacity", "issue_capacity"}


@dataclass(frozen=True)
class Shared:
    """What every scenario needs, sent once to each worker."""

    instance: Instance
    baseline: Plan | None
    start: str | None
    options: SolveOptions
    keep_plans: bool


@dataclass(frozen=True)
class Task:
    """One scenario: its id, its rows of the scenario table, its time limit."""

    scenario: str
    changes: pd.DataFrame
    time_limit: float | None


@one_blas_thread
def run_scenario(shared: Shared, task: Task) -> tuple[dict[str, Any], Plan | None]:
    """Apply one scenario and solve (or re-plan) it: its result row, and the plan if kept.

    Never raises for a failing scenario: the row says ``failed`` and why.
    """
    began = time.perf_counter()
    row: dict[str, Any] = {"scenario": task.scenario}
    plan: Plan | None = None
    try:
        instance, notes = apply_changes(shared.instance, task.changes, start=shared.start)
        options = shared.options.with_time_limit(task.time_limit)
        plan = (
            solve(instance, options)
            if shared.baseline is None
            else _replan(shared, task, instance, options)
        )
        row.update(figures(plan))
        row["regions"] = region_records(plan)  # for regions.csv, not a column
        row["message"] = "; ".join(notes)
        if shared.keep_plans:
            plan.summary["scenario"] = {
                "id": task.scenario,
                "changes": task.changes.drop(columns="scenario").to_dict("records"),
            }
        else:
            plan = None
    except AllocatorError as error:
        row.update(status="failed", message=str(error))
        plan = None
    except Exception as error:  # a bug must not take the other scenarios down with it
        row.update(status="failed", message=f"internal error: {type(error).__name__}: {error}")
        plan = None
    row["seconds"] = round(time.perf_counter() - began, 3)
    return row, plan


def _replan(shared: Shared, task: Task, changed: Instance, options: SolveOptions) -> Plan:
    """The baseline re-planned from ``shared.start`` with the scenario's changes as new facts.

    The re-plan starts from the baseline made for the instance as it was; the
    scenario's changes (all from ``start`` on) are the new facts it is told.
    The backlog carried into ``start`` comes from the baseline, so
    demand_scale scales only the demand arising from ``start`` on. The
    baseline was verified once, before any scenario ran.
    """
    assert shared.baseline is not None and shared.start is not None
    kinds = set(task.changes["change"])
    start = shared.start

    def future(table: pd.DataFrame) -> pd.DataFrame:
        return table[table["period"] >= start]

    return replan(
        shared.instance,
        shared.baseline,
        start=start,
        supply=future(changed.supply) if kinds & SUPPLY_CHANGES else None,
        demand=future(changed.demand) if kinds & DEMAND_CHANGES else None,
        capacity=future(changed.capacity) if kinds & CAPACITY_CHANGES else None,
        options=options,
        check_plan=False,
    )


def figures(plan: Plan) -> dict[str, Any]:
    """The result columns of a solved plan, from its summary (worst region as ranked there)."""
    summary = plan.summary
    totals = summary["totals"]
    worst = summary["regions"][0] if summary.get("regions") else None
    return {
        "status": summary.get("status", "optimal"),
        "waiting": float(summary["objective"]["waiting"]),
        "unmet": int(totals["unmet"]),
        "fill_rate": float(totals["fill_rate"]),
        "worst_region": worst["region"] if worst else None,
        "worst_region_fill_rate": float(worst["fill_rate"]) if worst else None,
        "cost": float(summary["objective"]["cost"]),
    }


def crashed(task: Task, message: str) -> dict[str, Any]:
    """The result row of a scenario whose worker died."""
    return {"scenario": task.scenario, "status": "failed", "message": message}
