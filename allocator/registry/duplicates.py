"""Finding duplicates: the same NIK twice, and two NIKs that are probably one person.

- **Exact duplicate**: the same NIK with the same person (name key, birth
  date and sex) on two records: one record, the latest registered (a person
  who registered again, e.g. after moving, is waited for at the new office);
  it counts as printed when any of its records was printed.
- **Conflict**: the same NIK with two different people: a pair.
- **Probable pair**: two different NIKs with the same birth date and sex and
  names whose :func:`~allocator.registry.names.similarity` reaches
  :data:`~allocator.registry.names.THRESHOLD`.

How probable pairs are found without comparing every two records is
:mod:`allocator.registry.pairs`.
"""

from __future__ import annotations

import polars as pl

from allocator.registry.names import similarities
from allocator.registry.pairs import PAIR_SCHEMA, probable_pairs

#: The columns of a pair table, as duplicate_pairs.csv has them (``pair`` is added on writing).
PAIR_COLUMNS = ["row_a", "row_b", "nik_a", "nik_b", "kind", "score", "status"]


def collapse_exact(records: pl.DataFrame) -> pl.DataFrame:
    """Records with ``kept`` (the valid record that stands for its NIK and person) and ``printed``.

    ``kept`` is false on invalid records (``reason`` not empty, when there is
    a ``reason``) and on every exact duplicate but the latest registered one
    (then the last row); ``printed`` on a kept record is true when any record
    of that NIK and person was printed. No record is copied: two columns are
    added.
    """
    valid = pl.col("reason") == "" if "reason" in records.columns else pl.lit(True)
    # One 64-bit hash per NIK and person: windows over it, not over four text columns;
    # an invalid record is a group of its own.
    person = (
        pl.when(valid)
        .then(pl.struct("nik", "key", "birth_date", "sex").hash())
        .otherwise(pl.col("row").hash(seed=1))
    )
    order = pl.col("registered").cast(pl.Int64) * (1 << 32) + pl.col("row")
    hashed = records.with_columns(person.alias("_person"), order.alias("_order"))
    return hashed.with_columns(
        (valid & (pl.col("_order") == pl.col("_order").max().over("_person"))).alias("kept"),
        (pl.col("status") == "printed").any().over("_person").alias("printed"),
    ).drop("_person", "_order")


def conflicts(kept: pl.DataFrame) -> pl.DataFrame:
    """Pairs of kept records with the same NIK and different people (kind ``conflict``)."""
    shared = kept.filter(pl.col("nik").is_duplicated()).select("row", "nik", "plain")
    if shared.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    both = shared.join(shared, on="nik", suffix="_b").filter(pl.col("row") < pl.col("row_b"))
    scores = similarities(both["plain"].to_list(), both["plain_b"].to_list())
    return pl.DataFrame(
        {
            "row_a": both["row"],
            "row_b": both["row_b"],
            "nik_a": both["nik"],
            "nik_b": both["nik"],
            "kind": "conflict",
            "score": scores,
            "status": "OPEN",
        },
        schema=PAIR_SCHEMA,
    )


__all__ = ["PAIR_COLUMNS", "PAIR_SCHEMA", "collapse_exact", "conflicts", "probable_pairs"]
