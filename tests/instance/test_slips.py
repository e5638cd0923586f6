"""A slip of the keyboard is refused with the name it was meant to be, never taken as new.

Before issue 10, ``capcity`` in ``links.csv`` was kept as an extra column and
the link became unlimited (tiny's cost fell from 140 to 130), ``leadtime``
made every lead time 0, and ``validate`` said ok. Extra columns still pass
through; only a name within a slip of a known one is an error.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support import TINY

import allocator
from allocator.instance.names import looks_like

SLIP = "a column this close to a known name is never taken as an extra column"


def problems(call) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(allocator.InputError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def rename_column(path: Path, old: str, new: str) -> None:
    lines = path.read_text().splitlines()
    lines[0] = ",".join(new if c == old else c for c in lines[0].split(","))
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("written", "meant"),
    [("capcity", "capacity"), ("leadtime", "lead_time"), ("Lead Time", "lead_time")],
)
def test_a_misspelt_column_is_an_error_naming_the_column(
    tiny: Path, written: str, meant: str
) -> None:
    rename_column(tiny / "links.csv", meant, written)
    assert problems(lambda: allocator.load_instance(tiny)) == [
        f"links.csv, row 1, column '{written}': unknown column '{written}': did you mean "
        f"'{meant}'? Rename it to '{meant}'; {SLIP}"
    ]


def test_the_slip_once_made_the_link_unlimited(tiny: Path) -> None:
    """What the error prevents: without the capacity column, tiny's cost falls to 130."""
    assert allocator.solve(tiny).summary["objective"]["cost"] == 140
    links = pd.read_csv(tiny / "links.csv", dtype=str, keep_default_na=False)
    links.drop(columns="capacity").to_csv(tiny / "links.csv", index=False)
    assert allocator.solve(tiny).summary["objective"]["cost"] == 130


def test_an_extra_column_still_passes_through(tiny: Path) -> None:
    links = pd.read_csv(tiny / "links.csv", dtype=str, keep_default_na=False)
    links.assign(operator="PT Pos").to_csv(tiny / "links.csv", index=False)
    assert allocator.load_instance(tiny).links["operator"].tolist() == ["PT Pos"] * 5


def test_a_misspelt_file_or_setting_is_named(tiny: Path) -> None:
    (tiny / "links.csv").rename(tiny / "link.csv")
    (tiny / "capacities.csv").write_text("what,id,period,capacity\n")  # not a slip: ignored
    (tiny / "capacty.csv").write_text("what,id,period,capacity\nlink,HUB>A:road,2017-03,0\n")
    toml = tiny / "instance.toml"
    toml.write_text(toml.read_text().replace("periods = 3", 'periods = 3\nstrat = "2017-03"'))
    assert problems(lambda: allocator.load_instance(tiny)) == [
        "instance.toml, row 5, column 'strat': unknown setting 'strat'; did you mean 'start'? "
        "the settings are name, description, start, periods, and the table [categories]",
        f"links.csv: is missing from {tiny}; there is a file 'link.csv': did you mean it? "
        "Rename it to 'links.csv'",
        f"capacity.csv: is missing from {tiny}; there is a file 'capacty.csv': did you mean it? "
        "Rename it to 'capacity.csv'",
    ]


def test_a_misspelt_sheet_is_named(tmp_path: Path) -> None:
    instance = allocator.load_instance(TINY)
    book = openpyxl.Workbook()
    book.remove(book.active)
    sheets = {
        "instance": [["key", "value"], ["name", "tiny"], ["start", "2017-03"], ["periods", 3]],
        "categories": [["category", "weight"], *map(list, instance.categories.items())],
    }
    for table in ("nodes", "links", "supply", "demand"):
        frame = getattr(instance, table).astype(object).where(lambda f: f.notna(), None)
        sheets["node" if table == "nodes" else table] = [
            list(frame.columns),
            *frame.values.tolist(),
        ]
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "tiny.xlsx")
    found = problems(lambda: allocator.load_instance(tmp_path / "tiny.xlsx"))
    assert found == [
        "tiny.xlsx[nodes]: the workbook has no sheet 'nodes'; there is a sheet 'node': did you "
        "mean it? Rename it to 'nodes'"
    ]


def test_a_misspelt_column_in_every_other_table(tiny: Path) -> None:
    instance = allocator.load_instance(tiny)
    plan = allocator.solve(instance)
    table = pd.DataFrame(
        [["x", "supply_scale", "*", 1]], columns=["scenaro", "change", "target", "value"]
    )
    assert problems(lambda: allocator.read_scenarios(table, instance))[0] == (
        "scenarios.csv, row 1, column 'scenaro': unknown column 'scenaro': did you mean "
        f"'scenario'? Rename it to 'scenario'; {SLIP}"
    )
    late = tiny.parent / "late.csv"
    late.write_text("node,period,quantiy\nVENDOR,2017-05,15\n")
    assert problems(lambda: allocator.replan(instance, plan, start="2017-04", supply=late))[0] == (
        f"{late}, row 1, column 'quantiy': unknown column 'quantiy': did you mean 'quantity'? "
        f"Rename it to 'quantity'; {SLIP}"
    )


def test_a_number_in_quotes_in_toml_is_text(tiny: Path) -> None:
    toml = tiny / "instance.toml"
    toml.write_text(
        toml.read_text()
        .replace("periods = 3", 'periods = "3"')
        .replace("priority = 5.0", 'priority = "5"')
    )
    assert problems(lambda: allocator.load_instance(tiny)) == [
        "instance.toml, row 4, column 'periods': periods '3' is text (in quotes); write the "
        "number without quotes: periods = 3",
        "instance.toml, row 8, column 'priority': weight '5' of category 'priority' is text "
        "(in quotes); write the number without quotes: priority = 5",
    ]


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("holding cost", "holding_cost"),
        ("Issue_Capacity", "issue_capacity"),
        ("stroage", "storage"),
        ("issue_capacty", "issue_capacity"),
        ("regions", "region"),
        ("note", None),
        ("lng", None),
        ("id2", None),
        ("province_code", None),
    ],
)
def test_which_names_are_slips(name: str, meant: str | None) -> None:
    known = [c.name for c in allocator.instance.schema.NODES]
    assert looks_like(name, known) == meant
