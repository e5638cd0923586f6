"""The ``batch`` command: many what-if scenarios, with a progress bar."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli import console as show
from allocator.cli.app import (
    EXIT_FAILURE,
    InstancePath,
    QuietOption,
    SchedulerOption,
    SolverName,
    SolverOption,
    WorkersOption,
    app,
    err,
    errors,
    option,
    out,
)

# The batch's arguments and options, declared once.
ScenariosArgument = Annotated[
    Path,
    typer.Argument(help="Scenario table: scenario,change,target,period,value.", show_default=False),
]
ResultsOption = Annotated[
    Path,
    option(
        "--output",
        "-o",
        help="Results folder to write (scenarios.csv, plans/).",
        show_default=False,
    ),
]
KeepPlansOption = Annotated[
    bool, option("--keep-plans", help="Also write each plan under RESULTS/plans/.")
]
BaselineOption = Annotated[
    Path | None,
    option("--baseline", help="Plan folder each scenario re-plans (with --from)."),
]
BaselineFromOption = Annotated[
    str | None,
    option("--from", help="Month YYYY-MM from which the baseline is re-planned."),
]
ScenarioTimeLimitOption = Annotated[
    float | None,
    option("--time-limit", min=0, help="Seconds per scenario; one over it is recorded as failed."),
]
ReplaceResultsOption = Annotated[
    bool, option("--force", help="Replace the results folder if it exists.")
]


@app.command()
def batch(
    instance: InstancePath,
    scenarios: ScenariosArgument,
    output: ResultsOption,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    keep_plans: KeepPlansOption = False,
    baseline: BaselineOption = None,
    start: BaselineFromOption = None,
    time_limit: ScenarioTimeLimitOption = None,
    solver: SolverOption = SolverName.auto,
    force: ReplaceResultsOption = False,
    quiet: QuietOption = False,
) -> None:
    """Solve many what-if scenarios of an instance and tabulate them against the base.

    RESULTS/scenarios.csv starts with a row, base (the instance unchanged),
    that each scenario's row is compared with. Exit 1 when a scenario failed
    (the table is still written, with its message).
    """
    from allocator.whatif import write_batch

    with errors(), scenario_bar(quiet) as advance:
        results = write_batch(
            instance,
            scenarios,
            output,
            keep_plans=keep_plans,
            force=force,
            workers=workers,
            scheduler=scheduler,
            time_limit=time_limit,
            solver=solver.value,
            baseline=baseline,
            start=start,
            progress=advance,
        )
    failed = int((results["status"] == "failed").sum())
    if not quiet:
        show.batch_summary(out(), results, output)
    if failed:
        err().print(
            f"[bold red]{failed} of {len(results)} scenario(s) failed[/]; "
            f"see the message column of {output / 'scenarios.csv'}"
        )
        raise typer.Exit(EXIT_FAILURE)


@contextlib.contextmanager
def scenario_bar(quiet: bool) -> Iterator[Callable[[int, int, int], None]]:
    """A progress bar on stderr, shown once the scenarios are checked and solving begins."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("scenarios"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(
            "done {task.fields[done]}, failed {task.fields[failed]}, "
            "remaining {task.fields[remaining]}"
        ),
        TimeElapsedColumn(),
        console=err(),
        disable=quiet,
    )
    task = bar.add_task("batch", total=None, done=0, failed=0, remaining="?")

    def advance(done: int, failed: int, remaining: int) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(
            task,
            completed=done + failed,
            total=done + failed + remaining,
            done=done,
            failed=failed,
            remaining=remaining,
        )

    try:
        yield advance
    finally:
        if bar.live.is_started:
            bar.stop()


def batch_results(folder: Path) -> bool:
    """Whether ``folder`` is a batch's results folder (for ``allocator report``)."""
    from allocator.whatif.results import is_results_folder

    return is_results_folder(folder)


def report_batch(results: Path, output: Path | None, force: bool) -> None:
    """``allocator report RESULTS``: the batch's page, scenarios ranked against the base."""
    from allocator.report.batch_page import write_batch_report

    with errors():
        out().print(f"wrote {write_batch_report(results, output, force=force)}")
