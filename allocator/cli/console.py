"""How results look in a terminal: rich tables for plans, instances and problems.

Only presentation lives here; every number comes from the Python API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from allocator._format import month as _month
from allocator._format import months as _months
from allocator._format import number as _n
from allocator._format import percent as _pct
from allocator._format import signed as _signed
from allocator._format import whole
from allocator.errors import Problem

if TYPE_CHECKING:  # pandas and the instance package are slow to import; --help needs neither
    import pandas as pd

    from allocator.instance.info import InstanceInfo

if TYPE_CHECKING:
    from allocator.registry import RecordDemand


def plan_summary(
    console: Console, summary: dict[str, Any], folder: str | None = None, worst: int = 5
) -> None:
    """Print a plan's headline figures, its worst-served regions and where time went."""
    totals, objective = summary["totals"], summary["objective"]
    title = f"Plan for {summary['instance']['name']}"
    if folder:
        title += f"  ->  {folder}"
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column("figure", style="bold")
    table.add_column("value", justify="right")
    table.add_row("demand", _n(totals["demand"]))
    table.add_row("issued", _n(totals["issued"]))
    table.add_row("unmet at horizon end", _n(totals["unmet"]))
    table.add_row("fill rate", _pct(totals["fill_rate"]))
    table.add_row("waiting (weighted card-months)", _n(objective["waiting"]))
    table.add_row("card-months waiting", _n(totals["card_months_waiting"]))
    table.add_row("cost", _n(objective["cost"]))
    equity = summary.get("equity")
    if equity:
        table.add_row(
            "equity: floor per office",
            f"{_pct(equity['z'])} of its demand, rounded down to whole cards "
            f"({_n(equity['floor_cards'])} cards at {_n(equity['floors'])} offices)",
        )
        table.add_row(
            "equity: smallest fill rate in the plan",
            _pct(equity.get("smallest_fill_rate", equity["z"])),
        )
    solver = summary.get("solver", {})
    table.add_row(
        "status",
        f"{summary['status']} ({solver.get('name', '?')} "
        f"{solver.get('version', '')}, {solver.get('method', 'default')})",
    )
    console.print(table)

    regions = summary.get("regions", [])[:worst]
    if regions:
        rt = Table(
            title=f"Worst-served regions (lowest fill rate, then longest wait; {len(regions)})",
            title_justify="left",
        )
        for column in ("region", "demand", "issued", "unmet", "fill rate", "months/card"):
            rt.add_column(column, justify="left" if column == "region" else "right")
        for r in regions:
            rt.add_row(
                r["region"] or "(none)",
                _n(r["demand"]),
                _n(r["issued"]),
                _n(r["unmet"]),
                _pct(r["fill_rate"]),
                f"{r.get('months_waiting_per_card', 0.0):.2f}",
            )
        console.print(rt)

    for note in summary.get("warnings", []):
        console.print(f"[yellow]warning[/]: {note}", highlight=False)
    seconds = summary.get("seconds", {})
    console.print(
        "time: "
        + ", ".join(
            f"{step} {seconds[step]:.2f} s"
            for step in ("load", "build", "equity", "solve", "write")
            if step in seconds
        ),
        style="dim",
    )


def problems(console: Console, items: Iterable[Problem], header: str) -> None:
    """Print input problems, one per line, under a header."""
    items = list(items)
    console.print(f"[bold red]{header}[/]: {len(items)} problem{'s' if len(items) != 1 else ''}")
    for p in items:
        console.print(f"  {p}", markup=False, highlight=False)


def verification_failed(console: Console, plan: str, problems: list[str]) -> None:
    """Print why a plan fails verification: first whether it was made for other data."""
    other = problems[0] if problems[0].startswith("the plan was made for other data") else None
    rest = problems[1:] if other else problems
    if other:
        why = other.split(": ", 1)[1]
        console.print(f"[bold red]plan {plan} was made for other data[/]: {why}", highlight=False)
    if rest:
        more = "more " if other else ""
        console.print(
            f"[bold red]plan {plan} fails verification[/]: {len(rest)} {more}"
            f"problem{'s' if len(rest) != 1 else ''}"
        )
    for p in rest:
        console.print(f"  {p}", markup=False, highlight=False)


def instance_info(console: Console, info: InstanceInfo) -> None:
    """Print sizes, supply against demand per month, and unreachable demand."""
    console.print(f"[bold]{info.name}[/]  {info.description}")
    console.print(f"sha256 {info.sha256}", style="dim")
    sizes = Table(title="Sizes", show_header=False, title_justify="left")
    sizes.add_column("what")
    sizes.add_column("count", justify="right")
    for key, value in info.sizes.items():
        sizes.add_row(key, _n(value))
    console.print(sizes)

    months = Table(title="Supply and demand by month", title_justify="left")
    for column in ("month", "supply", "demand", "cum. supply", "cum. demand", "cum. gap"):
        months.add_column(column, justify="left" if column == "month" else "right")
    for row in info.months.itertuples(index=False):
        gap = row.cumulative_gap
        months.add_row(
            _month(row.period),
            _n(row.supply),
            _n(row.demand),
            _n(row.cumulative_supply),
            _n(row.cumulative_demand),
            f"[red]{_n(gap)}[/]" if gap < 0 else _n(gap),
        )
    console.print(months)

    for note in info.notes:
        console.print(f"[yellow]warning[/]: {note}", highlight=False)
    if info.unreachable.empty:
        console.print("Every node with demand can be reached from some supply.")
    else:
        console.print(
            f"[yellow]warning[/]: {len(info.unreachable)} node(s) with demand that no supply can "
            "reach; their demand stays unmet:"
        )
        for row in info.unreachable.itertuples(index=False):
            console.print(
                f"  {row.node} ({row.name}, {row.region or 'no region'}): {_n(row.demand)} cards",
                markup=False,
                highlight=False,
            )


def batch_summary(console: Console, results: pd.DataFrame, output: str | Path) -> None:
    """Print a batch's scenarios with the most waiting (all of them when there are few).

    ``results`` is the table of :func:`allocator.run_batch`; ``output``
    the results folder it was written to.
    """
    import pandas as pd  # here, not at the top: --help must not import pandas

    shown = results
    title = "Scenarios (the first row, base, is the instance unchanged)"
    if len(results) > 20:
        first = results.iloc[:1]
        has_base = bool(len(first)) and first["scenario"].iloc[0] == "base"
        base, others = (first, results.iloc[1:]) if has_base else (first.iloc[0:0], results)
        worst = others.sort_values("waiting", ascending=False, na_position="first").head(10)
        shown = pd.concat([base, worst])
        title = f"Base, and the 10 of {len(others)} scenarios with the most waiting (failed first)"
    table = Table(title=title, title_justify="left")
    for column in ("scenario", "waiting", "vs base", "unmet", "fill", "worst region", "cost"):
        table.add_column(
            column,
            justify="left" if column in ("scenario", "worst region") else "right",
            no_wrap=column != "worst region",
        )
    for row in shown.itertuples(index=False):
        if row.status == "failed":
            table.add_row(row.scenario, "[red]failed[/]", "", "", "", "", "")
            continue
        table.add_row(
            row.scenario,
            f"{row.waiting:,.0f}",
            "" if pd.isna(row.waiting_vs_base) else _signed(row.waiting_vs_base),
            f"{row.unmet:,}",
            f"{row.fill_rate:.1%}",
            f"{row.worst_region} {row.worst_region_fill_rate:.1%}",
            f"{row.cost:,.0f}",
        )
    console.print(table)
    optimal = int((results["status"] == "optimal").sum())
    console.print(
        f"wrote {Path(output) / 'scenarios.csv'}: {len(results)} scenario(s), {optimal} optimal, "
        f"{len(results) - optimal} failed"
    )


def replan_comparison(console: Console, replan_summary: Mapping[str, Any]) -> None:
    """Print a re-plan's whole-horizon figures against the old plan's, and dropped freezes.

    ``replan_summary`` is ``summary["replan"]`` of :func:`allocator.replan`.
    """
    table = Table(
        title=f"Whole horizon: old plan against re-plan from {_month(replan_summary['from'])}",
        title_justify="left",
    )
    for column in ("figure", "old plan", "re-plan", "difference"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    compare = replan_summary["compare"]
    for key in ("unmet", "fill_rate", "waiting", "card_months_waiting", "cost"):
        if key == "fill_rate":
            cells = [f"{compare[side][key]:.1%}" for side in ("old", "new")]
            cells.append(f"{100 * compare['difference'][key]:+.1f} pts")
        else:
            cells = [f"{compare[side][key]:,.0f}" for side in ("old", "new", "difference")]
        table.add_row(key.replace("card_months", "card-months").replace("_", " "), *cells)
    console.print(table)
    changed = replan_summary.get("changes", {})
    if changed.get("link_months_changed"):
        console.print(
            f"changed from {_month(replan_summary['from'])}: {changed['link_months_changed']:,} "
            f"link-month(s) on {changed['links_changed']:,} link(s), in "
            f"{_months(changed['months_changed'])}; {changed['cards_moved']:,} card(s) no "
            "longer travel when or where promised (each counted once)",
            highlight=False,
        )
    elif "link_months_changed" in changed:
        console.print(
            f"from {_month(replan_summary['from'])} the old plan's shipments stand unchanged"
        )
    for dropped in replan_summary["freeze"]["dropped"]:
        console.print(
            f"[yellow]dropped from the freeze[/]: {dropped['link']} {_month(dropped['period'])} "
            f"({dropped['quantity']:,} cards): {dropped['reason']}"
        )


def explain_summary(
    console: Console, explained: Mapping[str, Any], folder: str | None = None, shown: int = 5
) -> None:
    """Print an explanation's roll-up: where one more unit helps most, and reasons by region.

    ``explained`` is ``summary["explain"]`` of :func:`allocator.explain`.
    """
    helps = explained.get("helps_most", [])[:shown]
    table = Table(
        title="Where one more unit helps most (weighted card-months saved per unit, exact)",
        title_justify="left",
    )
    for column in ("what", "id", "month", "saves", "holds for", "same value at"):
        table.add_column(column, justify="left" if column in ("what", "id", "month") else "right")
    for r in helps:
        same = r.get("same_value", 0)
        table.add_row(
            r["what"],
            r["id"],
            _month(r["period"]),
            _n(r["value"]),
            str(r["holds_up_to"]),
            f"{same:,} more" if same else "",
        )
    if helps:
        console.print(table)
    else:
        console.print("No limit's next unit would lower the waiting.")
    regions = explained.get("reasons_by_region", [])[:shown]
    if regions:
        rt = Table(title="Why people wait, by region (weighted card-months)", title_justify="left")
        rt.add_column("region")
        rt.add_column("waiting", justify="right")
        rt.add_column("reasons")
        for r in regions:
            reasons = ", ".join(f"{k} {_n(v)}" for k, v in r["reasons"].items())
            rt.add_row(r["region"] or "(none)", _n(r["card_months"]), reasons)
        console.print(rt)
    for loss in explained.get("replan", {}).get("losses", [])[:shown]:
        tranches = ", ".join(list(loss["tranches"])[:3]) or "-"
        console.print(
            f"[yellow]loses cards[/]: {loss['node']} {loss['name']} ({loss['region']}): "
            f"up to {_n(loss['most_behind'])} cards behind the old plan, "
            f"{_n(loss['extra_card_months'])} more card-months waiting (the old plan fed it "
            f"from {tranches})"
        )
    if folder:
        margins = explained.get("marginal_values", {})
        console.print(
            f"wrote marginal_values.csv ({margins.get('rows', 0):,} rows; "
            f"{margins.get('left_out', 0):,} degenerate left out), shortfalls.csv and "
            f"pegging.csv to {folder}",
            style="dim",
        )


def record_demand(console: Console, result: RecordDemand, folder: Path, into: Path | None) -> None:
    """What ``allocator demand`` found: records by state, pairs, and the first invalid records."""
    states = result.states
    total = sum(states.values())
    console.print(
        f"wrote {folder}: {whole(int(result.demand['quantity'].sum()))} cards of demand "
        f"from {whole(total)} records"
    )
    for state in (
        "invalid",
        "exact_duplicate",
        "merged",
        "blocked",
        "printed",
        "after_horizon",
        "printable",
    ):
        if states.get(state):
            console.print(f"  {state.replace('_', ' '):<16} {whole(states[state]):>12}")
    pairs = result.pairs
    if len(pairs):
        open_ = int((pairs["status"] == "OPEN").sum())
        console.print(
            f"{whole(len(pairs))} duplicate pairs ({whole(open_)} OPEN): decide them in "
            f"{folder / 'duplicate_pairs.csv'} (INVALID or MERGED) and pass it back with --pairs"
        )
    for problem in result.notes[:10]:
        console.print(f"  invalid: {problem}", markup=False)
    if len(result.notes) > 10:
        console.print(f"  ... and {len(result.notes) - 10} more kinds of invalid record")
    if into is not None:
        console.print(f"wrote {into}: the instance with this demand, ready to solve")


def hedge_summary(console: Console, hedge: dict[str, Any]) -> None:
    """Print a hedged plan's figures against the plain plan's and perfect information."""
    table = Table(
        title=f"Hedged over {hedge['scenarios']} scenario(s), first {hedge['commit']} month(s) "
        f"committed, risk {hedge['risk']} (plan chosen: {hedge['chosen']})",
        title_justify="left",
    )
    for column in ("", "expected waiting", "CVaR 90%", "worst", "expected cost"):
        table.add_column(column, justify="left" if not column else "right")
    for label, f in (("hedged plan", hedge["plan"]), ("plain plan", hedge["plain"])):
        table.add_row(
            label,
            _n(f["expected_waiting"]),
            _n(f["cvar_90"]),
            _n(f["worst_waiting"]),
            _n(f["expected_cost"]),
        )
    console.print(table)
    console.print(
        f"LP bound {_n(hedge['lp_bound'])} (whole cards {_n(hedge['plan']['risk'])}, gap "
        f"{_n(hedge['gap'])}); value of hedging {_n(hedge['value_of_hedging'])}; value of "
        f"perfect information {_n(hedge['value_of_perfect_information'])}"
    )
    touching = hedge.get("change_committed_months") or []
    if touching:
        console.print(
            f"{len(touching)} scenario(s) change the committed months themselves "
            f"({', '.join(touching[:5])}{', ...' if len(touching) > 5 else ''}): the hedged LP "
            "commits only what every scenario can do, stress re-plans what a scenario makes "
            "impossible"
        )
