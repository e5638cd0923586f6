"""Measuring demand from records against a generated answer key.

:func:`pair_quality` is the probable-pair precision and recall (a found pair
is right when both records are one true person; every two kept records of
one person under different NIKs is a pair to find). :func:`truth_demand` is
the demand a perfect planner would get: each true person with a valid
record once, at the office of their latest registered valid record, unless
any valid record of theirs was printed. :func:`decide_by_truth` decides pairs
as that planner would, adding the links the search missed, so that
``build_demand(..., pairs=decided)`` must equal :func:`truth_demand` exactly.
"""

from __future__ import annotations

import pandas as pd
import polars as pl

from allocator.instance import Instance
from allocator.registry import counts, duplicates
from allocator.registry.names import with_name_keys


def _people(records: pl.DataFrame, key: pl.DataFrame) -> pl.DataFrame:
    rows = records.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    return rows.join(key, on="row").filter(pl.col("invalid") == "")


def pair_quality(pairs: pd.DataFrame, records: pl.DataFrame, key: pl.DataFrame) -> dict[str, float]:
    """Probable pairs found, right, to find; precision and recall."""
    person = dict(zip(key["row"].to_list(), key["person"].to_list(), strict=True))
    probable = pairs[pairs["kind"] == "probable"]
    right = sum(
        person[a] == person[b] for a, b in zip(probable["row_a"], probable["row_b"], strict=True)
    )
    valid = _people(records, key)
    distinct = valid.group_by("person").agg(pl.col("nik").n_unique().alias("k"))
    to_find = int((distinct["k"] * (distinct["k"] - 1) // 2).sum())
    found = len(probable)
    return {
        "found": found,
        "right": int(right),
        "to_find": to_find,
        "precision": right / found if found else 1.0,
        "recall": right / to_find if to_find else 1.0,
    }


def truth_demand(records: pl.DataFrame, key: pl.DataFrame, instance: Instance) -> pd.DataFrame:
    """The demand.csv rows a perfect de-duplication gives (instance format)."""
    valid = _people(records, key).with_columns(
        pl.col("registered").cast(pl.Date), pl.lit("").alias("category")
    )
    latest = (
        valid.sort("registered", "row")
        .group_by("person")
        .agg(
            pl.col("office").last(),
            pl.col("registered").last(),
            pl.col("category").last(),
            (pl.col("status") == "printed").any().alias("printed"),
        )
    )
    state = pl.when(pl.col("printed")).then(pl.lit("printed")).otherwise(pl.lit("printable"))
    latest = latest.with_columns(state.alias("state"))
    return counts.demand(counts.with_months(latest, instance))


def decide_by_truth(pairs: pd.DataFrame, records: pl.DataFrame, key: pl.DataFrame) -> pd.DataFrame:
    """Every pair MERGED or INVALID as the truth says, plus MERGED links the search missed."""
    person = dict(zip(key["row"].to_list(), key["person"].to_list(), strict=True))
    same = [person[a] == person[b] for a, b in zip(pairs["row_a"], pairs["row_b"], strict=True)]
    decided = pairs.assign(status=["MERGED" if s else "INVALID" for s in same])
    valid = _people(records, key)
    linked = {(a, b) for a, b, s in zip(pairs["row_a"], pairs["row_b"], same, strict=True) if s}
    # the records exact de-duplication keeps (each stands for its NIK and name)
    named = with_name_keys(valid)
    kept = duplicates.collapse_exact(named).filter(pl.col("kept"))
    extra = []
    for _, group in kept.sort("person", "row").group_by("person", maintain_order=True):
        rows, niks = group["row"].to_list(), group["nik"].to_list()
        for i in range(1, len(rows)):
            a, b = rows[i - 1], rows[i]
            if (a, b) not in linked:
                kind = "conflict" if niks[i - 1] == niks[i] else "probable"
                extra.append((a, b, niks[i - 1], niks[i], kind, 0.0, "MERGED"))
    added = pd.DataFrame(
        extra, columns=["row_a", "row_b", "nik_a", "nik_b", "kind", "score", "status"]
    )
    table = pd.concat([decided.drop(columns="pair"), added], ignore_index=True)
    table.insert(0, "pair", range(1, len(table) + 1))
    return table
