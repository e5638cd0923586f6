"""Names as a comparable key, and how alike two names are.

Indonesian names are written many ways for one person: the old spelling
(``Soeharto``, ``Djoko``, ``Tjahjo``, ``Sjahrir``, ``Achmad``) beside the new
(``Suharto``, ``Joko``, ``Cahyo``, ``Syahrir``, ``Akhmad``/``Ahmad``), the
same names in another order, a middle name left out, doubled letters
(``Muhammad``/``Muhamad``) and typing slips. :func:`name_key` removes what
never tells two people apart (case, punctuation, spelling variants, doubled
letters, token order); :func:`similarity` scores two keys from 0 to 100.

>>> import polars as pl
>>> pl.select(name_key(pl.lit("Soeharto, Djojo-Kusumo"))).item()
'KUSUMO SUHARTO YOYO'
>>> similarity("AHMAD BUDI SANTOSO", "AHMAD SANTOSO")
94.0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

#: Old spelling -> one canonical form (``dj`` -> ``j`` -> ``y`` is one step, ``dj`` -> ``y``).
SPELLING = {
    "OE": "U",
    "DJ": "Y",
    "TJ": "C",
    "SJ": "SY",
    "CH": "H",
    "KH": "H",
    "J": "Y",
    "PH": "F",
    "DH": "D",
    "TH": "T",
}

#: Score at or above which two names with the same birth date and sex are a probable pair.
THRESHOLD = 88.0

#: A pair of names whose plain ratio is below this is never scored further (the quick filter).
CANDIDATE = 70.0

#: What one slip (a letter wrong, lost or added) scores in a name of five letters or more.
SLIP = 92.0

#: What a missing middle name costs: a name that is the other's tokens minus some scores this.
SUBSET = 94.0


def plain_key(name: pl.Expr) -> pl.Expr:
    """A column expression: the name in capitals, spelling unified, tokens in their order."""
    key = name.str.to_uppercase().str.replace_all(r"[^A-Z]+", " ")
    # one pass: at each place the leftmost pattern wins, so DJ before its J
    key = key.str.replace_many(list(SPELLING), list(SPELLING.values()))
    doubled = [c + c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    key = key.str.replace_many(doubled, list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key.str.replace_all(" +", " ").str.strip_chars()


def with_name_keys(frame: pl.DataFrame, column: str = "name") -> pl.DataFrame:
    """``frame`` with ``plain`` (:func:`plain_key`) and ``key`` (its tokens sorted).

    The first four tokens are sorted by a sorting network of column
    comparisons (five steps, each one pass over the column), any further
    tokens stay last as written: four times faster than sorting a list per
    row, and names of five tokens are rare.
    """
    frame = frame.with_columns(plain_key(pl.col(column)).alias("plain"))
    fields = ["_t0", "_t1", "_t2", "_t3"]
    tokens = frame.select(
        pl.col("plain").str.splitn(" ", 4).struct.rename_fields(fields).alias("_tokens")
    ).unnest("_tokens")
    for x, y in (("_t0", "_t1"), ("_t2", "_t3"), ("_t0", "_t2"), ("_t1", "_t3"), ("_t1", "_t2")):
        a, b = pl.col(x), pl.col(y)
        swap = a.is_null() | (b.is_not_null() & (a > b))
        tokens = tokens.with_columns(
            pl.when(swap).then(b).otherwise(a).alias(x), pl.when(swap).then(a).otherwise(b).alias(y)
        )
    key = tokens.select(pl.concat_str(*fields, separator=" ", ignore_nulls=True).alias("key"))
    return frame.hstack(key)


def name_key(name: pl.Expr) -> pl.Expr:
    """A column expression: :func:`plain_key` with its tokens sorted (for a few rows)."""
    return plain_key(name).str.split(" ").list.sort().list.join(" ")


def similarities(
    a: list[str], b: list[str], sa: list[str] | None = None, sb: list[str] | None = None
) -> np.ndarray:
    """How alike each pair of plain keys (:func:`plain_key`) is, 0-100, all in C++.

    The best Indel ratio of the keys as written, with tokens sorted (names in
    another order) and without spaces (a space typed or lost); :data:`SLIP`
    for a single slip (one Levenshtein edit) in names of five letters or more;
    :data:`SUBSET` when one name is the other with a middle name left out
    (its first and last tokens, both names at least two tokens: rapidfuzz's
    token-set ratio would give any subset
    100, which also pairs ``SITI`` with every ``SITI ...`` born that day); and
    the token-set ratio less 4 for names of as many tokens (one misspelt).
    ``sa`` and ``sb`` are the keys with tokens sorted, when known.
    """
    if not a:
        return np.zeros(0)
    sa = sa if sa is not None else [" ".join(sorted(x.split())) for x in a]
    sb = sb if sb is not None else [" ".join(sorted(x.split())) for x in b]
    na, nb = [x.replace(" ", "") for x in a], [x.replace(" ", "") for x in b]

    def pairwise(x: list[str], y: list[str], scorer: Any, dtype: type = np.float32) -> np.ndarray:
        return np.asarray(process.cpdist(x, y, scorer=scorer, dtype=dtype, workers=-1))

    score = np.maximum.reduce(
        [pairwise(a, b, fuzz.ratio), pairwise(sa, sb, fuzz.ratio), pairwise(na, nb, fuzz.ratio)]
    ).astype(np.float64)
    length = np.minimum([len(x) for x in a], [len(x) for x in b])
    edits = np.minimum(
        pairwise(a, b, Levenshtein.distance, np.int32),
        pairwise(sa, sb, Levenshtein.distance, np.int32),
    )
    score = np.where((length >= 5) & (edits <= 1), np.maximum(score, SLIP), score)
    ta = np.array([x.count(" ") + 1 for x in a])
    tb = np.array([x.count(" ") + 1 for x in b])
    token_set = pairwise(a, b, fuzz.token_set_ratio).astype(np.float64)
    short = np.minimum(ta, tb) >= 2
    subset = short & (ta != tb) & (token_set == 100) & _middle_dropped(a, b)
    score = np.where(subset, np.maximum(score, SUBSET), score)
    same_count = short & (ta == tb)
    score = np.where(same_count, np.maximum(score, token_set - 4), score)
    return np.round(score, 1)


def _middle_dropped(a: list[str], b: list[str]) -> np.ndarray:
    """Whether the shorter name is the longer's first and last tokens (a middle name left out).

    A name that keeps the longer's first two tokens only (``UTAMI WIYAYA`` of
    ``UTAMI WIYAYA HARAHAP``) is, at 5 million records, mostly another person.
    """
    out = np.zeros(len(a), bool)
    for n, (x, y) in enumerate(zip(a, b, strict=True)):
        short, long = sorted((x.split(), y.split()), key=len)
        out[n] = len(long) > len(short) >= 2 and short[0] == long[0] and short[-1] == long[-1]
    return out


def similarity(a: str, b: str) -> float:
    """:func:`similarities` of one pair."""
    return float(similarities([a], [b])[0])
