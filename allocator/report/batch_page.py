"""A what-if batch as one page: scenarios ranked by added waiting, against the base.

``allocator report RESULTS`` (a folder :func:`allocator.whatif.write_batch`
wrote) draws one self-contained HTML page (no network, no script), with
sections:

- ``headline``: the base (the instance unchanged, or the baseline re-planned
  as is) and how many scenarios ran and failed;
- ``ranked``: every scenario, most added waiting first (failed last), with
  its waiting, unmet and cost and each one's difference from the base;
- ``against``: the added waiting of each scenario as bars against the base
  (one ``figure.chart``);
- ``provinces``: per scenario, the provinces that lose most: more
  card-months of waiting, then more cards unmet, than in the base (from
  ``regions.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from allocator._atomic import refuse_existing, write_file_atomic
from allocator._format import percent, signed, whole
from allocator.report.batch_charts import waiting_against_base
from allocator.report.html import esc, meta_table, notice, section, table
from allocator.report.page import CSS
from allocator.whatif.base import BASE
from allocator.whatif.results import BatchResults, read_results

EXTRA_CSS = """
#ranked td:nth-child(2), #provinces td:first-child { white-space: nowrap; }
h3 { font-size: 1rem; margin: 14px 0 2px; }
"""
#: Provinces listed per scenario.
MOST_PROVINCES = 5


def ranked(scenarios: pd.DataFrame) -> pd.DataFrame:
    """The scenarios (not the base) by added waiting, most first; failed ones last, by name."""
    rows = scenarios[scenarios["scenario"] != BASE]
    solved = rows[rows["status"] != "failed"].sort_values(
        ["waiting_vs_base", "unmet_vs_base", "scenario"],
        ascending=[False, False, True],
        kind="stable",
    )
    failed = rows[rows["status"] == "failed"].sort_values("scenario", kind="stable")
    return pd.concat([solved, failed]).reset_index(drop=True)


def losers(regions: pd.DataFrame, scenario: str, most: int = MOST_PROVINCES) -> pd.DataFrame:
    """The provinces of ``scenario`` worse off than in the base: most added waiting first."""
    mine = regions[regions["scenario"] == scenario]
    worse = mine[(mine["card_months_vs_base"] > 0) | (mine["unmet_vs_base"] > 0)]
    worse = worse.sort_values(
        ["card_months_vs_base", "unmet_vs_base", "region"],
        ascending=[False, False, True],
        kind="stable",
    )
    return worse.head(most).reset_index(drop=True)


def _headline(results: BatchResults, order: pd.DataFrame) -> str:
    base = results.scenarios.iloc[0]
    failed = int((results.scenarios["status"] == "failed").sum())
    if base["status"] == "failed":
        figures = f"<p class='missing'>The base failed: {esc(base['message'])}</p>"
    else:
        figures = meta_table(
            [
                ("waiting (weighted card-months)", esc(whole(base["waiting"]))),
                ("cards unmet at the end", esc(whole(base["unmet"]))),
                ("fill rate", esc(percent(base["fill_rate"]))),
                ("cost", esc(whole(base["cost"]))),
                ("province served worst", esc(base["worst_region"])),
            ]
        )
    worst = order.iloc[0] if len(order) and order.iloc[0]["status"] != "failed" else None
    if worst is not None and pd.isna(worst["waiting_vs_base"]):  # the base failed
        worst = None
    lead = (
        f"<p class='lead'>{len(order):,} scenario(s) against the base, the instance unchanged "
        f"(or the baseline re-planned with no changes); {failed:,} failed."
        + (
            f" <b>{esc(worst['scenario'])}</b> adds most waiting: "
            f"{esc(signed(worst['waiting_vs_base']))} card-months.</p>"
            if worst is not None
            else "</p>"
        )
    )
    return section("headline", "The base", lead + figures)


def _blank(f: Callable[[Any], str]) -> Callable[[Any], str]:
    """``f``, but an empty cell for a missing value (a failed scenario's figures)."""
    return lambda v: "" if pd.isna(v) else f(v)


def _ranked_table(order: pd.DataFrame) -> str:
    shown = pd.DataFrame(
        {
            "rank": range(1, len(order) + 1),
            "scenario": order["scenario"],
            "waiting": order["waiting"],
            "waiting vs base": order["waiting_vs_base"],
            "unmet": order["unmet"],
            "unmet vs base": order["unmet_vs_base"],
            "fill rate": order["fill_rate"],
            "cost": order["cost"],
            "cost vs base": order["cost_vs_base"],
            "worst province": order["worst_region"].where(order["status"] != "failed", "failed"),
        }
    )

    formats: dict[str, Callable[[Any], str]] = {
        "rank": str,
        "waiting": _blank(whole),
        "waiting vs base": _blank(signed),
        "unmet": _blank(whole),
        "unmet vs base": _blank(signed),
        "fill rate": _blank(percent),
        "cost": _blank(whole),
        "cost vs base": _blank(signed),
    }
    return section("ranked", "Scenarios ranked by added waiting", table(shown, formats))


def _chart(order: pd.DataFrame, base_waiting: float | None) -> str:
    solved = order[order["status"] != "failed"]
    if base_waiting is None:
        return notice("against", "Against the base", "the base failed: nothing to compare with")
    if solved.empty:
        return notice("against", "Against the base", "no scenario was solved")
    caption = (
        "Waiting of each scenario minus the base's, most added first"
        + (f" (the first {len(solved.head(40))} of {len(solved)})" if len(solved) > 40 else "")
        + ": red waits longer than the base, green less."
    )
    return section(
        "against",
        "Against the base",
        "",
        chart=waiting_against_base(solved, base_waiting),
        caption=caption,
    )


def _provinces(results: BatchResults, order: pd.DataFrame) -> str:
    title = "Provinces that lose most"
    if results.regions is None:
        return notice(
            "provinces", title, "this results folder has no regions.csv; run the batch again"
        )
    if results.scenarios.iloc[0]["status"] == "failed":
        return notice("provinces", title, "the base failed: nothing to compare with")
    parts = []
    for scenario in order.loc[order["status"] != "failed", "scenario"]:
        lose = losers(results.regions, scenario)
        heading = f"<h3>{esc(scenario)}</h3>"
        added = order.loc[order["scenario"] == scenario, "waiting_vs_base"].iloc[0]
        if not lose.empty and added <= 0:
            heading += (
                "<p class='note'>In all, this scenario waits no longer than the base: the "
                "provinces below wait longer because its plan shares the cards out "
                "differently (the least waiting in total can be reached in more than one way).</p>"
            )
        if lose.empty:
            parts.append(heading + "<p class='note'>No province waits longer than in the base.</p>")
            continue
        base_rate = lose["fill_rate"] - lose["fill_rate_vs_base"]
        shown = pd.DataFrame(
            {
                "province": lose["region"],
                "card-months vs base": lose["card_months_vs_base"],
                "unmet vs base": lose["unmet_vs_base"],
                "fill rate in the base": base_rate,
                "fill rate": lose["fill_rate"],
            }
        )
        formats = {
            "card-months vs base": signed,
            "unmet vs base": signed,
            "fill rate in the base": percent,
            "fill rate": percent,
        }
        parts.append(heading + table(shown, formats, cls="provinces"))
    return section("provinces", title, "".join(parts))


def render_batch_report(results: BatchResults) -> str:
    """The HTML page of a batch's results (see the module docstring)."""
    order = ranked(results.scenarios)
    base = results.scenarios.iloc[0]
    base_waiting = None if base["status"] == "failed" else float(base["waiting"])
    name = results.folder.resolve().name
    sections = [
        _headline(results, order),
        _ranked_table(order),
        _chart(order, base_waiting),
        _provinces(results, order),
    ]
    nav = "".join(
        f'<a href="#{sid}">{esc(t)}</a>'
        for sid, t in [
            ("headline", "The base"),
            ("ranked", "Ranked"),
            ("against", "Against the base"),
            ("provinces", "Provinces"),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="allocator">'
        f"<title>What-if report: {esc(name)}</title><style>{CSS}{EXTRA_CSS}</style></head>\n"
        f"<body><main><h1>What-if report: {esc(name)}</h1><nav>{nav}</nav>\n"
        + "\n".join(sections)
        + "\n</main></body></html>\n"
    )


def write_batch_report(
    results: str | Path, output: str | Path | None = None, *, force: bool = False
) -> Path:
    """Write the page of the results folder ``results`` (default: ``results/report.html``).

    Refuses an existing page unless ``force``; raises :class:`InputError`
    for a folder that is not a batch's results.
    """
    target = Path(output) if output is not None else Path(results) / "report.html"
    refuse_existing(target, force=force)
    page = render_batch_report(read_results(results))
    return write_file_atomic(target, page.encode(), force=force)
