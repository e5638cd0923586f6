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

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

#: Old spelling -> one canonical form, applied in this order (``dj`` before ``j``).
SPELLING = (
    ("OE", "U"),
    ("DJ", "J"),
    ("TJ", "C"),
    ("SJ", "SY"),
    ("CH", "H"),
    ("KH", "H"),
    ("J", "Y"),
    ("PH", "F"),
    ("DH", "D"),
    ("TH", "T"),
)

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
    for old, new in SPELLING:
        key = key.str.replace_all(old, new, literal=True)
    doubled = [c + c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    key = key.str.replace_many(doubled, list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    return key.str.replace_all(" +", " ").str.strip_chars()


def name_key(name: pl.Expr) -> pl.Expr:
    """A column expression: :func:`plain_key` with its tokens sorted (order never tells)."""
    tokens = plain_key(name).str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    return tokens.list.sort().list.join(" ")


def _sorted(key: str) -> str:
    return " ".join(sorted(key.split()))


def similarity(a: str, b: str) -> float:
    """How alike two plain keys (:func:`plain_key`) are, 0-100.

    The best Indel ratio of the keys as written, with tokens sorted (names in
    another order) and without spaces (a space typed or lost); 92 for a
    single slip (one Levenshtein edit) in a name of five letters or more;
    :data:`SUBSET` when one name is the other with a middle name left out
    (both at least two tokens: rapidfuzz's token-set ratio would give that
    100, which also pairs ``SITI`` with every ``SITI ...`` born that day);
    and the token-set ratio less 4 for names of as many tokens.
    """
    sa, sb = _sorted(a), _sorted(b)
    score = max(
        fuzz.ratio(a, b), fuzz.ratio(sa, sb), fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))
    )
    if (
        min(len(a), len(b)) >= 5
        and min(Levenshtein.distance(a, b), Levenshtein.distance(sa, sb)) <= 1
    ):
        score = max(score, SLIP)
    short, long = sorted((a.split(), b.split()), key=len)
    if len(short) >= 2 and len(long) > len(short) and set(short) <= set(long):
        score = max(score, SUBSET)
    elif len(short) >= 2 and len(short) == len(long):
        score = max(score, fuzz.token_set_ratio(a, b) - 4)
    return round(float(score), 1)
