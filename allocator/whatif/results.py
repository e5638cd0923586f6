"""Reading a batch results folder back: ``scenarios.csv`` and ``regions.csv``.

The folder :func:`~allocator.whatif.batch.write_batch` writes may have been
opened in a spreadsheet and saved again; it is read through the same boundary
as every user file (:mod:`allocator.instance.text`,
:func:`~allocator.instance.tables.parse_table`). The differences from the
base (``*_vs_base``) are not read but computed again from the figures, so
they are always the scenario minus the base.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance.problems import Collector
from allocator.instance.schema import Column
from allocator.instance.tables import read_table
from allocator.whatif.base import BASE, VS_BASE_COLUMNS, against_base, regions_against_base

#: The columns of ``scenarios.csv`` that are read (``*_vs_base`` are recomputed).
SCENARIO_SCHEMA = (
    Column("scenario", "id", required=True),
    Column("status", "id", required=True),
    Column("message", "text"),
    Column("waiting", "number"),
    Column("unmet", "whole"),
    Column("fill_rate", "number"),
    Column("worst_region", "text"),
    Column("worst_region_fill_rate", "number"),
    Column("cost", "number"),
    Column("seconds", "number"),
)
#: The columns of ``regions.csv`` that are read.
REGION_SCHEMA = (
    Column("scenario", "id", required=True),
    Column("region", "text", required=True),
    Column("demand", "whole", required=True),
    Column("issued", "whole", required=True),
    Column("unmet", "whole", required=True),
    Column("fill_rate", "number", required=True),
    Column("card_months_waiting", "whole", required=True),
)


@dataclass(frozen=True)
class BatchResults:
    """A results folder: the scenario table (base first) and, if written, ``regions``."""

    folder: Path
    scenarios: pd.DataFrame
    regions: pd.DataFrame | None


def is_results_folder(folder: str | Path) -> bool:
    """Whether ``folder`` is a batch results folder (``scenarios.csv``, no ``summary.json``)."""
    root = Path(folder)
    return (root / "scenarios.csv").is_file() and not (root / "summary.json").exists()


def read_results(folder: str | Path) -> BatchResults:
    """Read a batch results folder; raise :class:`InputError` naming every bad cell.

    A folder without the ``base`` row (written before every batch had one)
    is refused: there is nothing to compare the scenarios with.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError([Problem(str(root), None, None, "results folder not found")])
    out = Collector(["scenarios.csv", "regions.csv"])
    scenarios = read_table(root / "scenarios.csv", SCENARIO_SCHEMA, out, extras=False)
    regions = None
    if (root / "regions.csv").is_file():
        regions = read_table(root / "regions.csv", REGION_SCHEMA, out, extras=False)
    out.raise_if_any()
    assert scenarios is not None
    if scenarios.empty or scenarios["scenario"].iloc[0] != BASE:
        raise InputError(
            [
                Problem(
                    "scenarios.csv",
                    2,
                    "scenario",
                    f"the first row is not '{BASE}' (the instance unchanged); run the batch "
                    "again with this version to compare its scenarios with the base",
                )
            ]
        )
    table = against_base(scenarios)
    if regions is not None:
        regions = regions_against_base(regions)
    return BatchResults(root, table[[*scenarios.columns, *VS_BASE_COLUMNS]], regions)
