"""Counting: each record's final state, demand per office and month, quality figures.

Demand counts the ``printable`` records (:mod:`allocator.registry.build`
lists the states) at their ``office``: a record registered before the
instance's start month is ``backlog`` in the start month, one registered
later is ``new`` in its registration month (a ``category`` column, when
given, names the category instead).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import polars as pl

from allocator.instance import Instance
from allocator.registry import decisions
from allocator.registry.nik import REASONS

STATES = (
    "invalid",
    "exact_duplicate",
    "merged",
    "blocked",
    "printed",
    "after_horizon",
    "printable",
)


def _rows(table: pl.DataFrame) -> pl.Series:
    return pl.concat([table["row_a"], table["row_b"]]).unique()


def states(frame: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Every record with its ``state`` and its part in pairs (``in_conflict``, ``in_open``...).

    ``frame`` has ``kept`` and ``printed`` (:func:`~allocator.registry.duplicates.collapse_exact`).
    """
    out = frame.select("row", "office", "registered", "category", "reason", "kept", "printed")
    open_pairs = pairs.filter(pl.col("status") == "OPEN")
    paired = out.filter(pl.col("row").is_in(_rows(pairs).implode()))
    days = paired["registered"].cast(pl.Int32).to_list()
    groups = decisions.merged_groups(pairs, dict(zip(paired["row"].to_list(), days, strict=True)))
    away = [r for rows in groups.values() for r in rows]
    printed_away = set(paired.filter(pl.col("printed") & pl.col("row").is_in(away))["row"])
    also_printed = [s for s, rows in groups.items() if printed_away & set(rows)]
    out = out.with_columns(
        pl.col("row")
        .is_in(_rows(pairs.filter(pl.col("kind") == "conflict")).implode())
        .alias("in_conflict"),
        pl.col("row")
        .is_in(_rows(open_pairs.filter(pl.col("kind") == "probable")).implode())
        .alias("in_probable_open"),
        pl.col("row")
        .is_in(_rows(pairs.filter(pl.col("status") != "OPEN")).implode())
        .alias("in_decided"),
        pl.col("row").is_in(_rows(open_pairs).implode()).alias("in_open"),
        (pl.col("printed").fill_null(False) | pl.col("row").is_in(also_printed)).alias("printed"),
    )
    state = (
        pl.when(pl.col("reason") != "")
        .then(pl.lit("invalid"))
        .when(~pl.col("kept"))
        .then(pl.lit("exact_duplicate"))
        .when(pl.col("row").is_in(away))
        .then(pl.lit("merged"))
        .when(pl.col("in_open"))
        .then(pl.lit("blocked"))
        .when(pl.col("printed"))
        .then(pl.lit("printed"))
        .otherwise(pl.lit("printable"))
    )
    return out.with_columns(state.alias("state"))


def demand(records: pl.DataFrame) -> pd.DataFrame:
    """``demand.csv`` rows (node, period, category, quantity) from the printable records.

    ``records`` have their months (:func:`with_months`).
    """
    printable = records.filter(pl.col("state") == "printable")
    table = (
        printable.group_by("office", "period", "category")
        .len()
        .rename({"office": "node", "len": "quantity"})
        .sort("node", "period", "category")
    )
    return table.with_columns(pl.col("quantity").cast(pl.Int64)).to_pandas()


def with_months(records: pl.DataFrame, instance: Instance) -> pl.DataFrame:
    """Each record's demand month and category; printable ones past the horizon re-stated."""
    start = dt.date.fromisoformat(instance.start + "-01")
    end = dt.date.fromisoformat(instance.months[-1] + "-01")
    month = pl.col("registered").dt.truncate("1mo")
    before = month < pl.lit(start)
    period = pl.when(before).then(pl.lit(start)).otherwise(month).dt.strftime("%Y-%m")
    category = (
        pl.when(pl.col("category") != "")
        .then(pl.col("category"))
        .when(before)
        .then(pl.lit("backlog"))
        .otherwise(pl.lit("new"))
    )
    late = (pl.col("state") == "printable") & (month > pl.lit(end))
    return records.with_columns(
        period.alias("period"),
        category.alias("category"),
        pl.when(late).then(pl.lit("after_horizon")).otherwise(pl.col("state")).alias("state"),
    )


def quality(records: pl.DataFrame, instance: Instance) -> pd.DataFrame:
    """``quality.csv``: per office, per province (the office's ``region``) and in total.

    Counts records: read, invalid by reason, exact duplicates, in a conflict,
    in an open probable pair, in a decided pair, merged away, blocked,
    printed, after the horizon, printable. Records whose office is unknown
    count in the total only. ``records`` have their months (:func:`with_months`).
    """
    figures = [
        pl.len().alias("records"),
        *[(pl.col("reason") == r).sum().alias(f"invalid_{r}") for r in REASONS],
        (pl.col("state") == "exact_duplicate").sum().alias("exact_duplicates"),
        pl.col("in_conflict").sum().alias("conflicts"),
        pl.col("in_probable_open").sum().alias("probable_open"),
        pl.col("in_decided").sum().alias("decided"),
        *[(pl.col("state") == s).sum().alias(s) for s in STATES[2:]],
    ]
    offices = pl.from_pandas(instance.offices[["id", "name", "region"]].astype(str)).rename(
        {"id": "office"}
    )
    known = records.join(offices, on="office", how="inner")
    by_office = known.group_by("office").agg(figures).join(offices, on="office")
    by_office = by_office.with_columns(pl.lit("office").alias("level")).rename({"office": "id"})
    by_region = (
        known.group_by("region")
        .agg(figures)
        .with_columns(pl.lit("province").alias("level"), pl.col("region").alias("name"))
        .rename({"region": "id"})
    )
    total = records.select(figures).with_columns(
        pl.lit("total").alias("level"),
        pl.lit("all").alias("id"),
        pl.lit("all records").alias("name"),
    )
    columns = ["level", "id", "name", *[f.meta.output_name() for f in figures]]
    table = pl.concat(
        [
            by_office.sort("id").select(columns),
            by_region.sort("id").select(columns),
            total.select(columns),
        ],
        how="vertical_relaxed",
    )
    return table.to_pandas()
