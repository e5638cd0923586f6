"""What is valid but probably not meant is said, not silently accepted (issue 10)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app

runner = CliRunner()


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    return folder


def test_a_horizon_of_ten_thousand_months_is_a_warning(tiny: Path) -> None:
    toml = tiny / "instance.toml"
    toml.write_text(toml.read_text().replace("periods = 3", "periods = 10000"))
    note = (
        "the horizon is 10,000 months (833 years); the model grows with every month: is "
        "'periods' in instance.toml right?"
    )
    instance = allocator.load_instance(tiny)
    assert allocator.instance.unusual(instance) == [note]
    for command in ("validate", "info"):
        run = runner.invoke(app, [command, str(tiny)], env={"COLUMNS": "300"})
        assert run.exit_code == 0
        assert f"warning: {note}" in run.output


def test_a_plain_instance_has_no_warning_and_the_summary_says_so(tiny_plan: allocator.Plan) -> None:
    assert tiny_plan.summary["warnings"] == []


def test_no_supply_is_a_warning(tiny: Path) -> None:
    (tiny / "supply.csv").write_text("node,period,quantity\n")
    instance = allocator.load_instance(tiny)
    assert allocator.instance.unusual(instance) == [
        "there is no supply and no stock: every card of demand waits to the end"
    ]
    plan = allocator.solve(instance)
    assert plan.summary["warnings"] == allocator.instance.unusual(instance)


def test_weights_more_than_a_million_apart_are_refused(tiny: Path) -> None:
    """Found by fuzzing: priority = 1e9 next to regular = 1 made the stage-2 face too wide
    (duals below 1e-7 x 1e9 count as zero), and the solve failed 'please report it'."""
    toml = tiny / "instance.toml"
    toml.write_text(toml.read_text().replace("priority = 5.0", "priority = 1e9"))
    with pytest.raises(allocator.InputError) as caught:
        allocator.load_instance(tiny)
    assert [str(p) for p in caught.value.problems] == [
        "instance.toml, row 8, column 'priority': weight 1e+09 of category 'priority' is more "
        "than a million times the weight 1 of 'regular': waiting this far apart cannot be "
        "weighed exactly by the solver (its tolerances would decide who waits); keep the "
        "weights within a factor of 1,000,000"
    ]


def test_a_freeze_longer_than_the_months_left_is_refused(tiny_plan: allocator.Plan) -> None:
    instance = allocator.load_instance(TINY)
    with pytest.raises(allocator.InputError) as caught:
        allocator.replan(instance, tiny_plan, start="2017-04", freeze=5)
    assert [str(p) for p in caught.value.problems] == [
        "--freeze: 5 months is longer than the 2 month(s) re-planned from 2017-04: freeze at most 2"
    ]
