"""The one boundary check between what a user wrote and an :class:`Instance`.

:func:`validate_frames` is used by :func:`~allocator.instance.load.load_instance`
(files) and by :meth:`Instance.from_frames` (DataFrames from Python). It is
driven by the column declarations of :mod:`allocator.instance.schema`;
nothing downstream checks types again. It returns the validated fields of an
instance, not an :class:`Instance`, so that this module never needs the class.

It checks each table against the schema (:func:`~allocator.instance.tables.parse_table`)
and the tables against each other and the settings (the ``check_*``
functions: unknown nodes, links and categories, repeated keys, links to
themselves). Every problem is collected, and one :class:`InputError` lists them all.

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

from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

import pandas as pd

from allocator.instance import schema
from allocator.instance.cells import TEXT, quote
from allocator.instance.locations import Locations
from allocator.instance.periods import horizon_text, month_labels
from allocator.instance.problems import Collector
from allocator.instance.settings import check_settings
from allocator.instance.tables import ParsedTable, parse_table, report_repeats, report_unknown

TABLE_FILES = {table: filename for filename, table in schema.TABLES.items()}


class InstanceFields(TypedDict):
    """The validated fields of an instance: ``Instance(**fields)``."""

    name: str
    start: str
    periods: int
    categories: dict[str, float]
    nodes: pd.DataFrame
    links: pd.DataFrame
    supply: pd.DataFrame
    demand: pd.DataFrame
    capacity: pd.DataFrame
    description: str
    source: str | None


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


def problem_order(source: str | None) -> list[str]:
    """The files of an instance in the order their problems are listed: settings, then tables."""
    return list(dict.fromkeys(file_labels(source).values()))


def validate_frames(
    settings: Mapping[str, object],
    categories: Mapping[str, object],
    frames: Mapping[str, pd.DataFrame | None],
    source: str | None,
    *,
    locations: Locations | None = None,
    out: Collector | None = None,
) -> InstanceFields:
    """Check settings, categories and tables; return the instance's fields or raise one InputError.

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
        ``source`` and the file names in problems.
    locations
        Rows of keys and table rows as the loader found them.
    out
        Problems found before (the loader's), raised together with these.
    """
    where = locations or Locations()
    labels = file_labels(source)
    out = out if out is not None else Collector(problem_order(source))
    have_settings = "instance" not in where.reported
    if have_settings:
        checked = check_settings(settings, categories, source, labels, where, out)
        name, start, periods, description, weights, names = checked
    else:
        name, start, periods, description, weights, names = "", None, None, "", {}, set()
    horizon = month_labels(start, periods) if start and periods else None
    described = horizon_text(start, periods) if start and periods else ""

    tables = _parse_tables(frames, labels, where, out, horizon, described)

    known_categories = names if have_settings and "categories" not in where.reported else None
    cross_check(tables, labels, known_categories, out)
    out.raise_if_any()
    if start is None or periods is None:  # pragma: no cover - reported above
        raise AssertionError("unreadable settings must have been reported")
    built = _frames(tables, labels, out)
    return InstanceFields(
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


def _parse_tables(
    frames: Mapping[str, pd.DataFrame | None],
    labels: dict[str, str],
    where: Locations,
    out: Collector,
    horizon: list[str] | None,
    described: str,
) -> dict[str, ParsedTable]:
    """Each table given, checked and parsed against the schema; its problems go to ``out``."""
    tables: dict[str, ParsedTable] = {}
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
            frame = _empty(columns)
        tables[table] = parse_table(
            frame,
            columns,
            file,
            out,
            rows=where.table_rows.get(table),
            horizon=horizon,
            horizon_text=described,
        )
    return tables


def _frames(
    tables: dict[str, ParsedTable], labels: dict[str, str], out: Collector
) -> dict[str, pd.DataFrame]:
    """Every table as a typed DataFrame (an absent optional one with no rows)."""
    built = {}
    for filename, (columns, _) in schema.FILES.items():
        table = schema.TABLES[filename]
        if table not in tables:  # absent, and already reported by the loader
            tables[table] = parse_table(_empty(columns), columns, labels[table], out)
        built[table] = tables[table].frame(columns)
    return built


def _empty(columns: tuple[schema.Column, ...]) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series([], dtype=TEXT) for c in columns})


# -- the tables against each other ------------------------------------------------------------


def cross_check(
    tables: dict[str, ParsedTable],
    labels: dict[str, str],
    categories: set[str] | None,
    out: Collector,
) -> None:
    """Keys, references between tables and the rules that span columns."""
    nodes = tables.get("nodes")
    node_ids = check_nodes(nodes, out) if nodes is not None else None
    not_a_node = f" is not a node in {labels['nodes']}"
    links = tables.get("links")
    link_ids = check_links(links, node_ids, not_a_node, out) if links is not None else None
    if "supply" in tables:
        check_supply(tables["supply"], node_ids, not_a_node, out)
    if "demand" in tables:
        check_demand(tables["demand"], node_ids, categories, labels, not_a_node, out)
    if "capacity" in tables:
        check_capacity(tables["capacity"], node_ids, link_ids, labels, not_a_node, out)


def check_nodes(nodes: ParsedTable, out: Collector) -> set[str]:
    """Node kinds and unique ids; names default to ids. Returns the node ids."""
    if len(nodes) == 0:
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
    report_repeats(nodes, ["id"], out, "node id " + quote(ids), "node ids must be unique")
    return set(ids[ids != ""])


def check_links(
    links: ParsedTable, node_ids: set[str] | None, not_a_node: str, out: Collector
) -> set[str]:
    """Link ends are known, different nodes; ids default to FROM>TO[:MODE] and are unique."""
    frm, to, mode = links.data["from"], links.data["to"], links.data["mode"]
    default = frm + ">" + to + (":" + mode).where(mode != "", "")
    links.data["id"] = links.data["id"].where(links.data["id"] != "", default).astype(TEXT)
    if node_ids is not None:
        report_unknown(links, "from", node_ids, out, not_a_node)
        report_unknown(links, "to", node_ids, out, not_a_node)
    out.cells(
        links.file,
        links.rows,
        "to",
        (frm == to) & (frm != ""),
        "the link goes from " + quote(frm) + " to itself; 'from' and 'to' must be different nodes",
    )
    report_repeats(
        links,
        ["id"],
        out,
        "link id " + quote(links.data["id"]),
        "link ids must be unique (give parallel links their own id or a different mode)",
    )
    return set(links.data["id"])


def check_supply(
    supply: ParsedTable, node_ids: set[str] | None, not_a_node: str, out: Collector
) -> None:
    """Supply at known nodes, one row per (node, period)."""
    if node_ids is not None:
        report_unknown(supply, "node", node_ids, out, not_a_node)
    describe = "node " + quote(supply.data["node"]) + ", period " + quote(supply.data["period"])
    report_repeats(
        supply,
        ["node", "period"],
        out,
        describe,
        "each (node, period) may appear once; a repeat is an error, not a sum",
    )


def check_demand(
    demand: ParsedTable,
    node_ids: set[str] | None,
    categories: set[str] | None,
    labels: dict[str, str],
    not_a_node: str,
    out: Collector,
) -> None:
    """Demand at known nodes, of known categories, one row per (node, period, category)."""
    if node_ids is not None:
        report_unknown(demand, "node", node_ids, out, not_a_node)
    if categories is not None:
        names = ", ".join(sorted(categories)) or "(none)"
        report_unknown(
            demand,
            "category",
            categories,
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
    report_repeats(
        demand,
        ["node", "period", "category"],
        out,
        describe,
        "each (node, period, category) may appear once; a repeat is an error, not a sum",
    )


def check_capacity(
    capacity: ParsedTable,
    node_ids: set[str] | None,
    link_ids: set[str] | None,
    labels: dict[str, str],
    not_a_node: str,
    out: Collector,
) -> None:
    """Overrides of a known kind, for known links or nodes, one row per (what, id, period)."""
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
        report_unknown(
            capacity, "id", link_ids, out, f" is not a link in {labels['links']}", what == "link"
        )
    if node_ids is not None:
        report_unknown(capacity, "id", node_ids, out, not_a_node, what.isin(["storage", "issue"]))
    describe = (
        "what "
        + quote(what)
        + ", id "
        + quote(capacity.data["id"])
        + ", period "
        + quote(capacity.data["period"])
    )
    report_repeats(
        capacity, ["what", "id", "period"], out, describe, "each (what, id, period) may appear once"
    )
