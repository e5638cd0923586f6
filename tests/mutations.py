"""Mutations of the files a planner gives the engine, for fuzzing (tests/cli/test_fuzz.py).

Each mutation changes one file the way a tired planner or a spreadsheet
might: a cell replaced by something odd, a header misspelt, dropped or
repeated, another encoding, another delimiter, line ends, a byte-order
mark, the file cut short, emptied or removed. ``benchmarks/fuzz.py`` runs
many more of them than the test does.
"""

from __future__ import annotations

import random
from pathlib import Path

ODD_CELLS = [
    "",
    " ",
    "-1",
    "1.000",
    "20.0",
    "1,5",
    "4.500.000",
    "abc",
    "\u00a0",
    "9" * 20,
    "2017-13",
    "2017-3",
    "NaN",
    "inf",
    '"',
    "=1+1",
    "é",
    "0",
    "10000",
    "VENDOR",
    "HUB>A:road",
    "2016-12",
    "2099-01",
]


def _split(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()]


def _join(rows: list[list[str]], sep: str = ",", end: str = "\n") -> str:
    return end.join(sep.join(row) for row in rows) + end


def mutate(folder: Path, rng: random.Random) -> str:
    """Change one file under ``folder`` at random; say what was done."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".csv", ".toml"))
    path = rng.choice(files)
    name = path.relative_to(folder).as_posix()
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    kind = rng.choice(
        [
            "cell",
            "cell",
            "cell",
            "header",
            "drop column",
            "repeat column",
            "latin-1",
            "utf-16",
            "semicolons",
            "tabs",
            "crlf",
            "bom",
            "truncate",
            "empty",
            "remove",
            "extra row",
        ]
    )
    if path.suffix == ".toml" and kind in ("header", "drop column", "repeat column", "extra row"):
        kind = "cell"
    if kind == "cell":
        if path.suffix == ".toml":
            lines = text.splitlines()
            i = rng.randrange(len(lines))
            if "=" in lines[i]:
                key = lines[i].split("=", 1)[0]
                value = rng.choice(["3", '"3"', "0", "-1", "1e9", "true", '"x"', '"2017-13"'])
                lines[i] = f"{key}= {value}"
            path.write_text("\n".join(lines) + "\n")
        else:
            rows = _split(text)
            if len(rows) > 1:
                r = rng.randrange(1, len(rows))
                c = rng.randrange(len(rows[r]))
                rows[r][c] = rng.choice(ODD_CELLS)
            path.write_text(_join(rows))
    elif kind == "header":
        rows = _split(text)
        c = rng.randrange(len(rows[0]))
        rows[0][c] = rng.choice([rows[0][c].upper(), rows[0][c][:-1], rows[0][c] + "s", "x"])
        path.write_text(_join(rows))
    elif kind == "drop column":
        rows = _split(text)
        c = rng.randrange(len(rows[0]))
        path.write_text(_join([row[:c] + row[c + 1 :] for row in rows]))
    elif kind == "repeat column":
        rows = _split(text)
        c = rng.randrange(len(rows[0]))
        path.write_text(_join([[*row, row[c]] if c < len(row) else row for row in rows]))
    elif kind == "extra row":
        rows = _split(text)
        rows.insert(rng.randrange(1, len(rows) + 1), list(rows[-1]))
        path.write_text(_join(rows))
    elif kind == "latin-1":
        path.write_bytes((text + "\u00e9\n").encode("latin-1", errors="replace"))
    elif kind == "utf-16":
        path.write_bytes(text.encode("utf-16"))
    elif kind == "semicolons":
        path.write_text(_join(_split(text), sep=";"))
    elif kind == "tabs":
        path.write_text(_join(_split(text), sep="\t"))
    elif kind == "crlf":
        path.write_bytes(text.replace("\n", "\r\n").encode())
    elif kind == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + data)
    elif kind == "truncate":
        path.write_bytes(data[: rng.randrange(len(data) + 1)])
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    return f"{kind} in {name}"
