"""Read and check the new facts of a re-plan: actuals, ``--supply``, ``--demand``, ``--capacity``.

Each comes as a CSV path, a folder of them or DataFrames. Problems are
collected (file, spreadsheet row, column) rather than raised, so that the
caller lists them all at once. A checked table is an :class:`Input`. What the
facts imply (the state at ``--from``) is :mod:`allocator.replan_state`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import InputError
from allocator.instance import Instance, schema
from allocator.instance.cells import quote, text_frame
from allocator.instance.locations import Locations
from allocator.instance.periods import horizon_text
from allocator.instance.problems import Collector
from allocator.instance.tables import ParsedTable, parse_table, report_repeats, report_unknown
from allocator.instance.text import read_csv_file
from allocator.instance.validate import validate_frames

ACTUAL_FILES = ("shipments", "issuance", "supply")

# The columns read from actuals; other columns (the plan's demand, backlog, ...) are ignored.
ACTUAL_COLUMNS: dict[str, tuple[schema.Column, ...]] = {
    "shipments": (
        schema.Column("link", "id", required=True),
        schema.Column("period", "period", required=True),
        schema.Column("quantity", "whole", required=True),
        schema.Column("arrival", "period"),
        schema.Column("from", "text"),
        schema.Column("to", "text"),
    ),
    "issuance": (
        schema.Column("node", "id", required=True),
        schema.Column("period", "period", required=True),
        schema.Column("category", "id", required=True),
        schema.Column("issued", "whole", required=True),
    ),
    "supply": schema.SUPPLY,
}


@dataclass
class Input:
    """One checked table of new facts, with the spreadsheet row of each of its rows."""

    label: str
    table: pd.DataFrame  # parsed columns + "t" (month number in the old horizon) + "_row"


# -- reading new facts --------------------------------------------------------------------


def _table_input(
    given: pd.DataFrame | str | Path | None, label: str, out: Collector
) -> tuple[pd.DataFrame, np.ndarray, str] | None:
    """A DataFrame or CSV path as (frame, spreadsheet rows, label for problems)."""
    if given is None:
        return None
    if isinstance(given, pd.DataFrame):
        return given, np.arange(len(given)) + 2, label
    path = Path(given)
    read = read_csv_file(path, str(path), out)
    return None if read is None else (read[0], read[1], str(path))


def _parse_actual(
    kind: str,
    frame: pd.DataFrame,
    rows: np.ndarray,
    label: str,
    instance: Instance,
    out: Collector,
) -> ParsedTable | None:
    """Parse an actuals table by its declared columns, exactly as instance files are parsed."""
    parsed = parse_table(
        frame,
        ACTUAL_COLUMNS[kind],
        label,
        out,
        rows=rows,
        horizon=instance.months,
        horizon_text=horizon_text(instance.start, instance.periods),
    )
    return None if parsed.missing else parsed


def _given_actuals(
    actuals: str | Path | Mapping[str, pd.DataFrame], out: Collector
) -> dict[str, tuple[pd.DataFrame, np.ndarray, str]]:
    """The actuals tables given: kind -> (cells, spreadsheet rows, label for problems)."""
    given: dict[str, tuple[pd.DataFrame, np.ndarray, str]] = {}
    if isinstance(actuals, Mapping):
        for key, frame in actuals.items():
            if key not in ACTUAL_FILES:
                out.add(
                    "actuals",
                    None,
                    None,
                    f"unknown actuals table '{key}'; give shipments, issuance or supply",
                )
            elif frame is not None:
                given[key] = (frame, np.arange(len(frame)) + 2, f"actuals {key}")
        return given
    folder = Path(actuals)
    if not folder.is_dir():
        out.add(str(folder), None, None, "actuals folder not found")
        return given
    for kind in ACTUAL_FILES:
        path = folder / f"{kind}.csv"
        if path.is_file():
            read = read_csv_file(path, str(path), out)
            if read is not None:
                given[kind] = (read[0], read[1], str(path))
    if not any((folder / f"{kind}.csv").is_file() for kind in ACTUAL_FILES):
        out.add(
            str(folder),
            None,
            None,
            "holds none of shipments.csv, issuance.csv, supply.csv: nothing to take as actual",
        )
    return given


#: The keys of each actuals table: one row per key.
ACTUAL_KEYS = {
    "shipments": ["link", "period"],
    "issuance": ["node", "period", "category"],
    "supply": ["node", "period"],
}


def check_actuals(
    actuals: str | Path | Mapping[str, pd.DataFrame] | None,
    instance: Instance,
    start: int,
    out: Collector,
) -> dict[str, Input]:
    """Read and check ``actuals`` (a folder or a mapping of DataFrames)."""
    if actuals is None:
        return {}
    before = (
        f" is not before --from {instance.month_label(start)}: actuals record what happened "
        "before the re-planned months (give later supply with --supply, later capacity with "
        "--capacity)"
    )
    checked: dict[str, Input] = {}
    for kind, (frame, rows, label) in _given_actuals(actuals, out).items():
        parsed = _parse_actual(kind, frame, rows, label, instance, out)
        if parsed is None:
            continue
        _check_references(kind, parsed, instance, out)
        table = parsed.frame(ACTUAL_COLUMNS[kind], extras=False)
        table["_row"] = parsed.rows
        month = table["period"].isin(instance.months).to_numpy()
        t = np.zeros(len(table), dtype=np.int64)
        if month.any():
            t[month] = instance.month_number(table.loc[month, "period"])
        table["t"] = t
        out.cells(
            label, parsed.rows, "period", month & (t >= start), quote(table["period"]) + before
        )
        if kind == "shipments":
            _check_shipment_rows(table, instance, label, out)
        checked[kind] = Input(label, table)
    return checked


def _check_references(kind: str, parsed: ParsedTable, instance: Instance, out: Collector) -> None:
    """Known links, nodes and categories, and one row per key."""
    if kind == "shipments":
        report_unknown(
            parsed, "link", set(instance.links["id"]), out, " is not a link in links.csv"
        )
    else:
        report_unknown(
            parsed, "node", set(instance.nodes["id"]), out, " is not a node in nodes.csv"
        )
    if kind == "issuance":
        categories = ", ".join(instance.categories)
        report_unknown(
            parsed,
            "category",
            set(instance.categories),
            out,
            f" is not a category; the categories are: {categories}",
        )
    keys = ACTUAL_KEYS[kind]
    describe = pd.Series([""] * len(parsed), dtype=object)
    for i, key in enumerate(keys):
        describe = describe + (", " if i else "") + key + " " + quote(parsed.data[key].astype(str))
    report_repeats(parsed, keys, out, describe, "give each once")


def _check_shipment_rows(
    table: pd.DataFrame, instance: Instance, label: str, out: Collector
) -> None:
    """from/to agree with the link; arrival (given or by lead time) inside the horizon."""
    links = instance.links.set_index("id")
    known = table["link"].isin(links.index).to_numpy()
    rows = table["_row"].to_numpy()
    link = table["link"].where(known, links.index[0] if len(links) else "")
    for column in ("from", "to"):
        expected = links.loc[link, column].to_numpy().astype(str)
        given = table[column].astype(str).to_numpy()
        wrong = known & (given != "") & (given != expected)
        out.cells(
            label,
            rows,
            column,
            pd.Series(wrong),
            pd.Series(
                [
                    f"'{g}' but link '{lk}' has {column} '{e}'"
                    for g, lk, e in zip(given, table["link"], expected, strict=True)
                ]
            ),
        )
    lead = links.loc[link, "lead_time"].to_numpy(np.int64)
    t = table["t"].to_numpy()
    dated = known & (t >= 1)
    arrival = table["arrival"].astype(str)
    given = arrival.isin(instance.months).to_numpy()
    arrive = np.where(given, 0, t + lead)
    if given.any():
        arrive[given] = instance.month_number(arrival[given])
    early = dated & given & (arrive < t)
    out.cells(
        label, rows, "arrival", pd.Series(early), "'" + arrival + "' is before the shipment leaves"
    )
    beyond = dated & (arrival.to_numpy() == "") & (arrive > instance.periods)
    out.cells(
        label,
        rows,
        "period",
        pd.Series(beyond),
        pd.Series(
            [
                f"with lead time {lt} the cards arrive after the horizon ends in "
                f"{instance.months[-1]}"
                for lt in lead
            ]
        ),
    )
    table["arrive"] = arrive


def check_override(
    kind: str,
    given: pd.DataFrame | str | Path | None,
    instance: Instance,
    start: int,
    out: Collector,
) -> Input | None:
    """Check a ``--supply``, ``--demand`` or ``--capacity`` table as validation does.

    ``kind`` is ``supply``, ``demand`` or ``capacity``: the table has the
    columns of that file of an instance. The result holds its rows from
    ``start`` on; rows dated earlier may only repeat the instance's own.
    """
    read = _table_input(given, f"{kind} (re-plan)", out)
    if read is None:
        return None
    frame, rows, label = read
    _check_past_rows(kind, frame, rows, label, instance, start, out)
    filename = f"{kind}.csv"
    try:
        checked = validate_frames(
            settings={"name": instance.name, "start": instance.start, "periods": instance.periods},
            categories=instance.categories,
            frames={"nodes": instance.nodes, "links": instance.links, kind: frame},
            source=instance.source or "instance",
            locations=Locations(table_rows={kind: rows}),
        )
    except InputError as error:
        for p in error.problems:
            file = label if p.file == filename else p.file
            out.add(file, p.row, p.column, p.message)
        return None
    tables: dict[str, Any] = dict(checked)
    table = tables[kind].copy()
    table["t"] = instance.month_number(table["period"])
    table["_row"] = rows
    return Input(label, table[table["t"] >= start].reset_index(drop=True))


# The columns compared, and the words of the problem, for rows dated before --from.
_PAST_COLUMNS = {
    "supply": schema.column_names(schema.SUPPLY),
    "demand": schema.column_names(schema.DEMAND),
    "capacity": schema.column_names(schema.CAPACITY),
}
_PAST_WORDS = {
    "supply": ("supply that arrived", "record what really arrived in actuals/supply.csv"),
    "demand": (
        "demand that arose",
        "the backlog at --from follows from them and from what was issued",
    ),
    "capacity": (
        "capacity",
        "what was shipped and issued then is recorded in actuals/shipments.csv and issuance.csv",
    ),
}


def _check_past_rows(
    kind: str,
    frame: pd.DataFrame,
    rows: np.ndarray,
    label: str,
    instance: Instance,
    start: int,
    out: Collector,
) -> None:
    """Rows dated before ``start`` may only repeat the instance's own rows, cell for cell."""
    raw = text_frame(frame)
    raw.columns = [c.lower() for c in raw.columns]
    columns = _PAST_COLUMNS[kind]
    if any(c not in raw.columns for c in columns):
        return  # validation reports the missing column
    past = raw["period"].isin(instance.months[: start - 1]).to_numpy()
    if not past.any():
        return
    given = raw[columns].apply(lambda c: c.str.lower() if c.name == "what" else c)
    own = text_frame(getattr(instance, kind)[columns])
    repeated = pd.MultiIndex.from_frame(given).isin(pd.MultiIndex.from_frame(own))
    what, hint = _PAST_WORDS[kind]
    out.cells(
        label,
        rows,
        "period",
        pd.Series(past & ~repeated),
        "'"
        + raw["period"]
        + f"' is before --from {instance.month_label(start)}: {what} before then cannot "
        f"change here (this file may only repeat the instance's rows for those months; {hint})",
    )
