"""A plan as one Excel workbook (``plan.xlsx``), for the planner who lives in Excel.

Sheets, in order: ``summary`` (the headline figures in words), one per plan
table (shipments, issuance, stock, nodes, and any extra table such as a
re-plan's changes) with a name beside every node id and ``stock`` for every
node and month that can hold cards (zeros included), one ``dispatch YYYY-MM``
per month something leaves (see :mod:`allocator.plan.dispatch_lists`), then
``regions``, ``months`` and ``details`` (the whole summary as flat
``key,value`` rows: ``totals.demand``, ``solver.stages.0.status``, ...).

Every sheet has its header row frozen, an autofilter over its table and
columns sized to their contents; months are real dates shown ``mmm yyyy``
(so Excel groups and filters them), card counts show thousands separators
and fill rates show as percentages, while the cells keep the exact values of
the CSV files. :func:`read_plan_xlsx` reads the plan tables back equal to them.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from allocator._atomic import write_file_atomic
from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.instance.cells import cell_text
from allocator.plan.core import EXTRA_COLUMNS, PLAN_TABLES, WHOLE_COLUMNS, Plan
from allocator.plan.files import read_plan
from allocator.plan.xlsx_sheets import MONTH_COLUMNS, dispatch_sheets, named_tables, summary_words

SUMMARY_LISTS = ("regions", "months")  # lists of records in summary.json, each its own sheet
RATE_COLUMNS = {"fill_rate"}
MONTH_FORMAT = "mmm yyyy"
MAX_WIDTH = 60


def flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts and lists as ``(dotted.key, scalar)`` rows, in order.

    >>> flatten({"a": {"b": 1, "c": [2, {"d": 3}]}})
    [('a.b', 1), ('a.c.0', 2), ('a.c.1.d', 3)]
    """
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = []
        for key, inner in value.items():
            items += flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return items
    if isinstance(value, list):
        items = []
        for i, inner in enumerate(value):
            items += flatten(inner, f"{prefix}.{i}" if prefix else str(i))
        return items
    return [(prefix, value)]


def summary_tables(summary: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The summary as sheets: one per list of records, then ``details`` (key, value)."""
    out: dict[str, pd.DataFrame] = {}
    for name in SUMMARY_LISTS:
        records = summary.get(name)
        if isinstance(records, list):
            out[name] = pd.DataFrame.from_records(records)
    flat = {k: v for k, v in summary.items() if k not in SUMMARY_LISTS}
    out["details"] = pd.DataFrame(flatten(flat), columns=["key", "value"], dtype=object)
    return out


def _month_cell(value: Any) -> Any:
    """A ``YYYY-MM`` label as the first day of its month (a date cell); anything else as is."""
    if isinstance(value, str) and len(value) == 7 and value[4] == "-" and value[:4].isdigit():
        try:
            return dt.date(int(value[:4]), int(value[5:]), 1)
        except ValueError:
            return value
    return value


def _cells(ws: WriteOnlyWorksheet, column: pd.Series) -> list[Any]:
    """One column's cell values: numbers formatted, text never read as a formula, NA empty."""
    values = column.astype(object).where(column.notna(), None).tolist()
    name = str(column.name)
    if name in MONTH_COLUMNS and not pd.api.types.is_numeric_dtype(column.dtype):
        values = [_month_cell(v) for v in values]
        fmt: str | None = MONTH_FORMAT
    elif pd.api.types.is_integer_dtype(column.dtype):
        fmt = "#,##0"
    elif name in RATE_COLUMNS and pd.api.types.is_float_dtype(column.dtype):
        fmt = "0.0%"
    else:
        fmt = None
    if fmt is not None:
        out: list[Any] = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            if not isinstance(v, str):
                cell.number_format = fmt
            out.append(cell)
        return out
    for i, v in enumerate(values):
        if isinstance(v, str) and v.startswith("="):  # keep '=A1' as text, not a formula
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            values[i] = cell
        elif isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_):
            cell = WriteOnlyCell(ws, value=int(v))  # a count in a mixed column, e.g. the summary
            cell.number_format = "#,##0"
            values[i] = cell
        elif isinstance(v, np.generic):
            values[i] = v.item()
    return values


def _width(column: pd.Series) -> float:
    longest = column.astype(str).str.len().max() if len(column) else 0
    return float(min(max(len(str(column.name)), int(longest or 0)) + 2, MAX_WIDTH))


def _sheet(wb: Workbook, name: str, table: pd.DataFrame) -> None:
    ws = wb.create_sheet(title=name[:31])
    ws.freeze_panes = "A2"
    for i, column in enumerate(table.columns, start=1):
        width = _width(table[column])
        if str(column) in MONTH_COLUMNS:
            width = max(width, 11.0)
        ws.column_dimensions[get_column_letter(i)].width = width + 2  # room for the filter button
    if len(table.columns):
        last = get_column_letter(len(table.columns))
        ws.auto_filter.ref = f"A1:{last}{len(table) + 1}"
    bold = Font(bold=True)
    header = []
    for column in table.columns:
        cell = WriteOnlyCell(ws, value=str(column))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    columns = [_cells(ws, table[c]) for c in table.columns]
    for row in zip(*columns, strict=True):
        ws.append(row)


def plan_xlsx_bytes(plan: Plan, instance: Instance | None = None) -> bytes:
    """The workbook of ``plan`` as bytes (see the module docstring for its sheets).

    ``instance`` (the plan's own) names hubs and sources and says which nodes
    can hold cards; without it, offices are named from the plan and stock
    is listed for every node the plan mentions.
    """
    if instance is None:
        instance = getattr(plan, "instance", None)  # a re-plan carries its instance
    wb = Workbook(write_only=True)
    _sheet(wb, "summary", summary_words(plan))
    for name, table in named_tables(plan, instance).items():
        _sheet(wb, name, table)
    for name, table in dispatch_sheets(plan, instance).items():
        _sheet(wb, name, table)
    for name, table in summary_tables(plan.summary).items():
        _sheet(wb, name, table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_plan_xlsx(
    plan: Plan | str | Path,
    path: str | Path,
    *,
    instance: Instance | None = None,
    force: bool = False,
) -> Path:
    """Write ``plan`` (a Plan or a plan folder) as an Excel workbook at ``path``, atomically.

    ``instance`` names every node (see :func:`plan_xlsx_bytes`). Refuses an
    existing file unless ``force``.
    """
    if not isinstance(plan, Plan):
        plan = read_plan(plan)
    return write_file_atomic(path, plan_xlsx_bytes(plan, instance), force=force)


def read_plan_xlsx(path: str | Path) -> dict[str, pd.DataFrame]:
    """Read a workbook written by :func:`write_plan_xlsx`: sheet name -> table.

    The plan tables come back with the columns and types :func:`allocator.read_plan`
    gives them (whole cards as int64, ``fill_rate`` as float, the rest text;
    the name columns and the zero stock rows dropped), so they compare equal
    to the CSV files. Month cells, dates in the workbook, come back as
    ``YYYY-MM`` in every sheet (a date cell reads as its month, as in an
    instance workbook).
    """
    source = Path(path)
    if not source.is_file():
        raise InputError([Problem(str(source), None, None, "workbook not found")])
    sheets = pd.read_excel(source, sheet_name=None, engine="openpyxl", dtype=object)
    out: dict[str, pd.DataFrame] = {}
    for name, table in sheets.items():
        for column in table.columns:
            if str(column) in MONTH_COLUMNS:
                table[column] = [cell_text(v) for v in table[column]]
        if name == "stock" and "stock" in table.columns:
            table = table[pd.to_numeric(table["stock"]) != 0]
        if name in PLAN_TABLES:
            table = table.reindex(columns=PLAN_TABLES[name])
            for column in table.columns:
                if column in WHOLE_COLUMNS[name]:
                    table[column] = table[column].astype("int64")
                elif column in RATE_COLUMNS:
                    table[column] = table[column].astype("float64")
                else:
                    table[column] = table[column].where(table[column].notna(), "").astype("str")
        else:
            if name in EXTRA_COLUMNS:  # without the names added beside its ids
                table = table.reindex(columns=[c.name for c in EXTRA_COLUMNS[name]])
            table = table.infer_objects()
        out[name] = table.reset_index(drop=True)
    return out
