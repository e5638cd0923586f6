"""``allocator explain`` and ``--explain`` through the real entry point: files, words, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from support import INSTANCES, TINY
from typer.testing import CliRunner

from allocator.cli import app

runner = CliRunner()
SEA = INSTANCES / "sea-or-air"
EXPLAINED = ["marginal_values.csv", "pegging.csv", "shortfalls.csv"]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_solve_explain_writes_the_tables_and_the_roll_up_in_one_folder(tmp_path: Path) -> None:
    code, out, _ = run("solve", SEA, "-o", tmp_path / "p", "--explain", "--report")
    assert code == 0
    assert set(EXPLAINED) <= set(listing(tmp_path / "p"))
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    # sea-or-air/README.md: the 20 regular people wait in March because air is full.
    assert summary["explain"]["reasons"] == {
        "link_capacity": {"cards_waiting": 20, "card_months": 20.0}
    }
    assert summary["explain"]["reasons_by_region"][0]["region"] == "Papua"
    assert "Where one more unit helps most" in out and "link_capacity" in out
    page = (tmp_path / "p" / "report.html").read_text()
    assert 'id="explain"' in page and "JAKARTA&gt;JAYAPURA:air" in page
    code, _, _ = run("verify", SEA, tmp_path / "p")
    assert code == 0


def test_explain_writes_into_the_plan_folder_once_then_needs_force(tmp_path: Path) -> None:
    assert run("solve", TINY, "-o", tmp_path / "p", "-q")[0] == 0
    before = (tmp_path / "p" / "shipments.csv").read_bytes()
    code, out, _ = run("explain", TINY, tmp_path / "p")
    assert code == 0 and "wrote marginal_values.csv" in out
    assert set(EXPLAINED) <= set(listing(tmp_path / "p"))
    assert (tmp_path / "p" / "shipments.csv").read_bytes() == before
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert summary["explain"]["reasons"]["national_supply"]["cards_waiting"] == 25
    code, _, err = run("explain", TINY, tmp_path / "p")
    assert code == 2 and "already holds an explanation" in err
    assert run("explain", TINY, tmp_path / "p", "--force", "-q")[0] == 0


def test_explain_to_another_folder_leaves_the_plan_alone(tmp_path: Path) -> None:
    assert run("solve", TINY, "-o", tmp_path / "p", "-q")[0] == 0
    plan_files = listing(tmp_path / "p")
    code, _, _ = run("explain", TINY, tmp_path / "p", "-o", tmp_path / "why", "-q")
    assert code == 0
    assert listing(tmp_path / "p") == plan_files
    assert listing(tmp_path / "why") == ["explain.json", *EXPLAINED]
    pegs = pd.read_csv(tmp_path / "why" / "pegging.csv")
    assert list(pegs.columns) == [
        "source",
        "source_period",
        "office",
        "issue_period",
        "category",
        "route",
        "cards",
    ]
    assert pegs["cards"].sum() == 45  # tiny: every one of the 45 cards is issued


def test_office_in_plain_words(tmp_path: Path) -> None:
    assert run("solve", SEA, "-o", tmp_path / "p", "-q")[0] == 0
    code, out, _ = run("explain", SEA, tmp_path / "p", "--office", "OFFICE")
    assert code == 0
    assert "Demand 60, issued 60, unmet 0." in out
    assert "link_capacity, 20: JAKARTA>JAYAPURA:air carries its full capacity" in out
    assert "40 from JAKARTA (Mar 2017) via JAKARTA>JAYAPURA:sea@2017-03" in out
    assert "one more link at JAKARTA>JAYAPURA:air in Mar 2017: 1 (holds for 20)" in out
    assert not (tmp_path / "p" / "pegging.csv").exists()  # --office writes nothing
    code, out, _ = run("explain", SEA, tmp_path / "p", "--region", "Papua")
    assert code == 0 and "Papua: 2 node(s)" in out
    code, _, err = run("explain", SEA, tmp_path / "p", "--office", "NOWHERE")
    assert code == 2 and "no node 'NOWHERE'" in err


def test_a_plan_of_another_instance_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    assert run("solve", SEA, "-o", tmp_path / "p", "-q")[0] == 0
    files = listing(tmp_path / "p")
    code, _, err = run("explain", TINY, tmp_path / "p")
    assert code == 2 and "this plan was made for instance 'sea-or-air'" in err
    assert listing(tmp_path / "p") == files
    code, _, _ = run("explain", TINY, tmp_path / "p", "-o", tmp_path / "why")
    assert code == 2 and not (tmp_path / "why").exists()


def test_a_plan_that_fails_verify_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    assert run("solve", TINY, "-o", tmp_path / "p", "-q")[0] == 0
    shipments = pd.read_csv(tmp_path / "p" / "shipments.csv")
    shipments.loc[0, "quantity"] += 7
    shipments.to_csv(tmp_path / "p" / "shipments.csv", index=False)
    files = listing(tmp_path / "p")
    code, _, err = run("explain", TINY, tmp_path / "p")
    assert code == 1 and "fails verification" in err
    assert listing(tmp_path / "p") == files


def test_replan_explain_names_the_offices_that_lose_cards(tmp_path: Path) -> None:
    """tiny, April's 15-card tranche a month late (May): from April, the cards B and C got
    in April now come in May; the old plan had fed them from VENDOR@2017-04."""
    assert run("solve", TINY, "-o", tmp_path / "old", "-q")[0] == 0
    late = pd.DataFrame(
        {"node": ["VENDOR", "VENDOR"], "period": ["2017-03", "2017-05"], "quantity": [30, 15]}
    )
    late.to_csv(tmp_path / "late.csv", index=False)
    code, out, _ = run(
        "replan", TINY, "--plan", tmp_path / "old", "--from", "2017-04",
        "--supply", tmp_path / "late.csv", "-o", tmp_path / "new", "--explain",
    )  # fmt: skip
    assert code == 0, out
    assert set(EXPLAINED) <= set(listing(tmp_path / "new"))
    summary = json.loads((tmp_path / "new" / "summary.json").read_text())
    losses = {loss["node"]: loss for loss in summary["explain"]["replan"]["losses"]}
    assert set(losses) == {"B", "C"}
    assert all(list(loss["tranches"]) == ["VENDOR@2017-04"] for loss in losses.values())
    assert losses["B"]["most_behind"] == 10 and losses["C"]["most_behind"] == 5
    assert "loses cards" in out
    code, _, _ = run("verify", tmp_path / "new" / "instance", tmp_path / "new")
    assert code == 0


def test_explain_has_help() -> None:
    code, out, _ = run("explain", "--help")
    assert code == 0 and "--office" in out and "--region" in out
