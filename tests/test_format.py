"""How numbers and months read in the terminal: exact strings."""

from __future__ import annotations

import io

from rich.console import Console
from support import TINY

import allocator
from allocator._format import month, months, number, whole
from allocator.cli import console


def test_months_read_as_a_planner_writes_them() -> None:
    assert month("2017-03") == "Mar 2017"
    assert month("2018-12") == "Dec 2018"
    assert months(["2017-01", "2017-02"]) == "Jan 2017, Feb 2017"
    assert month("2017-13") == "2017-13"  # not a month: left as it is
    assert month("base") == "base"


def test_numbers_are_grouped_and_aligned_in_one_column() -> None:
    assert whole(4_500_000) == "4,500,000"
    assert number(1234.5) == "1,234.50"


def test_the_instance_table_shows_months_and_grouped_numbers() -> None:
    buffer = io.StringIO()
    info = allocator.describe_instance(allocator.load_instance(TINY))
    console.instance_info(Console(file=buffer, width=120, color_system=None), info)
    lines = buffer.getvalue().splitlines()
    rows = [line for line in lines if "2017" in line and "│" in line]
    assert [r.split("│")[1].strip() for r in rows] == ["Mar 2017", "Apr 2017", "May 2017"]
    assert "2017-03" not in buffer.getvalue()
