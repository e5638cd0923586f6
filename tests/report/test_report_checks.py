"""A report is drawn only for a plan that checks out against its own instance (issue 10).

Before, ``allocator report PLAN --instance OTHER`` wrote a page titled with
one instance and mapped with another, and a plan that failed verification
was drawn like any other.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import INSTANCES, TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app

runner = CliRunner()


@pytest.fixture
def plan(tmp_path: Path, tiny_plan: allocator.Plan) -> Path:
    folder = tmp_path / "plan"
    tiny_plan.write(folder)
    return folder


def test_a_report_with_another_instance_is_refused(plan: Path) -> None:
    other = INSTANCES / "sea-or-air"
    run = runner.invoke(
        app, ["report", str(plan), "--instance", str(other)], env={"COLUMNS": "400"}
    )
    assert run.exit_code == 2
    theirs = allocator.load_instance(other).sha256[:12]
    mine = allocator.load_instance(TINY).sha256[:12]
    assert run.stderr.splitlines() == [
        "input error: 1 problem",
        f"  --instance: the instance at {other} is 'sea-or-air' (sha256 {theirs}...), but the "
        f"plan was made for 'tiny' (sha256 {mine}...): give the plan's own instance, or leave "
        "--instance out",
    ]
    assert not (plan / "report.html").exists()


def test_a_changed_instance_is_a_warning_at_the_top(plan: Path, tmp_path: Path) -> None:
    changed = tmp_path / "tiny"
    shutil.copytree(TINY, changed)
    nodes = changed / "nodes.csv"
    nodes.write_text(nodes.read_text().replace("-7.70,109.00", "-7.71,109.00"))
    run = runner.invoke(app, ["report", str(plan), "--instance", str(changed)])
    assert run.exit_code == 0
    page = (plan / "report.html").read_text()
    top = page[page.index("<h1>") : page.index("<nav>")]
    assert '<div class="banner warning" role="alert"><p>The instance at ' in top
    assert "has changed since this plan was made" in top
    assert "not verified (see the note at the top)" in page


def test_a_plan_that_fails_verification_is_refused_unless_forced(plan: Path) -> None:
    issuance = plan / "issuance.csv"
    lines = issuance.read_text().splitlines()
    header = lines[0].split(",")
    first = lines[1].split(",")
    first[header.index("issued")] = str(int(first[header.index("issued")]) + 1)
    lines[1] = ",".join(first)
    issuance.write_text("\n".join(lines) + "\n")

    run = runner.invoke(app, ["report", str(plan)], env={"COLUMNS": "400"})
    assert run.exit_code == 1
    lines = run.stderr.splitlines()
    assert lines[0] == (
        f"error: plan {plan} fails verification against its instance (21 problems), so no "
        "report was written (--force draws it under a red banner)"
    )
    assert "  summary.json: totals.issued is 45, but the plan's is 46" in lines
    assert not (plan / "report.html").exists()

    run = runner.invoke(app, ["report", str(plan), "--force"], env={"COLUMNS": "400"})
    assert run.exit_code == 0
    assert run.stderr.startswith("error: This plan fails verification against its instance")
    page = (plan / "report.html").read_text()
    top = page[page.index("<h1>") : page.index("<nav>")]
    assert '<div class="banner error" role="alert"><p>This plan fails verification' in top
    assert "It is drawn only because --force was given." in top


def test_a_verified_plan_says_so(plan: Path) -> None:
    run = runner.invoke(app, ["report", str(plan)])
    assert run.exit_code == 0 and run.stderr == ""
    page = (plan / "report.html").read_text()
    assert 'class="banner' not in page
    assert "verified against its instance: every constraint holds, in whole cards" in page


def test_verify_says_first_that_a_plan_was_made_for_other_data(plan: Path) -> None:
    other = INSTANCES / "lead-time"
    run = runner.invoke(app, ["verify", str(other), str(plan)], env={"COLUMNS": "400"})
    assert run.exit_code == 1
    theirs = allocator.load_instance(other).sha256[:12]
    mine = allocator.load_instance(TINY).sha256[:12]
    lines = run.stderr.splitlines()
    assert lines[0] == (
        f"plan {plan} was made for other data: instance 'tiny' (sha256 {mine}...), not "
        f"'lead-time' (sha256 {theirs}...)"
    )
    assert lines[1].startswith(f"plan {plan} fails verification: ")
