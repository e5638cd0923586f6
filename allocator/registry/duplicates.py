"""Finding duplicates: the same NIK twice, and two NIKs that are probably one person.

- **Exact duplicate**: the same NIK with the same person (name key, birth
  date and sex) on two records: one record, the latest registered (a person
  who registered again, e.g. after moving, is waited for at the new office);
  it counts as printed when any of its records was printed.
- **Conflict**: the same NIK with two different people: a pair.
- **Probable pair**: two different NIKs with the same birth date and sex and
  names whose :func:`~allocator.registry.names.similarity` reaches
  :data:`~allocator.registry.names.THRESHOLD`.

Probable pairs are looked for only within a *block* of records with the same
birth date and sex (a few hundred at most among millions), each block scored
as one rapidfuzz matrix in C++: 5 million records are some 10^8 name
comparisons instead of 10^13.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from allocator.registry.names import CANDIDATE, THRESHOLD, similarities

#: The columns of a pair table, as duplicate_pairs.csv has them (``pair`` is added on writing).
#: Blocks at least this big are scored on every core (smaller ones cost more to hand out).
BIG_BLOCK = 200

PAIR_COLUMNS = ["row_a", "row_b", "nik_a", "nik_b", "kind", "score", "status"]
PAIR_SCHEMA = {
    "row_a": pl.Int64,
    "row_b": pl.Int64,
    "nik_a": pl.Utf8,
    "nik_b": pl.Utf8,
    "kind": pl.Utf8,
    "score": pl.Float64,
    "status": pl.Utf8,
}


def collapse_exact(valid: pl.DataFrame) -> pl.DataFrame:
    """Valid records with ``kept`` (the record that stands for its NIK and person) and ``printed``.

    ``kept`` is false on every exact duplicate but the latest registered one
    (then the last row); ``printed`` on a kept record is true when any record
    of that NIK and person was printed.
    """
    # One 64-bit hash per NIK and person: windows over it, not over four text columns.
    person = pl.concat_str("nik", "key", pl.col("birth_date").cast(pl.Utf8), "sex").hash()
    order = pl.col("registered").cast(pl.Int64) * (1 << 32) + pl.col("row")
    hashed = valid.with_columns(person.alias("_person"), order.alias("_order"))
    return hashed.with_columns(
        (pl.col("_order") == pl.col("_order").max().over("_person")).alias("kept"),
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


def _near(names: list[str]) -> np.ndarray:
    """Which names of a block are worth scoring against which: the quick Indel filter."""
    workers = 1 if len(names) < BIG_BLOCK else -1
    scores = process.cdist(
        names, names, scorer=fuzz.ratio, score_cutoff=CANDIDATE, dtype=np.uint8, workers=workers
    )
    return scores > 0


def probable_pairs(
    kept: pl.DataFrame, progress: Callable[[float], None] | None = None
) -> pl.DataFrame:
    """Pairs of kept records, different NIKs, same birth date and sex, alike names.

    ``progress`` is told the share of blocks done, now and then.
    """
    block = pl.col("birth_date").cast(pl.Int64) * 2 + (pl.col("sex") == "P").cast(pl.Int64)
    blocked = (
        kept.select("row", "nik", "key", "plain", block.alias("block"))
        .filter(pl.len().over("block") > 1)
        .sort("block")
    )
    if blocked.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    ids = blocked["block"].to_numpy()
    bounds = np.concatenate([[0], np.flatnonzero(np.diff(ids)) + 1, [len(ids)]]).astype(np.int64)
    keys, plains = blocked["key"], blocked["plain"]
    niks, rows = blocked["nik"], blocked["row"].to_numpy()
    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    blocks = len(bounds) - 1
    for b in range(blocks):
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        sort_keys = keys.slice(lo, hi - lo).to_list()
        as_written = plains.slice(lo, hi - lo).to_list()
        near = _near(sort_keys) | _near(as_written)
        a, c = np.nonzero(np.triu(near, 1))
        if len(a):
            found_a.append(a + lo)
            found_b.append(c + lo)
        if progress is not None and b % 2000 == 0:
            progress(b / blocks)
    if progress is not None:
        progress(1.0)
    if not found_a:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    ia, ib = np.concatenate(found_a), np.concatenate(found_b)
    # Only the candidates become Python strings, never the millions of records.
    nik_i, nik_j = niks.gather(ia), niks.gather(ib)
    other = (nik_i != nik_j).to_numpy()
    ia, ib = ia[other], ib[other]
    score = similarities(
        plains.gather(ia).to_list(),
        plains.gather(ib).to_list(),
        keys.gather(ia).to_list(),
        keys.gather(ib).to_list(),
    )
    good = score >= THRESHOLD
    ia, ib, score = ia[good], ib[good], score[good]
    first = rows[ia] < rows[ib]
    ia, ib = np.where(first, ia, ib), np.where(first, ib, ia)
    row_a, row_b = rows[ia], rows[ib]
    nik_a, nik_b = niks.gather(ia), niks.gather(ib)
    return pl.DataFrame(
        {
            "row_a": row_a,
            "row_b": row_b,
            "nik_a": nik_a,
            "nik_b": nik_b,
            "kind": "probable",
            "score": score,
            "status": "OPEN",
        },
        schema=PAIR_SCHEMA,
    )
