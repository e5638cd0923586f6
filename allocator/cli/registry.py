"""The commands about registration records: ``demand`` and ``generate-registrations``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from allocator.cli.app import ForceOption, QuietOption, app, err, errors, option, out

if TYPE_CHECKING:
    from allocator.registry.build import Progress


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr, told ``(step, share)`` by the library."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=1.0)
        yield lambda step, share: bar.update(task, description=step, completed=share)


@app.command()
def demand(
    registrations: Annotated[
        Path,
        typer.Argument(
            help="Registration file (.csv or .parquet), one row per record.", show_default=False
        ),
    ],
    instance: Annotated[
        Path,
        option("--instance", "-i", help="Instance the demand is for.", show_default=False),
    ],
    output: Annotated[
        Path,
        option(
            "--output",
            "-o",
            help="Folder to write demand.csv, duplicate_pairs.csv and quality.csv into.",
            show_default=False,
        ),
    ],
    pairs: Annotated[
        Path | None,
        option("--pairs", help="duplicate_pairs.csv with your decisions (INVALID, MERGED)."),
    ] = None,
    into: Annotated[
        Path | None,
        option("--into", help="Also write a copy of the instance with this demand here."),
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Build demand from registration records: invalid NIKs and duplicate people removed."""
    from allocator._atomic import refuse_existing
    from allocator.cli import console as show
    from allocator.instance import load_instance
    from allocator.registry import build_demand, write_instance_copy, write_record_demand

    with errors():
        refuse_existing(output, force=force)
        if into is not None:
            refuse_existing(into, force=force)
        inst = load_instance(instance)
        with _progress(not quiet) as progress:
            result = build_demand(registrations, inst, pairs=pairs, progress=progress)
        write_record_demand(result, output, force=force)
        if into is not None:
            write_instance_copy(inst, result, into, force=force)
        if not quiet:
            show.record_demand(out(), result, output, into)


@app.command("generate-registrations")
def generate_registrations(
    output: Annotated[
        Path,
        typer.Argument(
            help="Folder to write registrations.csv and answer_key.csv into.", show_default=False
        ),
    ],
    instance: Annotated[
        Path,
        option(
            "--instance",
            "-i",
            help="Instance whose offices the people live at "
            "(offices need 4-digit Kemendagri codes).",
            show_default=False,
        ),
    ],
    people: Annotated[int, option(min=1, help="Number of true persons.")] = 10_000,
    duplicates: Annotated[
        float, option(min=0, help="Extra records per person (0.1: one in ten twice).")
    ] = 0.1,
    seed: Annotated[int, option(help="Random seed (same seed, same records).")] = 0,
    force: ForceOption = False,
) -> None:
    """Write synthetic registration records with known true persons, and the answer key."""
    from allocator.instance import load_instance
    from allocator.registry import write_registrations

    with errors():
        path = write_registrations(
            output, load_instance(instance), people, duplicates, seed, force=force
        )
        out().print(
            f"wrote {path} ({people:,} people, {duplicates:g} duplicates per person, seed {seed})"
        )
