"""What the sheets of ``plan.xlsx`` hold: tables with names beside ids, full stock, dispatch, words.

:mod:`allocator.plan.xlsx` writes cells; this module decides their content:

- :func:`named_tables`: the plan tables with a name beside every node id
  (``from_name``, ``to_name`` in shipments, ``name`` in issuance and stock),
  and ``stock`` for every node and month that can hold cards, zeros included;
- :func:`dispatch_sheets`: one dispatch list per month of departure;
- :func:`summary_words`: the headline figures as a planner reads them.

Reading the workbook back (:func:`allocator.plan.xlsx.read_plan_xlsx`) drops
the name columns and the zero stock rows again, so the tables equal the CSV files.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.plan.core import Plan
from allocator.plan.dispatch_lists import dispatch, node_names, plan_months
from allocator.plan.figures import rank_regions

#: Columns holding a ``YYYY-MM`` month: written as a date cell shown ``mmm yyyy``.
MONTH_COLUMNS = {"period", "arrival", "depart", "arrive", "month"}
#: Name columns added beside ids: (table, id column) -> name column.
NAME_COLUMNS = {
    ("shipments", "from"): "from_name",
    ("shipments", "to"): "to_name",
    ("issuance", "node"): "name",
    ("stock", "node"): "name",
}


def _with_names(table: pd.DataFrame, which: str, names: dict[str, str]) -> pd.DataFrame:
    """``table`` with a name column right after each id column of :data:`NAME_COLUMNS`."""
    out = table.copy()
    for (name, column), label in NAME_COLUMNS.items():
        if name == which and column in out.columns and label not in out.columns:
            position = list(out.columns).index(column) + 1
            values = out[column].astype(str).map(lambda n: names.get(n, n)).astype(str)
            out.insert(position, label, values)
    return out


def holding_months(plan: Plan, instance: Instance | None) -> pd.DataFrame:
    """``node,period`` where a node can hold cards: its storage that month is not 0.

    The storage of a month is ``capacity.csv``'s storage row for it, else the
    node's ``storage`` (blank: no limit). Without the instance, every node the
    plan mentions, every month. Pairs where the plan holds stock are always in.
    """
    months = plan_months(plan, instance)
    if instance is None:
        nodes = set(plan.nodes["node"].astype(str))
        nodes |= set(plan.shipments["from"].astype(str)) | set(plan.shipments["to"].astype(str))
        grid = pd.MultiIndex.from_product([sorted(nodes), months], names=["node", "period"])
        pairs = grid.to_frame(index=False)
    else:
        ids = instance.nodes["id"].astype(str).to_numpy()
        pairs = pd.MultiIndex.from_product([ids, months], names=["node", "period"]).to_frame(
            index=False
        )
        limit = pd.Series(instance.nodes["storage"].to_numpy(), index=ids)
        pairs["limit"] = pairs["node"].map(limit)
        rows = instance.capacity[instance.capacity["what"] == "storage"]
        override = rows.set_index(["id", "period"])["capacity"]
        key = pd.MultiIndex.from_frame(pairs[["node", "period"]])
        found = override.reindex(key).to_numpy()
        pairs["limit"] = np.where(pd.notna(found), found, pairs["limit"].to_numpy(dtype=object))
        can = pd.isna(pairs["limit"]) | (pd.to_numeric(pairs["limit"]).fillna(1) > 0)
        pairs = pairs.loc[can.to_numpy(dtype=bool), ["node", "period"]]
    held = plan.stock[["node", "period"]].astype(str)
    out = pd.concat([pairs, held]).drop_duplicates()
    return out.sort_values(["node", "period"], kind="stable").reset_index(drop=True)


def full_stock(plan: Plan, instance: Instance | None) -> pd.DataFrame:
    """``node,period,stock`` for every node and month that can hold cards, zeros too."""
    pairs = holding_months(plan, instance)
    held = plan.stock.set_index(["node", "period"])["stock"]
    key = pd.MultiIndex.from_frame(pairs)
    stock = held.reindex(key, fill_value=0).astype("int64")
    return stock.reset_index()


def _with_endpoints(
    table: pd.DataFrame, instance: Instance | None, names: dict[str, str]
) -> pd.DataFrame:
    """A table keyed by ``link`` (a re-plan's changes) with the link's ends and their names."""
    if instance is None or "link" not in table.columns or "from" in table.columns:
        return table
    ends = instance.links.set_index("id")[["from", "to"]]
    out = table.copy()
    position = list(out.columns).index("link") + 1
    for offset, end in enumerate(("from", "to")):
        ids = out["link"].map(ends[end]).fillna("").astype(str)
        out.insert(position + 2 * offset, end, ids)
        out.insert(position + 2 * offset + 1, f"{end}_name", ids.map(lambda n: names.get(n, n)))
    return out


def named_tables(plan: Plan, instance: Instance | None = None) -> dict[str, pd.DataFrame]:
    """The plan's tables as sheets: names beside ids, the stock of every node and month.

    A re-plan's ``changes`` gains the ends of each link (``from``, ``from_name``,
    ``to``, ``to_name``) when the instance is known.
    """
    names = node_names(plan, instance)
    out: dict[str, pd.DataFrame] = {}
    for which, table in plan.tables.items():
        if which == "stock":
            table = full_stock(plan, instance)
        elif which == "changes":
            table = _with_endpoints(table, instance, names)
        out[which] = _with_names(table, which, names)
    return out


def dispatch_sheets(plan: Plan, instance: Instance | None = None) -> dict[str, pd.DataFrame]:
    """``dispatch YYYY-MM`` -> that month's dispatch list, for each month something leaves."""
    lines = dispatch(plan, instance).lines
    return {
        f"dispatch {month}": rows.reset_index(drop=True)
        for month, rows in lines.groupby("depart", sort=True)
    }


def _month_words(label: str) -> str:
    return pd.Period(label, freq="M").strftime("%b %Y")


def _rounded(value: Any) -> Any:
    """A figure as a whole number for the words sheet (``details`` keeps it exactly)."""
    return round(float(value)) if isinstance(value, int | float) else value


def _share(totals: dict[str, Any]) -> str:
    rate = totals.get("fill_rate")
    if rate is None:
        return ""
    issued, demand = totals.get("issued", 0), totals.get("demand", 0)
    return f"{100 * float(rate):.1f}% ({issued:,} of {demand:,} cards)"


def summary_words(plan: Plan) -> pd.DataFrame:
    """The headline figures in words: ``figure,value`` rows (values are numbers where they are)."""
    s = plan.summary
    inst: dict[str, Any] = s.get("instance", {})
    totals: dict[str, Any] = s.get("totals", {})
    objective: dict[str, Any] = s.get("objective", {})
    rows: list[tuple[str, Any]] = [("Instance", inst.get("name", ""))]
    months = plan_months(plan)
    if months:
        rows.append(
            (
                "Months planned",
                f"{_month_words(months[0])} to {_month_words(months[-1])} ({len(months)} months)",
            )
        )
    rows += [
        ("Status of the solve", s.get("status", "")),
        ("Cards demanded", totals.get("demand")),
        ("Cards issued", totals.get("issued")),
        ("Cards still owed at the end", totals.get("unmet")),
        ("Share of demand issued", _share(totals)),
        ("Card-months waited", totals.get("card_months_waiting")),
        ("Weighted waiting (what is minimised first)", _rounded(objective.get("waiting"))),
        ("Transport and storage cost (then minimised)", _rounded(objective.get("cost"))),
        ("Cards shipped", int(plan.shipments["quantity"].sum())),
        ("Consignments (link-months with cards)", len(plan.shipments)),
    ]
    ranked = rank_regions(plan.nodes)
    if len(ranked):
        worst = ranked.iloc[0]
        rows.append(
            (
                "Province served worst",
                f"{worst['region']}: {100 * float(worst['fill_rate']):.1f}% of its demand "
                f"issued, {float(worst['months_waiting_per_card']):.2f} months waited per card",
            )
        )
    solver: dict[str, Any] = s.get("solver", {})
    if solver:
        rows.append(("Solver", f"{solver.get('name', '')} {solver.get('version', '')}".strip()))
    seconds = s.get("seconds", {})
    if seconds:
        rows.append(("Seconds to plan", round(sum(float(v) for v in seconds.values()), 2)))
    rows += [("Warning", str(w)) for w in s.get("warnings", [])]
    return pd.DataFrame(rows, columns=["figure", "value"], dtype=object)
