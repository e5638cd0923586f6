"""Reading a registration file: the columns, cells and rows, through the one boundary.

A registration file (``docs/formats.md``, "Registration records") is CSV in
any encoding-free form the instance files accept (UTF-8 with or without a
byte-order mark, comma- or semicolon-separated), or Parquet. The bytes are
checked with :func:`allocator.instance.text.decode` piece by piece, the
delimiter and the header with :mod:`allocator.instance.text`, misspelt
columns with :func:`allocator.instance.names.looks_like`, dates with
:func:`allocator.instance.cells.parse_date`; every problem goes to one
:class:`~allocator.instance.problems.Collector`. The records are then held in
a polars frame: millions of rows as columns, never as Python objects.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from allocator.instance import cells, text
from allocator.instance.names import looks_like
from allocator.instance.problems import Collector
from allocator.instance.schema import Column

#: The columns of a registration file, in order; ``category`` may be left out.
COLUMNS = (
    Column("nik", "text", required=True, help="16-digit national identity number"),
    Column("name", "text", required=True, help="the person's name"),
    Column("birth_date", "text", required=True, help="YYYY-MM-DD"),
    Column("sex", "text", required=True, help="L or P"),
    Column("office", "text", required=True, help="office (kabupaten/kota) code"),
    Column("registered", "text", required=True, help="YYYY-MM-DD"),
    Column("status", "text", required=True, help="recorded or printed"),
    Column("category", "text", help="demand category (default backlog/new)"),
)
NAMES = [c.name for c in COLUMNS]
STATUSES = ("recorded", "printed")
SEXES = ("L", "P")

#: Bytes of a CSV file checked as UTF-8 at a time (cut at a line end).
PIECE = 64 << 20


def read_registrations(path: Path, file: str, out: Collector) -> pl.DataFrame | None:
    """The records of a registration file as text columns plus ``row``, or None.

    ``row`` is the spreadsheet row (header = 1). Problems (a missing or empty
    file, bytes that are not UTF-8, missing or misspelt columns) go to ``out``.
    """
    if not path.is_file():
        out.add(file, None, None, "file not found" if not path.exists() else "is not a file")
        return None
    if path.stat().st_size == 0:
        out.add(file, None, None, "is empty; it needs at least a header row")
        return None
    if path.suffix.lower() in (".parquet", ".pq"):
        frame = _read_parquet(path, file, out)
    else:
        frame = _read_csv(path, file, out)
    if frame is None:
        return None
    frame = _match_columns(frame, file, out)
    if frame is None:
        return None
    frame = frame.with_columns(pl.col(c).fill_null("").str.strip_chars() for c in frame.columns)
    filled = pl.any_horizontal(pl.col(c) != "" for c in frame.columns if c != "row")
    frame = frame.with_columns(pl.col("row").cast(pl.Int64))
    return frame.filter(filled)


def _read_parquet(path: Path, file: str, out: Collector) -> pl.DataFrame | None:
    try:
        frame = pl.read_parquet(path)
    except Exception as error:  # polars raises several kinds for a file that is not Parquet
        out.add(file, None, None, f"cannot be read as Parquet: {error}")
        return None
    frame = frame.with_columns(pl.all().cast(pl.Utf8))
    return frame.with_row_index("row", offset=2)


def _read_csv(path: Path, file: str, out: Collector) -> pl.DataFrame | None:
    """A CSV file's cells as text; the bytes checked as UTF-8, the header as instance files."""
    header = b""
    line = 1
    with path.open("rb") as stream:
        rest = b""
        while piece := stream.read(PIECE):
            piece = rest + piece
            cut = piece.rfind(b"\n") + 1 or len(piece)
            piece, rest = piece[:cut], piece[cut:]
            if not header:
                header = piece.split(b"\n", 1)[0]
            if text.decode(piece, file, out, first_line=line) is None:
                return None
            line += piece.count(b"\n")
        if rest:
            if not header:
                header = rest.split(b"\n", 1)[0]
            if text.decode(rest, file, out, first_line=line) is None:
                return None
    head = text.decode(header, file, out) or ""
    checked = text.read_csv_text(head.rstrip("\r") + "\n", file, out)
    if checked is None:
        return None
    sep = text.delimiter(head)
    try:
        frame = pl.read_csv(path, separator=sep, infer_schema=False, encoding="utf8")
    except pl.exceptions.PolarsError as error:
        message = str(error).split("\n", 1)[0]
        out.add(file, None, None, f"cannot be read as CSV: {message}")
        return None
    frame = frame.rename({c: c.removeprefix("\ufeff").strip() for c in frame.columns})
    return frame.with_row_index("row", offset=2)


def _match_columns(frame: pl.DataFrame, file: str, out: Collector) -> pl.DataFrame | None:
    """The declared columns, renamed from any case; misspelt and missing ones reported."""
    rename: dict[str, str] = {}
    for header in frame.columns:
        if header == "row":
            continue
        lowered = header.lower()
        if lowered in NAMES:
            if lowered in rename.values():
                out.add(file, 1, header, f"column '{header}' appears twice; keep one of them")
                continue
            rename[header] = lowered
            continue
        meant = looks_like(header, NAMES)
        if meant is not None:
            out.add(
                file,
                1,
                header,
                f"unknown column '{header}': did you mean '{meant}'? Rename it to '{meant}'; "
                "a column this close to a known name is never taken as an extra column",
            )
    missing = [c.name for c in COLUMNS if c.required and c.name not in rename.values()]
    if missing:
        listed = ", ".join(f"'{m}'" for m in missing)
        out.add(
            file,
            1,
            None,
            f"missing column{'s' if len(missing) > 1 else ''} {listed}; a registration file "
            f"has the columns {','.join(NAMES[:-1])}[,category]",
        )
    if missing or len(out):
        return None
    kept = frame.select("row", *rename).rename(rename)
    if "category" not in kept.columns:
        kept = kept.with_columns(pl.lit("").alias("category"))
    return kept


def parse_cells(
    frame: pl.DataFrame, file: str, categories: list[str], out: Collector
) -> pl.DataFrame:
    """Dates as dates, and every cell in a closed set checked; problems go to ``out``.

    Only the shape of cells is checked here (a date, ``L``/``P``, a status, a
    category); whether a NIK or an office is valid is a property of the record
    (:mod:`allocator.registry.nik`), counted in ``quality.csv``, not an error.
    """
    rows = frame["row"].to_numpy()
    dates: dict[str, pl.Series] = {}
    for column in (COLUMNS[2], COLUMNS[5]):
        dates[column.name] = _dates(frame, column, file, rows, out)
    _closed(frame, "name", None, file, rows, out, "is empty; the person's name is required")
    _closed(frame, "sex", SEXES, file, rows, out, "is not L (laki-laki) or P (perempuan)")
    _closed(frame, "status", STATUSES, file, rows, out, "is not 'recorded' or 'printed'")
    if (frame["category"] != "").any():
        listed = ", ".join(f"'{c}'" for c in categories)
        _closed(
            frame,
            "category",
            tuple(categories),
            file,
            rows,
            out,
            f"is not a category of the instance ({listed})",
            blank_ok=True,
        )
    return frame.with_columns(dates["birth_date"], dates["registered"])


def _dates(
    frame: pl.DataFrame, column: Column, file: str, rows: np.ndarray, out: Collector
) -> pl.Series:
    """A column of ``YYYY-MM-DD`` dates by the instance's rule (:data:`cells.DATE`).

    Checked and parsed as polars columns; only when some cell breaks the
    rule do the cells go through :func:`cells.parse_date` for its messages.
    """
    values = frame[column.name]
    parsed = values.str.to_date("%Y-%m-%d", strict=False)
    good = values.str.contains(f"^{cells.DATE}$") & parsed.is_not_null()
    if not good.all():
        cells.parse_date(values.to_pandas(), column, file, rows, out)
    return parsed.alias(column.name)


def _closed(
    frame: pl.DataFrame,
    column: str,
    allowed: tuple[str, ...] | None,
    file: str,
    rows: np.ndarray,
    out: Collector,
    message: str,
    *,
    blank_ok: bool = False,
) -> None:
    """Report cells of ``column`` outside ``allowed`` (or blank, when ``allowed`` is None)."""
    values = frame[column]
    if allowed is None:
        out.cells(file, rows, column, (values == "").to_numpy(), message)
        return
    outside = ~values.is_in(list(allowed))
    if blank_ok:
        outside &= values != ""
    mask = outside.to_numpy()
    if mask.any():
        shown = "'" + values.to_pandas().astype(str) + "' " + message
        out.cells(file, rows, column, mask, shown, kind=message)
