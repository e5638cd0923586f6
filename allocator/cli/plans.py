"""The commands that make and check plans: ``solve``, ``replan``, ``verify``, ``report``.

Each is one call into the Python API; the imports are inside the commands so
that ``allocator --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli import console as show
from allocator.cli.app import (
    EXIT_FAILURE,
    ExplainOption,
    ForceOption,
    FormatsOption,
    InstancePath,
    JsonOption,
    Method,
    MethodOption,
    QuietOption,
    ReportOption,
    SolverName,
    SolverOption,
    TimeLimitOption,
    app,
    err,
    errors,
    option,
    out,
    solve_options,
    status,
)

# The solve command's own options.
PlanOutputOption = Annotated[
    Path | None,
    option("--output", "-o", help="Plan folder to write (default: plans/<instance name>)."),
]
EquityOption = Annotated[
    bool,
    option(
        "--equity",
        help="First maximise the smallest fill rate over the offices with demand, "
        "then keep floor(that rate x demand) cards at each while minimising waiting and cost.",
    ),
]
HedgeOption = Annotated[
    Path | None,
    option(
        "--hedge",
        help="What-if table (with an optional probability per scenario): make the first "
        "--commit months best across its scenarios, each re-planning its later months.",
    ),
]
HedgeCommitOption = Annotated[
    int | None,
    option("--commit", help="K: the months a hedged plan commits (with --hedge)."),
]
RiskOption = Annotated[
    str,
    option(
        "--risk",
        help="What a hedged plan minimises: expected (waiting) or cvar:A, the expected "
        "waiting of the worst 1-A of probability (cvar:0.9).",
    ),
]

HedgeWorkersOption = Annotated[
    int | None,
    option(
        "--workers",
        min=1,
        help="With --hedge: scenarios at a time in local processes (default: the cores).",
    ),
]
HedgeSchedulerOption = Annotated[
    str | None,
    option("--scheduler", help="With --hedge: run the scenarios on the Dask cluster at ADDR."),
]


@app.command()
def solve(
    instance: InstancePath,
    output: PlanOutputOption = None,
    solver: SolverOption = SolverName.auto,
    time_limit: TimeLimitOption = None,
    method: MethodOption = Method.auto,
    force: ForceOption = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    report: ReportOption = False,
    formats: FormatsOption = None,
    explain: ExplainOption = False,
    equity: EquityOption = False,
    hedge: HedgeOption = None,
    commit: HedgeCommitOption = None,
    risk: RiskOption = "expected",
    workers: HedgeWorkersOption = None,
    scheduler: HedgeSchedulerOption = None,
) -> None:
    """Solve an instance and write the plan folder, then print a summary."""
    from allocator._atomic import refuse_existing
    from allocator.deliver import deliver_plan, parse_formats
    from allocator.hedging import solve as solve_plan

    with errors(as_json):
        wanted = parse_formats(formats or [])
        if output is not None:
            refuse_existing(output, force=force)  # before any work
        with status(not quiet and not as_json, "loading the instance...") as progress:
            options = solve_options(solver, method, time_limit)
            plan = solve_plan(
                instance,
                options,
                progress=progress,
                equity=equity,
                hedge=hedge,
                commit=commit,
                risk=risk,
                workers=workers,
                scheduler=scheduler,
            )
            if report or wanted or explain:
                progress("explaining and writing the extras" if explain else "writing the extras")
            target = deliver_plan(
                plan,
                output,
                instance=instance,
                formats=wanted,
                report=report,
                explain=explain,
                force=force,
            )
        if as_json:
            sys.stdout.write(json.dumps(plan.summary, indent=2, ensure_ascii=False) + "\n")
        elif not quiet:
            show.plan_summary(out(), plan.summary, str(target))
            if "hedge" in plan.summary:
                show.hedge_summary(out(), plan.summary["hedge"])
            if explain:
                show.explain_summary(out(), plan.summary["explain"])


# The re-plan's new facts and options.
ActualsOption = Annotated[
    Path | None,
    option(
        help="Folder with what really happened before --from: shipments.csv, issuance.csv, "
        "supply.csv (any of them; a row replaces the old plan's row with the same key)."
    ),
]
NewSupplyOption = Annotated[
    Path | None,
    option(help="supply.csv replacing the supply from --from on (a delayed tranche)."),
]
NewDemandOption = Annotated[
    Path | None,
    option(
        help="demand.csv replacing the demand arising from --from on (a surge); the backlog "
        "carried into --from follows from the old plan."
    ),
]
NewCapacityOption = Annotated[
    Path | None,
    option(help="capacity.csv with overrides from --from on (a closed road)."),
]
FreezeOption = Annotated[
    int,
    option(min=0, help="Keep the old plan's shipments of the first N months where possible."),
]
StabilityOption = Annotated[
    float,
    option(min=0, help="Penalty per card moved away from the old plan's shipments."),
]


@app.command("replan")
def replan_command(
    instance: InstancePath,
    plan: Annotated[Path, option("--plan", help="The old plan folder.", show_default=False)],
    start: Annotated[
        str,
        option(
            "--from",
            help="First month to re-plan, YYYY-MM; earlier months are history.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path, option("--output", "-o", help="New plan folder to write.", show_default=False)
    ],
    actuals: ActualsOption = None,
    supply: NewSupplyOption = None,
    demand: NewDemandOption = None,
    capacity: NewCapacityOption = None,
    freeze: FreezeOption = 0,
    stability: StabilityOption = 0.0,
    solver: SolverOption = SolverName.auto,
    time_limit: TimeLimitOption = None,
    method: MethodOption = Method.auto,
    force: ForceOption = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    report: ReportOption = False,
    formats: FormatsOption = None,
    explain: ExplainOption = False,
) -> None:
    """Re-plan from a month on, after a delay, from what actually happened."""
    from allocator._atomic import refuse_existing
    from allocator.deliver import deliver_plan, parse_formats
    from allocator.replanning import replan as replan_plan

    with errors(as_json):
        wanted = parse_formats(formats or [])
        refuse_existing(output, force=force)
        with status(not quiet and not as_json, "loading the instance...") as progress:
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
                options=solve_options(solver, method, time_limit),
                progress=progress,
            )
            old = None
            if explain:
                from allocator.instance import load_instance
                from allocator.plan import read_plan

                old = (load_instance(instance), read_plan(plan))
            if report or wanted or explain:
                progress("explaining and writing the extras" if explain else "writing the extras")
            deliver_plan(
                new,
                output,
                instance=new.instance,
                formats=wanted,
                report=report,
                explain=explain,
                old=old,
                force=force,
            )
        if as_json:
            sys.stdout.write(json.dumps(new.summary, indent=2, ensure_ascii=False) + "\n")
        elif not quiet:
            show.plan_summary(out(), new.summary, str(output))
            show.replan_comparison(out(), new.summary["replan"])
            if explain:
                show.explain_summary(out(), new.summary["explain"])


@app.command()
def verify(
    instance: InstancePath,
    plan: Annotated[Path, typer.Argument(help="Plan folder to check.", show_default=False)],
) -> None:
    """Re-check a plan against the instance, independently of the LP code (exit 1 if wrong)."""
    from allocator.instance import load_instance
    from allocator.plan import read_plan
    from allocator.verification import verify as verify_plan

    with errors():
        problems = verify_plan(load_instance(instance), read_plan(plan))
        if problems:
            show.verification_failed(err(), str(plan), problems)
            raise typer.Exit(EXIT_FAILURE)
        out().print(
            f"[green]ok[/]: {plan} satisfies every constraint of the model, in whole "
            "cards, and its summary figures recompute exactly"
        )


class ReportFormat(StrEnum):
    html = "html"
    geojson = "geojson"


@app.command("report")
def report_command(
    plan: Annotated[
        Path,
        typer.Argument(
            help="Plan folder, or a batch's results folder (scenarios ranked against the base).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        option("--output", "-o", help="HTML file to write (default: PLAN/report.html)."),
    ] = None,
    instance: Annotated[
        Path | None,
        option(
            "--instance",
            help="Instance for the map (default: the one the plan names, if it is found).",
        ),
    ] = None,
    force: Annotated[
        bool,
        option(
            "--force",
            help="Replace the HTML file if it exists, and draw a plan that fails verification "
            "(under a red banner) instead of refusing it.",
        ),
    ] = False,
    form: Annotated[
        ReportFormat,
        option(
            "--format",
            help="html: one self-contained page (default PLAN/report.html); geojson: the "
            "nodes and links as one GeoJSON file for a GIS such as QGIS (default "
            "PLAN/plan.geojson).",
        ),
    ] = ReportFormat.html,
    quiet: QuietOption = False,
) -> None:
    """Write a plan's report: one self-contained HTML page with its figures, charts and map.

    The plan is verified against its instance first; one that fails is refused (exit 1).

    PLAN may also be a batch's results folder: its page ranks the scenarios against the base.
    """
    from allocator._atomic import refuse_existing
    from allocator.cli.batch import batch_results, report_batch
    from allocator.report import build_report, write_geojson, write_page

    if batch_results(plan):  # a results folder of `allocator batch`
        return report_batch(plan, output, force)
    with errors():
        if form is ReportFormat.geojson:
            target = output if output is not None else plan / "plan.geojson"
            with status(not quiet, "checking the plan and writing its GeoJSON"):
                written = write_geojson(plan, target, instance=instance, force=force)
            if not quiet:
                out().print(f"wrote {written}")
            return
        target = output if output is not None else plan / "report.html"
        refuse_existing(target, force=force)
        with status(not quiet, "checking the plan and drawing its report"):
            page, checked = build_report(plan, instance=instance, force=force)
            written = write_page(target, page, force)
        if checked.banner is not None:
            level = (
                "[bold red]error[/]" if checked.banner.level == "error" else "[yellow]warning[/]"
            )
            err().print(f"{level}: {checked.banner.text}", markup=True, highlight=False)
        if not quiet:
            out().print(f"wrote {written}")
