"""The ``allocator`` command line: a thin layer over the Python API.

Exit codes: 0 done; 2 the input or the command line is wrong (the message says
what and where); 1 anything else (a solver time limit, a plan that fails
verification, an internal error).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from allocator import console as show
from allocator.errors import EXIT_BAD_INPUT, EXIT_FAILURE, AllocatorError, InputError

app = typer.Typer(
    name="allocator",
    help="Plan how scarce cards reach the people waiting for them: as few people as "
    "possible wait as short a time as possible, at least cost.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from allocator import __version__
        from allocator.lp import highs_version

        typer.echo(f"allocator {__version__} (HiGHS {highs_version()})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Plan how scarce cards reach the people waiting for them: as few people as possible
    wait as short a time as possible, at least cost."""


class SolverName(StrEnum):
    highs = "highs"
    cbc = "cbc"


class Method(StrEnum):
    auto = "auto"
    hipo = "hipo"
    ipx = "ipx"
    simplex = "simplex"


def _out() -> Console:
    # soft_wrap: a message with a long path stays on one line, for people and for grep.
    return Console(highlight=False, soft_wrap=True)


def _err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Turn the engine's errors into messages and exit codes, never a traceback."""
    try:
        yield
    except InputError as exc:
        show.problems(_err(), exc.problems, "input error")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except AllocatorError as exc:
        _err().print(f"[bold red]error[/]: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # pragma: no cover - the last line of defence
        if os.environ.get("ALLOCATOR_DEBUG"):
            raise
        _err().print(
            f"[bold red]internal error[/]: {type(exc).__name__}: {exc}\n"
            "Set ALLOCATOR_DEBUG=1 to see the traceback, and please report it."
        )
        raise typer.Exit(EXIT_FAILURE) from None


@contextlib.contextmanager
def _status(enabled: bool, first: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the current step (or nothing when quiet)."""
    if not enabled:
        yield lambda _message: None
        return
    with _err().status(first) as status:
        yield lambda message: status.update(f"{message}...")


InstancePath = Annotated[
    Path,
    typer.Argument(
        help="Instance folder (instance.toml, nodes.csv, ...) or .xlsx workbook.",
        show_default=False,
    ),
]

# Options shared by several commands, declared once.
SolverOption = Annotated[SolverName, typer.Option(help="LP solver.")]
MethodOption = Annotated[
    Method,
    typer.Option(
        help="HiGHS method for the first stage: auto is HiPO (interior point) where "
        "highspy-extras is installed, else IPX; both end with crossover."
    ),
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option("--time-limit", min=0, help="Seconds for the whole solve; no plan if reached."),
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the output if it exists.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the plan summary as JSON on stdout.")
]
ReportOption = Annotated[
    bool, typer.Option("--report", help="Also write report.html (see `allocator report`).")
]
FormatsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--format",
        help="Also write the plan in this format: xlsx writes plan.xlsx (one sheet per "
        "table). Repeat or comma-separate.",
    ),
]


@app.command()
def solve(
    instance: InstancePath,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Plan folder to write (default: plans/<instance name>)."
        ),
    ] = None,
    solver: SolverOption = SolverName.highs,
    time_limit: TimeLimitOption = None,
    method: MethodOption = Method.auto,
    force: ForceOption = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    report: ReportOption = False,
    formats: FormatsOption = None,
    equity: Annotated[
        bool,
        typer.Option(
            "--equity",
            help="First maximise the smallest fill rate over the offices with demand, "
            "then keep floor(that rate x demand) cards at each while minimising waiting and cost.",
        ),
    ] = False,
) -> None:
    """Solve an instance and write the plan folder, then print a summary."""
    from allocator._atomic import refuse_existing
    from allocator.outputs import parse_formats, plan_extras
    from allocator.solve import solve as solve_plan

    with _errors():
        wanted = parse_formats(formats or [])
        target = output
        if target is not None:
            refuse_existing(target, force=force)
        with _status(not quiet and not as_json, "loading the instance...") as progress:
            plan = solve_plan(
                instance,
                solver=solver.value,
                time_limit=time_limit,
                method=method.value,
                progress=progress,
                equity=equity,
            )
            if target is None:
                target = Path("plans") / plan.summary["instance"]["name"]
                refuse_existing(target, force=force)
            if report or wanted:
                progress("writing the report and spreadsheet")
            extras = plan_extras(plan, instance, wanted, report)
            plan.write(target, force=force, extra_files=extras)
        if as_json:
            sys.stdout.write(json.dumps(plan.summary, indent=2, ensure_ascii=False) + "\n")
        elif not quiet:
            show.plan_summary(_out(), plan.summary, str(target))


@app.command()
def validate(instance: InstancePath) -> None:
    """Check an instance and report every problem at once (exit 2 if there is any)."""
    from allocator.instance.load import load_instance
    from allocator.instance.network import unreachable_demand

    with _errors():
        inst = load_instance(instance)
        out = _out()
        out.print(
            f"[green]ok[/]: {inst.name}: {len(inst.nodes):,} nodes, {len(inst.links):,} "
            f"links, {inst.periods} months from {inst.start}, "
            f"{len(inst.categories)} categories"
        )
        lost = unreachable_demand(inst)
        if not lost.empty:
            out.print(
                f"[yellow]warning[/]: {len(lost)} node(s) with demand that no supply can "
                f"reach ({int(lost['demand'].sum()):,} cards stay unmet); "
                "see `allocator info`"
            )


@app.command()
def info(instance: InstancePath) -> None:
    """Show sizes, supply against demand by month, and demand no supply can reach."""
    from allocator.instance.info import describe_instance as describe
    from allocator.instance.load import load_instance

    with _errors():
        show.instance_info(_out(), describe(load_instance(instance)))


@app.command()
def verify(
    instance: InstancePath,
    plan: Annotated[Path, typer.Argument(help="Plan folder to check.", show_default=False)],
) -> None:
    """Re-check a plan against the instance, independently of the LP code (exit 1 if wrong)."""
    from allocator.instance.load import load_instance
    from allocator.plan import read_plan
    from allocator.verify import verify as verify_plan

    with _errors():
        problems = verify_plan(load_instance(instance), read_plan(plan))
        if problems:
            err = _err()
            err.print(f"[bold red]plan {plan} fails verification[/]: {len(problems)} problem(s)")
            for p in problems:
                err.print(f"  {p}", markup=False)
            raise typer.Exit(EXIT_FAILURE)
        _out().print(
            f"[green]ok[/]: {plan} satisfies every constraint of the model, in whole "
            "cards, and its summary figures recompute exactly"
        )


@app.command()
def generate(
    output: Annotated[Path, typer.Argument(help="Instance folder to write.", show_default=False)],
    offices: Annotated[int, typer.Option(min=1, help="Number of district offices.")] = 514,
    months: Annotated[int, typer.Option(min=1, help="Months in the horizon.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same instance).")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the folder if it exists.")
    ] = False,
) -> None:
    """Write a synthetic instance shaped like the national network, of any size."""
    from allocator.instance.generate import write_generated

    with _errors():
        path = write_generated(output, offices, months, seed, force)
        _out().print(f"wrote {path} ({offices:,} offices, {months} months, seed {seed})")


@app.command("report")
def report_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder.", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="HTML file to write (default: PLAN/report.html)."),
    ] = None,
    instance: Annotated[
        Path | None,
        typer.Option(
            "--instance",
            help="Instance for the map (default: the one the plan names, if it is found).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the HTML file if it exists.")
    ] = False,
) -> None:
    """Write a plan's report: one self-contained HTML page with its figures, charts and map."""
    from rich.markup import escape

    from allocator._atomic import refuse_existing, write_file_atomic
    from allocator.report import build_report

    with _errors():
        target = output if output is not None else plan / "report.html"
        refuse_existing(target, force=force)
        page, note = build_report(plan, instance=instance)
        write_file_atomic(target, page.encode(), force=force)
        if note:
            _err().print(f"[yellow]warning[/]: {escape(note)}")
        _out().print(f"wrote {target}")


# -- batch ------------------------------------------------------------------------------


@app.command()
def batch(
    instance: InstancePath,
    scenarios: Annotated[
        Path,
        typer.Argument(
            help="Scenario table: scenario,change,target,period,value.", show_default=False
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Results folder to write (scenarios.csv, plans/).",
            show_default=False,
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Scenarios at a time in local processes (default: the number of cores).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on the Dask cluster at tcp://HOST:PORT instead of local processes.",
        ),
    ] = None,
    keep_plans: Annotated[
        bool, typer.Option("--keep-plans", help="Also write each plan under RESULTS/plans/.")
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Plan folder each scenario re-plans (with --from)."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help="Month YYYY-MM from which the baseline is re-planned."),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", min=0, help="Seconds per scenario; one over it is recorded as failed."
        ),
    ] = None,
    solver: SolverOption = SolverName.highs,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the results folder if it exists.")
    ] = False,
    quiet: QuietOption = False,
) -> None:
    """Solve many what-if scenarios of an instance and tabulate them in RESULTS/scenarios.csv.

    Exit 1 when a scenario failed (the table is still written, with its message).
    """
    import shutil
    import uuid

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from allocator._atomic import refuse_existing
    from allocator.batch import run_batch, write_results

    with _errors():
        refuse_existing(output, force=force)
        bar = Progress(
            TextColumn("scenarios"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "done {task.fields[done]}, failed {task.fields[failed]}, "
                "remaining {task.fields[remaining]}"
            ),
            TimeElapsedColumn(),
            console=_err(),
            disable=quiet,
        )
        task = bar.add_task("batch", total=None, done=0, failed=0, remaining="?")

        def advance(done: int, failed: int, remaining: int) -> None:
            if not bar.live.is_started:  # the scenarios are checked, solving begins
                bar.start()
            bar.update(
                task,
                completed=done + failed,
                total=done + failed + remaining,
                done=done,
                failed=failed,
                remaining=remaining,
            )

        # Plans wait beside RESULTS until the whole folder is written (created with the first).
        staging = output.parent / f".{output.name}.{uuid.uuid4().hex[:8]}.plans"
        try:
            try:
                results = run_batch(
                    instance,
                    scenarios,
                    workers=workers,
                    scheduler=scheduler,
                    time_limit=time_limit,
                    solver=solver.value,
                    keep_plans=staging if keep_plans else None,
                    baseline=baseline,
                    start=start,
                    progress=advance,
                )
            finally:
                if bar.live.is_started:
                    bar.stop()
            write_results(output, results, plans=staging if keep_plans else None, force=force)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        failed = int((results["status"] == "failed").sum())
        if not quiet:
            show.batch_summary(_out(), results, output)
        if failed:
            _err().print(
                f"[bold red]{failed} of {len(results)} scenario(s) failed[/]; "
                f"see the message column of {output / 'scenarios.csv'}"
            )
            raise typer.Exit(EXIT_FAILURE)


@app.command("replan")
def replan_command(
    instance: InstancePath,
    plan: Annotated[Path, typer.Option("--plan", help="The old plan folder.", show_default=False)],
    start: Annotated[
        str,
        typer.Option(
            "--from",
            help="First month to re-plan, YYYY-MM; earlier months are history.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="New plan folder to write.", show_default=False)
    ],
    actuals: Annotated[
        Path | None,
        typer.Option(
            help="Folder with what really happened before --from: shipments.csv, issuance.csv, "
            "supply.csv (any of them; a row replaces the old plan's row with the same key)."
        ),
    ] = None,
    supply: Annotated[
        Path | None,
        typer.Option(help="supply.csv replacing the supply from --from on (a delayed tranche)."),
    ] = None,
    demand: Annotated[
        Path | None,
        typer.Option(
            help="demand.csv replacing the demand arising from --from on (a surge); the backlog "
            "carried into --from follows from the old plan."
        ),
    ] = None,
    capacity: Annotated[
        Path | None,
        typer.Option(help="capacity.csv with overrides from --from on (a closed road)."),
    ] = None,
    freeze: Annotated[
        int,
        typer.Option(
            min=0, help="Keep the old plan's shipments of the first N months where possible."
        ),
    ] = 0,
    stability: Annotated[
        float,
        typer.Option(min=0, help="Penalty per card moved away from the old plan's shipments."),
    ] = 0.0,
    solver: SolverOption = SolverName.highs,
    time_limit: TimeLimitOption = None,
    method: MethodOption = Method.auto,
    force: ForceOption = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    report: ReportOption = False,
    formats: FormatsOption = None,
) -> None:
    """Re-plan from a month on, after a delay, from what actually happened."""
    from allocator._atomic import refuse_existing
    from allocator.outputs import parse_formats, plan_extras
    from allocator.replan import replan as replan_plan

    with _errors():
        wanted = parse_formats(formats or [])
        refuse_existing(output, force=force)
        with _status(not quiet and not as_json, "loading the instance...") as progress:
            new = replan_plan(
                instance,
                plan,
                start=start,
                actuals=actuals,
                supply=supply,
                demand=demand,
                capacity=capacity,
                freeze=freeze,
                stability=stability,
                solver=solver.value,
                time_limit=time_limit,
                method=method.value,
                progress=progress,
            )
            if report or wanted:
                progress("writing the report and spreadsheet")
            extras = plan_extras(new, new.instance, wanted, report)
            new.write(output, force=force, extra_files=extras)
        if as_json:
            sys.stdout.write(json.dumps(new.summary, indent=2, ensure_ascii=False) + "\n")
        elif not quiet:
            show.plan_summary(_out(), new.summary, str(output))
            show.replan_comparison(_out(), new.summary["replan"])


def main() -> None:
    """Entry point of the ``allocator`` console script."""
    app()


if __name__ == "__main__":
    main()
