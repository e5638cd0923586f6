"""Explaining a re-plan: the shipments it froze, and which offices lose cards to the new facts.

A re-plan with ``--freeze`` held some of the old plan's shipments; stage 1 of
its LP holds them too (:func:`frozen_shipments` rebuilds them from the old
plan and ``summary["replan"]["freeze"]``). :func:`losses` compares the
pegging of the old plan and of the re-plan from ``--from`` on: per office,
the cards it is now issued later (or never), and the tranches the old plan
had fed it from.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.explaining.pegging import pegging
from allocator.instance import Instance
from allocator.plan import Plan

TOP = 10


def frozen_shipments(new: Instance, old: Plan, freeze: dict[str, Any]) -> pd.DataFrame:
    """The old shipments a re-plan held (its first ``months`` months, less those dropped)."""
    months = int(freeze.get("months", 0))
    columns = ["link", "period", "quantity"]
    if months <= 0:
        return pd.DataFrame(columns=columns)
    shipments = old.shipments
    t = new.month_number(shipments["period"].astype(str))
    frozen = shipments[(t >= 1) & (t <= months)][columns]
    dropped = {(str(d["link"]), str(d["period"])) for d in freeze.get("dropped", [])}
    keep = [
        (str(a), str(b)) not in dropped
        for a, b in zip(frozen["link"], frozen["period"], strict=True)
    ]
    return frozen[np.asarray(keep, dtype=bool)].reset_index(drop=True)


def losses(old_instance: Instance, old: Plan, new: Plan, start: str) -> list[dict[str, Any]]:
    """Offices issued fewer cards by some month from ``start`` on than the old plan promised.

    Each record: ``node``, ``name``, ``region``, the cards the old plan and the
    re-plan issue there from ``start`` on, ``most_behind`` (the largest
    shortfall of cards issued so far, over the months), ``extra_card_months``
    (the card-months of waiting this adds), and ``tranches``: the sources of
    the cards the old plan issued there in the months where the re-plan falls
    behind, most cards first. Worst first, at most ten.
    """
    months = [m for m in old_instance.months if m >= start]
    if not months:
        return []
    before = pegging(old_instance, old)
    before = before[before["issue_period"] >= start]
    old_by = before.pivot_table(
        index="office", columns="issue_period", values="cards", aggfunc="sum", fill_value=0
    ).reindex(columns=months, fill_value=0)
    issued = new.issuance[new.issuance["issued"] > 0]
    new_by = issued.pivot_table(
        index="node", columns="period", values="issued", aggfunc="sum", fill_value=0
    ).reindex(columns=months, fill_value=0)
    offices = old_by.index.union(new_by.index)
    old_cum = old_by.reindex(offices, fill_value=0).cumsum(axis=1)
    new_cum = new_by.reindex(offices, fill_value=0).cumsum(axis=1)
    behind = (old_cum - new_cum).clip(lower=0)
    extra = behind.sum(axis=1)
    worst = extra[extra > 0].sort_values(ascending=False, kind="stable").head(TOP)
    info = old_instance.nodes.set_index("id")
    out = []
    for office, card_months in worst.items():
        short_months = [m for m in months if behind.at[office, m] > 0]
        fed = before[(before["office"] == office) & before["issue_period"].isin(short_months)]
        sources = (
            fed.assign(tranche=fed["source"] + "@" + fed["source_period"])
            .groupby("tranche")["cards"]
            .sum()
            .sort_values(ascending=False, kind="stable")
        )
        out.append(
            {
                "node": str(office),
                "name": str(info.at[office, "name"]) if office in info.index else "",
                "region": str(info.at[office, "region"]) if office in info.index else "",
                "issued_old": int(old_cum.at[office, months[-1]]),
                "issued_new": int(new_cum.at[office, months[-1]]),
                "most_behind": int(behind.loc[office].max()),
                "extra_card_months": int(card_months),
                "tranches": {str(k): int(v) for k, v in sources.items()},
            }
        )
    return out
