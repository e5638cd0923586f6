"""The commands about instances: ``validate``, ``info``, ``generate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator._format import month
from allocator.cli import console as show
from allocator.cli.app import InstancePath, app, errors, option, out


@app.command()
def validate(instance: InstancePath) -> None:
    """Check an instance and report every problem at once (exit 2 if there is any)."""
    from allocator.instance import load_instance, unusual
    from allocator.instance.network import unreachable_demand

    with errors():
        inst = load_instance(instance)
        console = out()
        console.print(
            f"[green]ok[/]: {inst.name}: {len(inst.nodes):,} nodes, {len(inst.links):,} "
            f"links, {inst.periods} months from {month(inst.start)}, "
            f"{len(inst.categories)} categor{'y' if len(inst.categories) == 1 else 'ies'}"
        )
        lost = unreachable_demand(inst)
        if not lost.empty:
            console.print(
                f"[yellow]warning[/]: {len(lost)} node(s) with demand that no supply can "
                f"reach ({int(lost['demand'].sum()):,} cards stay unmet); "
                "see `allocator info`"
            )
        for note in unusual(inst):
            console.print(f"[yellow]warning[/]: {note}", highlight=False)


@app.command()
def info(instance: InstancePath) -> None:
    """Show sizes, supply against demand by month, and demand no supply can reach."""
    from allocator.instance import describe_instance, load_instance

    with errors():
        show.instance_info(out(), describe_instance(load_instance(instance)))


@app.command()
def generate(
    output: Annotated[Path, typer.Argument(help="Instance folder to write.", show_default=False)],
    offices: Annotated[int, option(min=1, help="Number of district offices.")] = 514,
    months: Annotated[int, option(min=1, help="Months in the horizon.")] = 12,
    seed: Annotated[int, option(help="Random seed (same seed, same instance).")] = 0,
    force: Annotated[bool, option("--force", help="Replace the folder if it exists.")] = False,
) -> None:
    """Write a synthetic instance shaped like the national network, of any size."""
    from allocator.instance.generate import write_generated

    with errors():
        path = write_generated(output, offices, months, seed, force)
        out().print(f"wrote {path} ({offices:,} offices, {months} months, seed {seed})")
