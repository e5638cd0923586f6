"""A plan: what to ship, issue and hold, month by month, and its figures.

The tables have the columns of ``formats.md``:

- ``shipments``: link, from, to, mode, period, arrival, quantity (one row per x > 0)
- ``issuance``: node, period, category, demand, issued, backlog (rows not all zero)
- ``stock``: node, period, stock (one row per I > 0)
- ``nodes``: node, name, region, demand, issued, unmet, fill_rate, card_months_waiting
- ``summary``: the dictionary written as ``summary.json``

Quantities are whole cards (int64). Rows are sorted, so the same instance and
options always give byte-identical CSV files.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator._atomic import write_folder_atomic
from allocator.errors import InputError, Problem

PLAN_TABLES: dict[str, list[str]] = {
    "shipments": ["link", "from", "to", "mode", "period", "arrival", "quantity"],
    "issuance": ["node", "period", "category", "demand", "issued", "backlog"],
    "stock": ["node", "period", "stock"],
    "nodes": [
        "node",
        "name",
        "region",
        "demand",
        "issued",
        "unmet",
        "fill_rate",
        "card_months_waiting",
    ],
}
WHOLE_COLUMNS = {
    "shipments": ["quantity"],
    "issuance": ["demand", "issued", "backlog"],
    "stock": ["stock"],
    "nodes": ["demand", "issued", "unmet", "card_months_waiting"],
}
SORT_KEYS = {
    "shipments": ["period", "link"],
    "issuance": ["node", "category", "period"],
    "stock": ["node", "period"],
    "nodes": ["node"],
}


@dataclass
class Plan:
    """The result of a solve: plan tables plus ``summary``; write it with :meth:`write`."""

    shipments: pd.DataFrame
    issuance: pd.DataFrame
    stock: pd.DataFrame
    nodes: pd.DataFrame
    summary: dict[str, Any]
    # Further tables a plan may carry (a re-plan's ``changes``), written as NAME.csv.
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the plan by name, the standard ones first."""
        out = {name: getattr(self, name) for name in PLAN_TABLES}
        out.update(self.extra)
        return out

    def files(self) -> dict[str, bytes]:
        """The plan folder's files and their exact contents."""
        out: dict[str, bytes] = {}
        for name, table in self.tables.items():
            out[f"{name}.csv"] = table_csv(table)
        out["summary.json"] = (
            json.dumps(self.summary, indent=2, ensure_ascii=False) + "\n"
        ).encode()
        return out

    def write(
        self,
        folder: str | Path,
        *,
        force: bool = False,
        extra_files: dict[str, bytes] | None = None,
    ) -> Path:
        """Write the plan folder atomically; refuse an existing folder unless ``force``.

        The time spent writing is recorded in ``summary["seconds"]["write"]``.
        """
        began = time.perf_counter()
        files = self.files()
        self.summary.setdefault("seconds", {})["write"] = round(time.perf_counter() - began, 3)
        files["summary.json"] = (
            json.dumps(self.summary, indent=2, ensure_ascii=False) + "\n"
        ).encode()
        if extra_files:
            files.update(extra_files)
        return write_folder_atomic(folder, files, force=force)

    @property
    def totals(self) -> dict[str, Any]:
        """The plan's headline figures (``summary['totals']``)."""
        return dict(self.summary.get("totals", {}))

    def __repr__(self) -> str:
        t = self.summary.get("totals", {})
        return (
            f"Plan(status={self.summary.get('status')!r}, demand={t.get('demand')}, "
            f"issued={t.get('issued')}, unmet={t.get('unmet')}, "
            f"waiting={self.summary.get('objective', {}).get('waiting')}, "
            f"cost={self.summary.get('objective', {}).get('cost')})"
        )


def table_csv(table: pd.DataFrame) -> bytes:
    """A table as CSV bytes, the way every plan file is written."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode()


def read_plan(folder: str | Path) -> Plan:
    """Read a plan folder written by :meth:`Plan.write`.

    Raises :class:`InputError` naming every missing file or column.
    """
    root = Path(folder)
    problems: list[Problem] = []
    if not root.is_dir():
        raise InputError([Problem(str(root), None, None, "plan folder not found")])
    tables: dict[str, pd.DataFrame] = {}
    for name, columns in PLAN_TABLES.items():
        path = root / f"{name}.csv"
        if not path.is_file():
            problems.append(Problem(f"{name}.csv", None, None, f"missing from plan folder {root}"))
            continue
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            problems.append(Problem(f"{name}.csv", None, None, f"cannot be read: {exc}"))
            continue
        missing = [c for c in columns if c not in table.columns]
        for column in missing:
            problems.append(Problem(f"{name}.csv", 1, column, "column missing"))
        if missing:
            continue
        for column in WHOLE_COLUMNS[name]:
            values = pd.to_numeric(table[column], errors="coerce")
            bad = values.isna() | (values != values.round())
            for row in table.index[bad][:5]:
                problems.append(
                    Problem(
                        f"{name}.csv",
                        int(row) + 2,
                        column,
                        f"'{table.at[row, column]}' is not a whole number",
                    )
                )
            table[column] = values.fillna(0).astype("int64")
        if name == "nodes":
            table["fill_rate"] = pd.to_numeric(table["fill_rate"], errors="coerce")
        tables[name] = table
    summary: dict[str, Any] = {}
    summary_path = root / "summary.json"
    if not summary_path.is_file():
        problems.append(Problem("summary.json", None, None, f"missing from plan folder {root}"))
    else:
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(Problem("summary.json", None, None, f"not valid JSON: {exc}"))
    if problems:
        raise InputError(problems)
    extra: dict[str, pd.DataFrame] = {}
    for path in sorted(root.glob("*.csv")):
        if path.stem not in PLAN_TABLES:
            extra[path.stem] = pd.read_csv(path, keep_default_na=False)
    return Plan(summary=summary, extra=extra, **tables)
