"""The report's section for an explained plan: where one more unit helps most, and why people wait.

It shows ``summary["explain"]`` (:func:`allocator.explain`'s roll-up) as it
is: the limits whose next unit saves the most waiting, with how many units
that holds for; the reasons by region; and, for a re-plan, the offices that
lose cards to the new facts. Nothing is recomputed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from allocator.report.html import number, section, table, whole

SHOWN = 10


def explain_section(explained: dict[str, Any]) -> str:
    """The ``explain`` section of the page."""
    helps = pd.DataFrame(explained.get("helps_most", []))
    body = "<h3>Where one more unit helps most</h3>"
    if helps.empty:
        body += '<p class="note">No limit\'s next unit would lower the waiting.</p>'
    else:
        helps = helps.rename(
            columns={
                "value": "waiting saved per unit",
                "holds_up_to": "holds for",
                "same_value": "as much at (more limits)",
            }
        )
        body += (
            '<p class="note">Weighted card-months of waiting saved by one more card of supply, '
            "link capacity, storage or printing in that month, exactly (as a re-solve shows), for "
            "up to the number of units shown.</p>"
            + table(helps, {"waiting saved per unit": number}, "helps")
        )
    regions = explained.get("reasons_by_region", [])[:SHOWN]
    if regions:
        frame = pd.DataFrame(
            {
                "region": [r["region"] for r in regions],
                "waiting": [r["card_months"] for r in regions],
                "reasons": [
                    ", ".join(f"{k} {number(v)}" for k, v in r["reasons"].items()) for r in regions
                ],
            }
        )
        body += "<h3>Why people wait, by region</h3>" + table(frame, {"waiting": number}, "why")
    losses = explained.get("replan", {}).get("losses", [])
    if losses:
        frame = pd.DataFrame(
            {
                "office": [f"{x['node']} {x['name']}" for x in losses],
                "region": [x["region"] for x in losses],
                "most cards behind": [x["most_behind"] for x in losses],
                "more card-months": [x["extra_card_months"] for x in losses],
                "old plan fed it from": [", ".join(x["tranches"]) for x in losses],
            }
        )
        body += "<h3>Offices that lose cards to the re-plan's new facts</h3>" + table(
            frame, {"most cards behind": whole, "more card-months": whole}, "losses"
        )
    return section("explain", "Why people wait", body)
