"""The command line through its real entry point: exit codes, messages, the plan folder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support import ROOT, TINY, sea_to_a_hub_that_holds_nothing
from typer.testing import CliRunner

import allocator
from allocator.cli import app

runner = CliRunner()


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_solve_writes_a_verified_plan_and_prints_the_summary(tmp_path: Path) -> None:
    code, out, _ = run("solve", TINY, "-o", tmp_path / "plan")
    assert code == 0
    files = sorted(p.name for p in (tmp_path / "plan").iterdir())
    assert files == ["issuance.csv", "nodes.csv", "shipments.csv", "stock.csv", "summary.json"]
    # tiny/README.md: 50 demanded, 45 issued, 5 unmet; waiting 25, cost 140.
    assert "45" in out and "90.0%" in out and "140" in out and "optimal" in out
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["objective"] == {"waiting": 25.0, "cost": 140.0}
    assert summary["totals"]["unmet"] == 5
    code, out, _ = run("verify", TINY, tmp_path / "plan")
    assert code == 0 and "ok" in out


def test_json_summary_is_the_only_thing_on_stdout(tmp_path: Path) -> None:
    code, out, _ = run("solve", TINY, "-o", tmp_path / "plan", "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["totals"] == {
        "demand": 50,
        "issued": 45,
        "unmet": 5,
        "fill_rate": 0.9,
        "card_months_waiting": 25,
    }


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    code, out, _ = run("solve", TINY, "-o", tmp_path / "plan", "--quiet")
    assert (code, out) == (0, "")


def test_an_existing_plan_is_refused_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "plan"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    code, _, err = run("solve", TINY, "-o", target)
    assert code == 2
    assert "already exists; use --force to replace it" in err
    assert (target / "mine.txt").read_text() == "keep me"
    code, _, _ = run("solve", TINY, "-o", target, "--force")
    assert code == 0
    assert not (target / "mine.txt").exists()
    assert (target / "summary.json").is_file()


def test_same_instance_same_options_gives_byte_identical_csv_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("solve", TINY, "-o", tmp_path / name, "-q")[0] == 0
    for csv in ("shipments.csv", "issuance.csv", "stock.csv", "nodes.csv"):
        assert (tmp_path / "a" / csv).read_bytes() == (tmp_path / "b" / csv).read_bytes()


def test_a_time_limit_that_stops_the_solver_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    code, _, err = run("solve", TINY, "-o", tmp_path / "plan", "--time-limit", "0")
    assert code == 1
    assert "time limit of 0 s" in err and "no plan was written" in err
    assert not (tmp_path / "plan").exists()
    assert list(tmp_path.iterdir()) == []


def test_cbc_gives_the_same_plan_figures(tmp_path: Path) -> None:
    code, out, _ = run("solve", TINY, "-o", tmp_path / "plan", "--solver", "cbc", "--json")
    assert code == 0
    assert json.loads(out)["objective"] == {"waiting": 25.0, "cost": 140.0}


def test_unknown_solver_is_a_usage_error() -> None:
    code, _, err = run("solve", TINY, "--solver", "gurobi")
    assert code == 2
    assert "gurobi" in err


def test_validate_reports_every_problem_with_file_row_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    with (bad / "demand.csv").open("a") as f:
        f.write("A,2017-03,regular,3\n")  # repeats row 2's key
        f.write("Z,2017-04,regular,4.500.000\n")
    code, _, err = run("validate", bad)
    assert code == 2
    assert "demand.csv, row 7" in err
    assert "demand.csv, row 8, column 'node'" in err
    assert "demand.csv, row 8, column 'quantity'" in err
    assert "thousands separators" in err
    code, _, err = run("solve", bad, "-o", tmp_path / "plan")
    assert code == 2 and not (tmp_path / "plan").exists()


def test_validate_accepts_a_good_instance() -> None:
    code, out, _ = run("validate", TINY)
    assert code == 0
    assert "ok: tiny: 5 nodes, 5 links, 3 months from Mar 2017, 2 categories" in out


def test_a_missing_instance_is_exit_2() -> None:
    code, _, err = run("validate", "/nonexistent/instance")
    assert code == 2
    assert "/nonexistent/instance" in err


def test_info_shows_supply_against_demand_and_unreachable_offices(tmp_path: Path) -> None:
    code, out, _ = run("info", TINY)
    assert code == 0
    # 45 cards against 50 demanded: month 1 has 30 against 45, so the running gap is -15.
    assert "-15" in out and "Every node with demand can be reached" in out
    island = tmp_path / "island"
    shutil.copytree(TINY, island)
    with (island / "nodes.csv").open("a") as f:
        f.write("D,District office D,office,Papua,-2.5,140.7,0\n")
    with (island / "demand.csv").open("a") as f:
        f.write("D,2017-03,regular,7\n")
    code, out, _ = run("info", island)
    assert code == 0
    assert "1 node(s) with demand that no supply can reach" in out
    assert "D (District office D, Papua): 7 cards" in out
    code, out, _ = run("validate", island)
    assert code == 0 and "7 cards stay unmet" in out


def test_verify_rejects_a_tampered_plan(tmp_path: Path) -> None:
    run("solve", TINY, "-o", tmp_path / "plan", "-q")
    issuance = tmp_path / "plan" / "issuance.csv"
    text = issuance.read_text().splitlines()
    header, first = text[0].split(","), text[1].split(",")
    first[header.index("issued")] = str(int(first[header.index("issued")]) + 1)
    text[1] = ",".join(first)
    issuance.write_text("\n".join(text) + "\n")
    code, _, err = run("verify", TINY, tmp_path / "plan")
    assert code == 1
    assert "fails verification" in err


def test_verify_names_a_missing_plan_file(tmp_path: Path) -> None:
    run("solve", TINY, "-o", tmp_path / "plan", "-q")
    (tmp_path / "plan" / "stock.csv").unlink()
    code, _, err = run("verify", TINY, tmp_path / "plan")
    assert code == 2
    assert "stock.csv: missing from plan folder" in err


def test_generate_writes_a_loadable_instance_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out, _ = run(
        "generate", tmp_path / "g", "--offices", "12", "--months", "3", "--seed", "4"
    )
    assert code == 0 and "12 offices" in out
    inst = allocator.load_instance(tmp_path / "g")
    assert len(inst.offices) == 12 and inst.periods == 3
    code, _, err = run("generate", tmp_path / "g", "--offices", "12", "--months", "3")
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize(
    "command",
    ["solve", "validate", "info", "verify", "generate", "demand", "generate-registrations"],
)
def test_every_command_has_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0 and "Usage" in out


def test_a_time_limit_reached_mid_solve_is_read_from_highs_not_pulp(tmp_path: Path) -> None:
    """PuLP 3.3 calls a HiGHS run stopped by its time limit 'Optimal' with objective 0;
    the status is read from HiGHS itself, so no plan is written."""
    run("generate", tmp_path / "big", "--offices", "400", "--months", "12", "--seed", "2")
    plan = tmp_path / "plan"
    for solver in ("highs", "network"):  # the network path's worker is killed at the limit
        code, _, err = run(
            "solve", tmp_path / "big", "-o", plan, "--time-limit", "0.05", "--solver", solver
        )
        assert code == 1
        assert "time limit of 0.05 s" in err and "no plan was written" in err
        assert not plan.exists()
    assert code == 1
    assert "time limit of 0.05 s" in err and "no plan was written" in err
    assert not (tmp_path / "plan").exists()


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith(f"allocator {allocator.__version__} (HiGHS ")


def test_json_on_failure_prints_the_problems_as_json(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    supply = folder / "supply.csv"
    supply.write_text(supply.read_text().replace("30", "3.000"))
    code, out, _ = run("solve", folder, "-o", tmp_path / "plan", "--json")
    assert code == 2
    assert json.loads(out) == {
        "ok": False,
        "exit_code": 2,
        "message": "input error",
        "problems": [
            {
                "file": "supply.csv",
                "row": 2,
                "column": "quantity",
                "message": "'3.000' is not a whole number: neither thousands separators nor "
                "decimals are accepted; if you mean 3000, write the number as plain digits",
            }
        ],
    }
    assert not (tmp_path / "plan").exists()


NO_PLAN = (
    "no plan exists: 1,200 cards at H (Hub Makassar) in 2017-04 (in transit on link S>H:sea "
    "since 2017-03) can go nowhere: its storage is 0 and its links out carry at most 0 in "
    "2017-04 (H>A:road closed)"
)


@pytest.mark.parametrize("solver", ["auto", "highs"])
def test_a_replan_without_a_plan_says_in_one_line_which_cards_have_nowhere_to_go(
    tmp_path: Path, solver: str
) -> None:
    """tests/support.py: 1,200 cards at sea land at a hub that holds nothing, its road closed."""
    allocator.write_instance(sea_to_a_hub_that_holds_nothing(), tmp_path / "inst")
    code, _, _ = run("solve", tmp_path / "inst", "-o", tmp_path / "old", "--quiet")
    assert code == 0
    closed = tmp_path / "closed.csv"
    closed.write_text("what,id,period,capacity\nlink,H>A:road,2017-04,0\n")
    args = ["replan", tmp_path / "inst", "--plan", tmp_path / "old", "--from", "2017-04"]
    args += ["--capacity", closed, "--solver", solver, "-o", tmp_path / "new"]
    code, out, err = run(*args)
    assert (code, out, err) == (2, "", f"error: {NO_PLAN}\n")
    assert not (tmp_path / "new").exists()
    code, out, _ = run(*args, "--json")
    assert code == 2
    assert json.loads(out) == {"ok": False, "exit_code": 2, "message": NO_PLAN, "problems": []}
    assert not (tmp_path / "new").exists()
    assert (
        f"error: {NO_PLAN}\n" in (ROOT / "README.md").read_text()
    )  # as "Re-plan after a delay" shows


def test_help_prints_flags_as_flags() -> None:
    result = CliRunner().invoke(app, ["solve", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "{instance}" not in result.output
    assert "Usage: allocator solve [OPTIONS] INSTANCE" in result.output
    assert re.search(r"--force\s+Replace the output if it exists\.", result.output)


def test_a_mistyped_choice_names_the_choices_and_no_environment_variable(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["solve", str(TINY), "--solver", "netwrok", "-o", str(tmp_path / "p")],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 2
    assert (
        "Invalid value for '--solver': 'netwrok' is not one of 'auto', 'network', 'highs', "
        "'cbc'." in result.output
    )
    assert "env var" not in result.output
    assert not (tmp_path / "p").exists()


def test_help_lists_the_commands_in_a_planners_order_each_on_one_line() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    box = result.output.split("Commands")[1].split("╰")[0].splitlines()[1:]
    assert [line.split()[1] for line in box] == [
        "validate",
        "info",
        "generate",
        "solve",
        "replan",
        "verify",
        "report",
        "explain",
        "dispatch",
        "batch",
        "stress",
        "demand",
        "generate-registrations",
    ]
