"""``allocator stress``: how a plan holds up when the future is one of several scenarios.

The plan's first ``K`` months are committed (:mod:`~allocator.hedging.commit`:
every shipment and issue of those months as planned, zero where it planned
none, except what a scenario makes impossible, which is dropped as ``replan
--freeze`` drops it); the months after are re-planned under each scenario
of a what-if table (least waiting, then least cost). Each scenario gives a
row of ``stress.csv``; the summary weighs them by the scenarios'
probabilities (:func:`~allocator.whatif.scenarios.probabilities`): expected
waiting, the CVaR at 90 % (the expected waiting of the worst 10 % of
probability), the worst case, and the expected fill rate per province.
Several plans stressed on the same scenarios add a regret table: for each
scenario, each plan's waiting minus the least of them.

Scenarios run where a batch's do (:mod:`allocator.whatif.executors`: this
process, local processes, or a Dask cluster).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator._atomic import write_folder_atomic
from allocator.errors import AllocatorError, InputError, Problem, SolveError
from allocator.hedging.commit import commitment, hold, hold_all, plan_values
from allocator.hedging.risk import cvar
from allocator.instance import Instance, load_instance
from allocator.model import build_model
from allocator.pipeline import options_from, solve_model
from allocator.plan import Plan, read_plan
from allocator.solvers import Deadline, SolveOptions
from allocator.verification import verify
from allocator.whatif.changes import apply_changes
from allocator.whatif.executors import run_dask, run_processes
from allocator.whatif.scenarios import probabilities, read_scenarios, scenario_ids
from allocator.whatif.task import figures

STRESS_COLUMNS = [
    "scenario",
    "probability",
    "waiting",
    "unmet",
    "fill_rate",
    "worst_region",
    "worst_region_fill_rate",
    "cost",
    "status",
    "message",
]
#: The CVaR level of the summary: the expected waiting of the worst 10 % of probability.
CVAR_LEVEL = 0.9


@dataclass(frozen=True)
class Committed:
    """What every scenario needs, sent once to each worker: the instance and the plans' months."""

    instance: Instance
    plans: tuple[tuple[pd.Series, pd.Series], ...]  # per plan: x per (link,t), s per (node,group,t)
    commit: int
    options: SolveOptions


@dataclass(frozen=True)
class StressTask:
    """One scenario under one plan."""

    scenario: str
    changes: pd.DataFrame
    plan: int


@dataclass
class Stress:
    """The outcome of :func:`stress`: one table per plan, the summary, the regret table."""

    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    regret: pd.DataFrame | None = None
    seconds: float = 0.0
    plans: dict[str, Plan] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """The first plan's ``stress.csv`` rows."""
        return next(iter(self.tables.values()))

    @property
    def failed(self) -> int:
        """How many scenario runs failed."""
        return sum(int((t["status"] == "failed").sum()) for t in self.tables.values())

    def files(self) -> dict[str, bytes]:
        """``stress.csv`` (with a ``plan`` column when several plans), ``regret.csv``, summary."""
        if len(self.tables) == 1:
            stress = self.table
        else:
            stress = pd.concat(
                [t.assign(plan=label) for label, t in self.tables.items()], ignore_index=True
            )
            stress = stress[["plan", *STRESS_COLUMNS]]
        out = {"stress.csv": _csv(stress)}
        if self.regret is not None:
            out["regret.csv"] = _csv(self.regret)
        out["summary.json"] = (
            json.dumps(self.summary, indent=2, ensure_ascii=False) + "\n"
        ).encode()
        return out

    def write(self, folder: str | Path, *, force: bool = False) -> Path:
        """Write the results folder, completely or not at all."""
        return write_folder_atomic(folder, self.files(), force=force)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def check_commit(instance: Instance, commit: Any) -> int:
    """``commit`` as a number of months 1..P of ``instance``, or InputError naming ``--commit``."""
    periods = instance.periods
    ok = isinstance(commit, int | np.integer) and not isinstance(commit, bool)
    if not ok or not (1 <= int(commit) <= periods):
        raise InputError(
            [
                Problem(
                    "--commit",
                    None,
                    None,
                    f"'{commit}' months is outside the horizon {instance.months[0]}.."
                    f"{instance.months[-1]}: commit 1 to {periods} month(s)",
                )
            ]
        )
    return int(commit)


def stress(
    instance: Instance | str | Path,
    plan: Plan | str | Path,
    scenarios: pd.DataFrame | str | Path,
    *,
    commit: int,
    plans: Sequence[Plan | str | Path] = (),
    workers: int | None = None,
    scheduler: str | None = None,
    options: SolveOptions | None = None,
    solver: str | None = None,
    time_limit: float | None = None,
) -> Stress:
    """Stress ``plan`` (and ``plans``) on every scenario of a what-if table.

    Parameters
    ----------
    instance
        The instance the plans were made for (or its path).
    plan, plans
        The plan to stress (or its folder), and further candidate plans
        stressed on the same scenarios (they add a regret table).
    scenarios
        A what-if table (:mod:`allocator.whatif.scenarios`), optionally with
        a ``probability`` per scenario (equal weights when absent).
    commit
        ``K``: the plan's first K months are committed (1..P).
    workers, scheduler
        Where the scenarios run, as for :func:`allocator.run_batch`.
    options, solver, time_limit
        How each scenario is solved; the time limit is per scenario.

    Raises :class:`InputError` for a bad table, ``--commit`` or a plan that
    does not fit the instance (nothing has run).
    """
    began = time.perf_counter()
    instance = instance if isinstance(instance, Instance) else load_instance(instance)
    k = check_commit(instance, commit)
    if workers is not None and scheduler is not None:
        raise InputError("give either workers (local processes) or a Dask scheduler, not both")
    if workers is not None and workers < 1:
        raise InputError(f"workers must be 1 or more, not {workers}")
    labelled = _plans([plan, *plans], instance)
    table = read_scenarios(scenarios, instance)
    ids = scenario_ids(table)
    p = probabilities(table)
    shared = Committed(
        instance,
        tuple(plan_values(instance, q.shipments, q.issuance, k) for q in labelled.values()),
        k,
        options_from(options, solver, None, time_limit),
    )
    groups = dict(tuple(table.groupby("scenario", sort=False)))
    tasks = [
        StressTask(i, groups[i].reset_index(drop=True), j)
        for j in range(len(labelled))
        for i in ids
    ]
    rows = run_tasks(shared, tasks, workers, scheduler)
    tables = {}
    for j, label in enumerate(labelled):
        tables[label] = stress_frame([rows[(i, j)] for i in ids], p)
    regions = {
        label: [rows[(i, j)].get("regions", {}) for i in ids] for j, label in enumerate(labelled)
    }
    summary = {
        "commit": k,
        "months_committed": instance.months[:k],
        "scenarios": len(ids),
        "plans": [plan_summary(label, t, regions[label]) for label, t in tables.items()],
    }
    regret = regret_table(tables) if len(tables) > 1 else None
    return Stress(tables, summary, regret, round(time.perf_counter() - began, 3), labelled)


def _plans(given: list[Plan | str | Path], instance: Instance) -> dict[str, Plan]:
    """The plans by label (their folder's name), each verified against ``instance``."""
    out: dict[str, Plan] = {}
    problems: list[Problem] = []
    for n, item in enumerate(given, start=1):
        label = (
            Path(item).name if not isinstance(item, Plan) else ("plan" if n == 1 else f"plan-{n}")
        )
        while label in out:
            label = f"{label}-{n}"
        plan = item if isinstance(item, Plan) else read_plan(item)
        for wrong in verify(instance, plan):
            problems.append(
                Problem(
                    str(item) if not isinstance(item, Plan) else label,
                    None,
                    None,
                    f"the plan does not fit the instance: {wrong}",
                )
            )
        out[label] = plan
    if problems:
        raise InputError(problems)
    return out


def run_tasks(
    shared: Committed, tasks: list[StressTask], workers: int | None, scheduler: str | None
) -> dict[tuple[str, int], dict[str, Any]]:
    """Every task's row, keyed by (scenario, plan), here, in local processes or on Dask."""
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    crashed: dict[str, dict[str, Any]] = {}

    def record(row: dict[str, Any], _plan: Plan | None) -> None:
        if "plan" in row:
            rows[(row["scenario"], row["plan"])] = row
        else:  # a worker died: the executor's row does not say which plan it ran
            crashed[row["scenario"]] = row

    n = min(workers or os.cpu_count() or 1, len(tasks))
    if scheduler is not None:
        run_dask(scheduler, shared, tasks, record, run_stress_task)
    elif n > 1:
        run_processes(n, shared, tasks, record, run_stress_task)
    else:
        for task in tasks:
            record(*run_stress_task(shared, task))
    for task in tasks:
        if (task.scenario, task.plan) not in rows:
            rows[(task.scenario, task.plan)] = crashed.get(
                task.scenario, {"scenario": task.scenario, "status": "failed", "message": "lost"}
            )
    return rows


def recourse(
    scenario: Instance, x: pd.Series, s: pd.Series, commit: int, options: SolveOptions
) -> tuple[Plan, list[str]]:
    """The plan of ``scenario`` with months 1..``commit`` held at ``x``, ``s``; what was dropped."""
    lp = build_model(scenario)
    committed = commitment(scenario, lp, x, s, commit)
    deadline = Deadline(options.time_limit)
    fixed = hold_all(lp, committed)
    if fixed is not None:
        try:  # the common case: every committed value still possible, no probe needed
            return solve_model(scenario, fixed, options, name="stress", deadline=deadline), []
        except SolveError as error:
            if "time limit" in str(error):
                raise
    held, dropped = hold(lp, committed, options, deadline)
    return solve_model(scenario, held, options, name="stress", deadline=deadline), dropped


def run_stress_task(shared: Committed, task: StressTask) -> tuple[dict[str, Any], None]:
    """One scenario under one plan: its ``stress.csv`` row (never raises for a failing one)."""
    row: dict[str, Any] = {"scenario": task.scenario, "plan": task.plan}
    try:
        scenario, notes = apply_changes(shared.instance, task.changes)
        x, s = shared.plans[task.plan]
        made, dropped = recourse(scenario, x, s, shared.commit, shared.options)
        row.update(figures(made))
        row["regions"] = {r["region"]: float(r["fill_rate"]) for r in made.summary["regions"]}
        if dropped:
            shown = "; ".join(dropped[:5]) + ("; ..." if len(dropped) > 5 else "")
            notes.append(f"{len(dropped)} committed value(s) impossible, re-planned: {shown}")
        row["message"] = "; ".join(notes)
    except AllocatorError as error:
        row.update(status="failed", message=str(error))
    except Exception as error:  # a bug must not take the other scenarios down with it
        row.update(status="failed", message=f"internal error: {type(error).__name__}: {error}")
    return row, None


def stress_frame(rows: list[dict[str, Any]], probability: dict[str, float]) -> pd.DataFrame:
    """Rows as ``stress.csv``'s table (columns :data:`STRESS_COLUMNS`)."""
    frame = pd.DataFrame(rows).reindex(columns=STRESS_COLUMNS)
    frame["probability"] = frame["scenario"].map(probability).astype(float)
    frame["message"] = frame["message"].fillna("").astype(str)
    for column in ("waiting", "fill_rate", "worst_region_fill_rate", "cost"):
        frame[column] = pd.to_numeric(frame[column]).astype(np.float64)
    frame["unmet"] = pd.array(frame["unmet"].tolist(), dtype="Int64")
    frame["worst_region"] = frame["worst_region"].fillna("").astype(str)
    return frame.reset_index(drop=True)


def plan_summary(
    label: str, table: pd.DataFrame, regions: list[dict[str, float]]
) -> dict[str, Any]:
    """One plan's figures over the scenarios: expected, CVaR 90 %, worst, per province."""
    ok = table["status"] != "failed"
    out: dict[str, Any] = {"plan": label, "failed": int((~ok).sum())}
    if not ok.all():
        return out
    p = table["probability"].to_numpy(float)
    w = table["waiting"].to_numpy(float)
    worst = int(np.argmax(w))
    names = sorted({r for scenario in regions for r in scenario})
    fill = {
        r: float(sum(pi * sc.get(r, 1.0) for pi, sc in zip(p, regions, strict=True))) for r in names
    }
    out.update(
        expected_waiting=round(float(p @ w), 6),
        cvar_90=round(cvar(w, p, CVAR_LEVEL), 6),
        worst_case={"scenario": str(table["scenario"].iloc[worst]), "waiting": float(w[worst])},
        expected_unmet=round(float(p @ table["unmet"].to_numpy(float)), 6),
        expected_fill_rate=round(float(p @ table["fill_rate"].to_numpy(float)), 6),
        expected_cost=round(float(p @ table["cost"].to_numpy(float)), 6),
        regions=[
            {"region": r, "expected_fill_rate": round(v, 6)}
            for r, v in sorted(fill.items(), key=lambda item: (item[1], item[0]))
        ],
    )
    return out


def regret_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per scenario, each plan's waiting minus the least waiting of the plans there."""
    first = next(iter(tables.values()))
    waiting = pd.DataFrame({label: t["waiting"].to_numpy(float) for label, t in tables.items()})
    regret = waiting.sub(waiting.min(axis=1), axis=0)
    return pd.concat([first[["scenario", "probability"]].reset_index(drop=True), regret], axis=1)
