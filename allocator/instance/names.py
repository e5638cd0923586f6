"""Telling a misspelt name from a new one: a header, a setting, a file or a sheet.

An extra column is kept and passed through, but a column whose name is
within a typing slip of a known one (``capcity``, ``leadtime``, ``Lead Time``)
is almost always that column misspelt, and taking it as an extra would
silently drop what the user meant (an unlimited link, lead times of 0).
:func:`looks_like` says which known name a name is probably meant to be.

>>> looks_like("capcity", ["capacity", "cost"])
'capacity'
>>> looks_like("Lead Time", ["lead_time"])
'lead_time'
>>> looks_like("note", ["name"]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def squashed(name: str) -> str:
    """``name`` in lower case without spaces, underscores, hyphens and dots."""
    return re.sub(r"[\s_\-.]+", "", name.lower())


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) that turn ``a`` into ``b``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (ca != cb),
            )
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def looks_like(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is probably a slip for, or ``None``.

    A slip is the same name in another case or with other separators
    (``Lead Time`` for ``lead_time``), or, once squashed, one edit away from a
    known name of four to seven letters, two from a longer one. Short names
    (``id``, ``lat``) match only exactly: too many short words are an edit apart.
    """
    given = squashed(name)
    if len(given) < 3:
        return None
    best: tuple[int, str] | None = None
    for candidate in known:
        target = squashed(candidate)
        if given == target:
            return candidate
        allowed = 0 if len(target) < 4 else 1 if len(target) < 8 else 2
        edits = distance(given, target)
        if edits <= allowed and (best is None or edits < best[0]):
            best = (edits, candidate)
    return best[1] if best else None
