"""The ``stress`` command: a plan's first months committed, the rest re-planned per scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from allocator._format import number as _n
from allocator._format import percent as _pct
from allocator.cli.app import (
    EXIT_FAILURE,
    ForceOption,
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

CommitOption = Annotated[
    int,
    option(
        "--commit",
        help="K: the first K months of the plan are committed (shipped and issued as planned, "
        "except what a scenario makes impossible); the later months are re-planned.",
        show_default=False,
    ),
]


@app.command("stress")
def stress_command(
    instance: InstancePath,
    plan: Annotated[Path, typer.Argument(help="The plan folder to stress.", show_default=False)],
    scenarios: Annotated[
        Path,
        typer.Argument(
            help="What-if table: scenario,change,target,period,value[,probability].",
            show_default=False,
        ),
    ],
    commit: CommitOption,
    output: Annotated[
        Path,
        option(
            "--output",
            "-o",
            help="Results folder to write (stress.csv, summary.json, regret.csv).",
            show_default=False,
        ),
    ],
    plans: Annotated[
        list[Path] | None,
        option(
            "--plans",
            help="Another candidate plan stressed on the same scenarios (repeat for more); "
            "adds regret.csv.",
        ),
    ] = None,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    time_limit: Annotated[
        float | None,
        option("--time-limit", min=0, help="Seconds per scenario; over it, it fails."),
    ] = None,
    solver: SolverOption = SolverName.highs,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """How a plan holds up over scenarios: expected waiting, CVaR 90 %, worst case, per province.

    Exit 1 when a scenario failed (the table is still written, with its message).
    """
    from allocator._atomic import refuse_existing
    from allocator.hedging import stress

    with errors():
        refuse_existing(output, force=force)
        result = stress(
            instance,
            plan,
            scenarios,
            commit=commit,
            plans=plans or [],
            workers=workers,
            scheduler=scheduler,
            solver=solver.value,
            time_limit=time_limit,
        )
        result.write(output, force=force)
    if not quiet:
        stress_summary(out(), result.summary, output)
    if result.failed:
        err().print(
            f"[bold red]{result.failed} scenario run(s) failed[/]; "
            f"see the message column of {output / 'stress.csv'}"
        )
        raise typer.Exit(EXIT_FAILURE)


def stress_summary(console: Console, summary: dict[str, Any], folder: Path) -> None:
    """Print each plan's expected, CVaR 90 % and worst-case waiting and its worst province."""
    table = Table(
        title=f"Stress over {summary['scenarios']} scenario(s), first "
        f"{summary['commit']} month(s) committed  ->  {folder}",
        title_justify="left",
    )
    for column in (
        "plan",
        "expected waiting",
        "CVaR 90%",
        "worst case",
        "fill rate",
        "worst province",
    ):
        table.add_column(
            column, justify="left" if column in ("plan", "worst province") else "right"
        )
    for p in summary["plans"]:
        if p["failed"]:
            table.add_row(p["plan"], f"{p['failed']} failed", "", "", "", "")
            continue
        region = p["regions"][0] if p["regions"] else None
        table.add_row(
            p["plan"],
            _n(p["expected_waiting"]),
            _n(p["cvar_90"]),
            f"{_n(p['worst_case']['waiting'])} ({p['worst_case']['scenario']})",
            _pct(p["expected_fill_rate"]),
            f"{region['region']} {_pct(region['expected_fill_rate'])}" if region else "",
        )
    console.print(table)
