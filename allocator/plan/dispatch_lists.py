"""Dispatch lists: per sending node and month, what leaves for whom.

A plan's ``shipments`` say what moves on each link in each month; a hub
manager needs the same rows turned round: *my* consignments this month, to
whom, by which mode, arriving when, with names beside the ids. That is
:func:`dispatch`'s table, with the columns of :data:`DISPATCH_COLUMNS`
(``docs/formats.md``, "Dispatch lists")::

    from,from_name,to,to_name,mode,depart,arrive,cards

sorted by sender, then month of departure, receiver and mode, and
:func:`dispatch_totals` sums it per sender and month. The ``--month`` and
``--from`` a user types are checked here, through the same month rule as
every file (:func:`allocator.instance.cells.parse_period`), and an unknown
node is named with the nodes it is probably meant to be.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.instance.cells import parse_period
from allocator.instance.names import distance, squashed
from allocator.instance.periods import horizon_text, month_labels
from allocator.instance.problems import Collector
from allocator.instance.schema import Column
from allocator.plan.core import Plan

#: The dispatch list's columns, in order.
DISPATCH_COLUMNS = ["from", "from_name", "to", "to_name", "mode", "depart", "arrive", "cards"]
#: The totals' columns: one row per sender and month.
TOTAL_COLUMNS = ["from", "from_name", "month", "receivers", "consignments", "cards"]


@dataclass(frozen=True)
class Dispatch:
    """A plan's dispatch lists: the consignments (``lines``) and their ``totals`` per sender."""

    lines: pd.DataFrame
    totals: pd.DataFrame
    month: str | None = None  # the month asked for, if any
    sender: str | None = None  # the sender asked for, if any

    def pages(self) -> list[tuple[str, str]]:
        """The ``(sender, month)`` pairs that have consignments, in order."""
        keys = self.totals[["from", "month"]].itertuples(index=False, name=None)
        return [(str(a), str(b)) for a, b in keys]


def node_names(plan: Plan, instance: Instance | None = None) -> dict[str, str]:
    """Node id -> name: every node of ``instance``, or the offices the plan names."""
    if instance is not None:
        return dict(zip(instance.nodes["id"], instance.nodes["name"], strict=True))
    nodes = plan.nodes
    return dict(zip(nodes["node"].astype(str), nodes["name"].astype(str), strict=True))


def plan_months(plan: Plan, instance: Instance | None = None) -> list[str]:
    """The months of the plan's horizon (from the instance, else from ``summary.instance``)."""
    if instance is not None:
        return list(instance.months)
    recorded = plan.summary.get("instance", {})
    start, periods = recorded.get("start"), recorded.get("periods")
    if isinstance(start, str) and isinstance(periods, int):
        return month_labels(start, periods)
    return sorted(set(plan.shipments["period"].astype(str)))


def close_matches(given: str, names: dict[str, str], most: int = 5) -> list[str]:
    """The node ids ``given`` is probably meant to be: a slip in the id, or part of the name."""
    wanted = squashed(given)
    scored: list[tuple[int, str]] = []
    for node, name in names.items():
        edits = distance(wanted, squashed(node))
        if edits <= max(1, len(wanted) // 3):
            scored.append((edits, node))
        elif len(wanted) >= 3 and wanted in squashed(name):
            scored.append((len(wanted), node))
    return [node for _, node in sorted(scored)[:most]]


def check_request(
    plan: Plan,
    names: dict[str, str],
    months: list[str],
    month: str | None,
    sender: str | None,
) -> None:
    """Raise :class:`InputError` for a ``--month`` off the horizon or an unknown ``--from``."""
    out = Collector()
    if month is not None:
        parse_period(
            pd.Series([month.strip()], dtype="str"),
            Column("--month", "period", required=True),
            "--month",
            np.array([0]),
            out,
            months,
            horizon_text(months[0], len(months)) if months else "(no months)",
        )
    known = set(names) | set(plan.shipments["from"].astype(str))
    if sender is not None and sender not in known:
        hints = close_matches(sender, names)
        hint = (
            "; did you mean " + ", ".join(f"'{h}' ({names.get(h, h)})" for h in hints) + "?"
            if hints
            else "; give a node id from nodes.csv"
        )
        out.add("--from", None, None, f"no node '{sender}' in the plan's instance{hint}")
    problems = [Problem(p.file, None, None, p.message) for p in out.ordered()]
    if problems:
        raise InputError(problems)


def dispatch(
    plan: Plan,
    instance: Instance | None = None,
    *,
    month: str | None = None,
    sender: str | None = None,
) -> Dispatch:
    """The dispatch lists of ``plan``, for one ``month`` and one ``sender`` if given.

    Names come from ``instance`` (every node) or, without it, from the plan's
    office table (other nodes then show their id). Raises :class:`InputError`
    for a month outside the horizon or a node the instance does not have.

    >>> import allocator
    >>> inst = allocator.load_instance("instances/tiny")
    >>> lists = dispatch(allocator.solve(inst), inst, month="2017-03", sender="HUB")
    >>> lists.lines[["to", "to_name", "cards"]].values.tolist()
    [['A', 'District office A', 15], ['B', 'District office B', 15]]
    """
    names = node_names(plan, instance)
    check_request(plan, names, plan_months(plan, instance), month, sender)
    month = month.strip() if month is not None else None
    ships = plan.shipments
    keep = np.ones(len(ships), dtype=bool)
    if month is not None:
        keep &= (ships["period"] == month).to_numpy()
    if sender is not None:
        keep &= (ships["from"] == sender).to_numpy()
    rows = ships.loc[keep]
    lines = pd.DataFrame(
        {
            "from": rows["from"].astype(str),
            "from_name": rows["from"].map(lambda n: names.get(n, n)).astype(str),
            "to": rows["to"].astype(str),
            "to_name": rows["to"].map(lambda n: names.get(n, n)).astype(str),
            "mode": rows["mode"].astype(str),
            "depart": rows["period"].astype(str),
            "arrive": rows["arrival"].astype(str),
            "cards": rows["quantity"].astype("int64"),
        },
        columns=DISPATCH_COLUMNS,
    )
    lines = lines.sort_values(["from", "depart", "to", "mode"], kind="stable")
    lines = lines.reset_index(drop=True)
    return Dispatch(lines, dispatch_totals(lines), month, sender)


def dispatch_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Per sender and month of departure: receivers, consignments (rows) and cards."""
    if lines.empty:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="int64" if c in {"receivers", "consignments", "cards"} else "str"
                )
                for c in TOTAL_COLUMNS
            }
        )
    grouped = lines.groupby(["from", "from_name", "depart"], sort=True)
    totals = grouped.agg(
        receivers=("to", "nunique"), consignments=("to", "size"), cards=("cards", "sum")
    ).reset_index()
    totals = totals.rename(columns={"depart": "month"})[TOTAL_COLUMNS]
    for column in ("receivers", "consignments", "cards"):
        totals[column] = totals[column].astype("int64")
    return totals
