"""Checking an instance's settings (``instance.toml`` or the workbook's ``instance`` sheet).

The settings are ``name``, ``description``, ``start`` and ``periods``, and
the ``[categories]`` table of waiting weights; see
:mod:`allocator.instance.validate` for where their problems are reported.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from allocator.instance.cells import NUMBER, cell_text
from allocator.instance.locations import Locations
from allocator.instance.names import looks_like
from allocator.instance.periods import MONTH
from allocator.instance.problems import Collector

SETTINGS = ("name", "description", "start", "periods")


def check_settings(
    settings: Mapping[str, object],
    categories: Mapping[str, object],
    source: str | None,
    labels: dict[str, str],
    where: Locations,
    out: Collector,
) -> tuple[str, str | None, int | None, str, dict[str, float], set[str]]:
    """Name, start, periods, description, category weights and names; problems to ``out``."""
    file = labels["instance"]
    xlsx = file.endswith("[instance]")

    def at(key: str) -> tuple[str, int | None, str]:
        return file, where.setting_rows.get(key), ("value" if xlsx else key)

    for key in settings:
        if key not in SETTINGS:
            meant = looks_like(str(key), [*SETTINGS, "categories"])
            hint = f"did you mean '{meant}'? " if meant else ""
            out.add(
                *at(key),
                f"unknown setting '{key}'; {hint}the settings are name, description, start, "
                "periods, and the table [categories]",
            )
    if not xlsx:  # TOML and Python values carry their own type: a number in quotes is text
        _typed(settings, categories, at, labels, where, out)
    raw_name = cell_text(settings.get("name"))
    name = raw_name or (Path(source).stem if source else "")
    if not name:
        out.add(*at("name"), "the setting 'name' is empty; give the instance a name")
    description = cell_text(settings.get("description"))
    start = _start(settings.get("start"), at("start"), out)
    periods = _periods(settings.get("periods"), at("periods"), out)
    weights, names = check_categories(categories, labels, where, out)
    return name, start, periods, description, weights, names


def _typed(
    settings: Mapping[str, object],
    categories: Mapping[str, object],
    at: Callable[[str], tuple[str, int | None, str]],
    labels: dict[str, str],
    where: Locations,
    out: Collector,
) -> None:
    """Settings and weights of a TOML file (or Python) whose type is not the one they need.

    A workbook's cells are read as text by the number rule, as CSV cells are;
    in TOML a value has a type, and ``weight = "5"`` is text, not a number.
    """
    periods = settings.get("periods")
    if isinstance(periods, str) and periods.strip().isdigit():
        out.add(
            *at("periods"),
            f"periods '{periods}' is text (in quotes); write the number without quotes: "
            f"periods = {periods.strip()}",
        )
    for key in ("name", "description", "start"):
        value = settings.get(key)
        if value is not None and not isinstance(value, str) and key != "start":
            out.add(*at(key), f'{key} {value!r} is not text; write it in quotes: {key} = "{value}"')
    file = labels["categories"]
    for category, weight in categories.items():
        if isinstance(weight, str) and pd.Series([weight.strip()]).str.fullmatch(NUMBER).iloc[0]:
            out.add(
                file,
                where.category_rows.get(str(category)),
                str(category),
                f"weight '{weight}' of category '{category}' is text (in quotes); write the "
                f"number without quotes: {category} = {weight.strip()}",
            )


def _start(raw: object, at: tuple[str, int | None, str], out: Collector) -> str | None:
    text = cell_text(raw)
    if text == "":
        out.add(*at, "the setting 'start' is missing; give the first month as YYYY-MM")
        return None
    if (
        isinstance(raw, str | dt.date | pd.Period)
        and pd.Series([text]).str.fullmatch(MONTH).iloc[0]
    ):
        return text
    out.add(*at, f"start '{text}' is not a month written YYYY-MM (for example 2017-03)")
    return None


def _periods(raw: object, at: tuple[str, int | None, str], out: Collector) -> int | None:
    text = cell_text(raw)
    if text == "":
        out.add(*at, "the setting 'periods' is missing; give the number of months in the horizon")
        return None
    if isinstance(raw, bool) or not text.isdigit() or int(text) < 1:
        out.add(*at, f"periods '{text}' is not a whole number of months >= 1")
        return None
    return int(text)


def check_categories(
    categories: Mapping[str, object],
    labels: dict[str, str],
    where: Locations,
    out: Collector,
) -> tuple[dict[str, float], set[str]]:
    """Each category's weight (> 0), and every category name given (weights good or not)."""
    weights: dict[str, float] = {}
    file = labels["categories"]
    xlsx = file.endswith("[categories]")
    if not categories and "categories" not in where.reported:
        out.add(
            file,
            None,
            None,
            "there are no categories; give at least one category with a weight > 0",
        )
    for key, raw in categories.items():
        category = cell_text(key)
        row = where.category_rows.get(str(key))
        column = "weight" if xlsx else category
        if category == "":
            out.add(file, row, "category" if xlsx else None, "a category has no name")
            continue
        text = cell_text(raw)
        weight = math.nan
        if not isinstance(raw, bool) and pd.Series([text]).str.fullmatch(rf"-?{NUMBER}").iloc[0]:
            weight = float(text)
        if math.isnan(weight) or math.isinf(weight):
            out.add(
                file,
                row,
                column,
                f"weight '{text}' of category '{category}' is not a number; "
                "a weight is a number > 0",
            )
        elif weight <= 0:
            out.add(
                file,
                row,
                column,
                f"weight {text} of category '{category}' is not positive; a weight is a number > 0",
            )
        else:
            weights[category] = weight
    _check_spread(weights, file, xlsx, where, out)
    return weights, {cell_text(key) for key in categories} - {""}


#: The largest weight may be at most this many times the smallest.
WEIGHT_SPREAD = 1e6


def _check_spread(
    weights: dict[str, float], file: str, xlsx: bool, where: Locations, out: Collector
) -> None:
    """Weights so far apart that the solver cannot honour both exactly are refused."""
    if len(weights) < 2:
        return
    low = min(weights, key=weights.__getitem__)
    high = max(weights, key=weights.__getitem__)
    if weights[high] <= WEIGHT_SPREAD * weights[low]:
        return
    out.add(
        file,
        where.category_rows.get(high),
        "weight" if xlsx else high,
        f"weight {weights[high]:g} of category '{high}' is more than a million times the "
        f"weight {weights[low]:g} of '{low}': waiting this far apart cannot be weighed exactly "
        "by the solver (its tolerances would decide who waits); keep the weights within a "
        "factor of 1,000,000",
    )
