"""Reading an instance from a folder of files or from one ``.xlsx`` workbook.

A folder holds ``instance.toml``, ``nodes.csv``, ``links.csv``, ``supply.csv``,
``demand.csv`` and optionally ``capacity.csv``. A workbook holds sheets of the
same names (``instance`` with key,value rows; ``categories`` with
category,weight rows; ``nodes``, ``links``, ``supply``, ``demand`` and
optionally ``capacity``).

Files are read as text exactly as written (UTF-8 with or without a byte-order
mark; comma- or semicolon-separated, detected from each file's header line) and
handed to :func:`~allocator.instance.validate.validate_frames`. Problems from
reading and from validation are collected and raised together as one
:class:`InputError`; see :mod:`allocator.instance.validate` for how files,
rows and columns are named
(``nodes.csv`` in a folder, ``book.xlsx[nodes]`` in a workbook).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance import schema
from allocator.instance.cells import TEXT, cell_text
from allocator.instance.core import Instance
from allocator.instance.locations import Locations
from allocator.instance.names import looks_like
from allocator.instance.problems import Collector
from allocator.instance.text import decode, drop_blank, read_csv_text
from allocator.instance.validate import problem_order, validate_frames


def load_instance(path: str | Path) -> Instance:
    """Read and validate the instance in folder or workbook ``path``.

    Raises :class:`InputError` listing every problem found in every file.
    """
    path = Path(path)
    reader: Callable[[Path, Collector], tuple[Any, Any, Any, Any]]
    if path.is_dir():
        reader = _read_folder
    elif path.suffix.lower() == ".xlsx" and path.is_file():
        reader = _read_workbook
    elif not path.exists():
        raise InputError(
            [Problem(str(path), None, None, "does not exist; give an instance folder or a .xlsx")]
        )
    else:
        raise InputError(
            [Problem(str(path), None, None, "is neither a folder nor an .xlsx workbook")]
        )
    out = Collector(problem_order(str(path)))
    settings, categories, frames, where = reader(path, out)
    return Instance(
        **validate_frames(settings, categories, frames, str(path), locations=where, out=out)
    )


# -- folder ------------------------------------------------------------------------------


def _near_miss(wanted: str, present: list[str], what: str, fix: str) -> str:
    """``; there is a file 'link.csv': did you mean it? ...`` when one is a slip for ``wanted``."""
    for name in present:
        if name != wanted and looks_like(name, [wanted]):
            return f"; there is a {what} '{name}': did you mean it? {fix.capitalize()} '{wanted}'"
    return ""


def _toml_rows(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Line of each top-level key and of each key under ``[categories]``."""
    top: dict[str, int] = {}
    categories: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            table = header.group(1)
            continue
        key = re.match(r'("[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+)\s*=', stripped)
        if key:
            name = key.group(1).strip("\"'")
            if table == "":
                top.setdefault(name, number)
            elif table == "categories":
                categories.setdefault(name, number)
    return top, categories


def _read_folder(
    folder: Path, out: Collector
) -> tuple[dict, dict, dict[str, pd.DataFrame | None], Locations]:
    """Settings, categories and text tables of an instance folder."""
    where = Locations()
    settings: dict = {}
    categories: dict = {}
    toml_path = folder / "instance.toml"
    if not toml_path.is_file():
        out.add(
            "instance.toml",
            None,
            None,
            "is missing; it gives name, start, periods and [categories]",
        )
        where.reported.add("instance")
    else:
        text = decode(toml_path.read_bytes(), "instance.toml", out)
        try:
            data = tomllib.loads(text) if text is not None else None
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            row = int(found.group(1)) if found else None
            out.add("instance.toml", row, None, f"is not valid TOML: {error}")
            data = None
        if data is None:
            where.reported.add("instance")
        else:
            where.setting_rows, where.category_rows = _toml_rows(text or "")
            raw_categories = data.pop("categories", {})
            if isinstance(raw_categories, dict):
                categories = raw_categories
            else:
                out.add(
                    "instance.toml",
                    where.setting_rows.get("categories"),
                    "categories",
                    "categories must be a table: [categories] with one 'name = weight' "
                    "line per category",
                )
                where.reported.add("categories")
            settings = data

    frames: dict[str, pd.DataFrame | None] = {}
    present = sorted(p.name for p in folder.iterdir() if p.is_file())
    for filename, (_, required) in schema.FILES.items():
        table = schema.TABLES[filename]
        path = folder / filename
        frames[table] = None
        if not path.is_file():
            near = _near_miss(filename, present, "file", "rename it to")
            if required or near:
                out.add(filename, None, None, f"is missing from {folder}" + near)
                where.reported.add(table)
            continue
        text = decode(path.read_bytes(), filename, out)
        read = read_csv_text(text, filename, out) if text is not None else None
        if read is None:
            where.reported.add(table)
            continue
        frames[table], where.table_rows[table] = read
    return settings, categories, frames, where


# -- workbook ----------------------------------------------------------------------------


def _read_workbook(
    book: Path, out: Collector
) -> tuple[dict, dict, dict[str, pd.DataFrame | None], Locations]:
    """Settings, categories and text tables of an instance workbook."""
    import openpyxl  # only workbooks need it: 0.1 s of import for every other command

    where = Locations()
    settings: dict = {}
    categories: dict = {}
    frames: dict[str, pd.DataFrame | None] = {table: None for table in schema.TABLES.values()}
    try:
        workbook = openpyxl.load_workbook(book, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        out.add(book.name, None, None, f"cannot be read as a workbook: {error}")
        where.reported.update(["instance", *schema.TABLES.values()])
        return settings, categories, frames, where
    try:
        sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}

        def cells(name: str) -> list[list[object]] | None:
            sheet = sheets.get(name)
            if sheet is None:
                return None
            return [list(row) for row in sheet.iter_rows(values_only=True)]

        for name, first in (("instance", "key"), ("categories", "category")):
            label = f"{book.name}[{name}]"
            rows = cells(name)
            if rows is None:
                near = _near_miss(name, list(sheets), "sheet", "rename it to")
                out.add(label, None, None, f"the workbook has no sheet '{name}'" + near)
                where.reported.add(name)
                continue
            target = settings if name == "instance" else categories
            locations = where.setting_rows if name == "instance" else where.category_rows
            for number, row in enumerate(rows, start=1):
                row = [*row, None, None]
                key, value = cell_text(row[0]), row[1]
                if number == 1 and key.lower() == first:
                    continue
                if key == "" and cell_text(value) == "":
                    continue
                if key in locations:
                    out.add(
                        label,
                        number,
                        first,
                        f"'{key}' repeats row {locations[key]}; give each {first} once",
                    )
                    continue
                locations[key] = number
                target[key] = value

        for filename, (_, required) in schema.FILES.items():
            table = schema.TABLES[filename]
            label = f"{book.name}[{table}]"
            rows = cells(table)
            if rows is None:
                near = _near_miss(table, list(sheets), "sheet", "rename it to")
                if required or near:
                    out.add(label, None, None, f"the workbook has no sheet '{table}'" + near)
                    where.reported.add(table)
                continue
            if not rows:
                out.add(label, None, None, "is empty; it needs a header row")
                where.reported.add(table)
                continue
            header = [cell_text(v) for v in rows[0]]
            width = len(header)
            names = [h or f"Unnamed: {i}" for i, h in enumerate(header)]
            body = [[cell_text(v) for v in (list(r) + [None] * width)[:width]] for r in rows[1:]]
            frame = (
                pd.DataFrame(body, columns=names, dtype=TEXT)
                if body
                else pd.DataFrame({n: pd.Series([], dtype=TEXT) for n in names})
            )
            frames[table], where.table_rows[table] = drop_blank(frame)
    finally:
        workbook.close()
    return settings, categories, frames, where
