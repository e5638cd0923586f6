"""A table a user wrote, checked against its declared columns.

:func:`parse_table` is the one way a table of text cells (from a CSV file, a
workbook sheet or a DataFrame) becomes typed columns: its headers are matched
to the declared :class:`~allocator.instance.schema.Column` names whatever
their case, a repeated or missing required column is a problem on row 1, and
every cell is parsed by its column's kind with :mod:`allocator.instance.cells`.
:func:`report_repeats` and :func:`report_unknown` are the two checks every
table with keys needs. Instance files, a re-plan's actuals and overrides, and
what-if tables all go through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.instance.cells import (
    TEXT,
    parse_period,
    parse_real,
    parse_whole,
    quote,
    text_frame,
)
from allocator.instance.names import looks_like
from allocator.instance.problems import Collector
from allocator.instance.schema import Column
from allocator.instance.text import read_csv_file

#: The range of each coordinate column, and what messages call it.
COORDINATES = {"lat": (90.0, "latitude"), "lon": (180.0, "longitude")}


@dataclass
class ParsedTable:
    """A checked table: its parsed columns, its extra columns and where its rows came from."""

    file: str
    rows: np.ndarray  # spreadsheet row of each record
    data: dict[str, pd.Series]  # declared column -> parsed values
    raw: pd.DataFrame  # every column as stripped text, headers matched
    extras: list[str]  # columns not declared, in the order they came
    missing: list[str]  # required columns that are not there

    def __len__(self) -> int:
        return len(self.raw)

    def frame(self, columns: tuple[Column, ...], *, extras: bool = True) -> pd.DataFrame:
        """The parsed table as a DataFrame: declared columns, then (optionally) extras as text.

        Whole-number columns that cannot be blank (required, or with a
        default) are int64 once every cell parsed; the others Int64, with
        <NA> for "no limit" (and for a bad cell, already reported).
        """
        out = pd.DataFrame({c.name: self.data[c.name] for c in columns})
        for c in columns:
            whole = c.kind in ("whole", "integer") and (c.required or c.default is not None)
            if whole and not out[c.name].isna().any():
                out[c.name] = out[c.name].astype(np.int64)
        if extras:
            for extra in self.extras:
                out[extra] = self.raw[extra].astype(TEXT)
        return out.reset_index(drop=True)


def parse_table(
    frame: pd.DataFrame,
    columns: tuple[Column, ...],
    file: str,
    out: Collector,
    *,
    rows: np.ndarray | None = None,
    horizon: list[str] | None = None,
    horizon_text: str = "",
) -> ParsedTable:
    """Check a table's columns and parse each cell by its declared kind; problems to ``out``.

    ``rows`` are the spreadsheet rows of ``frame``'s records (default: a
    frame from Python, row = position + 2). Periods outside ``horizon`` (its
    month labels, described in messages by ``horizon_text``) are problems. A
    required column that is missing is reported once and parsed as blank
    cells, so the table keeps its shape and its other columns are still checked.
    """
    raw = text_frame(frame)
    raw.columns = _match_headers(list(raw.columns), columns, file, out)
    rows = np.arange(len(raw)) + 2 if rows is None else np.asarray(rows)
    header = ", ".join(str(c) for c in frame.columns) or "(nothing)"
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    for name in missing:
        out.add(file, 1, name, f"missing column '{name}'; the header is: {header}")
    declared = {c.name for c in columns}
    data: dict[str, pd.Series] = {}
    blank = pd.Series([""] * len(raw), dtype=TEXT)
    for column in columns:
        if column.name not in raw.columns:
            values = blank
            if column.required:  # already reported as a missing column
                data[column.name] = values
                continue
        else:
            values = raw[column.name].reset_index(drop=True)
        data[column.name] = parse_cells(
            values, column, file, rows, out, horizon=horizon, horizon_text=horizon_text
        )
    extras = [c for c in raw.columns if c not in declared]
    return ParsedTable(file, rows, data, raw.reset_index(drop=True), extras, missing)


def read_table(
    path: Path, columns: tuple[Column, ...], out: Collector, *, extras: bool = True
) -> pd.DataFrame | None:
    """One CSV file the engine wrote and a user may have re-saved, typed by ``columns``.

    The one reader (:func:`~allocator.instance.text.read_csv_file`) and the
    one set of cell rules; ``None`` when the file has a problem (in ``out``).
    ``extras``: keep columns not in ``columns`` (as text).
    """
    read = read_csv_file(path, path.name, out)
    if read is None:
        return None
    frame, rows = read
    before = len(out)
    parsed = parse_table(frame, columns, path.name, out, rows=rows)
    if parsed.missing or len(out) > before:
        return None
    return parsed.frame(columns, extras=extras)


def parse_cells(
    values: pd.Series,
    column: Column,
    file: str,
    rows: np.ndarray,
    out: Collector,
    *,
    horizon: list[str] | None = None,
    horizon_text: str = "",
) -> pd.Series:
    """One column of text cells parsed by ``column.kind``; each bad cell a problem."""
    if column.kind in ("whole", "integer"):
        return parse_whole(values, column, file, rows, out, signed=column.kind == "integer")
    if column.kind == "number":
        return parse_real(
            values, column, file, rows, out, low=0.0, high=None, what=f"'{column.name}'"
        )
    if column.kind == "coord":
        limit, what = COORDINATES[column.name]
        return parse_real(values, column, file, rows, out, low=-limit, high=limit, what=what)
    if column.kind == "period":
        return parse_period(values, column, file, rows, out, horizon, horizon_text)
    if column.required and column.kind == "id":
        message = column.empty or "is empty; a value is required"
        out.cells(file, rows, column.name, values == "", message)
    if column.default is not None:
        values = values.where(values != "", str(column.default))
    return values.astype(TEXT)


def _match_headers(
    headers: list[str], columns: tuple[Column, ...], file: str, out: Collector
) -> list[str]:
    """Headers renamed to the declared names they match whatever their case; repeats reported."""
    declared = {c.name for c in columns}
    present = {h.lower() for h in headers}
    renamed: list[str] = []
    for header in headers:
        lowered = header.lower()
        key = lowered if lowered in declared else header
        meant = None if key in declared else looks_like(header, declared)
        if meant is not None:
            also = " (it is there too: keep one of them)" if meant in present else ""
            out.add(
                file,
                1,
                header,
                f"unknown column '{header}': did you mean '{meant}'? Rename it to "
                f"'{meant}'{also}; a column this close to a known name is never taken as an "
                "extra column",
            )
        if key in renamed:
            out.add(file, 1, header, f"column '{header}' appears twice; keep one of them")
            key = f"{key} ({len(renamed) + 1})"
        renamed.append(key)
    return renamed


def report_repeats(
    table: ParsedTable, keys: list[str], out: Collector, describe: pd.Series, rule: str
) -> None:
    """Report every row whose key (all parts non-blank) appeared on an earlier row.

    ``describe`` says what each row's key is (``"node 'A', period '2017-03'"``);
    ``rule`` how to mend it.
    """
    key_frame = pd.DataFrame({k: table.data[k].astype(str) for k in keys})
    filled = (key_frame != "").all(axis=1) & (key_frame != "<NA>").all(axis=1)
    key_frame["_row"] = table.rows
    key_frame = key_frame[filled.to_numpy()]
    if key_frame.empty:
        return
    first = key_frame.groupby(keys, sort=False)["_row"].transform("first")
    repeated = key_frame.duplicated(keys, keep="first")
    for position in np.flatnonzero(repeated.to_numpy()):
        label = key_frame.index[position]
        out.add(
            table.file,
            int(key_frame["_row"].iloc[position]),
            keys[0],
            f"{describe.iloc[label]} repeats row {int(first.iloc[position])}; {rule}",
        )


def report_unknown(
    table: ParsedTable,
    column: str,
    known: set[str] | pd.Index,
    out: Collector,
    message: str,
    mask: pd.Series | None = None,
) -> None:
    """Report cells of ``column`` (where ``mask``) whose value is not in ``known``."""
    values = table.data[column].astype(str)
    bad = (values != "") & ~values.isin(known)
    if mask is not None:
        bad &= mask.to_numpy(dtype=bool) if isinstance(mask, pd.Series) else mask
    out.cells(table.file, table.rows, column, bad, quote(values) + message, kind=message)
