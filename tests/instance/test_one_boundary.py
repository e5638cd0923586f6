"""One boundary: a cell means the same, and is refused the same way, in every table a user writes.

The same bad quantity or month is put in an instance file, a re-plan's
actuals, a re-plan's ``--supply``, a what-if table and a plan folder read
back; each must be refused (exit 2 from the CLI) with the very message the
instance file gets, at its own file, row and column. Regression for the drift
that read ``1.000`` in a what-if table as one card (issue 9).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app

runner = CliRunner()

#: A bad whole number and the message an instance file gives it (after "file, row, column: ").
WHOLE = {
    "1.000": "'1.000' is not a whole number: neither thousands separators nor decimals are "
    "accepted; if you mean 1000, write the number as plain digits",
    "20.0": "'20.0' is not a whole number; decimals are not accepted, write a whole number >= 0",
    "4.500.000": "'4.500.000' has thousands separators, which are not accepted; write the "
    "number as plain digits (4500000)",
    "-3": "'-3' is negative; write a whole number >= 0",
    "3 cards": "'3 cards' is not a whole number; write plain digits such as 1200",
}
BAD_MONTH = "'2017-13' is not a month written YYYY-MM (for example 2017-03)"


def problems(call) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(allocator.InputError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def instance_message(folder: Path, cell: str) -> str:
    """What ``supply.csv`` says of ``cell`` as the quantity of its second row."""
    supply = folder / "supply.csv"
    original = supply.read_text()
    lines = original.splitlines()
    node, period, _ = lines[2].split(",")
    lines[2] = f'{node},{period},"{cell}"'
    supply.write_text("\n".join(lines) + "\n")
    try:
        found = problems(lambda: allocator.load_instance(folder))
    finally:
        supply.write_text(original)
    assert found == [f"supply.csv, row 3, column 'quantity': {WHOLE[cell]}"]
    return WHOLE[cell]


@pytest.mark.parametrize("cell", list(WHOLE))
def test_a_whole_number_is_read_the_same_in_every_table(tiny: Path, cell: str) -> None:
    message = instance_message(tiny, cell)
    instance = allocator.load_instance(tiny)
    plan = allocator.solve(instance)

    scenarios = tiny.parent / "what-if.csv"
    scenarios.write_text(
        f'scenario,change,target,period,value\nx,link_capacity,HUB>A:road,,"{cell}"\n'
    )
    assert problems(lambda: allocator.read_scenarios(scenarios, instance)) == [
        f"what-if.csv, row 2, column 'value': {message}"
    ]

    actuals = tiny.parent / "actuals"
    actuals.mkdir()
    (actuals / "shipments.csv").write_text(f'link,period,quantity\nHUB>A:road,2017-03,"{cell}"\n')
    assert problems(lambda: allocator.replan(instance, plan, start="2017-04", actuals=actuals)) == [
        f"{actuals / 'shipments.csv'}, row 2, column 'quantity': {message}"
    ]

    late = tiny.parent / "late.csv"
    late.write_text(f'node,period,quantity\nVENDOR,2017-05,"{cell}"\n')
    assert problems(lambda: allocator.replan(instance, plan, start="2017-04", supply=late)) == [
        f"{late}, row 2, column 'quantity': {message}"
    ]

    folder = tiny.parent / "plan"
    plan.write(folder)
    nodes = pd.read_csv(folder / "nodes.csv", dtype=str, keep_default_na=False)
    nodes.loc[0, "issued"] = cell
    nodes.to_csv(folder / "nodes.csv", index=False)
    assert problems(lambda: allocator.read_plan(folder)) == [
        f"nodes.csv, row 2, column 'issued': {message}"
    ]


def test_a_whole_number_in_a_what_if_table_exits_2_from_the_cli(tiny: Path) -> None:
    """``1.000`` and ``20.0`` as a capacity: exit 2, each at its row and column, nothing written."""
    scenarios = tiny.parent / "what-if.csv"
    scenarios.write_text(
        "scenario,change,target,period,value\n"
        "a,link_capacity,HUB>A:road,,1.000\n"
        "b,issue_capacity,A,2017-04,20.0\n"
    )
    results = tiny.parent / "results"
    run = runner.invoke(
        app, ["batch", str(tiny), str(scenarios), "-o", str(results)], env={"COLUMNS": "300"}
    )
    assert run.exit_code == 2
    assert [line.strip() for line in run.output.splitlines()] == [
        "input error: 2 problems",
        f"what-if.csv, row 2, column 'value': {WHOLE['1.000']}",
        f"what-if.csv, row 3, column 'value': {WHOLE['20.0']}",
    ]
    assert not results.exists()


def test_a_month_is_read_the_same_in_every_table(tiny: Path) -> None:
    instance = allocator.load_instance(tiny)
    plan = allocator.solve(instance)
    scenarios = tiny.parent / "what-if.csv"
    scenarios.write_text("scenario,change,target,period,value\nx,supply_delay,VENDOR,2017-13,1\n")
    assert problems(lambda: allocator.read_scenarios(scenarios, instance)) == [
        f"what-if.csv, row 2, column 'period': {BAD_MONTH}"
    ]
    late = tiny.parent / "late.csv"
    late.write_text("node,period,quantity\nVENDOR,2017-13,15\n")
    found = problems(lambda: allocator.replan(instance, plan, start="2017-04", supply=late))
    assert found == [f"{late}, row 2, column 'period': {BAD_MONTH}"]
    (tiny / "supply.csv").write_text("node,period,quantity\nVENDOR,2017-13,15\n")
    assert problems(lambda: allocator.load_instance(tiny)) == [
        f"supply.csv, row 2, column 'period': {BAD_MONTH}"
    ]


def test_a_factor_is_a_number_as_a_cost_is(tiny: Path) -> None:
    """A factor reads like ``links.csv``'s cost: a decimal point, never a decimal comma."""
    instance = allocator.load_instance(tiny)
    table = pd.DataFrame(
        [["x", "demand_scale", "*", "", "1,5"], ["y", "supply_scale", "*", "", "1.25"]],
        columns=["scenario", "change", "target", "period", "value"],
    )
    assert problems(lambda: allocator.read_scenarios(table, instance)) == [
        "scenarios.csv, row 2, column 'value': '1,5' has a decimal comma; write the decimal "
        "with a point (1.5)"
    ]
    assert allocator.read_scenarios(table.iloc[[1]], instance)["value"].tolist() == [1.25]
