"""The ``explain`` command: why offices wait, what one more unit is worth, where cards came from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator.cli import console as show
from allocator.cli.app import (
    ForceOption,
    InstancePath,
    QuietOption,
    app,
    errors,
    option,
    out,
    status,
)


@app.command("explain")
def explain_command(
    instance: InstancePath,
    plan: Annotated[Path, typer.Argument(help="Plan folder to explain.", show_default=False)],
    output: Annotated[
        Path | None,
        option(
            "--output",
            "-o",
            help="Folder to write the explanation to (default: into the plan folder, with "
            "its roll-up in summary.json).",
        ),
    ] = None,
    office: Annotated[
        str | None,
        option("--office", help="Print one office (node id) in plain words; write nothing."),
    ] = None,
    region: Annotated[
        str | None,
        option("--region", help="Print one province (region) in plain words; write nothing."),
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Explain a plan: marginal values, why each card is short or late, and pegging.

    Writes marginal_values.csv, shortfalls.csv and pegging.csv. Exit 2 or 1 if
    the plan is not of this instance, fails verify or is not of least waiting;
    nothing is written then.
    """
    from allocator._atomic import refuse_existing
    from allocator.errors import InputError, Problem
    from allocator.explaining import explain
    from allocator.explaining.files import write_explanation
    from allocator.explaining.words import describe
    from allocator.instance import load_instance
    from allocator.plan import read_plan

    with errors():
        if office is not None and region is not None:
            raise InputError(
                [Problem("--office", None, None, "give --office or --region, not both")]
            )
        if output is not None:
            refuse_existing(output, force=force)
        with status(not quiet, "loading the instance and the plan...") as progress:
            inst = load_instance(instance)
            made = read_plan(plan)
            progress("explaining the plan (stage 1's duals, reasons, pegging)")
            explanation = explain(inst, made)
            if office is None and region is None:
                progress("writing the explanation")
                target = write_explanation(explanation, plan, output, force=force)
        if office is not None or region is not None:
            console = out()
            for line in describe(inst, made, explanation, office=office, region=region):
                console.print(line, markup=False, highlight=False)
            return
        if not quiet:
            show.explain_summary(out(), explanation.summary, str(target))
