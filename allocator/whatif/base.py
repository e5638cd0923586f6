"""What-ifs against the base: the unchanged run every batch starts with, and each row's difference.

Every batch solves one more scenario than its table names, first: ``base``,
the instance unchanged (or, with ``--baseline``, the baseline re-planned
from ``--from`` with no new facts, so that it covers the same months as the
scenarios). Every row then gains :data:`VS_BASE_COLUMNS`, its figure minus
the base's (0 on the base row; empty where the scenario or the base failed),
and per scenario and region the figures that say who loses
(:func:`regions_frame`, written as ``regions.csv``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.plan import Plan

#: The id of the unchanged run; no scenario of a table may take it.
BASE = "base"
#: Each result row's difference from the base row (scenario minus base).
VS_BASE_COLUMNS = ["waiting_vs_base", "unmet_vs_base", "cost_vs_base"]
#: ``regions.csv``: per scenario (base first) and region, its figures and their change.
REGION_COLUMNS = [
    "scenario",
    "region",
    "demand",
    "issued",
    "unmet",
    "fill_rate",
    "card_months_waiting",
    "unmet_vs_base",
    "card_months_vs_base",
    "fill_rate_vs_base",
]


def check_ids(ids: list[str], file: str = "scenarios") -> None:
    """Refuse a scenario named :data:`BASE`: that row is the unchanged instance's."""
    if BASE in ids:
        raise InputError(
            [
                Problem(
                    file,
                    None,
                    "scenario",
                    f"'{BASE}' is the name of the batch's first row, the instance unchanged; "
                    "give the scenario another name",
                )
            ]
        )


def region_records(plan: Plan) -> list[dict[str, Any]]:
    """The plan's figures per region (``summary['regions']``), for :func:`regions_frame`."""
    return [dict(r) for r in plan.summary.get("regions", [])]


def against_base(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (result rows) with :data:`VS_BASE_COLUMNS`: each row minus the base row."""
    out = frame.copy()
    base = out[(out["scenario"] == BASE) & (out["status"] != "failed")]
    ok = (out["status"] != "failed").to_numpy()
    for column, figure in zip(VS_BASE_COLUMNS, ("waiting", "unmet", "cost"), strict=True):
        if figure == "unmet":
            values = out[figure].astype("Int64")
            diff = values - (values.iloc[base.index[0]] if len(base) else pd.NA)
            out[column] = diff.where(ok, pd.NA).astype("Int64")
        else:
            reference = float(base[figure].iloc[0]) if len(base) else np.nan
            diff = out[figure].astype(np.float64) - reference
            out[column] = diff.where(ok, np.nan).round(6)
    return out


def regions_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """``regions.csv`` from the result rows' ``regions`` records (failed scenarios have none).

    ``*_vs_base`` compare each region with the same region in the base run.
    """
    records = [
        {"scenario": row["scenario"], **region}
        for row in rows
        for region in row.get("regions") or []
    ]
    frame = pd.DataFrame.from_records(records, columns=REGION_COLUMNS[:7])
    for column in ("demand", "issued", "unmet", "card_months_waiting"):
        frame[column] = pd.to_numeric(frame[column]).astype("int64")
    frame["fill_rate"] = pd.to_numeric(frame["fill_rate"]).astype(np.float64)
    for column in ("scenario", "region"):
        frame[column] = frame[column].astype("str")
    return regions_against_base(frame).reset_index(drop=True)


def regions_against_base(regions: pd.DataFrame) -> pd.DataFrame:
    """``regions`` (the first seven :data:`REGION_COLUMNS`) with each region minus its base."""
    base = regions.loc[
        regions["scenario"] == BASE, ["region", "unmet", "card_months_waiting", "fill_rate"]
    ]
    joined = regions.merge(base, on="region", how="left", suffixes=("", "_b"))
    out = regions.copy()
    out["unmet_vs_base"] = (joined["unmet"] - joined["unmet_b"]).astype("Int64")
    out["card_months_vs_base"] = (
        joined["card_months_waiting"] - joined["card_months_waiting_b"]
    ).astype("Int64")
    out["fill_rate_vs_base"] = (joined["fill_rate"] - joined["fill_rate_b"]).round(6)
    return out[REGION_COLUMNS]
