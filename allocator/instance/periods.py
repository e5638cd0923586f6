"""Months: the one ``YYYY-MM`` rule, and month labels against month numbers 1..P.

Every table a user writes names months as ``YYYY-MM``; the model numbers them
1..P from the instance's ``start``. This module is the only place that turns
one into the other, for the instance, the re-plan's inputs, the what-if
tables and the independent checker alike.

>>> month_labels("2017-11", 3)
['2017-11', '2017-12', '2018-01']
>>> month_numbers("2017-11", ["2017-11", "2018-01", "2017-13", ""]).tolist()
[1.0, 3.0, nan, nan]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

#: A month written ``YYYY-MM``.
MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"


def is_month(values: pd.Series) -> pd.Series:
    """Which cells (stripped text) are a month written ``YYYY-MM``."""
    return values.astype(str).str.fullmatch(MONTH).fillna(False).astype(bool)


def month_labels(start: str, periods: int) -> list[str]:
    """The ``YYYY-MM`` labels of ``periods`` consecutive months from ``start``."""
    first = pd.Period(start, freq="M")
    return [str(first + i) for i in range(periods)]


def horizon_text(start: str, periods: int) -> str:
    """The horizon as problems describe it: ``2017-03..2017-12 (start 2017-03, 10 periods)``."""
    labels = month_labels(start, periods)
    return f"{labels[0]}..{labels[-1]} (start {start}, {periods} periods)"


def month_numbers(start: str, labels: Iterable[str] | pd.Series) -> np.ndarray:
    """Month numbers (1 = ``start``) of labels, as floats: NaN where a label is not ``YYYY-MM``.

    Months before ``start`` give 0 or less, months after the horizon more
    than its length: the caller decides what is inside.
    """
    text = pd.Series(list(labels) if not isinstance(labels, pd.Series) else labels, dtype=object)
    if text.empty:
        return np.zeros(0)
    # A plan's tables repeat a few dozen months over thousands of rows: read each once.
    codes, distinct = pd.factorize(text.astype(str))
    unique = pd.Series(distinct, dtype=object).str.strip()
    good = is_month(unique).to_numpy()
    first = pd.Period(start, freq="M")
    year = pd.to_numeric(unique.str.slice(0, 4), errors="coerce").to_numpy(float)
    month = pd.to_numeric(unique.str.slice(5, 7), errors="coerce").to_numpy(float)
    numbers = np.where(good, (year - first.year) * 12 + (month - first.month) + 1, np.nan)
    return numbers[codes]


def month_number(start: str, labels: Iterable[str] | pd.Series) -> np.ndarray:
    """Month numbers (1 = ``start``) of labels that are all ``YYYY-MM``, as int64."""
    numbers = month_numbers(start, labels)
    if np.isnan(numbers).any():
        raise ValueError("a month label is not written YYYY-MM")
    return numbers.astype(np.int64)


def month_label(start: str, t: int) -> str:
    """The ``YYYY-MM`` label of month number ``t`` (1 = ``start``; any integer)."""
    return str(pd.Period(start, freq="M") + (int(t) - 1))
