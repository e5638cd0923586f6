"""The report's ``quality`` section: how good the records behind the demand were.

An instance written by ``allocator demand --into`` carries ``quality.csv``
beside its tables (``docs/formats.md``): its demand was counted from person
records, after invalid NIKs and duplicates were taken out. The section shows
the totals and the provinces, so whoever reads the plan knows how many people
were held back (blocked pairs still OPEN) or left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from allocator.instance import Instance
from allocator.instance.problems import Collector
from allocator.instance.text import read_csv_file
from allocator.report.html import esc, section, table, whole

#: Beside an instance's tables: its demand came from registration records.
QUALITY = "quality.csv"

#: quality.csv columns shown, with their labels.
SHOWN = {
    "records": "records",
    "invalid": "invalid NIK or office",
    "exact_duplicates": "exact duplicates",
    "merged": "merged",
    "blocked": "blocked (OPEN pairs)",
    "printed": "already printed",
    "printable": "printable demand",
}


def read_quality(instance: Instance | None) -> pd.DataFrame | None:
    """The instance's ``quality.csv`` as numbers, or None (no file, or unreadable)."""
    if instance is None or not instance.source:
        return None
    path = Path(instance.source) / QUALITY
    if not path.is_file():
        return None
    read = read_csv_file(path, QUALITY, Collector())
    if read is None:
        return None
    frame = read[0]
    counts = [c for c in frame.columns if c not in ("level", "id", "name")]
    frame[counts] = frame[counts].apply(pd.to_numeric, errors="coerce").fillna(0).astype(int)
    frame["invalid"] = frame[[c for c in counts if c.startswith("invalid_")]].sum(axis=1)
    return frame


def quality_section(quality: pd.DataFrame) -> str:
    """Totals as figure boxes, then the provinces as a table."""
    total = quality[quality["level"] == "total"]
    boxes = ""
    if len(total):
        row = total.iloc[0]
        boxes = "".join(
            f'<div class="figure" data-figure="{key}"><div class="value">{esc(whole(row[key]))}'
            f'</div><div class="label">{esc(label)}</div></div>'
            for key, label in SHOWN.items()
            if key in row
        )
    provinces = quality[quality["level"] == "province"]
    columns = ["name", *[c for c in SHOWN if c in provinces.columns]]
    shown = provinces[columns].rename(columns={"name": "province", **SHOWN})
    formats = {label: whole for key, label in SHOWN.items() if key in provinces.columns}
    body = (
        '<p class="note">This instance\'s demand was counted from registration records '
        "(<code>allocator demand</code>): each person once, at the office of their latest "
        "record; records with an invalid NIK or office, exact duplicates and records already "
        "printed are left out, and records in a duplicate pair still OPEN are held back until "
        "the pair is decided.</p>"
        f'<div class="figures">{boxes}</div>'
        f"<details><summary>by province</summary>{table(shown, formats)}</details>"
    )
    return section("quality", "Demand from records", body)
