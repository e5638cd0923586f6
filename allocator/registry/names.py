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

#: What a missing middle name costs: a name that is the other's tokens minus some scores this.
SUBSET = 94.0


def name_key(name: pl.Expr) -> pl.Expr:
    """A column expression: the name in capitals, spelling unified, tokens sorted."""
    key = name.str.to_uppercase().str.replace_all(r"[^A-Z]+", " ")
    for old, new in SPELLING:
        key = key.str.replace_all(old, new, literal=True)
    doubled = [c + c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    key = key.str.replace_many(doubled, list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    tokens = key.str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    return tokens.list.sort().list.join(" ")


def similarity(a: str, b: str) -> float:
    """How alike two name keys are, 0-100.

    The Indel ratio of the sorted-token keys (a typing slip costs a few
    points), or :data:`SUBSET` when one name is the other with a middle name
    left out (both at least two tokens, the shorter's tokens all in the
    longer's): rapidfuzz's token-set ratio would give that 100, which also
    pairs ``SITI`` with every ``SITI ...`` born the same day.
    """
    score = fuzz.ratio(a, b)
    short, long = sorted((a.split(), b.split()), key=len)
    if len(short) >= 2 and len(long) > len(short) and set(short) <= set(long):
        score = max(score, SUBSET)
    elif len(short) >= 2 and len(short) == len(long):
        # one token misspelt: compare token by token
        score = max(score, fuzz.token_set_ratio(a, b) - 4)
    return round(float(score), 1)
