"""Reading an instance from a folder of files or from one ``.xlsx`` workbook.

A folder holds ``instance.toml``, ``nodes.csv``, ``links.csv``, ``supply.csv``,
``demand.csv`` and optionally ``capacity.csv``. A workbook holds sheets of the
same names (``instance`` with key,value rows; ``categories`` with
category,weight rows; ``nodes``, ``links``, ``supply``, ``demand`` and
optionally ``capacity``).

Files are read as text exactly as written (UTF-8 with or without a byte-order
mark; comma- or semicolon-separated, detected from each file's header line) and
handed to :func:`allocator.validate.validate_frames`. Problems from reading and
from validation are collected and raised together as one :class:`InputError`;
see :mod:`allocator.validate` for how files, rows and columns are named
(``nodes.csv`` in a folder, ``book.xlsx[nodes]`` in a workbook).
"""

from __future__ import annotations

import io
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator import schema
from allocator.cells import TEXT, cell_text
from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.validate import Locations, order_problems, validate_frames

BOM = b"\xef\xbb\xbf"


def load_instance(path: str | Path) -> Instance:
    """Read and validate the instance in folder or workbook ``path``.

    Raises :class:`InputError` listing every problem found in every file.
    """
    path = Path(path)
    reader: Callable[[Path, list[Problem]], tuple[Any, Any, Any, Any]]
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
    problems: list[Problem] = []
    settings, categories, frames, where = reader(path, problems)
    try:
        instance = validate_frames(settings, categories, frames, str(path), locations=where)
    except InputError as error:
        problems = problems + error.problems
    if problems:
        raise InputError(order_problems(_unique(problems), str(path))) from None
    return instance


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# -- folder ------------------------------------------------------------------------------


def _decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    """UTF-8 text of ``data`` without a byte-order mark, or None (with a problem)."""
    data = data.removeprefix(BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex().upper()
        problems.append(
            Problem(
                file,
                line,
                None,
                f"is not UTF-8 text (byte 0x{byte} on line {line}); "
                "save it as UTF-8 (in Excel: 'CSV UTF-8')",
            )
        )
        return None


def delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (outside quotes), else ``,``."""
    header = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def read_csv_text(
    text: str, file: str, problems: list[Problem]
) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A CSV's cells as text and the spreadsheet row of each record; blank records dropped.

    A record with more values than the header has (typically an unquoted
    ``4,500,000``) is reported and left out, never silently cut.
    """
    if not text.strip():
        problems.append(Problem(file, None, None, "is empty; it needs at least a header row"))
        return None
    sep = delimiter(text)
    width = max(line.count(sep) for line in text.splitlines()) + 1
    cells = None
    for attempt in (width, text.count(sep) + 1):  # a quoted field may span lines
        try:
            cells = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=None,
                names=list(range(attempt)),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
            )
            break
        except pd.errors.ParserError as error:
            found = re.search(r"line (\d+)", str(error))
            failure = (int(found.group(1)) if found else None, str(error).strip())
    if cells is None:
        problems.append(Problem(file, failure[0], None, f"cannot be read as CSV: {failure[1]}"))
        return None
    filled = (cells.fillna("").apply(lambda c: c.str.strip()) != "").to_numpy()
    header_width = len(pd.read_csv(io.StringIO(text), sep=sep, nrows=0, index_col=False).columns)
    header = [str(v).strip() or f"Unnamed: {i}" for i, v in enumerate(cells.iloc[0, :header_width])]
    # Values past the header's last column (ignoring blank trailing ones) split a record.
    overflow = filled[:, header_width:].any(axis=1)
    for index in np.flatnonzero(overflow):
        last = int(np.flatnonzero(filled[index]).max()) + 1
        problems.append(
            Problem(
                file,
                int(index) + 1,
                None,
                f"has {last} values but the header has {header_width} columns; "
                f"thousands separators are not accepted (write a number such as 4{sep}500{sep}000 "
                f"as plain digits, 4500000) and a text containing '{sep}' must be in double quotes",
            )
        )
    body = cells.iloc[1:, :header_width].fillna("")
    body.columns = header
    body = body[~overflow[1:]] if len(body) else body
    frame, rows = _drop_blank(body.reset_index(drop=True))
    kept = np.arange(len(cells))[1:][~overflow[1:]] + 1
    return frame, kept[rows - 2]


def _drop_blank(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop blank records and unnamed empty columns; keep each record's spreadsheet row."""
    frame = frame.astype(str).apply(lambda c: c.str.strip()) if len(frame.columns) else frame
    keep = [
        c for c in frame.columns if not (str(c).startswith("Unnamed: ") and (frame[c] == "").all())
    ]
    frame = frame[keep]
    rows = np.arange(len(frame)) + 2
    filled = (frame != "").any(axis=1).to_numpy() if len(keep) else np.zeros(len(frame), bool)
    return frame[filled].reset_index(drop=True), rows[filled]


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
    folder: Path, problems: list[Problem]
) -> tuple[dict, dict, dict[str, pd.DataFrame | None], Locations]:
    """Settings, categories and text tables of an instance folder."""
    where = Locations()
    settings: dict = {}
    categories: dict = {}
    toml_path = folder / "instance.toml"
    if not toml_path.is_file():
        problems.append(
            Problem(
                "instance.toml",
                None,
                None,
                "is missing; it gives name, start, periods and [categories]",
            )
        )
        where.reported.add("instance")
    else:
        text = _decode(toml_path.read_bytes(), "instance.toml", problems)
        try:
            data = tomllib.loads(text) if text is not None else None
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            row = int(found.group(1)) if found else None
            problems.append(Problem("instance.toml", row, None, f"is not valid TOML: {error}"))
            data = None
        if data is None:
            where.reported.add("instance")
        else:
            where.setting_rows, where.category_rows = _toml_rows(text or "")
            raw_categories = data.pop("categories", {})
            if isinstance(raw_categories, dict):
                categories = raw_categories
            else:
                problems.append(
                    Problem(
                        "instance.toml",
                        where.setting_rows.get("categories"),
                        "categories",
                        "categories must be a table: [categories] with one 'name = weight' "
                        "line per category",
                    )
                )
                where.reported.add("categories")
            settings = data

    frames: dict[str, pd.DataFrame | None] = {}
    for filename, (_, required) in schema.FILES.items():
        table = schema.TABLES[filename]
        path = folder / filename
        frames[table] = None
        if not path.is_file():
            if required:
                problems.append(Problem(filename, None, None, f"is missing from {folder}"))
                where.reported.add(table)
            continue
        text = _decode(path.read_bytes(), filename, problems)
        read = read_csv_text(text, filename, problems) if text is not None else None
        if read is None:
            where.reported.add(table)
            continue
        frames[table], where.table_rows[table] = read
    return settings, categories, frames, where


# -- workbook ----------------------------------------------------------------------------


def _read_workbook(
    book: Path, problems: list[Problem]
) -> tuple[dict, dict, dict[str, pd.DataFrame | None], Locations]:
    """Settings, categories and text tables of an instance workbook."""
    import openpyxl

    where = Locations()
    settings: dict = {}
    categories: dict = {}
    frames: dict[str, pd.DataFrame | None] = {table: None for table in schema.TABLES.values()}
    try:
        workbook = openpyxl.load_workbook(book, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        problems.append(Problem(book.name, None, None, f"cannot be read as a workbook: {error}"))
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
                problems.append(Problem(label, None, None, f"the workbook has no sheet '{name}'"))
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
                    problems.append(
                        Problem(
                            label,
                            number,
                            first,
                            f"'{key}' repeats row {locations[key]}; give each {first} once",
                        )
                    )
                    continue
                locations[key] = number
                target[key] = value

        for filename, (_, required) in schema.FILES.items():
            table = schema.TABLES[filename]
            label = f"{book.name}[{table}]"
            rows = cells(table)
            if rows is None:
                if required:
                    problems.append(
                        Problem(label, None, None, f"the workbook has no sheet '{table}'")
                    )
                    where.reported.add(table)
                continue
            if not rows:
                problems.append(Problem(label, None, None, "is empty; it needs a header row"))
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
            frames[table], where.table_rows[table] = _drop_blank(frame)
    finally:
        workbook.close()
    return settings, categories, frames, where
