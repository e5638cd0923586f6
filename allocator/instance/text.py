"""Reading a table a user wrote: bytes to text, the delimiter, and cells as text.

Every CSV file the engine reads (instance files, a re-plan's actuals and
overrides, what-if tables, plan folders read back) comes through here, so one
file saved from a spreadsheet reads the same wherever it is used: UTF-8 with
or without a byte-order mark, comma- or semicolon-separated (detected from the
header line), any line ending. Cells come back as stripped text with the
spreadsheet row of each record; parsing them is :mod:`allocator.instance.cells`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.instance.problems import Collector

BOM = b"\xef\xbb\xbf"


def decode(data: bytes, file: str, out: Collector, *, first_line: int = 1) -> str | None:
    """UTF-8 text of ``data`` without a byte-order mark, or None (with a problem).

    ``first_line`` is the line ``data`` starts on, when it is a piece of a
    larger file checked piece by piece.
    """
    data = data.removeprefix(BOM)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + first_line
        byte = data[error.start : error.start + 1].hex().upper()
        out.add(
            file,
            line,
            None,
            f"is not UTF-8 text (byte 0x{byte} on line {line}); "
            "save it as UTF-8 (in Excel: 'CSV UTF-8')",
        )
        return None


def delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (outside quotes), else ``,``."""
    header = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    return ";" if unquoted.count(";") > unquoted.count(",") else ","


def read_csv_file(path: Path, file: str, out: Collector) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A CSV file's cells as text and the spreadsheet row of each record (None if unreadable).

    ``file`` names the file in problems; a missing file is a problem too.
    """
    if not path.is_file():
        out.add(file, None, None, "file not found" if not path.exists() else "is not a file")
        return None
    text = decode(path.read_bytes(), file, out)
    return None if text is None else read_csv_text(text, file, out)


def read_csv_text(text: str, file: str, out: Collector) -> tuple[pd.DataFrame, np.ndarray] | None:
    """A CSV's cells as text and the spreadsheet row of each record; blank records dropped.

    A record with more values than the header has (typically an unquoted
    ``4,500,000``) is reported and left out, never silently cut.
    """
    if not text.strip():
        out.add(file, None, None, "is empty; it needs at least a header row")
        return None
    sep = delimiter(text)
    other = _other_delimiter(text.split("\n", 1)[0])
    if other is not None:
        out.add(
            file,
            1,
            None,
            f"seems to be {other}-separated: its header has no commas or semicolons; save it "
            "comma- or semicolon-separated (in Excel: 'CSV UTF-8')",
        )
        return None
    cells = _cells(text, sep, file, out)
    if cells is None:
        return None
    filled = (cells.fillna("").apply(lambda c: c.str.strip()) != "").to_numpy()
    header_width = len(pd.read_csv(io.StringIO(text), sep=sep, nrows=0, index_col=False).columns)
    header = [str(v).strip() or f"Unnamed: {i}" for i, v in enumerate(cells.iloc[0, :header_width])]
    # Values past the header's last column (ignoring blank trailing ones) split a record.
    overflow = filled[:, header_width:].any(axis=1)
    for index in np.flatnonzero(overflow):
        last = int(np.flatnonzero(filled[index]).max()) + 1
        out.add(
            file,
            int(index) + 1,
            None,
            f"has {last} values but the header has {header_width} columns; "
            f"thousands separators are not accepted (write a number such as 4{sep}500{sep}000 "
            f"as plain digits, 4500000) and a text containing '{sep}' must be in double quotes",
        )
    body = cells.iloc[1:, :header_width].fillna("")
    body.columns = header
    body = body[~overflow[1:]] if len(body) else body
    frame, rows = drop_blank(body.reset_index(drop=True))
    kept = np.arange(len(cells))[1:][~overflow[1:]] + 1
    return frame, kept[rows - 2]


#: Delimiters a file may seem to use that are not accepted, by the name messages give them.
OTHER_DELIMITERS = {"\t": "tab", "|": "pipe ('|')"}


def _other_delimiter(header: str) -> str | None:
    """The name of the delimiter a header line uses when it is neither ``,`` nor ``;``."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    if "," in unquoted or ";" in unquoted:
        return None
    counts = {name: unquoted.count(char) for char, name in OTHER_DELIMITERS.items()}
    name, count = max(counts.items(), key=lambda item: item[1])
    return name if count else None


def _cells(text: str, sep: str, file: str, out: Collector) -> pd.DataFrame | None:
    """Every record's values as text, as wide as the widest record (None if not CSV)."""
    width = max(line.count(sep) for line in text.splitlines()) + 1
    failure: tuple[int | None, str] = (None, "")
    for attempt in (width, text.count(sep) + 1):  # a quoted field may span lines
        try:
            return pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=None,
                names=list(range(attempt)),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                index_col=False,
            )
        except pd.errors.ParserError as error:
            found = re.search(r"line (\d+)", str(error))
            failure = (int(found.group(1)) if found else None, str(error).strip())
    out.add(file, failure[0], None, f"cannot be read as CSV: {failure[1]}")
    return None


def drop_blank(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Drop blank records and unnamed empty columns; keep each record's spreadsheet row."""
    frame = frame.astype(str).apply(lambda c: c.str.strip()) if len(frame.columns) else frame
    keep = [
        c for c in frame.columns if not (str(c).startswith("Unnamed: ") and (frame[c] == "").all())
    ]
    frame = frame[keep]
    rows = np.arange(len(frame)) + 2
    filled = (frame != "").any(axis=1).to_numpy() if len(keep) else np.zeros(len(frame), bool)
    return frame[filled].reset_index(drop=True), rows[filled]
