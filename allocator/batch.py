"""Solve many what-if scenarios of one instance: in this process, in local processes, or on Dask.

:func:`run_batch` checks the whole scenario table first (nothing runs if a
row is wrong), then solves every scenario independently and returns one row
per scenario, in the order the scenarios first appear in the table. The rows
are the same whichever way the batch runs (only ``seconds``, the wall time of
each scenario, differs).

The instance (and a baseline plan) is sent once to each worker, not once per
scenario: to each local process by its initializer, to a Dask cluster with
``client.scatter(..., broadcast=True)``. A scenario that fails (a time limit,
a solver error) is recorded with status ``failed`` and its message; the other
scenarios go on.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator._atomic import write_folder_atomic
from allocator.errors import AllocatorError, InputError, PlanExistsError, Problem
from allocator.instance import Instance
from allocator.instance.load import load_instance
from allocator.plan import Plan
from allocator.scenarios import apply_changes, read_scenarios, scenario_ids

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

SUPPLY_CHANGES = {"supply_delay", "supply_scale"}
DEMAND_CHANGES = {"demand_scale"}
CAPACITY_CHANGES = {"link_capacity", "issue_capacity"}

#: ``progress(done, failed, remaining)``, called once before the first scenario
#: finishes and once after each.
BatchProgress = Callable[[int, int, int], None]


@dataclass(frozen=True)
class _Shared:
    """What every scenario needs, sent once to each worker."""

    instance: Instance
    baseline: Plan | None
    start: str | None
    solver: str
    keep_plans: bool


@dataclass(frozen=True)
class _Task:
    """One scenario: its id, its rows of the scenario table, its time limit."""

    scenario: str
    changes: pd.DataFrame
    time_limit: float | None


def _run_scenario(shared: _Shared, task: _Task) -> tuple[dict[str, Any], Plan | None]:
    """Apply one scenario and solve (or re-plan) it: its result row, and the plan if kept.

    Never raises for a failing scenario: the row says ``failed`` and why.
    """
    began = time.perf_counter()
    row: dict[str, Any] = {"scenario": task.scenario}
    plan: Plan | None = None
    try:
        instance, notes = apply_changes(shared.instance, task.changes, start=shared.start)
        if shared.baseline is None:
            from allocator.solve import solve

            plan = solve(instance, solver=shared.solver, time_limit=task.time_limit)
        else:
            # The re-plan starts from the baseline made for the instance as it was; the
            # scenario's changes (all from ``start`` on) are the new facts it is told. The
            # backlog carried into ``start`` comes from the baseline, so demand_scale scales
            # only the demand arising from ``start`` on. The baseline was verified once.
            from allocator.replan import replan

            kinds = set(task.changes["change"])
            start = str(shared.start)

            def future(table: pd.DataFrame) -> pd.DataFrame:
                return table[table["period"] >= start]

            plan = replan(
                shared.instance,
                shared.baseline,
                start=start,
                supply=future(instance.supply) if kinds & SUPPLY_CHANGES else None,
                demand=future(instance.demand) if kinds & DEMAND_CHANGES else None,
                capacity=future(instance.capacity) if kinds & CAPACITY_CHANGES else None,
                solver=shared.solver,
                time_limit=task.time_limit,
                check_plan=False,
            )
        row.update(_figures(plan))
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


def _figures(plan: Plan) -> dict[str, Any]:
    """The result columns of a solved plan, from its summary."""
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


def run_batch(
    instance: Instance | str | Path,
    scenarios: pd.DataFrame | str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    time_limit: float | Mapping[str, float] | None = None,
    solver: str = "highs",
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
        A scenario table (see :mod:`allocator.scenarios`): a CSV file or a
        DataFrame. Every row is checked before anything runs.
    workers
        Scenarios solved at a time in local processes (default: the number of
        cores); 1 solves them one after another in this process.
    scheduler
        Address of a running Dask distributed scheduler (``tcp://HOST:PORT``)
        to send the scenarios to instead of local processes; needs
        ``pip install 'allocator[distributed]'`` here and ``allocator`` on the
        workers.
    time_limit
        Seconds per scenario; or scenario id -> seconds (scenarios left out
        have no limit). A scenario over its limit is recorded as failed.
    solver
        ``"highs"`` or ``"cbc"``.
    keep_plans
        A folder to write each scenario's plan folder into, as
        ``keep_plans/<scenario>/`` (written here, as each result arrives).
    baseline, start
        An existing plan (or its folder) and the month (``YYYY-MM``) from which
        each scenario re-plans it with :func:`allocator.replan.replan`, instead
        of solving from scratch. The plan is verified against ``instance``
        once, before any scenario runs. ``demand_scale`` then scales the
        demand arising from ``start`` on, not the backlog carried into it.
    progress
        Called as ``progress(done, failed, remaining)``.

    Returns
    -------
    pandas.DataFrame
        One row per scenario (columns :data:`RESULT_COLUMNS`), in the order
        the scenarios first appear in the table.

    Raises
    ------
    InputError
        A bad scenario row, a bad option; nothing has run.
    AllocatorError
        The Dask cluster cannot be reached or used.
    """
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    if workers is not None and scheduler is not None:
        raise InputError("give either workers (local processes) or a Dask scheduler, not both")
    if workers is not None and workers < 1:
        raise InputError(f"workers must be 1 or more, not {workers}")
    if time_limit is not None and not isinstance(time_limit, Mapping) and time_limit < 0:
        raise InputError("the time limit must be zero or more seconds")
    plan = _baseline(baseline, start, instance)
    table = read_scenarios(scenarios, instance, start=start)
    ids = scenario_ids(table)
    if isinstance(time_limit, Mapping):
        unknown = sorted(set(time_limit) - set(ids))
        if unknown:
            raise InputError(f"time limits for scenarios not in the table: {', '.join(unknown)}")
        if any(v < 0 for v in time_limit.values()):
            raise InputError("a time limit must be zero or more seconds")
    folder = Path(keep_plans) if keep_plans is not None else None
    if folder is not None:
        taken = [i for i in ids if (folder / i).exists()]
        if taken:
            raise PlanExistsError(
                f"{folder / taken[0]} already exists ({len(taken)} scenario folder(s) taken); "
                "keep plans in an empty folder"
            )
    shared = _Shared(instance, plan, start, solver, folder is not None)
    groups = dict(tuple(table.groupby("scenario", sort=False)))
    tasks = [_Task(i, groups[i].reset_index(drop=True), _limit(time_limit, i)) for i in ids]

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
    if scheduler is not None:
        _run_dask(scheduler, shared, tasks, record)
    else:
        n = min(workers or os.cpu_count() or 1, len(tasks))
        if n <= 1:
            for task in tasks:
                record(*_run_scenario(shared, task))
        else:
            _run_processes(n, shared, tasks, record)
    return results_frame([rows[i] for i in ids])


def _limit(time_limit: float | Mapping[str, float] | None, scenario: str) -> float | None:
    if isinstance(time_limit, Mapping):
        value = time_limit.get(scenario)
        return None if value is None else float(value)
    return None if time_limit is None else float(time_limit)


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
    from allocator.plan import read_plan
    from allocator.verify import verify

    plan = baseline if isinstance(baseline, Plan) else read_plan(baseline)
    label = "baseline plan" if isinstance(baseline, Plan) else str(baseline)
    wrong = verify(instance, plan)
    if wrong:  # every scenario would fail the same way: say it once, before any runs
        raise InputError(
            [Problem(label, None, None, f"the plan does not fit the instance: {w}") for w in wrong]
        )
    return plan


def results_frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Result rows as a table with the column types of :data:`RESULT_COLUMNS`."""
    frame = pd.DataFrame(list(rows), columns=RESULT_COLUMNS)
    frame["message"] = frame["message"].fillna("")
    for column in ("waiting", "fill_rate", "worst_region_fill_rate", "cost", "seconds"):
        frame[column] = pd.to_numeric(frame[column]).astype(np.float64)
    frame["unmet"] = pd.array(frame["unmet"].tolist(), dtype="Int64")
    for column in ("scenario", "status", "message", "worst_region"):
        frame[column] = frame[column].astype("str")
    return frame.reset_index(drop=True)


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
    """Write ``folder/scenarios.csv``, and the plan folders under ``plans`` as ``folder/plans/``.

    The folder is written completely or not at all
    (:func:`allocator.write.write_folder_atomic`).
    """
    files = _LazyFiles({"scenarios.csv": results_csv(table)}, plans, "plans")
    return write_folder_atomic(folder, files, force=force)


# -- local processes ----------------------------------------------------------------------

_WORKER: dict[str, _Shared] = {}


def _init_process(shared: _Shared) -> None:
    """Initializer of each local worker process: keep the shared data for every task."""
    _WORKER["shared"] = shared


def _process_task(task: _Task) -> tuple[dict[str, Any], Plan | None]:
    return _run_scenario(_WORKER["shared"], task)


def _run_processes(
    n: int,
    shared: _Shared,
    tasks: list[_Task],
    record: Callable[[dict[str, Any], Plan | None], None],
) -> None:
    """Solve ``tasks`` in ``n`` local processes (forked from a clean fork server)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["allocator.batch", "allocator.solve"])
    executor = ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=_init_process, initargs=(shared,)
    )
    try:
        futures: dict[Future, _Task] = {executor.submit(_process_task, t): t for t in tasks}
        for future in as_completed(futures):
            try:
                row, plan = future.result()
            except BrokenProcessPool as error:
                row, plan = _crashed(futures[future], f"a worker process died: {error}"), None
            record(row, plan)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _crashed(task: _Task, message: str) -> dict[str, Any]:
    return {"scenario": task.scenario, "status": "failed", "message": message}


# -- Dask distributed ---------------------------------------------------------------------


def _worker_version() -> str:
    """Run on every Dask worker: the allocator version it imports."""
    import allocator

    return allocator.__version__


def _run_dask(
    scheduler: str,
    shared: _Shared,
    tasks: list[_Task],
    record: Callable[[dict[str, Any], Plan | None], None],
) -> None:
    """Solve ``tasks`` on the Dask cluster at ``scheduler``; the shared data go once per worker."""
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise AllocatorError(
            "--scheduler needs Dask distributed: pip install 'allocator[distributed]'"
        ) from None
    import allocator

    try:
        client = Client(scheduler, timeout=15, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise AllocatorError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    try:
        try:
            versions = client.run(_worker_version)
        except Exception as error:
            raise AllocatorError(
                f"the Dask workers at {scheduler} cannot run allocator ({error}); "
                "install allocator on every worker"
            ) from None
        if not versions:
            raise AllocatorError(f"the Dask cluster at {scheduler} has no workers")
        wrong = sorted({v for v in versions.values() if v != allocator.__version__})
        if wrong:
            raise AllocatorError(
                f"the Dask workers run allocator {', '.join(wrong)}, this is "
                f"{allocator.__version__}; install the same version everywhere"
            )
        data = client.scatter(shared, broadcast=True, hash=False)
        batch = uuid.uuid4().hex[:8]
        futures = {
            client.submit(_run_scenario, data, task, key=f"allocator-{batch}-{i}", pure=False): task
            for i, task in enumerate(tasks)
        }
        for future in dask_completed(list(futures), loop=client.loop):
            try:
                row, plan = future.result()
            except Exception as error:  # a lost worker, a task the cluster gave up on
                row, plan = _crashed(futures[future], f"{type(error).__name__}: {error}"), None
            record(row, plan)
            future.release()
    finally:
        client.close()
