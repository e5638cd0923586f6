"""Probable pairs: two NIKs, one birth date and sex, names nearly alike.

Comparing every two records of a *block* (same birth date and sex) is some
10^9 name comparisons at 5 million records, since births crowd into the
years people turn 17. So candidates are two records of a block that share
a *token key*: the first three or the last three letters of one of their
name tokens (a polars self-join). A typing slip in a token of six letters
or more leaves its start or its end intact, names in another order and a
left-out middle name share whole tokens, so this keeps the pairs that the
score can accept and drops about 97 % of the comparisons.

Each candidate is then filtered by rapidfuzz's Indel ratio, as written and
with tokens sorted (``cpdist``, C++, both cores) and scored by
:func:`~allocator.registry.names.similarities`. The blocks are taken a
partition at a time (:data:`PARTITION` records), so memory stays flat and
a progress bar can move.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from allocator.registry.names import CANDIDATE, THRESHOLD, similarities

#: Token keys two names of several tokens must share to be compared (a whole token is two).
SHARED = 3

#: A token key held by at most this many records of a block makes its pairs worth scoring.
RARE = 4

#: Share of records a name must have to be common (1 in 30,000: 166 of 5 million).
COMMON = 1 / 30_000

#: ... and at least this many, however few records there are.
COMMON_FLOOR = 20

#: Records (whole blocks) handled at a time.
PARTITION = 250_000

PAIR_SCHEMA = {
    "row_a": pl.Int64,
    "row_b": pl.Int64,
    "nik_a": pl.Utf8,
    "nik_b": pl.Utf8,
    "kind": pl.Utf8,
    "score": pl.Float64,
    "status": pl.Utf8,
}


def probable_pairs(
    kept: pl.DataFrame,
    regions: dict[str, str],
    progress: Callable[[float], None] | None = None,
) -> pl.DataFrame:
    """Pairs of kept records, different NIKs, same birth date and sex, alike names.

    ``regions`` maps each office to its region (province): a name that
    :data:`COMMON` of the records (at least :data:`COMMON_FLOOR`) share, at offices
    of two regions, is two
    people (Fellegi-Sunter's point: agreeing on a common value is weak
    evidence). ``progress`` is told the share of records done after each
    partition.
    """
    block = pl.col("birth_date").cast(pl.Int64) * 2 + (pl.col("sex") == "P").cast(pl.Int64)
    common = max(COMMON_FLOOR, int(COMMON * len(kept)))
    region = pl.col("office").replace_strict(regions, default="")
    blocked = (
        kept.select(
            "row",
            "nik",
            "key",
            "plain",
            block.alias("block"),
            region.cast(pl.Categorical).to_physical().alias("region"),
            (pl.len().over("plain") >= common).alias("common"),
        )
        .filter(pl.len().over("block") > 1)
        .sort("block")
    )
    ids = blocked["block"].to_numpy()
    cuts = [0]
    while cuts[-1] < len(ids):
        end = min(cuts[-1] + PARTITION, len(ids))
        while end < len(ids) and ids[end] == ids[end - 1]:
            end += 1  # never split a block
        cuts.append(end)
    found = [pl.DataFrame(schema=PAIR_SCHEMA)]
    for lo, hi in itertools.pairwise(cuts):
        found.append(_partition(blocked.slice(lo, hi - lo)))
        if progress is not None:
            progress(hi / len(ids))
    return pl.concat(found)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (``np.unique`` hashes, 30x slower here for int64)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def candidates(part: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``a < b`` in ``part`` of records of one block sharing a token key.

    Each (block, key) is hashed to one 64-bit number; sorting those puts the
    records sharing one next to each other, and every pair within a run is
    listed with numpy (runs of one size at a time).
    """
    tokens = (
        part.select(pl.int_range(pl.len()).alias("i"), "block", pl.col("plain").str.split(" "))
        .explode("plain")
        .filter(pl.col("plain") != "")
    )
    keyed = pl.concat(
        [
            tokens.select("i", pl.struct("block", pl.col("plain").str.slice(0, 3)).hash()),
            tokens.select("i", pl.struct("block", "~" + pl.col("plain").str.slice(-3)).hash()),
        ]
    )
    hashes, positions = keyed["block"].to_numpy(), keyed["i"].to_numpy()
    order = np.argsort(hashes)
    hashes, positions = hashes[order], positions[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    sizes = np.diff(np.r_[starts, len(hashes)])
    found_a, found_b = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    found_size = [np.zeros(0, np.int64)]
    for size in _distinct(sizes[sizes > 1]).tolist():
        first = starts[sizes == size]
        i, j = np.triu_indices(size, 1)
        found_a.append(positions[(first[:, None] + i).ravel()])
        found_b.append(positions[(first[:, None] + j).ravel()])
        found_size.append(np.full(len(first) * len(i), size))
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    differ = lo != hi
    code = lo[differ].astype(np.int64) * len(part) + hi[differ]
    order = np.argsort(code)
    code, run = code[order], np.concatenate(found_size)[differ][order]
    if not len(code):
        return code, code
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    shared = np.diff(np.r_[first, len(code)])
    rarest = np.minimum.reduceat(run, first)
    code = code[first]
    a, b = code // len(part), code % len(part)
    # Two names that share one common token (its first and last letters: two keys)
    # and nothing else are mostly two people; a third key, a shared key that few
    # records of the block have, or two one-token names make the pair worth scoring.
    single = (part["plain"].str.count_matches(" ") == 0).to_numpy()
    keep = (shared >= SHARED) | (rarest <= RARE) | (single[a] & single[b])
    return a[keep], b[keep]


def _partition(part: pl.DataFrame) -> pl.DataFrame:
    """The probable pairs among the records of whole blocks."""
    a, b = candidates(part)
    niks, keys, plains = part["nik"], part["key"], part["plain"]
    other = (niks.gather(a) != niks.gather(b)).to_numpy()
    a, b = a[other], b[other]
    near = np.zeros(len(a), bool)
    for column in (keys, plains):
        if len(a):
            ratio = process.cpdist(
                column.gather(a).to_list(),
                column.gather(b).to_list(),
                scorer=fuzz.ratio,
                workers=-1,
            )
            near |= np.asarray(ratio) >= CANDIDATE
    a, b = a[near], b[near]
    score = similarities(
        plains.gather(a).to_list(),
        plains.gather(b).to_list(),
        keys.gather(a).to_list(),
        keys.gather(b).to_list(),
    )
    region, common = part["region"].to_numpy(), part["common"].to_numpy()
    strangers = (common[a] | common[b]) & (region[a] != region[b])
    good = (score >= THRESHOLD) & ~strangers
    a, b, score = a[good], b[good], score[good]
    rows = part["row"].to_numpy()
    first = rows[a] < rows[b]
    a, b = np.where(first, a, b), np.where(first, b, a)
    return pl.DataFrame(
        {
            "row_a": rows[a],
            "row_b": rows[b],
            "nik_a": niks.gather(a),
            "nik_b": niks.gather(b),
            "kind": "probable",
            "score": score,
            "status": "OPEN",
        },
        schema=PAIR_SCHEMA,
    )
