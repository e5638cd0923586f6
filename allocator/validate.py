"""The one boundary check between what a user wrote and an :class:`Instance`.

:func:`validate_frames` is used by :func:`allocator.load_instance` (files) and by
:meth:`Instance.from_frames` (DataFrames from Python). It is driven by the
column declarations of :mod:`allocator.schema`; nothing downstream checks
types again.

It checks each table against the schema (its columns, each cell parsed by the
column's declared kind with :mod:`allocator.cells`) and the tables against each
other and the settings: unknown nodes, links and categories, repeated keys,
links to themselves. Every problem is collected, and one :class:`InputError`
lists them all.

Where problems are reported (``Problem.file``, ``row``, ``column``):

- folder: ``instance.toml`` (row = line of the key, column = the key; a
  category's column is its name), ``nodes.csv``, ``links.csv``, ...;
- workbook ``book.xlsx``: ``book.xlsx[instance]``, ``book.xlsx[categories]``
  (column ``value`` / ``weight``), ``book.xlsx[nodes]``, ...;
- DataFrames from Python: ``instance``, ``categories``, ``nodes``, ``links``,
  ``supply``, ``demand``, ``capacity`` (row = position + 2, as the frame would
  appear in a spreadsheet written with ``to_csv(index=False)``).

Rows count like a spreadsheet: the header is row 1, the first data row row 2;
problems with a column (missing column) are on row 1; problems with a whole
file have no row and no column.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from allocator import schema
from allocator.cells import (
    MONTH,
    NUMBER,
    TEXT,
    Collector,
    cell_text,
    parse_period,
    parse_real,
    parse_whole,
    quote,
    text_frame,
)
from allocator.errors import InputError, Problem
from allocator.instance import Instance, month_labels

SETTINGS = ("name", "description", "start", "periods")
TABLE_FILES = {table: filename for filename, table in schema.TABLES.items()}


@dataclass
class Locations:
    """Where the loader found things, so problems point at the right place.

    ``setting_rows`` / ``category_rows`` give the line (TOML) or sheet row
    (workbook) of each key; ``table_rows`` the spreadsheet row of each frame
    row (blank rows dropped by the loader keep their numbers counted);
    ``reported`` names tables (and ``"instance"``, ``"categories"``) whose absence or
    unreadability the loader has already reported.
    """

    setting_rows: dict[str, int] = field(default_factory=dict)
    category_rows: dict[str, int] = field(default_factory=dict)
    table_rows: dict[str, np.ndarray] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)


def file_labels(source: str | None) -> dict[str, str]:
    """The name each table (and ``instance``, ``categories``) has in problems for ``source``."""
    names = ["instance", "categories", *schema.TABLES.values()]
    if source is None:
        return {name: name for name in names}
    path = Path(source)
    if path.suffix.lower() == ".xlsx":
        return {name: f"{path.name}[{name}]" for name in names}
    labels = {"instance": "instance.toml", "categories": "instance.toml"}
    labels.update(TABLE_FILES)
    return labels


@dataclass
class _Table:
    """A table being validated: its parsed columns and where its rows came from."""

    name: str
    file: str
    rows: np.ndarray
    data: dict[str, pd.Series]
    raw: pd.DataFrame
    extras: list[str]

    def frame(self, columns: tuple[schema.Column, ...]) -> pd.DataFrame:
        out = pd.DataFrame({c.name: self.data[c.name] for c in columns})
        for extra in self.extras:
            out[extra] = self.raw[extra].astype(TEXT)
        return out.reset_index(drop=True)


def _read_table(
    name: str,
    frame: pd.DataFrame,
    file: str,
    rows: np.ndarray | None,
    out: Collector,
    horizon: list[str] | None,
    horizon_text: str,
) -> _Table:
    """Check a table's columns and parse each cell by its declared kind."""
    columns = schema.FILES[TABLE_FILES[name]][0]
    declared = {c.name for c in columns}
    raw = text_frame(frame)
    # Headers match declared names whatever their case; a repeated header is an error.
    renamed: list[str] = []
    for header in raw.columns:
        lowered = header.lower()
        key = lowered if lowered in declared else header
        if key in renamed:
            out.add(file, 1, header, f"column '{header}' appears twice; keep one of them")
            key = f"{key} ({len(renamed) + 1})"
        renamed.append(key)
    raw.columns = renamed
    if rows is None:
        rows = np.arange(len(raw)) + 2
    header = ", ".join(str(c) for c in frame.columns) or "(nothing)"
    for column in columns:
        if column.required and column.name not in raw.columns:
            out.add(
                file, 1, column.name, f"missing column '{column.name}'; the header is: {header}"
            )
    extras = [c for c in raw.columns if c not in declared]
    data: dict[str, pd.Series] = {}
    n = len(raw)
    for column in columns:
        present = column.name in raw.columns
        values = raw[column.name] if present else pd.Series([""] * n, dtype=TEXT)
        values = values.reset_index(drop=True)
        if not present and column.required:
            # Already reported as a missing column; keep the table's shape.
            data[column.name] = values
            continue
        if column.kind == "whole":
            data[column.name] = parse_whole(values, column, file, rows, out)
        elif column.kind == "number":
            data[column.name] = parse_real(
                values, column, file, rows, out, low=0.0, high=None, what=f"'{column.name}'"
            )
        elif column.kind == "coord":
            limit = 90.0 if column.name == "lat" else 180.0
            what = "latitude" if column.name == "lat" else "longitude"
            data[column.name] = parse_real(
                values, column, file, rows, out, low=-limit, high=limit, what=what
            )
        elif column.kind == "period":
            data[column.name] = parse_period(values, column, file, rows, out, horizon, horizon_text)
        else:
            if column.required:
                out.cells(
                    file,
                    rows,
                    column.name,
                    values == "",
                    pd.Series(["is empty; a value is required"] * n),
                )
            if column.default is not None:
                values = values.where(values != "", str(column.default))
            data[column.name] = values.astype(TEXT)
    return _Table(name, file, rows, data, raw.reset_index(drop=True), extras)


def _repeats(
    table: _Table, keys: list[str], out: Collector, describe: pd.Series, rule: str
) -> None:
    """Report every row whose key (all parts non-blank) appeared on an earlier row."""
    key_frame = pd.DataFrame({k: table.data[k].astype(str) for k in keys})
    filled = (key_frame != "").all(axis=1) & (key_frame != "<NA>").all(axis=1)
    key_frame["_row"] = table.rows
    key_frame = key_frame[filled.to_numpy()]
    if key_frame.empty:
        return
    first = key_frame.groupby(keys, sort=False)["_row"].transform("first")
    repeated = key_frame.duplicated(keys, keep="first")
    for position in np.flatnonzero(repeated.to_numpy()):
        label = key_frame.index[position]
        out.add(
            table.file,
            int(key_frame["_row"].iloc[position]),
            keys[0],
            f"{describe.iloc[label]} repeats row {int(first.iloc[position])}; {rule}",
        )


def _unknown(
    table: _Table, column: str, known: set[str], mask: pd.Series, out: Collector, message: str
) -> None:
    """Report cells of ``column`` (where ``mask``) whose value is not in ``known``."""
    values = table.data[column].astype(str)
    bad = mask & (values != "") & ~values.isin(known)
    out.cells(table.file, table.rows, column, bad, quote(values) + message)


# -- settings --------------------------------------------------------------------------------


def _check_settings(
    settings: Mapping[str, object],
    categories: Mapping[str, object],
    source: str | None,
    labels: dict[str, str],
    where: Locations,
    out: Collector,
) -> tuple[str, str | None, int | None, str, dict[str, float], set[str]]:
    """Name, start, periods, description and category weights; problems to ``out``."""
    file = labels["instance"]
    xlsx = file.endswith("[instance]")

    def at(key: str) -> tuple[str, int | None, str]:
        return file, where.setting_rows.get(key), ("value" if xlsx else key)

    for key in settings:
        if key not in SETTINGS:
            out.add(
                *at(key),
                f"unknown setting '{key}'; the settings are name, description, start, periods",
            )
    raw_name = cell_text(settings.get("name"))
    name = raw_name or (Path(source).stem if source else "")
    if not name:
        out.add(*at("name"), "the setting 'name' is empty; give the instance a name")
    description = cell_text(settings.get("description"))

    start: str | None = None
    raw_start = settings.get("start")
    if cell_text(raw_start) == "":
        out.add(*at("start"), "the setting 'start' is missing; give the first month as YYYY-MM")
    else:
        text = cell_text(raw_start)
        if (
            isinstance(raw_start, str | dt.date | pd.Period)
            and pd.Series([text]).str.fullmatch(MONTH).iloc[0]
        ):
            start = text
        else:
            out.add(
                *at("start"),
                f"start '{text}' is not a month written YYYY-MM (for example 2017-03)",
            )

    periods: int | None = None
    raw_periods = settings.get("periods")
    text = cell_text(raw_periods)
    if text == "":
        out.add(
            *at("periods"),
            "the setting 'periods' is missing; give the number of months in the horizon",
        )
    elif isinstance(raw_periods, bool) or not text.isdigit() or int(text) < 1:
        out.add(*at("periods"), f"periods '{text}' is not a whole number of months >= 1")
    else:
        periods = int(text)

    weights: dict[str, float] = {}
    cat_file = labels["categories"]
    cat_xlsx = cat_file.endswith("[categories]")
    if not categories and "categories" not in where.reported:
        out.add(
            cat_file,
            None,
            None,
            "there are no categories; give at least one category with a weight > 0",
        )
    for key, raw in categories.items():
        category = cell_text(key)
        row = where.category_rows.get(str(key))
        column = "weight" if cat_xlsx else category
        if category == "":
            out.add(cat_file, row, "category" if cat_xlsx else None, "a category has no name")
            continue
        text = cell_text(raw)
        weight = math.nan
        if not isinstance(raw, bool) and pd.Series([text]).str.fullmatch(rf"-?{NUMBER}").iloc[0]:
            weight = float(text)
        if math.isnan(weight) or math.isinf(weight):
            out.add(
                cat_file,
                row,
                column,
                f"weight '{text}' of category '{category}' is not a number; "
                "a weight is a number > 0",
            )
        elif weight <= 0:
            out.add(
                cat_file,
                row,
                column,
                f"weight {text} of category '{category}' is not positive; a weight is a number > 0",
            )
        else:
            weights[category] = weight
    names = {cell_text(key) for key in categories} - {""}
    return name, start, periods, description, weights, names


# -- the boundary check ----------------------------------------------------------------------


def validate_frames(
    settings: dict,
    categories: dict,
    frames: dict[str, pd.DataFrame | None],
    source: str | None,
    *,
    locations: Locations | None = None,
) -> Instance:
    """Check settings, categories and tables; return the Instance or raise one InputError.

    Parameters
    ----------
    settings
        ``name`` (default: the stem of ``source``), ``start`` (``YYYY-MM``),
        ``periods`` (whole >= 1), ``description`` (optional).
    categories
        Category -> waiting weight (> 0); at least one.
    frames
        Table name (``nodes``, ``links``, ``supply``, ``demand``, ``capacity``)
        -> DataFrame with text or numeric columns. ``None`` means no rows for
        supply, demand and capacity; nodes and links are required.
    source
        The folder or workbook read (``None`` for frames from Python); sets
        ``Instance.source`` and the file names in problems.
    locations
        Rows of keys and table rows as the loader found them.
    """
    where = locations or Locations()
    labels = file_labels(source)
    out = Collector()
    have_settings = "instance" not in where.reported
    if have_settings:
        name, start, periods, description, weights, names = _check_settings(
            settings, categories, source, labels, where, out
        )
    else:
        name, start, periods, description, weights, names = "", None, None, "", {}, set()
    horizon = month_labels(start, periods) if start and periods else None
    horizon_text = (
        f"{horizon[0]}..{horizon[-1]} (start {start}, {periods} periods)" if horizon else ""
    )

    tables: dict[str, _Table] = {}
    for filename, (columns, _) in schema.FILES.items():
        table = schema.TABLES[filename]
        file = labels[table]
        frame = frames.get(table)
        if frame is None:
            if table in where.reported:
                continue
            if table in ("nodes", "links"):
                out.add(file, None, None, f"{file} is missing; an instance needs it")
                continue
            frame = pd.DataFrame({c.name: pd.Series([], dtype=TEXT) for c in columns})
        tables[table] = _read_table(
            table, frame, file, where.table_rows.get(table), out, horizon, horizon_text
        )

    known_categories = names if have_settings and "categories" not in where.reported else None
    _cross_check(tables, labels, known_categories, out)

    if out.problems:
        raise InputError(order_problems(out.problems, source))

    if start is None or periods is None:
        # Only when the loader has already reported why the settings are unreadable.
        raise InputError([])
    built = {}
    for filename, (columns, _) in schema.FILES.items():
        table = schema.TABLES[filename]
        if table not in tables:  # absent, and already reported by the loader
            empty = pd.DataFrame({c.name: pd.Series([], dtype=TEXT) for c in columns})
            tables[table] = _read_table(table, empty, labels[table], None, out, None, "")
        built[table] = tables[table].frame(columns)
    for table, frame in built.items():
        columns = schema.FILES[TABLE_FILES[table]][0]
        for column in columns:
            if column.kind == "whole" and (column.default is not None or column.required):
                built[table][column.name] = frame[column.name].astype(np.int64)
    return Instance(
        name=name,
        start=start,
        periods=periods,
        categories=weights,
        nodes=built["nodes"],
        links=built["links"],
        supply=built["supply"],
        demand=built["demand"],
        capacity=built["capacity"],
        description=description,
        source=source,
    )


def _cross_check(
    tables: dict[str, _Table],
    labels: dict[str, str],
    categories: set[str] | None,
    out: Collector,
) -> None:
    """Keys, references between tables and the rules that span columns."""
    nodes = tables.get("nodes")
    node_ids: set[str] | None = None
    if nodes is not None:
        if len(nodes.raw) == 0:
            out.add(nodes.file, None, None, "there are no nodes; give at least one node")
        ids = nodes.data["id"]
        nodes.data["name"] = nodes.data["name"].where(nodes.data["name"] != "", ids)
        kinds = nodes.data["kind"].str.lower()
        nodes.data["kind"] = kinds.astype(TEXT)
        out.cells(
            nodes.file,
            nodes.rows,
            "kind",
            ~kinds.isin(schema.NODE_KINDS),
            quote(kinds)
            + " is not a node kind; use "
            + ", ".join(schema.NODE_KINDS[:-1])
            + " or "
            + schema.NODE_KINDS[-1],
        )
        _repeats(nodes, ["id"], out, "node id " + quote(ids), "node ids must be unique")
        node_ids = set(ids[ids != ""])
    nodes_file = labels["nodes"]
    not_a_node = f" is not a node in {nodes_file}"

    links = tables.get("links")
    link_ids: set[str] | None = None
    if links is not None:
        frm, to, mode = links.data["from"], links.data["to"], links.data["mode"]
        default = frm + ">" + to + (":" + mode).where(mode != "", "")
        links.data["id"] = links.data["id"].where(links.data["id"] != "", default).astype(TEXT)
        if node_ids is not None:
            everywhere = pd.Series(True, index=frm.index)
            _unknown(links, "from", node_ids, everywhere, out, not_a_node)
            _unknown(links, "to", node_ids, everywhere, out, not_a_node)
        out.cells(
            links.file,
            links.rows,
            "to",
            (frm == to) & (frm != ""),
            "the link goes from " + quote(frm) + " to itself; 'from' and 'to' must be "
            "different nodes",
        )
        _repeats(
            links,
            ["id"],
            out,
            "link id " + quote(links.data["id"]),
            "link ids must be unique (give parallel links their own id or a different mode)",
        )
        link_ids = set(links.data["id"])

    supply = tables.get("supply")
    if supply is not None:
        if node_ids is not None:
            _unknown(supply, "node", node_ids, supply.data["node"] != "", out, not_a_node)
        describe = "node " + quote(supply.data["node"]) + ", period " + quote(supply.data["period"])
        _repeats(
            supply,
            ["node", "period"],
            out,
            describe,
            "each (node, period) may appear once; a repeat is an error, not a sum",
        )

    demand = tables.get("demand")
    if demand is not None:
        if node_ids is not None:
            _unknown(demand, "node", node_ids, demand.data["node"] != "", out, not_a_node)
        if categories is not None:
            names = ", ".join(sorted(categories)) or "(none)"
            _unknown(
                demand,
                "category",
                set(categories),
                demand.data["category"] != "",
                out,
                f" is not a category; the categories in {labels['categories']} are: {names}",
            )
        describe = (
            "node "
            + quote(demand.data["node"])
            + ", period "
            + quote(demand.data["period"])
            + ", category "
            + quote(demand.data["category"])
        )
        _repeats(
            demand,
            ["node", "period", "category"],
            out,
            describe,
            "each (node, period, category) may appear once; a repeat is an error, not a sum",
        )

    capacity = tables.get("capacity")
    if capacity is not None:
        what = capacity.data["what"].str.lower().astype(TEXT)
        capacity.data["what"] = what
        out.cells(
            capacity.file,
            capacity.rows,
            "what",
            (what != "") & ~what.isin(schema.CAPACITY_WHAT),
            quote(what) + " is not a capacity kind; use link, storage or issue",
        )
        if link_ids is not None:
            _unknown(
                capacity,
                "id",
                link_ids,
                what == "link",
                out,
                f" is not a link in {labels['links']}",
            )
        if node_ids is not None:
            _unknown(capacity, "id", node_ids, what.isin(["storage", "issue"]), out, not_a_node)
        describe = (
            "what "
            + quote(what)
            + ", id "
            + quote(capacity.data["id"])
            + ", period "
            + quote(capacity.data["period"])
        )
        _repeats(
            capacity,
            ["what", "id", "period"],
            out,
            describe,
            "each (what, id, period) may appear once",
        )


def order_problems(problems: list[Problem], source: str | None) -> list[Problem]:
    """Problems by file (settings first, then the tables in schema order), then row."""
    labels = file_labels(source)
    order = {label: i for i, label in enumerate(dict.fromkeys(labels.values()))}
    return sorted(
        problems, key=lambda p: (order.get(p.file, len(order)), p.row if p.row is not None else 0)
    )
