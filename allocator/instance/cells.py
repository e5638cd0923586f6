"""Turning cells of text into typed columns, and collecting the problems found.

One job: a column of cells as a user wrote them becomes a typed column
(whole numbers, numbers, coordinates, ``YYYY-MM`` months), and every bad cell
becomes a :class:`~allocator.errors.Problem` in a
:class:`~allocator.instance.problems.Collector`, with a message that says how
to write it (thousands separators, decimal commas and negative numbers each
get their own). Which columns a table has is :mod:`allocator.instance.tables`'
job, how tables refer to each other :mod:`allocator.instance.validate`'s. Every
table a user writes is parsed by these functions, with the same messages.

Every cell is first turned into stripped text (numbers written by Python or by
a workbook become plain digits, ``12.0`` becomes ``12``, a date becomes
``YYYY-MM``), so files and DataFrames go through the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers

import numpy as np
import pandas as pd

from allocator.instance import schema
from allocator.instance.periods import MONTH
from allocator.instance.problems import Collector

TEXT = "str"  # pandas' text dtype

NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"  # a decimal number >= 0, point decimal
_DIGITS = r"\d+"
_SPACES = " \u00a0\u202f"
_THOUSANDS = (
    r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?"
    rf"|\d{{1,3}}(?:[{_SPACES}']\d{{3}})+(?:[.,]\d+)?"
    r"|\d{1,3}\.\d{3},\d+|\d{1,3},\d{3}\.\d+"
)
_AMBIGUOUS = r"\d{1,3}[.,]\d{3}"
_COMMA_DECIMAL = r"\d*,\d+"
_NEGATIVE = rf"-\s*(?:{NUMBER}|\d+,\d+|{_THOUSANDS})"


# -- cells to text ---------------------------------------------------------------------


def cell_text(value: object) -> str:
    """One cell as the stripped text a user would have typed."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(value, dt.datetime | dt.date):
        has_time = isinstance(value, dt.datetime) and value.time() != dt.time(0)
        if value.day == 1 and not has_time:
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    return str(value).strip()


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column as stripped text, blanks as ``""``."""
    columns = {}
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        if isinstance(series.dtype, pd.StringDtype):
            values = series.fillna("").str.strip()
        else:
            values = pd.Series([cell_text(v) for v in series], dtype=TEXT)
        columns[i] = values.to_numpy(dtype=object)
    out = pd.DataFrame(columns, dtype=TEXT)
    out.columns = [str(c).strip() for c in frame.columns]
    return out


def _match(values: pd.Series, pattern: str) -> pd.Series:
    return values.str.fullmatch(pattern).fillna(False).astype(bool)


def quote(values: pd.Series) -> pd.Series:
    """Each value in single quotes, as messages show what a user wrote."""
    return "'" + values + "'"


# -- parsing columns -----------------------------------------------------------------------


def parse_whole(
    values: pd.Series,
    column: schema.Column,
    file: str,
    rows: np.ndarray,
    out: Collector,
    *,
    signed: bool = False,
) -> pd.Series:
    """Parse a text column of whole numbers >= 0 (either sign if ``signed``); report bad cells.

    Returns Int64: a blank cell becomes ``column.default``, or <NA> where
    there is none (a limit's "no limit"); a bad cell becomes <NA>. ``rows``
    are the spreadsheet rows of ``values``, for the problems' locations.
    """
    sign = pd.Series(1, index=values.index)
    if signed:
        minus = _match(values, r"-\d+")
        sign = sign.where(~minus, -1)
        values = values.where(~minus, values.str.slice(1))
    blank = values == ""
    digits = _match(values, _DIGITS) & (values.str.len() <= 15)
    plain = values.str.replace(r"[^0-9]", "", regex=True)
    thousands = _match(values, _THOUSANDS)
    ambiguous = _match(values, _AMBIGUOUS)
    negative = _match(values, _NEGATIVE)
    decimal = _match(values, NUMBER) | _match(values, _COMMA_DECIMAL)
    q = quote(values)
    conditions = [_match(values, _DIGITS), thousands, ambiguous, negative, decimal]
    kind = np.select(conditions, range(len(conditions)), default=len(conditions))
    message = pd.Series(
        np.select(
            conditions,
            [
                q + " is too large",
                q + " has thousands separators, which are not accepted; "
                "write the number as plain digits (" + plain + ")",
                q + " is not a whole number: neither thousands separators nor decimals are "
                "accepted; if you mean " + plain + ", write the number as plain digits",
                q + " is negative; write a whole number >= 0",
                q + " is not a whole number; decimals are not accepted, write a whole number >= 0",
            ],
            default=q + " is not a whole number; write plain digits such as 1200",
        ),
        dtype=object,
    )
    bad = ~blank & ~digits
    out.cells(file, rows, column.name, bad, message, kind=kind)
    if column.required:
        out.cells(
            file,
            rows,
            column.name,
            blank,
            pd.Series(["is empty; a whole number >= 0 is required"] * len(values)),
        )
    result = pd.to_numeric(values.where(digits, "0")).astype("Int64") * sign.to_numpy()
    result = result.where(digits, pd.NA)
    if column.default is not None:
        result = result.where(~blank, int(column.default))
    return result.astype("Int64")


def parse_real(
    values: pd.Series,
    column: schema.Column,
    file: str,
    rows: np.ndarray,
    out: Collector,
    *,
    low: float | None,
    high: float | None,
    what: str,
) -> pd.Series:
    """Parse a text column of decimal numbers in ``[low, high]``, reporting each bad cell.

    Negative numbers are allowed only when ``low`` is below 0 (coordinates);
    ``what`` names the value in messages. Returns float64: a blank cell
    becomes ``column.default``, or NaN where there is none; a bad cell NaN.
    """
    blank = values == ""
    signed = values.str.replace(r"^-(?=[\d.])", "", regex=True)
    is_negative = values.str.startswith("-")
    ok = _match(signed, NUMBER) & (~is_negative | (low is not None and low < 0))
    numbers_ = pd.to_numeric(values.where(ok, "nan"), errors="coerce").astype(float)
    if low is not None:
        ok &= ~(numbers_ < low)
    if high is not None:
        ok &= ~(numbers_ > high)
    ok &= ~np.isinf(numbers_)
    q = quote(values)
    plain = values.str.replace(r"[^0-9]", "", regex=True)
    pointed = values.str.replace(",", ".", regex=False)
    range_text = (
        f"{what} is a number >= {low:g}"
        if high is None
        else f"{what} is a number between {low:g} and {high:g}"
    )
    conditions = [
        _match(signed, NUMBER) & is_negative & (low == 0),
        _match(signed, NUMBER),
        _match(signed, _THOUSANDS),
        _match(signed, _AMBIGUOUS),
        _match(signed, _COMMA_DECIMAL),
    ]
    kind = np.select(conditions, range(len(conditions)), default=len(conditions))
    message = pd.Series(
        np.select(
            conditions,
            [
                q + " is negative; " + range_text,
                q + " is out of range; " + range_text,
                q + " has thousands separators, which are not accepted; write the number "
                "as plain digits with a decimal point if needed (" + plain + ")",
                q + " is ambiguous: neither thousands separators nor decimal commas are "
                "accepted; write plain digits with a decimal point ("
                + plain
                + " or "
                + pointed
                + ")",
                q + " has a decimal comma; write the decimal with a point (" + pointed + ")",
            ],
            default=q + f" is not a number; {range_text}",
        ),
        dtype=object,
    )
    out.cells(file, rows, column.name, ~blank & ~ok, message, kind=kind)
    if column.required:
        out.cells(
            file,
            rows,
            column.name,
            blank,
            pd.Series(["is empty; a number is required"] * len(values)),
        )
    result = numbers_.where(ok & ~blank, np.nan)
    if column.default is not None:
        result = result.where(~blank, float(column.default))
    return result.astype(np.float64)


def parse_period(
    values: pd.Series,
    column: schema.Column,
    file: str,
    rows: np.ndarray,
    out: Collector,
    horizon: list[str] | None,
    horizon_text: str,
) -> pd.Series:
    """Check a text column of ``YYYY-MM`` months, reporting each bad cell to ``out``.

    With a ``horizon`` (its month labels; ``horizon_text`` describes it in
    messages), months outside it are problems too. Returns the labels as text.
    """
    blank = values == ""
    month = _match(values, MONTH)
    q = quote(values)
    out.cells(
        file,
        rows,
        column.name,
        ~blank & ~month,
        q + " is not a month written YYYY-MM (for example 2017-03)",
        kind="not a month",
    )
    if horizon is not None:
        outside = month & ~values.isin(horizon)
        out.cells(
            file,
            rows,
            column.name,
            outside,
            q + f" is outside the horizon {horizon_text}",
            kind="outside the horizon",
        )
    if column.required:
        out.cells(
            file,
            rows,
            column.name,
            blank,
            pd.Series(["is empty; a month YYYY-MM is required"] * len(values)),
        )
    return values.astype(TEXT)


#: A calendar date written ``YYYY-MM-DD`` (whether the day exists is checked by parsing).
DATE = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"


def parse_date(
    values: pd.Series,
    column: schema.Column,
    file: str,
    rows: np.ndarray,
    out: Collector,
) -> pd.Series:
    """Parse a text column of ``YYYY-MM-DD`` dates, reporting each bad cell to ``out``.

    A date written another way (``17/08/1990``, ``1990-8-17``) and a day that
    does not exist (``1990-02-30``) are problems, each kind grouped when it
    repeats. Returns ``datetime64[s]``, NaT where a cell is blank or bad.
    """
    values = values.astype(TEXT)
    blank = values == ""
    shaped = _match(values, DATE)
    parsed = pd.to_datetime(values.where(shaped, None), format="%Y-%m-%d", errors="coerce")
    # Messages are made only for the bad cells: a column of millions of dates stays columns.
    for mask, says, kind in (
        (~blank & ~shaped, " is not a date written YYYY-MM-DD (for example 1990-08-17)", "no date"),
        (shaped & parsed.isna(), " is not a day of the calendar", "no such day"),
    ):
        if mask.any():
            out.cells(
                file, rows, column.name, mask, quote(values.where(mask, "")) + says, kind=kind
            )
    if column.required and blank.any():
        out.cells(file, rows, column.name, blank, "is empty; a date YYYY-MM-DD is required")
    return parsed.astype("datetime64[s]")
