"""The report's section for a re-plan: what changed against the old plan.

A re-plan's folder holds ``changes.csv`` (link, period, old, new, difference:
cards leaving per link and month under the old plan and now, where "now" is
what was done before the re-plan's first month and the new plan after it)
and ``summary["replan"]`` (its context and the old and new figures over the
whole original horizon). Both are shown as they are; nothing is recomputed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from allocator.plan.figures import moved_cards
from allocator.report import charts
from allocator.report.html import (
    esc,
    meta_table,
    money,
    notice,
    number,
    percent,
    section,
    signed,
    table,
    whole,
)

TOP = 15  # links listed
NEEDED = ["link", "period", "old", "new", "difference"]
FIGURES = {  # summary["replan"]["compare"] rows: label, format
    "demand": ("demand", whole),
    "issued": ("cards issued", whole),
    "unmet": ("unmet at horizon end", whole),
    "fill_rate": ("fill rate", percent),
    "card_months_waiting": ("card-months waiting", whole),
    "waiting": ("waiting (weighted card-months)", number),
    "cost": ("cost", money),
}


def _compare(compare: dict[str, Any]) -> str:
    """Old plan against new over the whole horizon, one row per figure."""
    old, new, diff = (compare.get(k, {}) for k in ("old", "new", "difference"))
    rows = []
    for key in [k for k in FIGURES if k in old or k in new] + [k for k in old if k not in FIGURES]:
        label, fmt = FIGURES.get(key, (key, number))
        change = diff.get(key)
        if change is not None and key == "fill_rate":
            shown = f"{100 * change:+.1f} points" if change else "0"
        elif change is not None:
            shown = ("+" if change > 0 else "") + fmt(change) if change else "0"
        else:
            shown = ""
        rows.append(
            f'<tr><th>{esc(label)}</th><td class="num">{esc(fmt(old[key]) if key in old else "")}'
            f'</td><td class="num">{esc(fmt(new[key]) if key in new else "")}</td>'
            f'<td class="num">{esc(shown)}</td></tr>'
        )
    head = '<tr><th></th><th class="num">old plan</th><th class="num">new</th>'
    head += '<th class="num">difference</th></tr>'
    return f'<table class="compare"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def _context(context: dict[str, Any]) -> tuple[str, str]:
    """The re-plan's other facts as label/value rows, and its lists of records as tables."""
    rows: list[tuple[str, str]] = []
    lists = ""
    for key, value in context.items():
        if key == "compare":
            continue
        items = value.items() if isinstance(value, dict) else [("", value)]
        for inner, v in items:
            label = f"{key} {inner}".strip().replace("_", " ")
            if isinstance(v, list) and v and all(isinstance(r, dict) for r in v):
                rows.append((label, esc(f"{len(v):,} (listed below)")))
                lists += f"<h3>{esc(label)}</h3>" + table(pd.DataFrame.from_records(v), {})
            elif isinstance(v, list):
                rows.append((label, esc(", ".join(map(str, v)) or "none")))
            elif isinstance(v, dict):
                rows.append((label, esc(", ".join(f"{a} {b}" for a, b in v.items()) or "none")))
            else:
                rows.append((label, esc("" if v is None else v)))
    return meta_table(rows), lists


def changes_section(changes: pd.DataFrame, summary: dict[str, Any]) -> str:
    """The ``changes`` section: cards shipped by month, old against new; what changed where."""
    title = "Changes against the old plan"
    lacking = [c for c in NEEDED if c not in changes.columns]
    if lacking:
        return notice("changes", title, f"changes.csv lacks column(s) {', '.join(lacking)}.")
    changes = changes.copy()
    for column in ("old", "new", "difference"):
        changes[column] = pd.to_numeric(changes[column], errors="coerce").fillna(0)
    changes["period"] = changes["period"].astype(str)
    periods = sorted(changes["period"].unique())
    by_month = changes.groupby("period")[["old", "new"]].sum().reindex(periods, fill_value=0)
    recorded = summary.get("replan")
    context: dict[str, Any] = recorded if isinstance(recorded, dict) else {}
    start = context.get("from")
    body = _what_changed(changes, start)
    if isinstance(context.get("compare"), dict):
        body += "<h3>Old plan against new, over the whole horizon</h3>" + _compare(
            context["compare"]
        )
    changed = changes[changes["difference"] != 0].assign(_size=lambda t: -t["difference"].abs())
    top = changed.sort_values(["_size", "period", "link"], kind="stable").head(TOP)
    if top.empty:
        body += "<p>No shipment changed.</p>"
    else:
        body += "<h3>The link-months that changed most</h3>" + table(
            top[["link", "period", "old", "new", "difference"]],
            {"old": whole, "new": whole, "difference": signed},
            "changes",
        )
    if context:
        facts, lists = _context(context)
        body += f"<details><summary>the re-plan</summary>{facts}{lists}</details>"
    return section(
        "changes",
        title,
        body,
        chart=charts.changes_by_month(
            periods, by_month["old"].to_numpy(), by_month["new"].to_numpy(), start=start
        ),
        caption="Cards shipped per month, summed over every link (a card counts on each link "
        "it travels): the old plan against what was done and then newly planned.",
    )


def _what_changed(changes: pd.DataFrame, start: str | None) -> str:
    """One paragraph: the link-months, months and cards that changed, from ``start`` on."""
    later = changes if start is None else changes[changes["period"] >= start]
    moved = moved_cards(later)
    when = f"From {start} on" if start else "Over the horizon"
    if not moved["link_months_changed"]:
        text = f"{when}, the new plan ships exactly what the old one did."
    else:
        months = ", ".join(moved["months_changed"])
        text = (
            f"{when}, {moved['link_months_changed']:,} link-month(s) changed on "
            f"{moved['links_changed']:,} link(s), in {months}: "
            f"{whole(moved['cards_moved'])} card(s) the old plan sent no longer travel on that "
            "link in that month (each counted once), and "
            f"{whole(moved['cards_added'])} travel where the old plan sent fewer."
        )
    earlier = changes[changes["period"] < start] if start else changes.iloc[:0]
    differs = int((earlier["difference"] != 0).sum())
    if differs:
        text += (
            f" Before {start}, {differs:,} link-month(s) were executed otherwise than planned "
            "(the actuals)."
        )
    return f'<p class="note">{esc(text)}</p>'
