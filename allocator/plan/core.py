"""A plan: what to ship, issue and hold, month by month, and its figures.

The tables have the columns of ``docs/formats.md``, declared once in
:data:`PLAN_COLUMNS`:

- ``shipments``: link, from, to, mode, period, arrival, quantity (one row per x > 0)
- ``issuance``: node, period, category, demand, issued, backlog (rows not all zero)
- ``stock``: node, period, stock (one row per I > 0)
- ``nodes``: node, name, region, demand, issued, unmet, fill_rate, card_months_waiting
- ``summary``: the dictionary written as ``summary.json``

Quantities are whole cards (int64). Rows are sorted, so the same instance and
options always give byte-identical CSV files. A re-plan (:class:`Replan`)
also carries the instance it was solved for, written beside it as ``instance/``.
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
from allocator.instance import Instance
from allocator.instance.schema import Column

#: The columns of every plan table, as read back by :func:`allocator.plan.read_plan`.
PLAN_COLUMNS: dict[str, tuple[Column, ...]] = {
    "shipments": (
        Column("link", "id", required=True),
        Column("from", "text", required=True),
        Column("to", "text", required=True),
        Column("mode", "text", required=True),
        Column("period", "text", required=True),
        Column("arrival", "text", required=True),
        Column("quantity", "whole", required=True),
    ),
    "issuance": (
        Column("node", "id", required=True),
        Column("period", "text", required=True),
        Column("category", "id", required=True),
        Column("demand", "whole", required=True),
        Column("issued", "whole", required=True),
        Column("backlog", "whole", required=True),
    ),
    "stock": (
        Column("node", "id", required=True),
        Column("period", "text", required=True),
        Column("stock", "whole", required=True),
    ),
    "nodes": (
        Column("node", "id", required=True),
        Column("name", "text", required=True),
        Column("region", "text", required=True),
        Column("demand", "whole", required=True),
        Column("issued", "whole", required=True),
        Column("unmet", "whole", required=True),
        Column("fill_rate", "number", required=True),
        Column("card_months_waiting", "whole", required=True),
    ),
}
#: Extra tables a plan folder may hold, read back with their types.
EXTRA_COLUMNS: dict[str, tuple[Column, ...]] = {
    "changes": (
        Column("link", "id", required=True),
        Column("period", "text", required=True),
        Column("old", "whole", required=True),
        Column("new", "whole", required=True),
        Column("difference", "integer", required=True),
    ),
}
PLAN_TABLES: dict[str, list[str]] = {
    name: [c.name for c in columns] for name, columns in PLAN_COLUMNS.items()
}
WHOLE_COLUMNS: dict[str, list[str]] = {
    name: [c.name for c in columns if c.kind == "whole"] for name, columns in PLAN_COLUMNS.items()
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
        out["summary.json"] = summary_json(self.summary)
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
        files["summary.json"] = summary_json(self.summary)
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


@dataclass(repr=False)
class Replan(Plan):
    """A re-plan: a :class:`Plan` of the re-plan ``instance``, written with it as ``instance/``."""

    instance: Instance | None = None

    def write(
        self,
        folder: str | Path,
        *,
        force: bool = False,
        extra_files: dict[str, bytes] | None = None,
    ) -> Path:
        """Write the plan folder with the re-plan instance in ``instance/``, atomically."""
        files: dict[str, bytes] = {}
        if self.instance is not None:
            files = {f"instance/{name}": data for name, data in self.instance.files().items()}
        files.update(extra_files or {})
        return super().write(folder, force=force, extra_files=files)


def table_csv(table: pd.DataFrame) -> bytes:
    """A table as CSV bytes, the way every plan file is written."""
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode()


def summary_json(summary: dict[str, Any]) -> bytes:
    """``summary.json``'s bytes."""
    return (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode()
