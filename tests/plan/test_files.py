"""A plan folder is read back by the same rules as every file a user writes.

A planner opens a plan's CSV files in a spreadsheet in an Indonesian locale
and saves them again: a byte-order mark, semicolons, CRLF line ends. The
folder must read back to the same tables and still verify, report and
re-plan, exactly as the same files would load as an instance (issue 9).
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
from allocator.plan.core import PLAN_TABLES

runner = CliRunner()


def resave_like_a_spreadsheet(folder: Path) -> None:
    """Every CSV of ``folder`` again with a BOM, ';' between values and CRLF line ends."""
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        rows = [line.split(",") for line in text.splitlines()]
        path.write_bytes(
            b"\xef\xbb\xbf" + "\r\n".join(";".join(r) for r in rows).encode() + b"\r\n"
        )


@pytest.fixture
def resaved(tmp_path: Path, tiny_plan: allocator.Plan) -> Path:
    folder = tmp_path / "plan"
    tiny_plan.write(folder)
    resave_like_a_spreadsheet(folder)
    assert (folder / "shipments.csv").read_bytes().startswith(b"\xef\xbb\xbflink;from;to")
    return folder


def test_a_resaved_plan_reads_back_to_the_same_tables(
    resaved: Path, tiny_plan: allocator.Plan
) -> None:
    back = allocator.read_plan(resaved)
    for name in PLAN_TABLES:
        pd.testing.assert_frame_equal(
            getattr(back, name), getattr(tiny_plan, name), check_dtype=False
        )
        assert {str(t) for t in getattr(back, name).dtypes} <= {"str", "int64", "float64"}
    assert back.summary == tiny_plan.summary


def test_a_resaved_plan_verifies_reports_and_replans(resaved: Path, tmp_path: Path) -> None:
    run = runner.invoke(app, ["verify", str(TINY), str(resaved)])
    assert run.exit_code == 0, run.output
    assert "satisfies every constraint" in run.output

    report = tmp_path / "report.html"
    run = runner.invoke(app, ["report", str(resaved), "-o", str(report), "--instance", str(TINY)])
    assert run.exit_code == 0, run.output
    assert 'data-figure="unmet"><div class="value">5</div>' in report.read_text()

    new = tmp_path / "new"
    run = runner.invoke(
        app,
        ["replan", str(TINY), "--plan", str(resaved), "--from", "2017-04", "-o", str(new), "-q"],
    )
    assert run.exit_code == 0, run.output
    replanned = allocator.read_plan(new)
    assert replanned.summary["replan"]["changes"]["cards_moved"] == 0


def test_a_resaved_replan_keeps_its_changes_table(
    tmp_path: Path, tiny_plan: allocator.Plan
) -> None:
    """Extra tables (a re-plan's changes.csv) read back with their types, negatives included."""
    instance = allocator.load_instance(TINY)
    late = instance.supply.assign(period=instance.supply["period"].replace({"2017-04": "2017-05"}))
    replan = allocator.replan(instance, tiny_plan, start="2017-04", supply=late)
    folder = tmp_path / "replan"
    replan.write(folder)
    shutil.rmtree(folder / "instance")
    resave_like_a_spreadsheet(folder)
    changes = allocator.read_plan(folder).extra["changes"]
    pd.testing.assert_frame_equal(changes, replan.extra["changes"], check_dtype=False)
    assert (changes["difference"] < 0).any()


def test_a_plan_file_of_zero_bytes_is_an_input_error_naming_it(resaved: Path) -> None:
    (resaved / "stock.csv").write_bytes(b"")
    run = runner.invoke(app, ["verify", str(TINY), str(resaved)])
    assert run.exit_code == 2
    assert run.stderr.splitlines()[1] == ("  stock.csv: is empty; it needs at least a header row")
