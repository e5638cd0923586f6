"""Re-plan from a month onwards, starting from what really happened.

:func:`replan` takes an instance, the plan made for it and a month ``start``
inside the horizon, and solves the months from ``start`` to the horizon's
end again:

1. **What happened before ``start``.** The old plan's shipments, issuance and
   the instance's supply of the earlier months are taken as executed, except
   where *actuals* say otherwise: ``shipments.csv`` (the plan's format;
   ``link, period, quantity``, optionally ``arrival`` when cards arrived or
   will arrive at another month than the link's lead time says),
   ``issuance.csv`` (``node, period, category, issued``) and ``supply.csv``
   (the instance's format). A row replaces the old plan's (or the instance's)
   row with the same key: (link, period), (node, period, category) or (node,
   period). To record that a planned shipment did not leave, give it with
   quantity 0. Actuals that are impossible (more cards leave or are issued at
   a node than it could have had, cards issued before their demand arose) are
   input errors, with file, row and column.
2. **The state at ``start``**: stock at every node at the end of the month
   before, cards in transit (shipments that left before ``start`` and arrive
   from ``start`` on become supply at their destination in their arrival
   month) and each office's backlog per category (demand in the new first
   month, added to the demand arising then).
3. **The re-plan instance**: an ordinary :class:`Instance` (validated like any
   other) starting at ``start``, with that state, the future supply
   (``supply`` replaces the instance's supply rows from ``start`` on) and the
   future capacity rows (``capacity`` rows are added, replacing rows with the
   same what, id and period). Rows of ``supply``/``capacity`` dated before
   ``start`` may repeat the instance's own rows (a copied and edited file) but
   not change them: what happened then is in the actuals.
4. **The solve**, lexicographic as always, with two options:

   - ``freeze=N``: every shipment of the old plan leaving in the first N
     months from ``start`` is held at its old quantity (as bounds on x),
     unless it has become impossible; other link-months stay free. A frozen
     shipment is impossible when its link can no longer carry cards then,
     when a capacity override is now below it, or when its origin cannot have
     the cards: an LP first finds the largest number of frozen cards that can
     all move together (a max-flow on the same network), and every frozen
     shipment that does not move in full there is *dropped* (left free for
     the re-plan). Dropped shipments and why are listed in
     ``summary["replan"]["freeze"]["dropped"]``.
   - ``stability=W``: adds ``W`` per card moved away from the old plan's
     shipments to the cost stage (stage 2), so waiting stays optimal; see
     "Re-planning: stability" in ``models/README.md``.

The result is a :class:`Replan`: a plan of the re-plan instance (months from
``start`` only: it verifies against that instance, which it writes beside
itself as ``instance/``), plus ``changes.csv`` and ``summary["replan"]``.
The months before ``start`` are never in the new plan's tables: they are
history. ``changes.csv`` covers the whole original horizon (before ``start``,
``new`` is what was executed), and ``summary["replan"]["compare"]`` sets the
old plan's promised figures against the new ones over the whole original
horizon (executed months + re-plan).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator import lp as lp_module
from allocator import schema
from allocator.errors import InputError, Problem, SolveError
from allocator.instance import Instance
from allocator.load import BOM, load_instance, read_csv_text
from allocator.model import LinearProgram, build_model
from allocator.plan import Plan, read_plan
from allocator.results import make_plan
from allocator.solve import Progress, whole_cards
from allocator.validate import (
    Locations,
    _Collector,
    _parse_period,
    _parse_whole,
    text_frame,
    validate_frames,
)
from allocator.verify import verify

ACTUAL_FILES = ("shipments", "issuance", "supply")

# The columns read from actuals; other columns (the plan's demand, backlog, ...) are ignored.
ACTUAL_COLUMNS: dict[str, tuple[schema.Column, ...]] = {
    "shipments": (
        schema.Column("link", "id", required=True),
        schema.Column("period", "period", required=True),
        schema.Column("quantity", "whole", required=True),
        schema.Column("arrival", "period"),
        schema.Column("from", "text"),
        schema.Column("to", "text"),
    ),
    "issuance": (
        schema.Column("node", "id", required=True),
        schema.Column("period", "period", required=True),
        schema.Column("category", "id", required=True),
        schema.Column("issued", "whole", required=True),
    ),
    "supply": schema.SUPPLY,
}

COMPARED = ("demand", "issued", "unmet", "fill_rate", "card_months_waiting", "waiting", "cost")


@dataclass(repr=False)
class Replan(Plan):
    """A re-plan: a :class:`Plan` of the re-plan ``instance``, written with it as ``instance/``."""

    instance: Instance | None = None

    def write(
        self,
        folder: str | Path,
        *,
        force: bool = False,
        extra_files: dict[str, bytes] | None = None,
    ) -> Path:
        """Write the plan folder with the re-plan instance in ``instance/``, atomically."""
        files: dict[str, bytes] = {}
        if self.instance is not None:
            files = {f"instance/{name}": data for name, data in self.instance.files().items()}
        files.update(extra_files or {})
        return super().write(folder, force=force, extra_files=files)


@dataclass
class _Input:
    """One checked table of new facts, with the spreadsheet row of each of its rows."""

    label: str
    table: pd.DataFrame  # parsed columns + "t" (month number in the old horizon) + "_row"


@dataclass
class _Past:
    """What happened before ``start``, and the state it leaves."""

    shipments: pd.DataFrame  # link, period, t, arrive, quantity (executed, before start)
    stock: np.ndarray  # per node, end of the month before start
    transit: pd.DataFrame  # node, arrive, quantity: cards arriving from start on
    backlog: np.ndarray  # (node, category) waiting at the end of the month before start
    figures: dict[str, float]  # issued, card_months_waiting, waiting, cost before start


# -- reading new facts --------------------------------------------------------------------


def _read_csv(path: Path, label: str, out: _Collector) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A CSV file as text cells and spreadsheet rows (``None`` with a problem if unreadable)."""
    if not path.is_file():
        out.add(label, None, None, "file not found")
        return None
    data = path.read_bytes().removeprefix(BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        out.add(label, line, None, "is not UTF-8 text; save it as UTF-8 (in Excel: 'CSV UTF-8')")
        return None
    return read_csv_text(text, label, out.problems)


def _table_input(
    given: pd.DataFrame | str | Path | None, label: str, out: _Collector
) -> tuple[pd.DataFrame, np.ndarray, str] | None:
    """A DataFrame or CSV path as (frame, spreadsheet rows, label for problems)."""
    if given is None:
        return None
    if isinstance(given, pd.DataFrame):
        return given, np.arange(len(given)) + 2, label
    path = Path(given)
    read = _read_csv(path, str(path), out)
    return None if read is None else (read[0], read[1], str(path))


def _parse_actual(
    kind: str,
    frame: pd.DataFrame,
    rows: np.ndarray,
    label: str,
    instance: Instance,
    out: _Collector,
) -> pd.DataFrame | None:
    """Parse an actuals table by its declared columns (as validation does for instances)."""
    columns = ACTUAL_COLUMNS[kind]
    raw = text_frame(frame)
    declared = {c.name for c in columns}
    raw.columns = [c.lower() if c.lower() in declared else c for c in raw.columns]
    header = ", ".join(str(c) for c in frame.columns) or "(nothing)"
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    for name in missing:
        out.add(label, 1, name, f"missing column '{name}'; the header is: {header}")
    if missing:
        return None
    horizon = instance.months
    horizon_text = (
        f"{horizon[0]}..{horizon[-1]} (start {instance.start}, {instance.periods} periods)"
    )
    parsed: dict[str, pd.Series] = {}
    for column in columns:
        values = (
            raw[column.name].reset_index(drop=True)
            if column.name in raw.columns
            else pd.Series([""] * len(raw), dtype="str")
        )
        if column.kind == "whole":
            parsed[column.name] = _parse_whole(values, column, label, rows, out)
        elif column.kind == "period":
            parsed[column.name] = _parse_period(
                values, column, label, rows, out, horizon, horizon_text
            )
        else:
            if column.required:
                out.cells(
                    label,
                    rows,
                    column.name,
                    values == "",
                    pd.Series(["is empty; a value is required"] * len(values)),
                )
            parsed[column.name] = values
    table = pd.DataFrame(parsed)
    table["_row"] = rows
    return table


def _known(
    table: pd.DataFrame, column: str, known: pd.Index, label: str, what: str, out: _Collector
) -> None:
    values = table[column].astype(str)
    bad = (values != "") & ~values.isin(known)
    out.cells(label, table["_row"].to_numpy(), column, bad, "'" + values + f"' is not {what}")


def _repeats(table: pd.DataFrame, keys: list[str], label: str, out: _Collector) -> None:
    key = table[keys].astype(str)
    first = table.groupby(keys, sort=False)["_row"].transform("first")
    for i in np.flatnonzero(key.duplicated(keep="first").to_numpy()):
        described = ", ".join(f"{k} '{key.iloc[i][k]}'" for k in keys)
        out.add(
            label,
            int(table["_row"].iloc[i]),
            keys[0],
            f"{described} repeats row {int(first.iloc[i])}; give each once",
        )


def _check_actuals(
    actuals: str | Path | Mapping[str, pd.DataFrame] | None,
    instance: Instance,
    start: int,
    out: _Collector,
) -> dict[str, _Input]:
    """Read and check ``actuals`` (a folder or a mapping of DataFrames)."""
    if actuals is None:
        return {}
    given: dict[str, tuple[pd.DataFrame, np.ndarray, str]] = {}
    if isinstance(actuals, Mapping):
        for key, frame in actuals.items():
            if key not in ACTUAL_FILES:
                out.add(
                    "actuals",
                    None,
                    None,
                    f"unknown actuals table '{key}'; give shipments, issuance or supply",
                )
                continue
            if frame is not None:
                given[key] = (frame, np.arange(len(frame)) + 2, f"actuals {key}")
    else:
        folder = Path(actuals)
        if not folder.is_dir():
            out.add(str(folder), None, None, "actuals folder not found")
            return {}
        for kind in ACTUAL_FILES:
            path = folder / f"{kind}.csv"
            if path.is_file():
                read = _read_csv(path, str(path), out)
                if read is not None:
                    given[kind] = (read[0], read[1], str(path))
        if not any((folder / f"{kind}.csv").is_file() for kind in ACTUAL_FILES):
            out.add(
                str(folder),
                None,
                None,
                "holds none of shipments.csv, issuance.csv, supply.csv: nothing to take as actual",
            )
    first = instance.month_label(start)
    before = (
        f" is not before --from {first}: actuals record what happened before the re-planned "
        "months (give later supply with --supply, later capacity with --capacity)"
    )
    checked: dict[str, _Input] = {}
    links = pd.Index(instance.links["id"])
    nodes = pd.Index(instance.nodes["id"])
    for kind, (frame, rows, label) in given.items():
        table = _parse_actual(kind, frame, rows, label, instance, out)
        if table is None:
            continue
        t = pd.Series(np.zeros(len(table), dtype=np.int64))
        month = table["period"].isin(instance.months).to_numpy()
        if month.any():
            t[month] = instance.month_number(table.loc[month, "period"])
        table["t"] = t.to_numpy()
        late = month & (table["t"].to_numpy() >= start)
        out.cells(
            label,
            table["_row"].to_numpy(),
            "period",
            pd.Series(late),
            "'" + table["period"] + "'" + before,
        )
        if kind == "shipments":
            _known(table, "link", links, label, "a link in links.csv", out)
            _repeats(table, ["link", "period"], label, out)
            _check_shipment_rows(table, instance, label, out)
        elif kind == "issuance":
            _known(table, "node", nodes, label, "a node in nodes.csv", out)
            categories = ", ".join(instance.categories)
            _known(
                table,
                "category",
                pd.Index(list(instance.categories)),
                label,
                f"a category; the categories are: {categories}",
                out,
            )
            _repeats(table, ["node", "period", "category"], label, out)
        else:
            _known(table, "node", nodes, label, "a node in nodes.csv", out)
            _repeats(table, ["node", "period"], label, out)
        checked[kind] = _Input(label, table)
    return checked


def _check_shipment_rows(
    table: pd.DataFrame, instance: Instance, label: str, out: _Collector
) -> None:
    """from/to agree with the link; arrival (given or by lead time) inside the horizon."""
    links = instance.links.set_index("id")
    known = table["link"].isin(links.index).to_numpy()
    rows = table["_row"].to_numpy()
    link = table["link"].where(known, links.index[0] if len(links) else "")
    for column in ("from", "to"):
        expected = links.loc[link, column].to_numpy().astype(str)
        given = table[column].astype(str).to_numpy()
        wrong = known & (given != "") & (given != expected)
        out.cells(
            label,
            rows,
            column,
            pd.Series(wrong),
            pd.Series(
                [
                    f"'{g}' but link '{lk}' has {column} '{e}'"
                    for g, lk, e in zip(given, table["link"], expected, strict=True)
                ]
            ),
        )
    lead = links.loc[link, "lead_time"].to_numpy(np.int64)
    t = table["t"].to_numpy()
    dated = known & (t >= 1)
    arrival = table["arrival"].astype(str)
    given = arrival.isin(instance.months).to_numpy()
    arrive = np.where(given, 0, t + lead)
    if given.any():
        arrive[given] = instance.month_number(arrival[given])
    early = dated & given & (arrive < t)
    out.cells(
        label, rows, "arrival", pd.Series(early), "'" + arrival + "' is before the shipment leaves"
    )
    beyond = dated & (arrival.to_numpy() == "") & (arrive > instance.periods)
    out.cells(
        label,
        rows,
        "period",
        pd.Series(beyond),
        pd.Series(
            [
                f"with lead time {lt} the cards arrive after the horizon ends in "
                f"{instance.months[-1]}"
                for lt in lead
            ]
        ),
    )
    table["arrive"] = arrive


def _check_override(
    kind: str,
    given: pd.DataFrame | str | Path | None,
    instance: Instance,
    start: int,
    out: _Collector,
) -> _Input | None:
    """Check a ``--supply`` or ``--capacity`` table against the instance, as validation does."""
    read = _table_input(given, f"{kind} (re-plan)", out)
    if read is None:
        return None
    frame, rows, label = read
    _check_past_rows(kind, frame, rows, label, instance, start, out)
    filename = f"{kind}.csv"
    try:
        checked = validate_frames(
            settings={"name": instance.name, "start": instance.start, "periods": instance.periods},
            categories=instance.categories,
            frames={"nodes": instance.nodes, "links": instance.links, kind: frame},
            source=instance.source or "instance",
            locations=Locations(table_rows={kind: rows}),
        )
    except InputError as error:
        for p in error.problems:
            file = label if p.file == filename else p.file
            out.add(file, p.row, p.column, p.message)
        return None
    table = getattr(checked, kind).copy()
    table["t"] = instance.month_number(table["period"])
    table["_row"] = rows
    return _Input(label, table[table["t"] >= start].reset_index(drop=True))


def _check_past_rows(
    kind: str,
    frame: pd.DataFrame,
    rows: np.ndarray,
    label: str,
    instance: Instance,
    start: int,
    out: _Collector,
) -> None:
    """Rows dated before ``start`` may only repeat the instance's own rows, cell for cell."""
    raw = text_frame(frame)
    raw.columns = [c.lower() for c in raw.columns]
    columns = (
        ["node", "period", "quantity"] if kind == "supply" else schema.column_names(schema.CAPACITY)
    )
    if any(c not in raw.columns for c in columns):
        return  # validation reports the missing column
    past = raw["period"].isin(instance.months[: start - 1]).to_numpy()
    if not past.any():
        return
    given = raw[columns].apply(lambda c: c.str.lower() if c.name == "what" else c)
    own = text_frame(getattr(instance, kind)[columns])
    repeated = pd.MultiIndex.from_frame(given).isin(pd.MultiIndex.from_frame(own))
    what = "supply that arrived" if kind == "supply" else "capacity"
    out.cells(
        label,
        rows,
        "period",
        pd.Series(past & ~repeated),
        "'"
        + raw["period"]
        + f"' is before --from {instance.month_label(start)}: {what} before then cannot "
        "change here (this file may only repeat the instance's rows for those months; "
        "record what really arrived in actuals/supply.csv)",
    )


# -- the past -------------------------------------------------------------------------------


def _override(old: pd.DataFrame, new: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    """``old`` rows without a key in ``new``, followed by ``new`` (marked with their row)."""
    old = old.assign(_row=-1)
    if new is None or new.empty:
        return old
    hit = pd.MultiIndex.from_frame(old[keys].astype(str)).isin(
        pd.MultiIndex.from_frame(new[keys].astype(str))
    )
    return pd.concat([old[~hit], new[[*keys, *[c for c in old.columns if c not in keys]]]])


def _executed(
    instance: Instance, plan: Plan, start: int, actual: dict[str, _Input], out: _Collector
) -> _Past:
    """What happened before ``start`` and the state it leaves; impossible actuals to ``out``."""
    m = start - 1
    nodes = pd.Index(instance.nodes["id"])
    categories = pd.Index(list(instance.categories))
    N, K = len(nodes), len(categories)
    links = instance.links.set_index("id")

    old = plan.shipments[["link", "period", "quantity"]].copy()
    old["t"] = instance.month_number(old["period"].astype(str))
    old = old[old["t"] < start]
    old["arrive"] = old["t"].to_numpy() + links.loc[old["link"], "lead_time"].to_numpy(np.int64)
    new = actual.get("shipments")
    shipments = _override(
        old[["link", "period", "t", "arrive", "quantity"]],
        None if new is None else new.table.astype({"quantity": np.int64}),
        ["link", "t"],
    )
    shipments["quantity"] = shipments["quantity"].astype(np.int64)
    frm = nodes.get_indexer(links.loc[shipments["link"], "from"])
    to = nodes.get_indexer(links.loc[shipments["link"], "to"])
    t = shipments["t"].to_numpy(np.int64)
    arrive = shipments["arrive"].to_numpy(np.int64)
    q = shipments["quantity"].to_numpy(np.int64)

    issued_old = plan.issuance[["node", "category", "period", "issued"]].copy()
    issued_old["t"] = instance.month_number(issued_old["period"].astype(str))
    issued_old = issued_old[issued_old["t"] < start]
    new = actual.get("issuance")
    issuance = _override(
        issued_old[["node", "category", "t", "issued"]],
        None if new is None else new.table.astype({"issued": np.int64}),
        ["node", "category", "t"],
    )
    supply_old = instance.supply[["node", "period", "quantity"]].copy()
    supply_old["t"] = instance.month_number(supply_old["period"])
    supply_old = supply_old[supply_old["t"] < start]
    new = actual.get("supply")
    supply = _override(
        supply_old[["node", "t", "quantity"]],
        None if new is None else new.table.astype({"quantity": np.int64}),
        ["node", "t"],
    )

    # Dense (node, month) and (node, category, month) arrays over months 1..m.
    flows = np.zeros((4, N, m), dtype=np.int64)  # supply, arrivals, departures, issued
    np.add.at(
        flows[0],
        (nodes.get_indexer(supply["node"]), supply["t"].to_numpy(np.int64) - 1),
        supply["quantity"].to_numpy(np.int64),
    )
    landed = arrive < start
    np.add.at(flows[1], (to[landed], arrive[landed] - 1), q[landed])
    np.add.at(flows[2], (frm, t - 1), q)
    S = np.zeros((N, K, m), dtype=np.int64)
    np.add.at(
        S,
        (
            nodes.get_indexer(issuance["node"]),
            categories.get_indexer(issuance["category"]),
            issuance["t"].to_numpy(np.int64) - 1,
        ),
        issuance["issued"].to_numpy(np.int64),
    )
    flows[3] = S.sum(axis=1)
    stock0 = instance.nodes["stock"].to_numpy(np.int64)
    held = stock0[:, None] + np.cumsum(flows[0] + flows[1] - flows[2] - flows[3], axis=1)

    D = np.zeros((N, K, instance.periods), dtype=np.int64)
    dem = instance.demand
    np.add.at(
        D,
        (
            nodes.get_indexer(dem["node"]),
            categories.get_indexer(dem["category"]),
            instance.month_number(dem["period"]) - 1,
        ),
        dem["quantity"].to_numpy(np.int64),
    )
    B = np.cumsum(D[:, :, :m] - S, axis=2)

    _impossible_stock(instance, held, flows, shipments, issuance, supply, actual, out)
    _impossible_issue(instance, B, issuance, actual, out)

    w = np.array([instance.categories[k] for k in categories], dtype=float)
    hold = instance.nodes["holding_cost"].to_numpy(float)
    cost = links.loc[shipments["link"], "cost"].to_numpy(float)
    figures = {
        "issued": int(S.sum()),
        "card_months_waiting": int(B.sum()),
        "waiting": float((w[None, :, None] * B).sum()),
        "cost": float(cost @ q + (hold[:, None] * held).sum()),
    }
    moving = ~landed
    transit = pd.DataFrame(
        {
            "node": links.loc[shipments["link"], "to"].to_numpy()[moving],
            "arrive": arrive[moving],
            "quantity": q[moving],
        }
    )
    shipments = shipments.assign(period=instance.month_label(t) if len(t) else [])
    return _Past(
        shipments=shipments[["link", "period", "t", "arrive", "quantity"]],
        stock=held[:, -1] if m else stock0.copy(),
        transit=transit,
        backlog=B[:, :, -1] if m else np.zeros((N, K), dtype=np.int64),
        figures=figures,
    )


def _blame(
    actual: dict[str, _Input], candidates: list[tuple[str, pd.Series, str]]
) -> tuple[str, int | None, str | None]:
    """The first actuals row among ``candidates`` (kind, mask over its table, column)."""
    for kind, mask, column in candidates:
        given = actual.get(kind)
        if given is None or not bool(mask.any()):
            continue
        row = int(given.table.loc[mask.to_numpy(dtype=bool), "_row"].iloc[0])
        return given.label, row, column
    return "actuals", None, None


def _impossible_stock(
    instance: Instance,
    held: np.ndarray,
    flows: np.ndarray,
    shipments: pd.DataFrame,
    issuance: pd.DataFrame,
    supply: pd.DataFrame,
    actual: dict[str, _Input],
    out: _Collector,
) -> None:
    """Report each node whose executed stock goes negative, at the actuals row that did it."""
    nodes = instance.nodes["id"].to_numpy()
    links = instance.links.set_index("id")
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("link", "node", "t")})
    ships = actual["shipments"].table if "shipments" in actual else empty
    ships = ships.assign(
        **{"from": ships["link"].map(links["from"]), "to": ships["link"].map(links["to"])}
    )
    issues = actual["issuance"].table if "issuance" in actual else empty
    arrived = actual["supply"].table if "supply" in actual else empty
    for n in np.flatnonzero((held < 0).any(axis=1)):
        t = int(np.flatnonzero(held[n] < 0)[0]) + 1
        node = str(nodes[n])
        month = instance.month_label(t)
        before = held[n, t - 2] if t > 1 else int(instance.nodes["stock"].iloc[n])
        sent = ships["from"] == node
        touched = sent | (ships["to"] == node)
        issued = issues["node"] == node
        candidates = [
            ("shipments", sent & (ships["t"] == t), "quantity"),
            ("issuance", issued & (issues["t"] == t), "issued"),
            ("shipments", touched & (ships["t"] <= t), "quantity"),
            ("supply", (arrived["node"] == node) & (arrived["t"] <= t), "quantity"),
            ("issuance", issued & (issues["t"] <= t), "issued"),
        ]
        file, row, column = _blame(actual, candidates)
        out.add(
            file,
            row,
            column,
            f"node {node} would hold {int(held[n, t - 1])} cards at the end of {month}: "
            f"{int(flows[2, n, t - 1])} leave and {int(flows[3, n, t - 1])} are issued there, "
            f"but it has only {int(before + flows[0, n, t - 1] + flows[1, n, t - 1])} "
            f"({int(before)} on hand, {int(flows[0, n, t - 1])} supply, "
            f"{int(flows[1, n, t - 1])} arriving)",
        )


def _impossible_issue(
    instance: Instance,
    B: np.ndarray,
    issuance: pd.DataFrame,
    actual: dict[str, _Input],
    out: _Collector,
) -> None:
    """Report each (node, category) issued more cards than its demand so far."""
    nodes = instance.nodes["id"].to_numpy()
    categories = list(instance.categories)
    for n, k in zip(*np.nonzero((B < 0).any(axis=2)), strict=True):
        t = int(np.flatnonzero(B[n, k] < 0)[0]) + 1
        node, category = str(nodes[n]), categories[k]
        candidates: list[tuple[str, pd.Series, str]] = []
        if "issuance" in actual:
            a = actual["issuance"].table
            hit = (a["node"] == node) & (a["category"] == category)
            candidates = [
                ("issuance", hit & (a["t"] == t), "issued"),
                ("issuance", hit & (a["t"] <= t), "issued"),
            ]
        file, row, column = _blame(actual, candidates)
        out.add(
            file,
            row,
            column,
            f"node {node} has issued {-int(B[n, k, t - 1])} more {category} cards by the end of "
            f"{instance.month_label(t)} than demand had arisen",
        )


# -- the re-plan instance ----------------------------------------------------------------------


def _replan_instance(
    instance: Instance,
    past: _Past,
    start: int,
    supply: _Input | None,
    capacity: _Input | None,
) -> Instance:
    """The ordinary instance of the months from ``start``, with the state ``past`` leaves."""
    first = instance.month_label(start)
    nodes = instance.nodes.copy()
    nodes["stock"] = past.stock

    future = instance.supply[instance.month_number(instance.supply["period"]) >= start]
    if supply is not None:
        future = supply.table
    transit = pd.DataFrame(
        {
            "node": past.transit["node"],
            "period": instance.month_label(past.transit["arrive"].to_numpy())
            if len(past.transit)
            else [],
            "quantity": past.transit["quantity"],
        }
    )
    supply_rows = (
        pd.concat([future[["node", "period", "quantity"]], transit], ignore_index=True)
        .groupby(["node", "period"], as_index=False, sort=True)["quantity"]
        .sum()
    )

    demand = instance.demand[["node", "period", "category", "quantity"]]
    t = instance.month_number(demand["period"])
    later = demand[t > start]
    now = demand[t == start].groupby(["node", "category"])["quantity"].sum()
    categories = list(instance.categories)
    waiting = pd.DataFrame(past.backlog, index=instance.nodes["id"], columns=categories).stack()
    waiting = waiting[waiting > 0]
    waiting.index.names = ["node", "category"]
    first_month = now.add(waiting, fill_value=0).astype(np.int64)
    first_month = first_month[first_month > 0].reset_index()
    first_month.columns = ["node", "category", "quantity"]
    first_month["period"] = first
    demand_rows = pd.concat(
        [first_month[["node", "period", "category", "quantity"]], later], ignore_index=True
    )

    keys = ["what", "id", "period"]
    cap = instance.capacity[instance.month_number(instance.capacity["period"]) >= start][
        [*keys, "capacity"]
    ]
    if capacity is not None:
        new = capacity.table[[*keys, "capacity"]]
        replaced = pd.MultiIndex.from_frame(cap[keys]).isin(pd.MultiIndex.from_frame(new[keys]))
        cap = pd.concat([cap[~replaced], new], ignore_index=True)

    return Instance.from_frames(
        name=f"{instance.name}-from-{first}",
        description=(
            f"Re-plan of {instance.name} from {first}: stock, cards in transit and backlog "
            "as left by the months before"
        ),
        start=first,
        periods=instance.periods - start + 1,
        categories=instance.categories,
        nodes=nodes,
        links=instance.links,
        supply=supply_rows,
        demand=demand_rows,
        capacity=cap,
    )


# -- solving ------------------------------------------------------------------------------------


def _run(
    lp: LinearProgram,
    solver: str,
    deadline: float | None,
    time_limit: float | None,
    method: str,
) -> lp_module.LexResult:
    """Solve ``lp`` lexicographically with the remaining time."""
    remaining = None if deadline is None else max(deadline - time.perf_counter(), 0.0)
    model = lp_module.to_pulp(lp, name="replan")
    if solver == "highs":
        return lp_module.solve_highs(lp, model, time_limit=remaining, method=method)
    return lp_module.solve_cbc(lp, model, time_limit=remaining)


def _freeze(
    new: Instance,
    old: pd.DataFrame,
    months: int,
    solver: str,
    deadline: float | None,
    time_limit: float | None,
    method: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The old shipments of the first ``months`` months to hold, and those dropped (with why)."""
    t = new.month_number(old["period"].astype(str))
    frozen = old[(t >= 1) & (t <= months)][["link", "from", "period", "quantity"]]
    frozen = frozen.reset_index(drop=True).astype({"quantity": np.int64})
    if frozen.empty:
        return frozen, frozen.assign(reason=pd.Series([], dtype=str))
    lp = build_model(new)
    x = lp.variables["x"]
    keys = pd.MultiIndex.from_arrays([x["link"], x["t"]])
    pos = keys.get_indexer(
        pd.MultiIndex.from_arrays([frozen["link"], new.month_number(frozen["period"])])
    )
    q = frozen["quantity"].to_numpy(float)
    col = np.where(pos >= 0, x["col"].to_numpy()[np.maximum(pos, 0)], -1)
    cap = np.where(pos >= 0, lp.col_upper[np.maximum(col, 0)], 0.0)
    reason = np.full(len(frozen), "", dtype=object)
    reason[pos < 0] = "no card can reach the link's origin any more"
    low = (pos >= 0) & (cap < q)
    reason[low] = [f"the link's capacity then is now {c:g}" for c in cap[low]]
    open_ = reason == ""
    if open_.any():
        # A max-flow on the re-plan network: the most frozen cards that can all move.
        upper = lp.col_upper.copy()
        upper[col[open_]] = q[open_]
        c = np.zeros(lp.n_cols)
        c[col[open_]] = -1.0
        probe = dataclasses.replace(
            lp, col_upper=upper, c_wait=c, c_cost=c.copy(), wait_constant=0.0
        )
        values = np.rint(_run(probe, solver, deadline, time_limit, method).values)
        moved = values[col[open_]]
        short = moved < q[open_]
        idx = np.flatnonzero(open_)[short]
        reason[idx] = [
            f"{frm} cannot have the cards then: while keeping the most frozen cards, "
            f"only {int(v)} of these {int(n)} can leave"
            for frm, v, n in zip(frozen["from"].to_numpy()[idx], moved[short], q[idx], strict=True)
        ]
    dropped = frozen.assign(reason=reason)[reason != ""].reset_index(drop=True)
    return frozen[reason == ""].reset_index(drop=True), dropped


def _changes(old: pd.DataFrame, executed: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
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


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were read), then by row."""
    files = {p.file: i for i, p in reversed(list(enumerate(problems)))}
    return sorted(problems, key=lambda p: (files[p.file], p.row or 0))


def _figures(totals: dict[str, Any], objective: dict[str, Any]) -> dict[str, float]:
    out = {k: totals[k] for k in ("demand", "issued", "unmet", "fill_rate", "card_months_waiting")}
    out.update(waiting=float(objective["waiting"]), cost=float(objective["cost"]))
    return out


def replan(
    instance: Instance | str | Path,
    plan: Plan | str | Path,
    *,
    start: str,
    actuals: str | Path | Mapping[str, pd.DataFrame] | None = None,
    supply: str | Path | pd.DataFrame | None = None,
    capacity: str | Path | pd.DataFrame | None = None,
    freeze: int = 0,
    stability: float = 0.0,
    solver: str = "highs",
    time_limit: float | None = None,
    method: str = lp_module.DEFAULT_METHOD,
    progress: Progress | None = None,
) -> Replan:
    """Re-plan the months from ``start`` after what really happened (see the module docstring).

    Parameters
    ----------
    instance, plan
        The instance (or its path) and the plan made for it (or its folder).
    start
        First month to re-plan, ``YYYY-MM`` inside the horizon; the first
        month re-plans everything.
    actuals
        Folder with ``shipments.csv``, ``issuance.csv``, ``supply.csv`` (any of
        them), or a mapping of those names to DataFrames: what really left,
        was issued and arrived before ``start``.
    supply
        CSV path or DataFrame (``node, period, quantity``) replacing the supply
        from ``start`` on.
    capacity
        CSV path or DataFrame (``what, id, period, capacity``) of capacity
        overrides added from ``start`` on.
    freeze
        Months from ``start`` whose old shipments are kept where possible.
    stability
        Penalty per card moved away from the old plan's shipments (cost stage).
    solver, time_limit, method
        As for :func:`allocator.solve`.

    Raises
    ------
    InputError
        Every problem in the new facts, with file, row and column.
    SolveError
        As for :func:`allocator.solve`.
    """
    if solver not in lp_module.SOLVERS:
        raise SolveError(f"unknown solver '{solver}'; choose one of {', '.join(lp_module.SOLVERS)}")
    began = time.perf_counter()
    deadline = None if time_limit is None else began + time_limit
    say = progress or (lambda _message: None)
    say("loading the instance and the old plan")
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    plan_label = "plan"
    if not isinstance(plan, Plan):
        plan_label = str(plan)
        plan = read_plan(plan)
    out = _Collector()
    if not (isinstance(start, str) and start in instance.months):
        months = instance.months
        raise InputError(
            [
                Problem(
                    "--from",
                    None,
                    None,
                    f"'{start}' is not a month of the horizon {months[0]}..{months[-1]}; "
                    "give the first month to re-plan as YYYY-MM",
                )
            ]
        )
    if not (isinstance(freeze, int | np.integer) and freeze >= 0):
        out.add("--freeze", None, None, f"'{freeze}' is not a whole number of months >= 0")
    if not (np.isfinite(stability) and stability >= 0):
        out.add("--stability", None, None, f"'{stability}' is not a number >= 0")
    wrong = verify(instance, plan)
    for sentence in wrong:
        out.add(plan_label, None, None, f"the old plan does not fit the instance: {sentence}")
    if out.problems:
        raise InputError(_ordered(out.problems))
    s = int(instance.month_number([start])[0])
    actual = _check_actuals(actuals, instance, s, out)
    new_supply = _check_override("supply", supply, instance, s, out)
    new_capacity = _check_override("capacity", capacity, instance, s, out)
    if out.problems:
        raise InputError(_ordered(out.problems))
    say("deriving the state")
    past = _executed(instance, plan, s, actual, out)
    if out.problems:
        raise InputError(_ordered(out.problems))
    new = _replan_instance(instance, past, s, new_supply, new_capacity)
    seconds = {"load": round(time.perf_counter() - began, 3)}

    began = time.perf_counter()
    old = plan.shipments.copy()
    kept, dropped = _freeze(new, old, int(freeze), solver, deadline, time_limit, method)
    say("building the model")
    lp = build_model(
        new,
        reference=old[["link", "period", "quantity"]] if stability > 0 else None,
        stability=float(stability),
        fixed=kept[["link", "period", "quantity"]] if freeze else None,
    )
    seconds["build"] = round(time.perf_counter() - began, 3)
    say(f"solving with {solver}")
    began = time.perf_counter()
    result = _run(lp, solver, deadline, time_limit, method)
    seconds["solve"] = round(time.perf_counter() - began, 3)
    seconds["write"] = 0.0
    cards = whole_cards(lp, result.values)
    info = dict(result.solver)
    info["stages"] = [
        {"objective": name, "status": r.status, "seconds": round(r.seconds, 3)}
        for name, r in zip(("waiting", "cost"), result.stages, strict=True)
    ]
    made = make_plan(new, lp, cards, info, seconds)
    if abs(made.summary["objective"]["waiting"] - result.waiting) > 1e-6 * max(
        1.0, abs(result.waiting)
    ):
        raise SolveError("stage 2 changed the waiting found in stage 1; please report it")

    changes = _changes(old, past.shipments, made.shipments)
    replanned = changes[new.month_number(changes["period"]) >= 1]
    moved = int(replanned["difference"].abs().sum())
    old_figures = _figures(plan.summary["totals"], plan.summary["objective"])
    exe = past.figures
    now = _figures(made.summary["totals"], made.summary["objective"])
    new_figures: dict[str, float] = {
        "demand": exe["issued"] + now["demand"],
        "issued": exe["issued"] + now["issued"],
        "unmet": now["unmet"],
        "card_months_waiting": exe["card_months_waiting"] + now["card_months_waiting"],
        "waiting": exe["waiting"] + now["waiting"],
        "cost": round(exe["cost"] + now["cost"], 6),
    }
    demand = new_figures["demand"]
    new_figures["fill_rate"] = round(new_figures["issued"] / demand, 6) if demand else 1.0
    made.summary["replan"] = {
        "from": start,
        "old_plan": {
            "folder": None if plan_label == "plan" else plan_label,
            **plan.summary.get("instance", {}),
        },
        "executed": {"months": instance.months[: s - 1], **exe},
        "state": {
            "stock": int(past.stock.sum()),
            "in_transit": int(past.transit["quantity"].sum()),
            "backlog": int(past.backlog.sum()),
        },
        "actuals": {kind: len(given.table) for kind, given in actual.items()},
        "freeze": {
            "months": int(freeze),
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
        "stability": {"weight": float(stability), "penalty": float(stability) * moved},
        "changes": {
            "link_months_changed": int((replanned["difference"] != 0).sum()),
            "cards_moved": moved,
        },
        "compare": {
            "old": {k: old_figures[k] for k in COMPARED},
            "new": {k: new_figures[k] for k in COMPARED},
            "difference": {k: round(new_figures[k] - old_figures[k], 6) for k in COMPARED},
        },
    }
    return Replan(
        shipments=made.shipments,
        issuance=made.issuance,
        stock=made.stock,
        nodes=made.nodes,
        summary=made.summary,
        extra={"changes": changes},
        instance=new,
    )
