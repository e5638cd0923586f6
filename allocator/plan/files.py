"""Reading a plan folder back: the same CSV rules as every file a user writes.

A plan folder opened in a spreadsheet and saved again (a byte-order mark,
semicolons, CRLF line ends) reads exactly as the folder the engine wrote:
:func:`read_plan` goes through :mod:`allocator.instance.text` and
:func:`~allocator.instance.tables.parse_table`, with the columns of
:data:`~allocator.plan.core.PLAN_COLUMNS`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance.problems import Collector
from allocator.instance.tables import read_table
from allocator.instance.text import decode
from allocator.plan.core import EXTRA_COLUMNS, PLAN_COLUMNS, Plan


def read_plan(folder: str | Path) -> Plan:
    """Read a plan folder written by :meth:`Plan.write` (or re-saved from a spreadsheet).

    Raises :class:`InputError` naming every missing file, missing column and
    bad cell, with file, row and column.
    """
    root = Path(folder)
    if not root.is_dir():
        raise InputError([Problem(str(root), None, None, "plan folder not found")])
    out = Collector([f"{name}.csv" for name in PLAN_COLUMNS] + ["summary.json"])
    tables: dict[str, pd.DataFrame] = {}
    for name, columns in PLAN_COLUMNS.items():
        path = root / f"{name}.csv"
        if not path.is_file():
            out.add(f"{name}.csv", None, None, f"missing from plan folder {root}")
            continue
        table = read_table(path, columns, out)
        if table is not None:
            tables[name] = table
    summary = _read_summary(root / "summary.json", out)
    extra: dict[str, pd.DataFrame] = {}
    for path in sorted(root.glob("*.csv")):
        if path.stem not in PLAN_COLUMNS:
            table = read_table(path, EXTRA_COLUMNS.get(path.stem, ()), out)
            if table is not None:
                extra[path.stem] = table
    out.raise_if_any()
    return Plan(summary=summary, extra=extra, **tables)


def _read_summary(path: Path, out: Collector) -> dict[str, Any]:
    if not path.is_file():
        out.add("summary.json", None, None, f"missing from plan folder {path.parent}")
        return {}
    text = decode(path.read_bytes(), "summary.json", out)
    if text is None:
        return {}
    try:
        summary = json.loads(text)
    except json.JSONDecodeError as exc:
        out.add("summary.json", exc.lineno, None, f"is not valid JSON: {exc.msg}")
        return {}
    if not isinstance(summary, dict):
        out.add("summary.json", None, None, "is not a JSON object")
        return {}
    return summary
