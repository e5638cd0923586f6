"""A plan as one Excel workbook (``plan.xlsx``), for the planner who lives in Excel.

One sheet per plan table (shipments, issuance, stock, nodes, and any extra
table such as a re-plan's changes), then ``summary`` (the summary as flat
``key,value`` rows: ``totals.demand``, ``solver.stages.0.status``, ...),
``regions`` and ``months``. Every sheet has its header row frozen and columns
sized to their contents; card counts show thousands separators and fill rates
show as percentages, while the cells keep the exact values of the CSV files.
"""

from __future__ import annotations

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
from allocator.plan.core import PLAN_TABLES, WHOLE_COLUMNS, Plan
from allocator.plan.files import read_plan

SUMMARY_LISTS = ("regions", "months")  # lists of records in summary.json, each its own sheet
RATE_COLUMNS = {"fill_rate"}
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
    """The summary as sheets: ``summary`` (key, value) plus one sheet per list of records."""
    flat = {k: v for k, v in summary.items() if k not in SUMMARY_LISTS}
    rows = flatten(flat)
    out = {"summary": pd.DataFrame(rows, columns=["key", "value"], dtype=object)}
    for name in SUMMARY_LISTS:
        records = summary.get(name)
        if isinstance(records, list):
            out[name] = pd.DataFrame.from_records(records)
    return out


def _cells(ws: WriteOnlyWorksheet, column: pd.Series) -> list[Any]:
    """One column's cell values: numbers formatted, text never read as a formula, NA empty."""
    values = column.astype(object).where(column.notna(), None).tolist()
    name = str(column.name)
    if pd.api.types.is_integer_dtype(column.dtype):
        fmt = "#,##0"
    elif name in RATE_COLUMNS and pd.api.types.is_float_dtype(column.dtype):
        fmt = "0.0%"
    else:
        fmt = None
    if fmt is not None:
        out: list[Any] = []
        for v in values:
            cell = WriteOnlyCell(ws, value=v)
            cell.number_format = fmt
            out.append(cell)
        return out
    for i, v in enumerate(values):
        if isinstance(v, str) and v.startswith("="):  # keep '=A1' as text, not a formula
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
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
        ws.column_dimensions[get_column_letter(i)].width = _width(table[column])
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


def plan_xlsx_bytes(plan: Plan) -> bytes:
    """The workbook of ``plan`` as bytes (see the module docstring for its sheets)."""
    wb = Workbook(write_only=True)
    for name, table in plan.tables.items():
        _sheet(wb, name, table)
    for name, table in summary_tables(plan.summary).items():
        _sheet(wb, name, table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_plan_xlsx(plan: Plan | str | Path, path: str | Path, *, force: bool = False) -> Path:
    """Write ``plan`` (a Plan or a plan folder) as an Excel workbook at ``path``, atomically.

    Refuses an existing file unless ``force``.
    """
    if not isinstance(plan, Plan):
        plan = read_plan(plan)
    return write_file_atomic(path, plan_xlsx_bytes(plan), force=force)


def read_plan_xlsx(path: str | Path) -> dict[str, pd.DataFrame]:
    """Read a workbook written by :func:`write_plan_xlsx`: sheet name -> table.

    The plan tables come back with the column types :func:`allocator.read_plan`
    gives them (whole cards as int64, ``fill_rate`` as float, the rest text),
    so they compare equal to the CSV files.
    """
    source = Path(path)
    if not source.is_file():
        raise InputError([Problem(str(source), None, None, "workbook not found")])
    sheets = pd.read_excel(source, sheet_name=None, engine="openpyxl", dtype=object)
    out: dict[str, pd.DataFrame] = {}
    for name, table in sheets.items():
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
            table = table.infer_objects()
        out[name] = table.reset_index(drop=True)
    return out
