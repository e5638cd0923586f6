"""The ``dispatch`` command: per sending node and month, what leaves for whom."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allocator._format import whole
from allocator.cli.app import ForceOption, QuietOption, app, errors, option, out


@app.command("dispatch")
def dispatch_command(
    plan: Annotated[Path, typer.Argument(help="Plan folder.", show_default=False)],
    output: Annotated[
        Path,
        option(
            "--output",
            "-o",
            help="Folder to write: dispatch.csv, totals.csv, index.html and one printable "
            "page per sender and month in pages/.",
            show_default=False,
        ),
    ],
    month: Annotated[
        str | None,
        option("--month", help="Only this month of departure, YYYY-MM."),
    ] = None,
    sender: Annotated[
        str | None,
        option("--from", help="Only what this node (an id of nodes.csv) sends."),
    ] = None,
    instance: Annotated[
        Path | None,
        option(
            "--instance",
            help="Instance for the node names (default: the one the plan names, if found).",
        ),
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
) -> None:
    """Write dispatch lists: per sending node and month, what leaves for whom.

    As CSV and as printable pages (one per hub and month).
    """
    from allocator._atomic import refuse_existing
    from allocator.report.dispatch_page import write_dispatch

    with errors():
        refuse_existing(output, force=force)
        target, lists = write_dispatch(
            plan, output, instance=instance, month=month, sender=sender, force=force
        )
        if not quiet:
            cards = int(lists.lines["cards"].sum())
            out().print(
                f"wrote {target}: {len(lists.lines):,} consignment(s), {whole(cards)} cards, "
                f"{len(lists.totals):,} page(s) (one per sender and month)"
            )
