"""The planner's decisions on pairs: reading ``--pairs`` back and applying it.

``duplicate_pairs.csv`` is written with every pair ``OPEN``; the planner sets
``INVALID`` (two people: both count) or ``MERGED`` (one person: counts once,
at the later record's office) and passes the file back. A decided pair is
kept as decided and never proposed again; an open one is proposed again if
still found. A conflict (one NIK) is known by its NIK and both rows, a
probable pair by its two NIKs, so a file of records that grew keeps its
decisions.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl

from allocator.instance import cells, text
from allocator.instance.problems import Collector
from allocator.instance.schema import Column
from allocator.registry.duplicates import PAIR_COLUMNS, PAIR_SCHEMA

STATUSES = ("OPEN", "INVALID", "MERGED")
KINDS = ("conflict", "probable")
_ROW = Column("row_a", "whole", required=True)


def read_pairs(path: Path, out: Collector) -> pl.DataFrame | None:
    """A ``duplicate_pairs.csv`` the planner edited, checked; problems go to ``out``."""
    file = path.name
    read = text.read_csv_file(path, file, out)
    if read is None:
        return None
    frame, rows = read
    missing = [c for c in ["pair", *PAIR_COLUMNS] if c not in frame.columns]
    if missing:
        listed = ", ".join(f"'{m}'" for m in missing)
        out.add(file, 1, None, f"missing column(s) {listed}; pass back the file demand wrote")
        return None
    status = frame["status"].str.upper()
    out.cells(
        file,
        rows,
        "status",
        ~status.isin(STATUSES),
        cells.quote(frame["status"]) + " is not OPEN, INVALID or MERGED",
        kind="status",
    )
    out.cells(
        file,
        rows,
        "kind",
        ~frame["kind"].isin(KINDS),
        cells.quote(frame["kind"]) + " is not conflict or probable",
        kind="kind",
    )
    row_a = cells.parse_whole(frame["row_a"], _ROW, file, rows, out)
    row_b = cells.parse_whole(
        frame["row_b"], Column("row_b", "whole", required=True), file, rows, out
    )
    if len(out):
        return None
    table = pd.DataFrame(
        {
            "row_a": row_a.astype("int64"),
            "row_b": row_b.astype("int64"),
            "nik_a": frame["nik_a"],
            "nik_b": frame["nik_b"],
            "kind": frame["kind"],
            "score": pd.to_numeric(frame["score"], errors="coerce"),
            "status": status,
        }
    )
    return pl.from_pandas(table, schema_overrides=PAIR_SCHEMA)


def pair_key() -> pl.Expr:
    """What names a pair across runs: its NIKs, and for a conflict its rows too."""
    rows = pl.concat_str(
        pl.col("row_a").cast(pl.Utf8), pl.col("row_b").cast(pl.Utf8), separator="~"
    )
    niks = pl.concat_str("nik_a", "nik_b", separator="~")
    return pl.when(pl.col("kind") == "conflict").then(niks + "#" + rows).otherwise(niks)


def combine(found: pl.DataFrame, decided: pl.DataFrame | None) -> pl.DataFrame:
    """The pairs found, with the planner's decisions; decided pairs kept even if not found again."""
    if decided is None or decided.is_empty():
        return found.sort("row_a", "row_b")
    decided = decided.filter(pl.col("status") != "OPEN").with_columns(pair_key().alias("_key"))
    found = found.with_columns(pair_key().alias("_key"))
    fresh = found.filter(~pl.col("_key").is_in(decided["_key"].implode()))
    return pl.concat([decided, fresh]).drop("_key").sort("row_a", "row_b")


def merged_groups(pairs: pl.DataFrame, registered: dict[int, int]) -> dict[int, list[int]]:
    """Each record MERGED pairs keep -> the rows folded into it (the later registered survives).

    ``registered`` gives each row's registration day. Pairs chain (a=b, b=c:
    one person), so each group of merged records keeps only its latest
    registered record (then the last row); rows not in ``registered`` (a
    decision about a record no longer in the file) are ignored.
    """
    merged = pairs.filter(pl.col("status") == "MERGED")
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(merged["row_a"].to_list(), merged["row_b"].to_list(), strict=True):
        if a in registered and b in registered:
            parent[find(a)] = find(b)
    members: dict[int, list[int]] = {}
    for row in list(parent):
        members.setdefault(find(row), []).append(row)
    groups: dict[int, list[int]] = {}
    for rows in members.values():
        latest = max(rows, key=lambda r: (registered[r], r))
        groups[latest] = sorted(set(rows) - {latest})
    return groups
