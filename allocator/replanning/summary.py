"""What a re-plan reports: ``changes.csv`` and ``summary["replan"]``, old plan against new.

``changes.csv`` covers the whole original horizon: per link and month, the
old plan's cards and the new ones (before ``--from`` what was executed, then
the re-plan). ``summary["replan"]["compare"]`` sets the old plan's promised
figures against the new ones over the whole original horizon (executed
months + re-plan).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.plan.figures import moved_cards
from allocator.replanning.state import Past

COMPARED = ("demand", "issued", "unmet", "fill_rate", "card_months_waiting", "waiting", "cost")


def changes_table(old: pd.DataFrame, executed: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Per link and month over the whole horizon: old quantity, new (executed or planned)."""
    old_q = old.groupby(["link", "period"])["quantity"].sum().rename("old")
    new_q = (
        pd.concat([executed[["link", "period", "quantity"]], new[["link", "period", "quantity"]]])
        .groupby(["link", "period"])["quantity"]
        .sum()
        .rename("new")
    )
    table = pd.concat([old_q, new_q], axis=1).fillna(0).astype(np.int64).reset_index()
    table.columns = ["link", "period", "old", "new"]
    table = table[(table["old"] != 0) | (table["new"] != 0)]
    table["difference"] = table["new"] - table["old"]
    return table.sort_values(["period", "link"], kind="stable").reset_index(drop=True)


def _figures(summary: dict[str, Any]) -> dict[str, float]:
    """The compared figures of a plan's summary."""
    totals, objective = summary["totals"], summary["objective"]
    out = {k: totals[k] for k in ("demand", "issued", "unmet", "fill_rate", "card_months_waiting")}
    out.update(waiting=float(objective["waiting"]), cost=float(objective["cost"]))
    return out


def compare(
    old: dict[str, Any], executed: dict[str, float], new: dict[str, Any]
) -> dict[str, dict[str, float]]:
    """The old plan's promised figures against executed months + re-plan, whole horizon."""
    before = _figures(old)
    now = _figures(new)
    after: dict[str, float] = {
        "demand": executed["issued"] + now["demand"],
        "issued": executed["issued"] + now["issued"],
        "unmet": now["unmet"],
        "card_months_waiting": executed["card_months_waiting"] + now["card_months_waiting"],
        "waiting": executed["waiting"] + now["waiting"],
        "cost": round(executed["cost"] + now["cost"], 6),
    }
    demand = after["demand"]
    after["fill_rate"] = round(after["issued"] / demand, 6) if demand else 1.0
    return {
        "old": {k: before[k] for k in COMPARED},
        "new": {k: after[k] for k in COMPARED},
        "difference": {k: round(after[k] - before[k], 6) for k in COMPARED},
    }


def replan_summary(
    *,
    instance: Instance,
    new: Instance,
    start: str,
    old_summary: dict[str, Any],
    old_folder: str | None,
    past: Past,
    actuals: dict[str, int],
    freeze: tuple[int, pd.DataFrame, pd.DataFrame],
    stability: float,
    changes: pd.DataFrame,
    new_summary: dict[str, Any],
) -> dict[str, Any]:
    """``summary["replan"]``: the re-plan's context, its changes and the comparison.

    ``freeze`` is (months frozen, shipments kept, shipments dropped with a reason).
    """
    s = instance.months.index(start) + 1
    months, kept, dropped = freeze
    replanned = changes[new.month_number(changes["period"]) >= 1]
    moved = moved_cards(replanned)
    return {
        "from": start,
        "old_plan": {"folder": old_folder, **old_summary.get("instance", {})},
        "executed": {"months": instance.months[: s - 1], **past.figures},
        "state": {
            "stock": int(past.stock.sum()),
            "in_transit": int(past.transit["quantity"].sum()),
            "backlog": int(past.backlog.sum()),
        },
        "actuals": actuals,
        "freeze": {
            "months": int(months),
            "kept": len(kept),
            "dropped": [
                {
                    "link": str(r.link),
                    "period": str(r.period),
                    "quantity": int(r.quantity),
                    "reason": str(r.reason),
                }
                for r in dropped.itertuples(index=False)
            ],
        },
        "stability": {
            "weight": float(stability),
            "penalty": float(stability) * (moved["cards_moved"] + moved["cards_added"]),
        },
        "changes": moved,
        "compare": compare(old_summary, past.figures, new_summary),
    }
