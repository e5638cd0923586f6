"""Solve many what-if scenarios of one instance: in this process, in local processes, or on Dask.

:func:`run_batch` checks the whole scenario table first (nothing runs if a
row is wrong), then solves every scenario independently
(:func:`~allocator.whatif.task.run_scenario`, where
:mod:`~allocator.whatif.executors` puts it) and returns one row per scenario,
in the order the scenarios first appear in the table. The rows are the same
whichever way the batch runs (only ``seconds``, the wall time of each
scenario, differs). A scenario that fails (a time limit, a solver error) is
recorded with status ``failed`` and its message; the other scenarios go on.
The first row is always ``base``, the instance unchanged (or the baseline
re-planned with no changes), and every row gains its difference from it
(:mod:`~allocator.whatif.base`).
:func:`write_batch` runs a batch into a results folder, written completely or
not at all.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator._atomic import refuse_existing, write_folder_atomic
from allocator.errors import InputError, PlanExistsError, Problem
from allocator.instance import Instance, load_instance
from allocator.pipeline import options_from
from allocator.plan import Plan, read_plan
from allocator.solvers import SolveOptions
from allocator.verification import verify
from allocator.whatif.base import (
    BASE,
    VS_BASE_COLUMNS,
    against_base,
    check_ids,
    regions_frame,
)
from allocator.whatif.executors import Record, run_dask, run_processes
from allocator.whatif.scenarios import read_scenarios, scenario_ids
from allocator.whatif.task import Shared, Task, run_scenario

RESULT_COLUMNS = [
    "scenario",
    "status",
    "message",
    "waiting",
    "unmet",
    "fill_rate",
    "worst_region",
    "worst_region_fill_rate",
    "cost",
    "seconds",
]
RESULT_COLUMNS = [*RESULT_COLUMNS, *VS_BASE_COLUMNS]  # each row minus the base row

#: ``progress(done, failed, remaining)``, called once before the first scenario
#: finishes and once after each.
BatchProgress = Callable[[int, int, int], None]
TimeLimit = float | Mapping[str, float] | None


def run_batch(
    instance: Instance | str | Path,
    scenarios: pd.DataFrame | str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    options: SolveOptions | None = None,
    time_limit: TimeLimit = None,
    solver: str | None = None,
    keep_plans: str | Path | None = None,
    baseline: Plan | str | Path | None = None,
    start: str | None = None,
    progress: BatchProgress | None = None,
) -> pd.DataFrame:
    """Solve every scenario of a scenario table and tabulate the outcomes.

    Parameters
    ----------
    instance
        The instance the scenarios change (or its folder or workbook).
    scenarios
        A scenario table (see :mod:`allocator.whatif.scenarios`): a CSV file or
        a DataFrame. Every row is checked before anything runs.
    workers
        Scenarios solved at a time in local processes (default: the number of
        cores); 1 solves them one after another in this process.
    scheduler
        Address of a running Dask distributed scheduler (``tcp://HOST:PORT``)
        to send the scenarios to instead of local processes; needs
        ``pip install 'allocator[distributed]'`` here and ``allocator`` on the
        workers.
    options, solver
        How each scenario is solved (:class:`allocator.SolveOptions`; its time
        limit is per scenario); ``solver=`` is a shortcut.
    time_limit
        Seconds per scenario; or scenario id -> seconds (scenarios left out
        have no limit). A scenario over its limit is recorded as failed.
    keep_plans
        A folder for each scenario's plan folder, ``keep_plans/<scenario>/``.
    baseline, start
        An existing plan (or its folder) and the month (``YYYY-MM``) from which
        each scenario re-plans it with :func:`allocator.replan`, instead of
        solving from scratch. The plan is verified against ``instance`` once,
        before any scenario runs. ``demand_scale`` then scales the demand
        arising from ``start`` on, not the backlog carried into it.
    progress
        Called as ``progress(done, failed, remaining)``.

    Returns
    -------
    pandas.DataFrame
        One row per scenario (columns :data:`RESULT_COLUMNS`), in the order
        the scenarios first appear in the table, after the first row ``base``
        (the instance unchanged, or the baseline re-planned with no changes;
        a scenario may not be called ``base``). ``attrs["regions"]`` holds
        the figures per scenario and region (``regions.csv``).

    Raises :class:`InputError` for a bad scenario row or option (nothing has
    run), :class:`AllocatorError` when the Dask cluster cannot be used.
    """
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    _check_options(workers, scheduler, time_limit)
    plan = _baseline(baseline, start, instance)
    table, ids = _scenario_table(scenarios, instance, start)
    limits = _limits(time_limit, ids, options)
    folder = _plans_folder(keep_plans, ids)
    shared = Shared(instance, plan, start, options_from(options, solver), folder is not None)
    tasks = _tasks(table, ids, limits)
    rows = _run_tasks(shared, tasks, folder, workers, scheduler, progress)
    frame = results_frame([rows[i] for i in ids])
    frame.attrs["regions"] = regions_frame([rows[i] for i in ids])
    return frame


def _scenario_table(
    scenarios: pd.DataFrame | str | Path, instance: Instance, start: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """The checked scenario table and the ids the batch runs, ``base`` first."""
    table = read_scenarios(scenarios, instance, start=start)
    ids = scenario_ids(table)
    check_ids(ids, "scenarios" if isinstance(scenarios, pd.DataFrame) else Path(scenarios).name)
    return table, [BASE, *ids]  # the unchanged run first, solved like any scenario


def _tasks(table: pd.DataFrame, ids: list[str], limits: dict[str, float | None]) -> list[Task]:
    """One task per scenario, in the order of ``ids``: its changes and its time limit."""
    groups = dict(tuple(table.groupby("scenario", sort=False)))
    groups[BASE] = table.iloc[0:0]  # no changes
    return [Task(i, groups[i].reset_index(drop=True), limits[i]) for i in ids]


def _run_tasks(
    shared: Shared,
    tasks: list[Task],
    folder: Path | None,
    workers: int | None,
    scheduler: str | None,
    progress: BatchProgress | None,
) -> dict[str, dict[str, Any]]:
    """Every scenario's result row by id, its plan kept in ``folder`` as it ends, progress told."""
    rows: dict[str, dict[str, Any]] = {}
    counts = {"done": 0, "failed": 0}

    def record(row: dict[str, Any], kept: Plan | None) -> None:
        rows[row["scenario"]] = row
        counts["failed" if row["status"] == "failed" else "done"] += 1
        if kept is not None and folder is not None:
            kept.write(folder / row["scenario"])
        if progress:
            progress(counts["done"], counts["failed"], len(tasks) - len(rows))

    if progress:
        progress(0, 0, len(tasks))
    _execute(shared, tasks, record, workers, scheduler)
    return rows


def _plans_folder(keep_plans: str | Path | None, ids: list[str]) -> Path | None:
    """Where each scenario's plan goes, refused if a scenario's folder is taken."""
    folder = Path(keep_plans) if keep_plans is not None else None
    taken = [i for i in ids if folder is not None and (folder / i).exists()]
    if folder is not None and taken:
        raise PlanExistsError(
            f"{folder / taken[0]} already exists ({len(taken)} scenario folder(s) taken); "
            "keep plans in an empty folder"
        )
    return folder


def _execute(
    shared: Shared, tasks: list[Task], record: Record, workers: int | None, scheduler: str | None
) -> None:
    """Run every task on Dask, in local processes, or one after another here."""
    n = min(workers or os.cpu_count() or 1, len(tasks))
    if scheduler is not None:
        run_dask(scheduler, shared, tasks, record)
    elif n > 1:
        run_processes(n, shared, tasks, record)
    else:
        for task in tasks:
            record(*run_scenario(shared, task))


def _check_options(workers: int | None, scheduler: str | None, time_limit: TimeLimit) -> None:
    if workers is not None and scheduler is not None:
        raise InputError("give either workers (local processes) or a Dask scheduler, not both")
    if workers is not None and workers < 1:
        raise InputError(f"workers must be 1 or more, not {workers}")
    if time_limit is not None and not isinstance(time_limit, Mapping) and time_limit < 0:
        raise InputError("the time limit must be zero or more seconds")


def _limits(
    time_limit: TimeLimit, ids: list[str], options: SolveOptions | None
) -> dict[str, float | None]:
    """Each scenario's time limit (``None``: none)."""
    if isinstance(time_limit, Mapping):
        unknown = sorted(set(time_limit) - set(ids))
        if unknown:
            raise InputError(f"time limits for scenarios not in the table: {', '.join(unknown)}")
        if any(v < 0 for v in time_limit.values()):
            raise InputError("a time limit must be zero or more seconds")
        return {i: None if i not in time_limit else float(time_limit[i]) for i in ids}
    limit = time_limit if time_limit is not None else (options.time_limit if options else None)
    return dict.fromkeys(ids, None if limit is None else float(limit))


def _baseline(
    baseline: Plan | str | Path | None, start: str | None, instance: Instance
) -> Plan | None:
    """The baseline plan, read and checked against ``start``; None for fresh solves."""
    if baseline is None:
        if start is not None:
            raise InputError("a start month (--from) needs a baseline plan (--baseline)")
        return None
    if start is None:
        raise InputError("a baseline plan (--baseline) needs the month to re-plan from (--from)")
    if start not in instance.months:
        raise InputError(
            [
                Problem(
                    "--from",
                    None,
                    None,
                    f"'{start}' is not a month of the horizon "
                    f"{instance.months[0]}..{instance.months[-1]}",
                )
            ]
        )
    plan = baseline if isinstance(baseline, Plan) else read_plan(baseline)
    label = "baseline plan" if isinstance(baseline, Plan) else str(baseline)
    wrong = verify(instance, plan)
    if wrong:  # every scenario would fail the same way: say it once, before any runs
        raise InputError(
            [Problem(label, None, None, f"the plan does not fit the instance: {w}") for w in wrong]
        )
    return plan


def write_batch(
    instance: Instance | str | Path,
    scenarios: pd.DataFrame | str | Path,
    output: str | Path,
    *,
    keep_plans: bool = False,
    force: bool = False,
    **batch: Any,
) -> pd.DataFrame:
    """Run :func:`run_batch` and write ``output/scenarios.csv`` (and ``output/plans/``).

    ``output`` is written completely or not at all, and refused before any
    work if it exists and ``force`` is false; the plans wait beside it until
    the whole folder is written. ``batch`` are :func:`run_batch`'s options.
    """
    output = Path(output)
    refuse_existing(output, force=force)
    staging = output.parent / f".{output.name}.{uuid.uuid4().hex[:8]}.plans"
    try:
        table = run_batch(instance, scenarios, keep_plans=staging if keep_plans else None, **batch)
        write_results(output, table, plans=staging if keep_plans else None, force=force)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return table


def results_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Result rows as a table with the column types of :data:`RESULT_COLUMNS`."""
    frame = pd.DataFrame(list(rows), columns=RESULT_COLUMNS)
    frame["message"] = frame["message"].fillna("")
    for column in ("waiting", "fill_rate", "worst_region_fill_rate", "cost", "seconds"):
        frame[column] = pd.to_numeric(frame[column]).astype(np.float64)
    frame["unmet"] = pd.array(frame["unmet"].tolist(), dtype="Int64")
    for column in ("scenario", "status", "message", "worst_region"):
        frame[column] = frame[column].astype("str")
    return against_base(frame.reset_index(drop=True))


def results_csv(frame: pd.DataFrame) -> bytes:
    """The result table as ``scenarios.csv`` bytes."""
    return frame.to_csv(index=False, lineterminator="\n").encode()


class _LazyFiles(Mapping[str, bytes]):
    """Files given as bytes, plus the files under ``root`` as ``prefix/...``, read when asked for.

    Lets :func:`write_folder_atomic` copy many plan folders one file at a time
    instead of holding them all in memory.
    """

    def __init__(self, given: dict[str, bytes], root: Path | None, prefix: str) -> None:
        self._given = given
        self._paths: dict[str, Path] = {}
        if root is not None:
            self._paths = {
                f"{prefix}/{p.relative_to(root).as_posix()}": p
                for p in sorted(root.rglob("*"))
                if p.is_file()
            }

    def __getitem__(self, key: str) -> bytes:
        if key in self._given:
            return self._given[key]
        return self._paths[key].read_bytes()

    def __iter__(self) -> Iterator[str]:
        yield from self._given
        yield from self._paths

    def __len__(self) -> int:
        return len(self._given) + len(self._paths)


def write_results(
    folder: str | Path, table: pd.DataFrame, *, plans: Path | None = None, force: bool = False
) -> Path:
    """Write ``folder/scenarios.csv`` (and ``regions.csv``), and ``plans`` as ``folder/plans/``.

    The folder is written completely or not at all
    (:func:`allocator._atomic.write_folder_atomic`).
    """
    given = {"scenarios.csv": results_csv(table)}
    if isinstance(table.attrs.get("regions"), pd.DataFrame):
        given["regions.csv"] = results_csv(table.attrs["regions"])
    files = _LazyFiles(given, plans, "plans")
    return write_folder_atomic(folder, files, force=force)
