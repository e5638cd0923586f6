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
#: Blocks of at most this many records are scored all together (one call for all of them).
SMALL = 12

#: Records of big blocks turned into Python strings at a time.
CHUNK = 200_000

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
    person = pl.struct("nik", "key", "birth_date", "sex").hash()
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


def _small_blocks(
    starts: np.ndarray, sizes: np.ndarray, keys: pl.Series, plains: pl.Series
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs of every block of at most :data:`SMALL` records, in one C++ call.

    Every pair within such a block is listed with numpy and scored pairwise
    (rapidfuzz ``cpdist``): tens of thousands of small blocks cost one call,
    not one each.
    """
    pairs_a, pairs_b = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for n in range(2, SMALL + 1):
        first = starts[sizes == n]
        if not len(first):
            continue
        i, j = np.triu_indices(n, 1)
        pairs_a.append((first[:, None] + i).ravel())
        pairs_b.append((first[:, None] + j).ravel())
    a, b = np.concatenate(pairs_a), np.concatenate(pairs_b)
    if not len(a):
        return a, b
    near = np.zeros(len(a), bool)
    for column in (keys, plains):
        score = process.cpdist(
            column.gather(a).to_list(), column.gather(b).to_list(), scorer=fuzz.ratio, workers=-1
        )
        near |= np.asarray(score) >= CANDIDATE
    return a[near], b[near]


def _chunks(bounds: np.ndarray, big: np.ndarray) -> list[tuple[int, int]]:
    """Runs of whole big blocks of about :data:`CHUNK` records: (first record, end)."""
    chunks: list[tuple[int, int]] = []
    lo = hi = -1
    for b in big.tolist():
        start, end = int(bounds[b]), int(bounds[b + 1])
        if lo < 0:
            lo = start
        elif end - lo > CHUNK:
            chunks.append((lo, hi))
            lo = start
        hi = end
    if lo >= 0:
        chunks.append((lo, hi))
    return chunks


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
    sizes = np.diff(bounds)
    small = _small_blocks(bounds[:-1], sizes, keys, plains)
    found_a, found_b = [small[0]], [small[1]]
    big = np.flatnonzero(sizes > SMALL)
    for done, (lo, hi) in enumerate(_chunks(bounds, big)):
        # one chunk of blocks becomes Python strings at a time, never all records
        sort_keys = keys.slice(lo, hi - lo).to_list()
        as_written = plains.slice(lo, hi - lo).to_list()
        for b in big[(bounds[big] >= lo) & (bounds[big + 1] <= hi)]:
            first, last = int(bounds[b]) - lo, int(bounds[b + 1]) - lo
            near = _near(sort_keys[first:last]) | _near(as_written[first:last])
            a, c = np.nonzero(near)
            upper = a < c
            found_a.append(a[upper] + first + lo)
            found_b.append(c[upper] + first + lo)
        if progress is not None:
            progress(min(1.0, (done + 1) * CHUNK / max(len(blocked), 1)))
    if progress is not None:
        progress(1.0)
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
