"""A problem that repeats over many rows is one line, and a wrong delimiter is named (issue 10).

Before, a ``demand.csv`` written with ``.`` thousands separators gave 1,181
lines, one per quantity, and a tab-separated file three "missing column"
lines that did not say why.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import TINY

import allocator
from allocator.instance.problems import row_ranges


def problems(folder: Path) -> list[str]:
    with pytest.raises(allocator.InputError) as caught:
        allocator.load_instance(folder)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def test_thousands_separators_in_every_row_are_one_line(tiny: Path) -> None:
    rows = [f"A,2017-03,k{i},{i % 9 + 1}.{i % 1000:03d}" for i in range(1181)]
    (tiny / "demand.csv").write_text("node,period,category,quantity\n" + "\n".join(rows) + "\n")
    found = problems(tiny)
    quantity = [p for p in found if "column 'quantity'" in p]
    assert quantity == [
        "demand.csv, row 2, column 'quantity': '1.000' is not a whole number: neither thousands "
        "separators nor decimals are accepted; if you mean 1000, write the number as plain "
        "digits; the same in 1,180 more rows (rows 3-1182)"
    ]
    # The unknown categories k0 ... k1180 repeat too: one line for them as well.
    category = [p for p in found if "column 'category'" in p]
    assert len(category) == 1
    assert category[0].startswith("demand.csv, row 2, column 'category': 'k0' is not a category")
    assert category[0].endswith("; the same in 1,180 more rows (rows 3-1182)")


def test_a_few_problems_stay_one_line_each(tiny: Path) -> None:
    rows = ["A,2017-03,regular,1.500", "B,2017-03,regular,2.500", "C,2017-03,regular,3,5"]
    (tiny / "demand.csv").write_text("node,period,category,quantity\n" + "\n".join(rows) + "\n")
    found = problems(tiny)
    assert len(found) == 3
    assert found[0].startswith("demand.csv, row 2, column 'quantity': '1.500' is not")


def test_a_tab_separated_file_is_named(tiny: Path) -> None:
    text = (tiny / "supply.csv").read_text().replace(",", "\t")
    (tiny / "supply.csv").write_text(text)
    assert problems(tiny) == [
        "supply.csv, row 1: seems to be tab-separated: its header has no commas or semicolons; "
        "save it comma- or semicolon-separated (in Excel: 'CSV UTF-8')"
    ]


def test_row_ranges() -> None:
    assert row_ranges([3, 4, 5, 9, 11, 12]) == "rows 3-5, 9, 11-12"
    assert row_ranges(list(range(2, 40, 2)), most=3) == "rows 2, 4, 6, ..."
