"""What-if scenarios: a table of changes to an instance, checked before anything runs.

A scenario table has the columns ``scenario,change,target,period,value`` (the
``period`` column may be left out; extra columns are ignored). Rows with the
same ``scenario`` id make one scenario; its changes are applied one after
another in file order, each to the result of the ones before. Scenarios come
in the order their id first appears in the file.

=================  =========================  ================================================
change             target                     value
=================  =========================  ================================================
``supply_delay``   a node with supply, or     whole months late (>= 0). The tranche of
                   ``*`` (every such node)    ``period`` (every tranche when blank) arrives that
                                              many months later, added to any tranche already
                                              due then. Cards pushed past the horizon's last
                                              month are lost to the scenario (the result's
                                              ``message`` says how many).
``supply_scale``   a node with supply, or     factor >= 0 on the supply of ``period`` (every
                   ``*``                      month when blank), rounded down to whole cards.
``link_capacity``  a link id                  the link's new capacity in ``period`` (every
                                              month when blank), whole >= 0; 0 closes it.
``demand_scale``   a node, a region or ``*``  factor >= 0 on the demand arising in ``period``
                                              (every month when blank), every category,
                                              rounded down to whole cards.
``issue_capacity`` a node or a region         new issue (printer) capacity of the node, or of
                                              each node of the region, in ``period`` (every
                                              month when blank), whole >= 0.
=================  =========================  ================================================

A target that is both a node id and a region name means the node. Capacity
changes become ``capacity.csv`` override rows (``link``/``issue``, id,
month), replacing any override the instance already has for the same key.
Scaling is exact on the decimal written (``0.3`` is 3/10, not a float near it)
and rounds each row down: ``demand_scale`` 1.25 on 10 cards gives 12.

For a re-plan of an existing plan from month ``start`` (``allocator batch
--baseline PLAN --from START``), a blank period means every month from
``start`` on and a period before ``start`` is an error (that is history). The
changed tables become the re-plan's new facts
(:func:`allocator.replan`'s ``supply``, ``demand`` and ``capacity``):
``demand_scale`` scales the demand arising from ``start`` on, not the backlog
carried into ``start``, which follows from the baseline plan.

An optional ``probability`` column gives each scenario's probability (for
``allocator stress`` and a hedged plan): one value per scenario, on any of
its rows (the others blank or the same), between 0 and 1, given for every
scenario or for none (equal weights), adding up to 1. :func:`probabilities`
reads them from a checked table.

Every bad row is reported at once, with the file (``scenarios.csv``), the
spreadsheet row (header = row 1) and the column, as one :class:`InputError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.instance.cells import TEXT, parse_real, parse_whole, quote
from allocator.instance.periods import horizon_text
from allocator.instance.problems import Collector
from allocator.instance.schema import Column
from allocator.instance.tables import ParsedTable, parse_table
from allocator.instance.text import read_csv_file

CHANGES = ("supply_delay", "supply_scale", "link_capacity", "demand_scale", "issue_capacity")
#: The changes whose value is a whole number (the others take a factor >= 0).
WHOLE_CHANGES = ("supply_delay", "link_capacity", "issue_capacity")
FILE = "scenarios.csv"
#: The columns of a scenario table, read like every other table a user writes.
SCENARIO_COLUMNS = (
    Column("scenario", "id", required=True, empty="is empty; give the scenario an id"),
    Column("change", "text", required=True, empty="is empty; give one of " + ", ".join(CHANGES)),
    Column(
        "target",
        "id",
        required=True,
        empty="is empty; give the change's target: a node, a region, a link id or *",
    ),
    Column("period", "period"),
    Column("value", "id", required=True, empty="is empty; give the change's value"),
    Column("probability", "id"),
)
COLUMNS = tuple(c.name for c in SCENARIO_COLUMNS)
#: How far the probabilities may add up away from 1 (they are written as decimals).
PROBABILITY_TOLERANCE = 1e-6
# Scenario ids name plan folders (``--keep-plans``): no path separators or
# characters a file system refuses, no leading dot.
_BAD_ID = re.compile(r'[/\\:*?"<>|\x00-\x1f]|^\.')


def read_scenarios(
    source: str | Path | pd.DataFrame,
    instance: Instance,
    *,
    file: str | None = None,
    start: str | None = None,
) -> pd.DataFrame:
    """Read and check a scenario table against ``instance``.

    Parameters
    ----------
    source
        A CSV file (the encodings and delimiters of every instance file) or a
        DataFrame with the columns ``scenario,change,target,period,value``.
    instance
        The instance the scenarios change: targets and periods are checked
        against it.
    file
        The name problems carry (default: the file's name, or ``scenarios.csv``
        for a DataFrame).
    start
        For a re-plan from month ``start`` (``YYYY-MM``): a change may not
        concern an earlier month, which is history.

    Returns
    -------
    pandas.DataFrame
        ``scenario, change, target, period, value, row`` in file order:
        ``period`` is ``""`` for every month, ``value`` a float, ``row`` the
        spreadsheet row.

    Raises
    ------
    InputError
        Listing every bad row, with file, row and column.
    """
    if isinstance(source, pd.DataFrame):
        file = file or FILE
        out = Collector([file], COLUMNS)
        frame, rows = source, np.arange(len(source), dtype=np.int64) + 2
    else:
        path = Path(source)
        file = file or path.name
        out = Collector([file], COLUMNS)
        read = read_csv_file(path, file if path.is_file() else str(path), out)
        out.raise_if_any()
        assert read is not None
        frame, rows = read
    table = parse_table(
        frame,
        SCENARIO_COLUMNS,
        file,
        out,
        rows=rows,
        horizon=instance.months,
        horizon_text=horizon_text(instance.start, instance.periods),
    )
    if not table.missing and not len(table):
        out.add(file, None, None, "has no scenarios; give at least one row")
    checked = _check(table, instance, start, out) if not table.missing else None
    out.raise_if_any()
    assert checked is not None
    return checked


def _check(
    table: ParsedTable, instance: Instance, start: str | None, out: Collector
) -> pd.DataFrame:
    """The meaning of every row: known changes, their targets, months and values."""
    scenario, target, period = (table.data[c] for c in ("scenario", "target", "period"))
    change = table.data["change"].str.lower()

    def report(mask: pd.Series, column: str, message: pd.Series | str) -> None:
        out.cells(table.file, table.rows, column, mask, message)

    report(
        scenario.str.contains(_BAD_ID, regex=True),
        "scenario",
        quote(scenario)
        + ' cannot name a plan folder; leave out / \\ : * ? " < > | and a leading dot',
    )
    known = change.isin(CHANGES)
    report(
        (change != "") & ~known,
        "change",
        quote(change) + " is not a change; use " + ", ".join(CHANGES[:-1]) + " or " + CHANGES[-1],
    )
    _check_targets(change, target, instance, report)
    if start is not None:
        report(
            period.isin(instance.months) & (period < start),
            "period",
            quote(period) + f" is before the re-plan month {start} (--from): a re-plan changes "
            "only the months from then on",
        )
    value = _values(table, change, out)
    probability = _probabilities(table, out)
    checked = pd.DataFrame(
        {
            "scenario": scenario.to_numpy(dtype=object),
            "change": change.to_numpy(dtype=object),
            "target": target.to_numpy(dtype=object),
            "period": period.to_numpy(dtype=object),
            "value": value,
            "row": np.asarray(table.rows, dtype=np.int64),
        }
    ).astype({"scenario": TEXT, "change": TEXT, "target": TEXT, "period": TEXT})
    if probability is not None:
        checked.attrs["probability"] = probability
    return checked


def _probabilities(table: ParsedTable, out: Collector) -> dict[str, float] | None:
    """Each scenario's probability from the optional ``probability`` column (None: not given).

    One value per scenario: on any of its rows (the others blank or the
    same), given for every scenario or for none, each between 0 and 1, and
    adding up to 1. A scenario given none while others have one is an error
    at its first row.
    """
    text = table.data["probability"]
    given = (text != "").to_numpy()
    if not given.any():
        return None
    number = parse_real(
        text,
        Column("probability", "number"),
        table.file,
        table.rows,
        out,
        low=0.0,
        high=1.0,
        what="a probability",
    ).to_numpy()
    scenario = table.data["scenario"].to_numpy(dtype=object)
    found: dict[str, float] = {}
    first_row: dict[str, int] = {}
    for sid, row, has, p in zip(scenario, table.rows, given, number, strict=True):
        first_row.setdefault(sid, int(row))
        if not has or np.isnan(p):
            continue
        if sid in found and found[sid] != p:
            out.add(
                table.file,
                int(row),
                "probability",
                f"scenario '{sid}' already has probability {found[sid]:g}; give one "
                "probability per scenario (its other rows blank or the same)",
            )
        found.setdefault(sid, float(p))
    for sid, row in first_row.items():
        if sid not in found and not any(given[scenario == sid]):
            out.add(
                table.file,
                row,
                "probability",
                f"scenario '{sid}' has no probability while other scenarios have one; give "
                "every scenario a probability, or none (equal weights)",
            )
    total = sum(found.values())
    if len(found) == len(first_row) and abs(total - 1.0) > PROBABILITY_TOLERANCE:
        row = next(int(r) for r, has in zip(table.rows, given, strict=True) if has)
        out.add(
            table.file,
            row,
            "probability",
            f"the probabilities of the {len(found)} scenarios add up to {total:.6g}, not 1",
        )
    return found


def probabilities(table: pd.DataFrame) -> dict[str, float]:
    """Each scenario's probability in a checked table: as given, or equal weights when absent."""
    given = table.attrs.get("probability")
    ids = scenario_ids(table)
    if given:
        return {i: float(given[i]) for i in ids}
    return dict.fromkeys(ids, 1.0 / len(ids)) if ids else {}


Report = Callable[[pd.Series, str, "pd.Series | str"], None]


def _check_targets(
    change: pd.Series, target: pd.Series, instance: Instance, report: Report
) -> None:
    """Each change's target is of the kind it takes and exists in the instance."""
    nodes = set(instance.nodes["id"])
    regions = set(instance.nodes["region"]) - {""}
    blank, star = target == "", target == "*"
    is_node, is_region = target.isin(nodes), target.isin(regions)
    q = quote(target)
    supply_change = change.isin(["supply_delay", "supply_scale"])
    report(
        supply_change & ~blank & ~star & ~is_node,
        "target",
        q + " is not a node in nodes.csv; the target of " + change + " is a node with supply or *",
    )
    report(
        supply_change & is_node & ~target.isin(set(instance.supply["node"])),
        "target",
        q + " has no supply in supply.csv; the target of " + change + " is a node with supply or *",
    )
    report(
        (change == "link_capacity") & ~blank & ~target.isin(set(instance.links["id"])),
        "target",
        q + " is not a link in links.csv; the target of link_capacity is a link id",
    )
    report(
        (change == "demand_scale") & ~blank & ~star & ~is_node & ~is_region,
        "target",
        q + " is neither a node nor a region in nodes.csv; the target of demand_scale "
        "is a node, a region or *",
    )
    report(
        (change == "issue_capacity") & ~blank & ~is_node & ~is_region,
        "target",
        q + " is neither a node nor a region in nodes.csv; the target of "
        "issue_capacity is a node or a region",
    )


def _values(table: ParsedTable, change: pd.Series, out: Collector) -> np.ndarray:
    """Each row's value, by the one number rule of instance files: whole or a factor >= 0.

    A delay or a capacity is a whole number exactly as a quantity in
    ``supply.csv`` is (``1.000`` and ``20.0`` are refused with the same
    message); a factor is a number as a cost in ``links.csv`` is.
    """
    value = table.data["value"]
    parsed = np.full(len(value), np.nan)
    for whole, mask in (
        (True, change.isin(WHOLE_CHANGES).to_numpy()),
        (False, change.isin(set(CHANGES) - set(WHOLE_CHANGES)).to_numpy()),
    ):
        if not mask.any():
            continue
        values = value[mask].reset_index(drop=True)
        rows = table.rows[mask]
        if whole:
            column = Column("value", "whole")
            got = parse_whole(values, column, table.file, rows, out).astype("Float64")
            parsed[mask] = got.to_numpy(dtype=float, na_value=np.nan)
        else:
            column = Column("value", "number")
            parsed[mask] = parse_real(
                values, column, table.file, rows, out, low=0.0, high=None, what="a factor"
            ).to_numpy()
    return parsed


def scenario_ids(table: pd.DataFrame) -> list[str]:
    """The scenario ids of a checked table, in the order they first appear."""
    return list(dict.fromkeys(table["scenario"].tolist()))
