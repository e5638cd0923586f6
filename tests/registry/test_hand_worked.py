"""Fourteen records worked by hand: every NIK rule, every duplicate kind, every status.

The records (rows 2-15 of the file), on the ``two_offices`` instance
(offices 3171 and 3273, March-May 2017):

====  ==================  ===============  ======================================
row   NIK                 name             what it is
====  ==================  ===============  ======================================
2     3171011708900001    Budi Santoso     exact duplicate of row 3 (earlier)
3     3171011708900001    BUDI  SANTOSO    kept: moved to 3273, registered 2017-04
4     3273024502850002    Siti Aminah      woman (day 05 + 40 = 45), backlog
5     327302450285000     Ani              invalid: 15 digits
6     9999011708900003    Iwan             invalid: region 9999 unknown
7     3171011808900004    Agus             invalid: NIK says 18 Aug, born 17 Aug
8     3171011708900000    Hendra           invalid: serial 0000
9     3171011708900005    Joko             invalid: office 1234 unknown
10    3171014101000006    Dewi Lestari     conflict with row 11 (same NIK)
11    3171014101000006    Rina Wati        conflict with row 10
12    3171010806700007    Soeharto Djojo   probable pair with row 13
13    3273020806700008    Suharto Joyo     (old and new spelling), later, at 3273
14    3171013112950009    Eko Prasetyo     already printed
15    3171010407990010    Wahyu            registered 2017-07, after the horizon
====  ==================  ===============  ======================================

With both pairs OPEN, rows 10-13 are blocked and ``demand.csv`` is::

    node,period,category,quantity
    3273,2017-03,backlog,1      (row 4: registered 2017-01, before the start)
    3273,2017-04,new,1          (row 3)

With the conflict INVALID (two people: both count) and the probable pair
MERGED (one person: counts once, at row 13's office, in its month)::

    node,period,category,quantity
    3171,2017-03,new,2          (rows 10 and 11)
    3273,2017-03,backlog,1
    3273,2017-04,new,1
    3273,2017-05,new,1          (row 13)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.registry import build_demand, write_instance_copy

RECORDS = """\
nik,name,birth_date,sex,office,registered,status
3171011708900001,Budi Santoso,1990-08-17,L,3171,2016-11-02,recorded
3171011708900001,BUDI  SANTOSO,1990-08-17,L,3273,2017-04-10,recorded
3273024502850002,Siti Aminah,1985-02-05,P,3273,2017-01-15,recorded
327302450285000,Ani,1985-02-05,P,3273,2017-01-15,recorded
9999011708900003,Iwan,1990-08-17,L,3171,2017-03-01,recorded
3171011808900004,Agus,1990-08-17,L,3171,2017-03-01,recorded
3171011708900000,Hendra,1990-08-17,L,3171,2017-03-01,recorded
3171011708900005,Joko,1990-08-17,L,1234,2017-03-01,recorded
3171014101000006,Dewi Lestari,2000-01-01,P,3171,2017-03-05,recorded
3171014101000006,Rina Wati,2000-01-01,P,3171,2017-03-20,recorded
3171010806700007,Soeharto Djojo,1970-06-08,L,3171,2016-05-01,recorded
3273020806700008,Suharto Joyo,1970-06-08,L,3273,2017-05-02,recorded
3171013112950009,Eko Prasetyo,1995-12-31,L,3171,2016-02-01,printed
3171010407990010,Wahyu,1999-07-04,L,3171,2017-07-01,recorded
"""


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "registrations.csv"
    path.write_text(RECORDS)
    return path


def rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_open_pairs_block_their_records(records: Path, two_offices: allocator.Instance) -> None:
    result = build_demand(records, two_offices)
    assert rows(result.demand) == [("3273", "2017-03", "backlog", 1), ("3273", "2017-04", "new", 1)]
    assert rows(result.pairs[["pair", "row_a", "row_b", "kind", "status"]]) == [
        (1, 10, 11, "conflict", "OPEN"),
        (2, 12, 13, "probable", "OPEN"),
    ]
    assert result.pairs["score"].iloc[1] == 100.0
    assert result.states == {
        "invalid": 5,
        "exact_duplicate": 1,
        "blocked": 4,
        "printed": 1,
        "after_horizon": 1,
        "printable": 2,
    }


def test_each_invalid_record_is_named_with_row_and_column(
    records: Path, two_offices: allocator.Instance
) -> None:
    notes = [str(p) for p in build_demand(records, two_offices).notes]
    assert notes == [
        "registrations.csv, row 5, column 'nik': '327302450285000' is not 16 digits",
        "registrations.csv, row 6, column 'nik': '9999011708900003' does not start with a "
        "kabupaten/kota code of the instance",
        "registrations.csv, row 7, column 'nik': '3171011808900004' does not match birth_date "
        "and sex (digits 7-12 are the birth date as DDMMYY, with 40 added to the day for women)",
        "registrations.csv, row 8, column 'nik': '3171011708900000' ends in 0000, which is "
        "never a serial number",
        "registrations.csv, row 9, column 'office': '1234' is not an office of the instance",
    ]


def test_quality_counts_every_record_once(records: Path, two_offices: allocator.Instance) -> None:
    quality = build_demand(records, two_offices).quality.set_index(["level", "id"])
    total = quality.loc[("total", "all")]
    assert total["records"] == 14
    states = ["exact_duplicates", "merged", "blocked", "printed", "after_horizon", "printable"]
    invalid = [c for c in quality.columns if c.startswith("invalid_")]
    assert total[invalid].sum() + total[states].sum() == 14
    assert total["conflicts"] == 2 and total["probable_open"] == 2
    office = quality.loc[("office", "3273")]
    assert (office["records"], office["printable"], office["blocked"]) == (4, 2, 1)
    assert quality.loc[("province", "Jawa"), "records"] == 13  # row 9's office is unknown


def test_decided_pairs_count_and_are_not_proposed_again(
    records: Path, two_offices: allocator.Instance, tmp_path: Path
) -> None:
    first = build_demand(records, two_offices)
    decided = first.pairs.assign(status=["INVALID", "MERGED"])
    path = tmp_path / "duplicate_pairs.csv"
    decided.to_csv(path, index=False)
    second = build_demand(records, two_offices, pairs=path)
    assert rows(second.demand) == [
        ("3171", "2017-03", "new", 2),
        ("3273", "2017-03", "backlog", 1),
        ("3273", "2017-04", "new", 1),
        ("3273", "2017-05", "new", 1),
    ]
    assert second.pairs["status"].tolist() == ["INVALID", "MERGED"]
    assert second.states["merged"] == 1 and "blocked" not in second.states


def test_command_writes_the_three_files_and_an_instance_copy(
    records: Path, tmp_path: Path, two_offices: allocator.Instance
) -> None:
    allocator.write_instance(two_offices, tmp_path / "inst")
    result = CliRunner().invoke(
        app,
        [
            "demand",
            str(records),
            "--instance",
            str(tmp_path / "inst"),
            "-o",
            str(tmp_path / "d"),
            "--into",
            str(tmp_path / "copy"),
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert names == ["demand.csv", "duplicate_pairs.csv", "quality.csv"]
    assert (tmp_path / "d" / "demand.csv").read_text() == (
        "node,period,category,quantity\n3273,2017-03,backlog,1\n3273,2017-04,new,1\n"
    )
    copy = allocator.load_instance(tmp_path / "copy")
    assert int(copy.demand["quantity"].sum()) == 2
    assert (tmp_path / "copy" / "quality.csv").is_file()


def test_the_report_of_a_plan_on_records_shows_their_quality(
    records: Path, tmp_path: Path, two_offices: allocator.Instance
) -> None:
    result = build_demand(records, two_offices)
    copy = write_instance_copy(two_offices, result, tmp_path / "copy")
    plan = allocator.solve(allocator.load_instance(copy))
    plan.write(tmp_path / "plan")
    page = allocator.render_report(tmp_path / "plan", instance=copy)
    assert '<section id="quality"><h2>Demand from records</h2>' in page
    assert 'data-figure="blocked"><div class="value">4</div>' in page
    plain = allocator.render_report(tmp_path / "plan", instance=_without_quality(copy, tmp_path))
    assert 'id="quality"' not in plain


def _without_quality(folder: Path, tmp_path: Path) -> Path:
    other = tmp_path / "plain"
    other.mkdir()
    for path in folder.iterdir():
        if path.name != "quality.csv":
            (other / path.name).write_bytes(path.read_bytes())
    return other


def test_parquet_reads_as_the_csv(records: Path, two_offices: allocator.Instance) -> None:
    parquet = records.with_suffix(".parquet")
    pl.read_csv(records, infer_schema=False).write_parquet(parquet)
    from_csv, from_parquet = build_demand(records, two_offices), build_demand(parquet, two_offices)
    assert from_parquet.demand.equals(from_csv.demand)
    assert from_parquet.pairs.equals(from_csv.pairs)


def test_pairs_passed_back_on_the_command_line(
    records: Path, tmp_path: Path, two_offices: allocator.Instance
) -> None:
    allocator.write_instance(two_offices, tmp_path / "inst")
    base = ["demand", str(records), "--instance", str(tmp_path / "inst"), "--quiet"]
    assert CliRunner().invoke(app, [*base, "-o", str(tmp_path / "first")]).exit_code == 0
    pairs = tmp_path / "first" / "duplicate_pairs.csv"
    pairs.write_text(pairs.read_text().replace("OPEN", "MERGED", 1).replace("OPEN", "INVALID"))
    again = CliRunner().invoke(app, [*base, "-o", str(tmp_path / "second"), "--pairs", str(pairs)])
    assert again.exit_code == 0, again.output
    # the conflict MERGED: row 11 (the later) counts once; the probable pair INVALID:
    # rows 12 (a backlog at 3171) and 13 (new at 3273 in May) both count
    assert (tmp_path / "second" / "demand.csv").read_text() == (
        "node,period,category,quantity\n3171,2017-03,backlog,1\n3171,2017-03,new,1\n"
        "3273,2017-03,backlog,1\n3273,2017-04,new,1\n3273,2017-05,new,1\n"
    )
