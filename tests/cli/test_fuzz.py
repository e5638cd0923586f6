"""Fuzzing: whatever a mutated file holds, the engine answers with exit 0 or 2, never a traceback.

Each case copies a good input, changes one file at random (``tests/mutations.py``:
odd cells, misspelt or missing columns, other encodings and delimiters, cut
files, missing files) and runs the command a planner would. Exit 2 must leave
nothing written. ``python benchmarks/fuzz.py --cases 2000`` runs the long version.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from mutations import mutate
from support import TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app

CASES = 25  # per command here; benchmarks/fuzz.py runs many more
runner = CliRunner()


def check(args: list[str], output: Path, what: str, codes: tuple[int, ...] = (0, 2)) -> None:
    """Run the command; its exit code is one of ``codes`` and exit 2 wrote nothing."""
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    text = result.output + (result.stderr or "")
    assert result.exit_code in codes, f"{what}: exit {result.exit_code}\n{text}"
    assert "internal error" not in text and "Traceback" not in text, f"{what}:\n{text}"
    if result.exit_code == 2:
        assert not output.exists(), f"{what}: exit 2 but {output} was written"


@pytest.mark.parametrize("seed", range(CASES))
def test_solve_a_mutated_instance(tmp_path: Path, seed: int) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    what = mutate(folder, random.Random(seed))
    check(["solve", str(folder), "-o", str(tmp_path / "plan"), "-q"], tmp_path / "plan", what)


@pytest.mark.parametrize("seed", range(CASES))
def test_verify_and_replan_a_mutated_plan(tmp_path: Path, seed: int) -> None:
    plan = tmp_path / "plan"
    allocator.solve(TINY).write(plan)
    what = mutate(plan, random.Random(1000 + seed))
    # verify exits 1 for a plan that reads but does not check out
    check(["verify", str(TINY), str(plan)], tmp_path / "nothing", what, (0, 1, 2))
    new = tmp_path / "new"
    check(
        ["replan", str(TINY), "--plan", str(plan), "--from", "2017-04", "-o", str(new), "-q"],
        new,
        what,
    )


@pytest.mark.parametrize("seed", range(CASES))
def test_batch_a_mutated_scenario_table(tmp_path: Path, seed: int) -> None:
    folder = tmp_path / "what-if"
    folder.mkdir()
    (folder / "what-if.csv").write_text(
        "scenario,change,target,period,value\n"
        "late,supply_delay,VENDOR,2017-04,1\n"
        "closed,link_capacity,HUB>A:road,2017-03,0\n"
        "surge,demand_scale,*,,1.25\n"
    )
    what = mutate(folder, random.Random(2000 + seed))
    table = folder / "what-if.csv"
    results = tmp_path / "results"
    if not table.exists():
        table = folder / "gone.csv"
    check(
        ["batch", str(TINY), str(table), "-o", str(results), "--workers", "1", "-q"], results, what
    )
