"""From registration records to demand: read, check, de-duplicate, count.

:func:`build_demand` is the whole step as one call; the steps are
:mod:`~allocator.registry.read` (the file), :mod:`~allocator.registry.nik`
(each record's rules), :mod:`~allocator.registry.duplicates` (exact
duplicates, conflicts, probable pairs), :mod:`~allocator.registry.decisions`
(the planner's ``--pairs``) and :mod:`~allocator.registry.counts` (demand and
quality). Every record ends in exactly one *state*:

``invalid`` (a NIK rule or an unknown office) · ``exact_duplicate`` (another
record stands for the same NIK and person) · ``merged`` (a MERGED pair folds
it into a later record) · ``blocked`` (in an OPEN pair) · ``printed`` ·
``after_horizon`` (registered after the instance's last month) · ``printable``
(waiting for a card: a unit of ``demand.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import polars as pl

from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.instance.problems import Collector
from allocator.registry import counts, decisions, duplicates, nik, read
from allocator.registry.names import with_name_keys

#: Share of invalid records above which a file is refused as probably the wrong one.
MOST_INVALID = 0.5

#: Told ``(step, share done)`` now and then, for a progress bar.
Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class RecordDemand:
    """What :func:`build_demand` found: the demand, the pairs, the quality figures."""

    demand: pd.DataFrame  #: node, period, category, quantity (instance format)
    pairs: (
        pd.DataFrame
    )  #: duplicate_pairs.csv: pair, row_a, row_b, nik_a, nik_b, kind, score, status
    quality: pd.DataFrame  #: quality.csv: one row per office, per province, and the total
    states: dict[str, int]  #: records per final state
    notes: list[Problem] = field(default_factory=list)  #: the invalid records, grouped


def build_demand(
    registrations: str | Path,
    instance: Instance,
    *,
    pairs: str | Path | None = None,
    progress: Progress | None = None,
) -> RecordDemand:
    """Demand per office, month and category from a registration file.

    ``pairs`` is a ``duplicate_pairs.csv`` with the planner's decisions.
    Raises :class:`~allocator.errors.InputError` (every problem at once)
    when the file cannot be read, a cell is malformed, or most records are
    invalid; nothing is written here (see :func:`write_record_demand`).
    """
    tell = progress or (lambda step, share: None)
    path = Path(registrations)
    file = path.name
    out = Collector(files=[file], columns=read.NAMES)
    tell("reading", 0.0)
    frame = read.read_registrations(path, file, out)
    out.raise_if_any()
    assert frame is not None
    _check_categories(frame, instance, file, out)
    frame = read.parse_cells(frame, file, list(instance.categories), out)
    decided = decisions.read_pairs(Path(pairs), out) if pairs is not None else None
    out.raise_if_any()
    tell("checking", 0.2)
    frame = nik.check_records(frame, instance)
    notes = Collector(files=[file], columns=read.NAMES)
    nik.report_invalid(frame, file, notes)
    _refuse_mostly_invalid(frame, file, notes)
    frame = duplicates.collapse_exact(with_name_keys(frame).drop("name"))
    kept = frame.filter(pl.col("kept")).select(
        "row", "nik", "key", "plain", "birth_date", "sex", "office"
    )
    tell("pairs", 0.3)
    found = pl.concat(
        [
            duplicates.conflicts(kept),
            duplicates.probable_pairs(
                kept, _regions(instance), lambda s: tell("pairs", 0.3 + 0.6 * s)
            ),
        ]
    )
    del kept
    table = decisions.combine(found, decided)
    tell("counting", 0.9)
    states = counts.with_months(counts.states(frame, table), instance)
    demand = counts.demand(states)
    quality = counts.quality(states, instance)
    tell("done", 1.0)
    numbered = table.with_row_index("pair", offset=1).select("pair", *duplicates.PAIR_COLUMNS)
    tally = states.group_by("state").len()
    return RecordDemand(
        demand=demand,
        pairs=numbered.to_pandas(),
        quality=quality,
        states=dict(zip(tally["state"].to_list(), tally["len"].to_list(), strict=True)),
        notes=notes.ordered(),
    )


def _regions(instance: Instance) -> dict[str, str]:
    """Each office's region (province), which tells strangers of one common name apart."""
    offices = instance.offices
    return dict(zip(offices["id"].astype(str), offices["region"].astype(str), strict=True))


def _check_categories(frame: pl.DataFrame, instance: Instance, file: str, out: Collector) -> None:
    """Without a category per record, the instance must have ``backlog`` and ``new``."""
    if (frame["category"] != "").all():
        return
    missing = [c for c in ("backlog", "new") if c not in instance.categories]
    if missing:
        listed = " and ".join(f"'{c}'" for c in missing)
        out.add(
            file,
            None,
            "category",
            f"records without a category count as 'backlog' or 'new', but the instance "
            f"has no {'categories' if len(missing) > 1 else 'category'} {listed}; add a "
            "category column with one of " + ", ".join(f"'{c}'" for c in instance.categories),
        )


def _refuse_mostly_invalid(frame: pl.DataFrame, file: str, notes: Collector) -> None:
    """Refuse a file whose records are mostly invalid: the wrong file, or columns swapped."""
    total = len(frame)
    invalid = int((frame["reason"] != "").sum())
    if total and invalid > MOST_INVALID * total:
        head = Problem(
            file,
            None,
            None,
            f"{invalid:,} of {total:,} records ({invalid / total:.0%}) are invalid; this is "
            "probably the wrong file, or its columns are swapped (nothing was written)",
        )
        raise InputError([head, *notes.ordered()[:20]])
