"""The per-record rules: is the NIK well formed, and is the office one of the instance's?

A NIK (Nomor Induk Kependudukan) has 16 digits: 2 of province and 2 of
kabupaten/kota where the person was first registered, 2 of kecamatan, the
birth date as ``DDMMYY`` with 40 added to the day for women, and a 4-digit
serial that is never ``0000``. The first digits stay when a person moves, so
a record is routed by its ``office`` column, never by its NIK.

Each record gets the first rule it breaks as its ``reason`` (``""`` when
valid), in the order of :data:`REASONS`; the whole check is a handful of
column expressions, so 5 million records take about a second.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from allocator.instance import Instance, text
from allocator.instance.problems import Collector

#: Why a record is invalid -> what a problem says about it (the column it concerns).
REASONS: dict[str, tuple[str, str]] = {
    "nik_digits": ("nik", "is not 16 digits"),
    "nik_region": ("nik", "does not start with a kabupaten/kota code of the instance"),
    "nik_birth_date": (
        "nik",
        "does not match birth_date and sex (digits 7-12 are the birth date as DDMMYY, "
        "with 40 added to the day for women)",
    ),
    "nik_serial": ("nik", "ends in 0000, which is never a serial number"),
    "office": ("office", "is not an office of the instance"),
}

#: An instance folder's optional table of kabupaten/kota codes that were split or renamed.
CROSSWALK = Path("data") / "regency_code_crosswalk.csv"


def region_codes(instance: Instance) -> set[str]:
    """The 4-digit kabupaten/kota codes a NIK may start with.

    The instance's 4-digit office ids, and every code of its crosswalk
    (``data/regency_code_crosswalk.csv`` in the instance folder, when there is
    one: regions that split since keep NIKs with either code), dots removed.
    """
    codes = {str(i) for i in instance.offices["id"] if len(str(i)) == 4 and str(i).isdigit()}
    folder = Path(instance.source) if instance.source else None
    if folder is not None and (folder / CROSSWALK).is_file():
        out = Collector()
        read = text.read_csv_file(folder / CROSSWALK, str(CROSSWALK), out)
        if read is not None:
            frame = read[0]
            for column in frame.columns:
                if column.startswith("code"):
                    codes |= {v.replace(".", "") for v in frame[column] if v}
    return codes


def check_records(frame: pl.DataFrame, instance: Instance) -> pl.DataFrame:
    """``frame`` with a ``reason`` column: the first rule each record breaks, ``""`` if none."""
    regions = sorted(region_codes(instance))
    offices = [str(i) for i in instance.offices["id"]]
    nik = pl.col("nik")
    day = pl.col("birth_date").dt.day() + pl.when(pl.col("sex") == "P").then(40).otherwise(0)
    expected = pl.concat_str(
        day.cast(pl.Utf8).str.zfill(2),
        pl.col("birth_date").dt.month().cast(pl.Utf8).str.zfill(2),
        (pl.col("birth_date").dt.year() % 100).cast(pl.Utf8).str.zfill(2),
    )
    reason = (
        pl.when(~nik.str.contains(r"^\d{16}$"))
        .then(pl.lit("nik_digits"))
        .when(~nik.str.slice(0, 4).is_in(regions))
        .then(pl.lit("nik_region"))
        .when(nik.str.slice(6, 6) != expected)
        .then(pl.lit("nik_birth_date"))
        .when(nik.str.slice(12, 4) == "0000")
        .then(pl.lit("nik_serial"))
        .when(~pl.col("office").is_in(offices))
        .then(pl.lit("office"))
        .otherwise(pl.lit(""))
    )
    return frame.with_columns(reason.alias("reason"))


def report_invalid(frame: pl.DataFrame, file: str, out: Collector) -> None:
    """Each invalid record as a problem (file, row, column), grouped by reason when it repeats."""
    bad = frame.filter(pl.col("reason") != "")
    if bad.is_empty():
        return
    rows = bad["row"].to_numpy()
    for reason, (column, message) in REASONS.items():
        mask = (bad["reason"] == reason).to_numpy()
        if mask.any():
            values = bad[column].to_pandas().astype(str)
            out.cells(file, rows, column, mask, "'" + values + "' " + message, kind=reason)
