"""A plan's figures from its tables: fill rates, and the one ranking of regions and offices.

Every place that names the worst-served regions or offices (``summary.json``,
the terminal, a batch's ``worst_region``, the HTML report) ranks them with
:func:`rank_regions` and :func:`rank_offices`, from the plan's ``nodes``
table, so they always agree. Worst means the lowest fill rate at the
horizon's end, then (when fill rates tie, as when everyone is served) the
most months waited per card demanded. :func:`moved_cards` says how much of
an old plan a re-plan changed, from its ``changes`` table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Offices listed as served worst, unless the caller asks for another number.
WORST = 10


def fill_rate(issued: np.ndarray | pd.Series, demand: np.ndarray | pd.Series) -> np.ndarray:
    """``issued / demand``, 1 where there is no demand (``model.md``'s fill rate)."""
    issued = np.asarray(issued, dtype=float)
    demand = np.asarray(demand, dtype=float)
    out = np.ones_like(demand)
    np.divide(issued, demand, out=out, where=demand > 0)
    return out


def months_per_card(
    card_months: np.ndarray | pd.Series, demand: np.ndarray | pd.Series
) -> np.ndarray:
    """Months a card of demand waited on average (0 where there is no demand)."""
    d = np.asarray(demand, dtype=float)
    out = np.zeros(len(d))
    np.divide(np.asarray(card_months, dtype=float), d, out=out, where=d > 0)
    return out


def rank_regions(nodes: pd.DataFrame) -> pd.DataFrame:
    """Per region, worst served first: demand, issued, unmet, card-months, fill rate, months a card.

    ``nodes`` is a plan's ``nodes`` table. ``fill_rate`` is rounded to 6
    decimals and ``months_waiting_per_card`` to 4, as ``summary.json`` shows
    them, and the ranking is on those values, then on the region's name.
    """
    columns = ["demand", "issued", "unmet", "card_months_waiting"]
    if nodes.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in _REGION_TYPES.items()})
    by = nodes.groupby("region", sort=True)[columns].sum()
    by["fill_rate"] = np.round(fill_rate(by["issued"], by["demand"]), 6)
    by["months_waiting_per_card"] = np.round(
        months_per_card(by["card_months_waiting"], by["demand"]), 4
    )
    by = by.reset_index().sort_values(
        ["fill_rate", "months_waiting_per_card", "region"],
        ascending=[True, False, True],
        kind="stable",
    )
    return by.reset_index(drop=True).astype(_REGION_TYPES)


_REGION_TYPES = {
    "region": "str",
    "demand": "int64",
    "issued": "int64",
    "unmet": "int64",
    "card_months_waiting": "int64",
    "fill_rate": "float64",
    "months_waiting_per_card": "float64",
}


def region_records(nodes: pd.DataFrame) -> list[dict[str, Any]]:
    """:func:`rank_regions` as the list of records ``summary.json`` holds under ``regions``."""
    return [
        {
            "region": str(r.region),
            "demand": int(r.demand),
            "issued": int(r.issued),
            "unmet": int(r.unmet),
            "fill_rate": float(r.fill_rate),
            "card_months_waiting": int(r.card_months_waiting),
            "months_waiting_per_card": float(r.months_waiting_per_card),
        }
        for r in rank_regions(nodes).itertuples(index=False)
    ]


def rank_offices(nodes: pd.DataFrame, n: int = WORST) -> pd.DataFrame:
    """The ``n`` nodes served worst: lowest fill rate, then longest average wait, then id."""
    frame = nodes.assign(
        months_waiting_per_card=months_per_card(nodes["card_months_waiting"], nodes["demand"])
    )
    frame["_wait"] = -frame["months_waiting_per_card"]
    order = frame.sort_values(["fill_rate", "_wait", "node"], kind="stable")
    columns = [
        "node",
        "name",
        "region",
        "demand",
        "issued",
        "unmet",
        "fill_rate",
        "months_waiting_per_card",
    ]
    return order.head(n)[columns].reset_index(drop=True)


def moved_cards(changes: pd.DataFrame) -> dict[str, Any]:
    """How much of the old plan's shipments changed, from a ``changes`` table's rows.

    ``cards_moved``: cards the old plan sent on a link in a month that do not
    travel then any more (each counted once: a card sent a month later counts
    once, not as one removed and one added); ``cards_added``: cards that now
    travel on a link in a month where the old plan sent fewer; the months and
    link-months that changed.
    """
    difference = changes["difference"].to_numpy()
    changed = changes[difference != 0]
    return {
        "link_months_changed": len(changed),
        "links_changed": int(changed["link"].nunique()),
        "months_changed": sorted(changed["period"].astype(str).unique().tolist()),
        "cards_moved": int(np.maximum(-difference, 0).sum()),
        "cards_added": int(np.maximum(difference, 0).sum()),
    }
