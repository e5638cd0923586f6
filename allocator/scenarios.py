"""What-if scenarios: a table of changes to an instance, checked before anything runs.

A scenario table has the columns ``scenario,change,target,period,value`` (the
``period`` column may be left out; extra columns are ignored). Rows with the
same ``scenario`` id make one scenario; its changes are applied one after
another in file order, each to the result of the ones before. Scenarios come
in the order their id first appears in the file.

=================  =========================  ================================================
change             target                     value
=================  =========================  ================================================
``supply_delay``   a node with supply, or     whole months late (>= 0). The tranche of
                   ``*`` (every such node)    ``period`` (every tranche when blank) arrives that
                                              many months later, added to any tranche already
                                              due then. Cards pushed past the horizon's last
                                              month are lost to the scenario (the result's
                                              ``message`` says how many).
``supply_scale``   a node with supply, or     factor >= 0 on the supply of ``period`` (every
                   ``*``                      month when blank), rounded down to whole cards.
``link_capacity``  a link id                  the link's new capacity in ``period`` (every
                                              month when blank), whole >= 0; 0 closes it.
``demand_scale``   a node, a region or ``*``  factor >= 0 on the demand arising in ``period``
                                              (every month when blank), every category,
                                              rounded down to whole cards.
``issue_capacity`` a node or a region         new issue (printer) capacity of the node, or of
                                              each node of the region, in ``period`` (every
                                              month when blank), whole >= 0.
=================  =========================  ================================================

A target that is both a node id and a region name means the node. Capacity
changes become ``capacity.csv`` override rows (``link``/``issue``, id,
month), replacing any override the instance already has for the same key.
Scaling is exact on the decimal written (``0.3`` is 3/10, not a float near it)
and rounds each row down: ``demand_scale`` 1.25 on 10 cards gives 12.

For a re-plan of an existing plan from month ``start`` (``allocator batch
--baseline PLAN --from START``), a blank period means every month from
``start`` on and a period before ``start`` is an error (that is history). The
changed tables become the re-plan's new facts
(:func:`allocator.replan.replan`'s ``supply``, ``demand`` and ``capacity``):
``demand_scale`` scales the demand arising from ``start`` on, not the backlog
carried into ``start``, which follows from the baseline plan.

Every bad row is reported at once, with the file (``scenarios.csv``), the
spreadsheet row (header = row 1) and the column, as one :class:`InputError`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.instance.cells import TEXT, text_frame
from allocator.instance.problems import Collector
from allocator.instance.text import BOM, read_csv_text

COLUMNS = ("scenario", "change", "target", "period", "value")
REQUIRED = ("scenario", "change", "target", "value")
CHANGES = ("supply_delay", "supply_scale", "link_capacity", "demand_scale", "issue_capacity")
FILE = "scenarios.csv"

# What each change accepts as a value: (whole number?, what the message calls it).
_VALUES = {
    "supply_delay": (True, "a delay is a whole number of months >= 0"),
    "supply_scale": (False, "a factor is a number >= 0"),
    "link_capacity": (True, "a capacity is a whole number of cards >= 0"),
    "demand_scale": (False, "a factor is a number >= 0"),
    "issue_capacity": (True, "a capacity is a whole number of cards >= 0"),
}
_MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
# Scenario ids name plan folders (``--keep-plans``): no path separators or
# characters a file system refuses, no leading dot.
_BAD_ID = re.compile(r'[/\\:*?"<>|\x00-\x1f]|^\.')
# Quantities stay within what the instance files accept (15 digits).
_MAX_QUANTITY = 10**15 - 1


def read_scenarios(
    source: str | Path | pd.DataFrame,
    instance: Instance,
    *,
    file: str | None = None,
    start: str | None = None,
) -> pd.DataFrame:
    """Read and check a scenario table against ``instance``.

    Parameters
    ----------
    source
        A CSV file (UTF-8, comma- or semicolon-separated) or a DataFrame with
        the columns ``scenario,change,target,period,value``.
    instance
        The instance the scenarios change: targets and periods are checked
        against it.
    file
        The name problems carry (default: the file's name, or ``scenarios.csv``
        for a DataFrame).
    start
        For a re-plan from month ``start`` (``YYYY-MM``): a change may not
        concern an earlier month, which is history.

    Returns
    -------
    pandas.DataFrame
        ``scenario, change, target, period, value, row`` in file order:
        ``period`` is ``""`` for every month, ``value`` a float, ``row`` the
        spreadsheet row.

    Raises
    ------
    InputError
        Listing every bad row, with file, row and column.
    """
    problems: list[Problem] = []
    if isinstance(source, pd.DataFrame):
        file = file or FILE
        raw = text_frame(source)
        rows = np.arange(len(raw), dtype=np.int64) + 2
    else:
        path = Path(source)
        file = file or path.name
        if not path.is_file():
            raise InputError([Problem(str(path), None, None, "scenario file not found")])
        data = path.read_bytes().removeprefix(BOM)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise InputError(
                [Problem(file, line, None, "is not UTF-8 text; save it as UTF-8 (CSV UTF-8)")]
            ) from None
        collected = Collector()
        read = read_csv_text(text, file, collected)
        if read is None:
            raise InputError(collected.problems)
        raw, rows = read
        raw = text_frame(raw)
    table = _check(raw, rows, instance, file, problems, start)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.row or 0, _order(p.column))))
    return table


def _order(column: str | None) -> int:
    return COLUMNS.index(column) if column in COLUMNS else -1


def _check(
    raw: pd.DataFrame,
    rows: np.ndarray,
    instance: Instance,
    file: str,
    problems: list[Problem],
    start: str | None,
) -> pd.DataFrame:
    """Parse and check every cell; problems go to ``problems``."""
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    header = ", ".join(raw.columns) or "(nothing)"
    missing = [c for c in REQUIRED if c not in raw.columns]
    for name in missing:
        problems.append(
            Problem(
                file,
                1,
                name,
                f"missing column '{name}'; a scenario table has the columns "
                f"{','.join(COLUMNS)} (the header is: {header})",
            )
        )
    if missing:
        return pd.DataFrame()
    if raw.empty:
        problems.append(Problem(file, None, None, "has no scenarios; give at least one row"))
        return pd.DataFrame()

    def column(name: str) -> pd.Series:
        if name not in raw.columns:
            return pd.Series([""] * len(raw), dtype=TEXT)
        values = raw[name]
        if isinstance(values, pd.DataFrame):  # a repeated header: the first one counts
            values = values.iloc[:, 0]
        return values.reset_index(drop=True).astype(TEXT)

    def report(mask: pd.Series | np.ndarray, name: str, message: pd.Series | str) -> None:
        mask = np.asarray(mask, dtype=bool)
        texts = (
            message.to_numpy(dtype=object)
            if isinstance(message, pd.Series)
            else np.full(len(mask), message, dtype=object)
        )
        for i in np.flatnonzero(mask):
            problems.append(Problem(file, int(rows[i]), name, str(texts[i])))

    scenario, target, period, value = (column(c) for c in ("scenario", "target", "period", "value"))
    change = column("change").str.lower()
    q = lambda values: "'" + values + "'"  # noqa: E731

    report(scenario == "", "scenario", "is empty; give the scenario an id")
    report(
        scenario.str.contains(_BAD_ID, regex=True),
        "scenario",
        q(scenario) + ' cannot name a plan folder; leave out / \\ : * ? " < > | and a leading dot',
    )

    known = change.isin(CHANGES)
    report(change == "", "change", "is empty; give one of " + ", ".join(CHANGES))
    report(
        (change != "") & ~known,
        "change",
        q(change) + " is not a change; use " + ", ".join(CHANGES[:-1]) + " or " + CHANGES[-1],
    )

    # Targets, by change.
    nodes = set(instance.nodes["id"])
    regions = set(instance.nodes["region"]) - {""}
    supplied = set(instance.supply["node"])
    links = set(instance.links["id"])
    blank = target == ""
    report(known & blank, "target", "is empty; " + _target_help(change))
    star = target == "*"
    is_node = target.isin(nodes)
    is_region = target.isin(regions)
    supply_change = change.isin(["supply_delay", "supply_scale"])
    report(
        supply_change & ~blank & ~star & ~is_node,
        "target",
        q(target) + " is not a node in nodes.csv; the target of " + change + " is a node with "
        "supply or *",
    )
    report(
        supply_change & is_node & ~target.isin(supplied),
        "target",
        q(target) + " has no supply in supply.csv; the target of " + change + " is a node with "
        "supply or *",
    )
    report(
        (change == "link_capacity") & ~blank & ~target.isin(links),
        "target",
        q(target) + " is not a link in links.csv; the target of link_capacity is a link id",
    )
    report(
        (change == "demand_scale") & ~blank & ~star & ~is_node & ~is_region,
        "target",
        q(target) + " is neither a node nor a region in nodes.csv; the target of demand_scale "
        "is a node, a region or *",
    )
    report(
        (change == "issue_capacity") & ~blank & ~is_node & ~is_region,
        "target",
        q(target) + " is neither a node nor a region in nodes.csv; the target of "
        "issue_capacity is a node or a region",
    )

    # Periods.
    months = instance.months
    is_month = period.str.fullmatch(_MONTH).fillna(False).astype(bool)
    report(
        (period != "") & ~is_month,
        "period",
        q(period) + " is not a month written YYYY-MM (for example 2017-03); leave it blank "
        "for every month",
    )
    report(
        is_month & ~period.isin(months),
        "period",
        q(period) + f" is outside the horizon {months[0]}..{months[-1]}",
    )
    if start is not None:
        report(
            period.isin(months) & (period < start),
            "period",
            q(period) + f" is before the re-plan month {start} (--from): a re-plan changes "
            "only the months from then on",
        )

    # Values, by change.
    unsigned = value.str.removeprefix("-")
    numeric = unsigned.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    negative = value.str.startswith("-") & numeric
    number = pd.to_numeric(unsigned.where(numeric, "nan"), errors="coerce").astype(float)
    whole_change = change.map({k: v[0] for k, v in _VALUES.items()}).fillna(False).astype(bool)
    rule = change.map({k: v[1] for k, v in _VALUES.items()}).fillna("")
    report(known & (value == ""), "value", "is empty; " + rule)
    report(
        known & (value != "") & ~numeric,
        "value",
        q(value) + " is not a number; " + rule + " (plain digits, decimals with a point)",
    )
    report(known & negative, "value", q(value) + " is negative; " + rule)
    fractional = numeric & ~negative & (np.floor(number) != number)
    report(
        known & whole_change & fractional,
        "value",
        q(value) + " is not a whole number; " + rule,
    )
    report(
        known & numeric & ~negative & ~fractional & (number > _MAX_QUANTITY),
        "value",
        q(value) + " is too large; " + rule + " with at most 15 digits",
    )

    return pd.DataFrame(
        {
            "scenario": scenario.to_numpy(dtype=object),
            "change": change.to_numpy(dtype=object),
            "target": target.to_numpy(dtype=object),
            "period": period.to_numpy(dtype=object),
            "value": number.where(~negative, -number).to_numpy(dtype=np.float64),
            "row": np.asarray(rows, dtype=np.int64),
        }
    ).astype({"scenario": TEXT, "change": TEXT, "target": TEXT, "period": TEXT})


def _target_help(change: pd.Series) -> pd.Series:
    helps = {
        "supply_delay": "give a node with supply or *",
        "supply_scale": "give a node with supply or *",
        "link_capacity": "give a link id",
        "demand_scale": "give a node, a region or *",
        "issue_capacity": "give a node or a region",
    }
    return change.map(helps).fillna("")


def scenario_ids(table: pd.DataFrame) -> list[str]:
    """The scenario ids of a checked table, in the order they first appear."""
    return list(dict.fromkeys(table["scenario"].tolist()))


def apply_scenario(
    instance: Instance, changes: pd.DataFrame, *, start: str | None = None
) -> Instance:
    """The instance with one scenario's changes applied, in order.

    ``changes`` are rows of :func:`read_scenarios` (or an unchecked table with
    the same columns, checked first). The result is a valid instance with
    exactly the column types of ``instance``. With ``start`` (a re-plan from
    that month), a blank period means every month from ``start`` on, and
    earlier months are left alone.
    """
    return apply_changes(instance, changes, start=start)[0]


def apply_changes(
    instance: Instance, changes: pd.DataFrame, *, start: str | None = None
) -> tuple[Instance, list[str]]:
    """:func:`apply_scenario`, plus notes on what the changes did beyond the obvious.

    The notes say how many cards a delay pushed past the horizon.
    """
    if "row" not in changes.columns:
        changes = read_scenarios(changes, instance, start=start)
    supply, demand, capacity = instance.supply, instance.demand, instance.capacity
    every = [m for m in instance.months if start is None or m >= start]
    notes: list[str] = []
    for row in changes.itertuples(index=False):
        months = [row.period] if row.period else every
        if row.change == "supply_delay":
            supply, lost = _delay(instance, supply, row.target, months, int(row.value))
            if lost:
                notes.append(
                    f"{lost:,} cards of supply delayed past the horizon's last month "
                    f"({instance.months[-1]}) are lost (scenario table row {row.row})"
                )
        elif row.change == "supply_scale":
            mask = supply["period"].isin(months) & (
                (supply["node"] == row.target) if row.target != "*" else True
            )
            supply = _scale(supply, mask, row.value, row.row)
        elif row.change == "demand_scale":
            mask = demand["period"].isin(months) & _place(instance, demand["node"], row.target)
            demand = _scale(demand, mask, row.value, row.row)
        elif row.change == "link_capacity":
            capacity = _override(capacity, "link", [row.target], months, int(row.value))
        elif row.change == "issue_capacity":
            nodes = instance.nodes["id"]
            ids = nodes[_place(instance, nodes, row.target)].tolist()
            capacity = _override(capacity, "issue", ids, months, int(row.value))
        else:  # only unchecked tables get here
            raise InputError(f"unknown change '{row.change}'")
    return instance.replace(supply=supply, demand=demand, capacity=capacity), notes


def _place(instance: Instance, node_ids: pd.Series, target: str) -> pd.Series:
    """Rows whose node is ``target`` (a node id), lies in region ``target``, or all for ``*``."""
    if target == "*":
        return pd.Series(True, index=node_ids.index)
    if target in set(instance.nodes["id"]):
        return node_ids == target
    region = instance.nodes.set_index("id")["region"]
    return node_ids.map(region) == target


def _scale(table: pd.DataFrame, mask: pd.Series, factor: float, row: int) -> pd.DataFrame:
    """``quantity`` times ``factor`` where ``mask``, rounded down, exactly on the decimal."""
    exact = Fraction(repr(float(factor)))
    quantity = table["quantity"].to_numpy(dtype=np.int64)
    picked = np.asarray(mask, dtype=bool)
    scaled = quantity.astype(object)
    scaled[picked] = scaled[picked] * exact.numerator // exact.denominator
    if len(scaled) and max(scaled) > _MAX_QUANTITY:
        raise InputError(
            [
                Problem(
                    FILE,
                    int(row),
                    "value",
                    f"factor {factor:g} makes a quantity larger than 15 digits",
                )
            ]
        )
    out = table.copy()
    out["quantity"] = scaled.astype(np.int64)
    return out


def _delay(
    instance: Instance, supply: pd.DataFrame, target: str, periods: list[str], delay: int
) -> tuple[pd.DataFrame, int]:
    """Supply with the tranches of ``periods`` ``delay`` months later, and the cards lost.

    Lost cards are those pushed past the horizon's last month.
    """
    mask = supply["period"].isin(periods) & ((supply["node"] == target) if target != "*" else True)
    mask = mask.to_numpy(dtype=bool)
    if delay == 0 or not mask.any():
        return supply, 0
    t = instance.month_number(supply["period"]) + np.where(mask, delay, 0)
    inside = t <= instance.periods
    lost = int(supply["quantity"].to_numpy(dtype=np.int64)[~inside].sum())
    moved = supply.copy()
    moved["period"] = pd.Series(
        instance.month_label(np.minimum(t, instance.periods)), dtype=TEXT
    ).to_numpy()
    moved = moved[inside]
    # A delayed tranche joins the one already due that month: (node, period) stays unique.
    aggregate = {c: ("sum" if c == "quantity" else "first") for c in moved.columns}
    aggregate.pop("node")
    aggregate.pop("period")
    merged = moved.groupby(["node", "period"], sort=False, as_index=False).agg(aggregate)
    merged = merged[supply.columns].astype(supply.dtypes.to_dict())
    return merged.reset_index(drop=True), lost


def _override(
    capacity: pd.DataFrame, what: str, ids: list[str], months: list[str], value: int
) -> pd.DataFrame:
    """``capacity`` with (what, id, month) set to ``value`` for every id and month."""
    keys = pd.MultiIndex.from_product([ids, months], names=["id", "period"])
    new = pd.DataFrame(
        {
            "what": what,
            "id": keys.get_level_values("id"),
            "period": keys.get_level_values("period"),
            "capacity": value,
        }
    )
    for extra in capacity.columns.difference(new.columns):
        new[extra] = ""
    replaced = (capacity["what"] == what) & pd.MultiIndex.from_frame(
        capacity[["id", "period"]]
    ).isin(keys)
    kept = capacity[~np.asarray(replaced, dtype=bool)]
    out = pd.concat([kept, new[capacity.columns]], ignore_index=True)
    return out.astype(capacity.dtypes.to_dict())
