"""A registration file that cannot be used: exit 2, every problem located, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import allocator
from allocator.cli import app

HEADER = "nik,name,birth_date,sex,office,registered,status\n"
GOOD = "3171011708900001,Budi Santoso,1990-08-17,L,3171,2016-11-02,recorded\n"


@pytest.fixture
def instance_folder(tmp_path: Path, two_offices: allocator.Instance) -> Path:
    return allocator.write_instance(two_offices, tmp_path / "inst")


def run(tmp_path: Path, instance_folder: Path, content: bytes, name: str = "reg.csv") -> str:
    """Run ``allocator demand`` on ``content``; check exit 2 and nothing written; the errors."""
    path = tmp_path / name
    path.write_bytes(content)
    result = CliRunner().invoke(
        app,
        [
            "demand",
            str(path),
            "--instance",
            str(instance_folder),
            "-o",
            str(tmp_path / "out"),
            "--into",
            str(tmp_path / "copy"),
            "--quiet",
        ],
    )
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "copy").exists()
    return result.output


def test_missing_column(tmp_path: Path, instance_folder: Path) -> None:
    content = (
        b"nik,name,birth_date,sex,office,status\n3171011708900001,Budi,1990-08-17,L,3171,recorded\n"
    )
    assert run(tmp_path, instance_folder, content) == (
        "input error: 1 problem\n"
        "  reg.csv, row 1: missing column 'registered'; a registration file has the columns "
        "nik,name,birth_date,sex,office,registered,status[,category]\n"
    )


def test_misspelt_column(tmp_path: Path, instance_folder: Path) -> None:
    content = (HEADER.replace("birth_date", "birthdate") + GOOD).encode()
    assert run(tmp_path, instance_folder, content) == (
        "input error: 2 problems\n"
        "  reg.csv, row 1, column 'birthdate': unknown column 'birthdate': did you mean "
        "'birth_date'? Rename it to 'birth_date'; a column this close to a known name is never "
        "taken as an extra column\n"
        "  reg.csv, row 1: missing column 'birth_date'; a registration file has the columns "
        "nik,name,birth_date,sex,office,registered,status[,category]\n"
    )


def test_wrong_encoding(tmp_path: Path, instance_folder: Path) -> None:
    content = (
        HEADER + GOOD
    ).encode() + "3171011708900002,Bud\u00ed,1990-08-17,L,3171,2016-11-02,recorded\n".encode(
        "latin-1"
    )
    assert run(tmp_path, instance_folder, content) == (
        "input error: 1 problem\n"
        "  reg.csv, row 3: is not UTF-8 text (byte 0xED on line 3); save it as UTF-8 "
        "(in Excel: 'CSV UTF-8')\n"
    )


def test_date_in_another_format(tmp_path: Path, instance_folder: Path) -> None:
    content = (
        HEADER + GOOD.replace("1990-08-17", "17/08/1990") + GOOD.replace("2016-11-02", "2016-02-30")
    ).encode()
    assert run(tmp_path, instance_folder, content) == (
        "input error: 2 problems\n"
        "  reg.csv, row 2, column 'birth_date': '17/08/1990' is not a date written YYYY-MM-DD "
        "(for example 1990-08-17)\n"
        "  reg.csv, row 3, column 'registered': '2016-02-30' is not a day of the calendar\n"
    )


def test_many_bad_dates_are_one_line(tmp_path: Path, instance_folder: Path) -> None:
    content = (HEADER + GOOD.replace("1990-08-17", "17/08/1990") * 9).encode()
    assert run(tmp_path, instance_folder, content) == (
        "input error: 1 problem\n"
        "  reg.csv, row 2, column 'birth_date': '17/08/1990' is not a date written YYYY-MM-DD "
        "(for example 1990-08-17); the same in 8 more rows (rows 3-10)\n"
    )


def test_empty_file(tmp_path: Path, instance_folder: Path) -> None:
    assert run(tmp_path, instance_folder, b"") == (
        "input error: 1 problem\n  reg.csv: is empty; it needs at least a header row\n"
    )


def test_bad_sex_and_status(tmp_path: Path, instance_folder: Path) -> None:
    content = (HEADER + GOOD.replace(",L,", ",M,").replace("recorded", "waiting")).encode()
    assert run(tmp_path, instance_folder, content) == (
        "input error: 2 problems\n"
        "  reg.csv, row 2, column 'sex': 'M' is not L (laki-laki) or P (perempuan)\n"
        "  reg.csv, row 2, column 'status': 'waiting' is not 'recorded' or 'printed'\n"
    )


def test_mostly_invalid_file_is_refused(tmp_path: Path, instance_folder: Path) -> None:
    bad = GOOD.replace("3171011708900001", "1708900001")
    content = (HEADER + GOOD + bad * 2).encode()
    assert run(tmp_path, instance_folder, content) == (
        "input error: 3 problems\n"
        "  reg.csv: 2 of 3 records (67%) are invalid; this is probably the wrong file, or its "
        "columns are swapped (nothing was written)\n"
        "  reg.csv, row 3, column 'nik': '1708900001' is not 16 digits\n"
        "  reg.csv, row 4, column 'nik': '1708900001' is not 16 digits\n"
    )


def test_no_category_column_on_an_instance_without_backlog_and_new(tmp_path: Path) -> None:
    tiny = Path(__file__).parents[2] / "instances" / "tiny"
    assert run(tmp_path, tiny, (HEADER + GOOD).encode()) == (
        "input error: 1 problem\n"
        "  reg.csv, column 'category': records without a category count as 'backlog' or "
        "'new', but the instance has no categories 'backlog' and 'new'; add a category "
        "column with one of 'regular', 'priority'\n"
    )
