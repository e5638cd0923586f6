"""``allocator stress``: a plan's first K months committed, the later months re-planned.

Hand-worked on ``instances/tiny`` (README: W* = 25, C* = 140). Its plan ships
30 cards to the hub in March (rail 20, road 10) and issues A 15 regular, B 10
priority and 5 regular. Two scenarios, probability 0.5 each: the April
tranche on time, or one month late (in May). With March committed (K = 1):

- on time: the plan itself, **W = 25, C = 140**.
- late: March as planned (15 regular of A/B and C's 10 wait: 15); April has
  no cards, so B's 5 new priority cards wait too (5*5 + 5 + 10 = 40); May's
  15 serve B's 5 priority, B's 5 and C's 5 regular (C's other 5 wait: 5).
  **W = 15 + 40 + 5 = 60**; cost: March 40 + HUB->A 15 + HUB->B 30, May rail
  15 + HUB->B 10*2 + HUB->C 5*4: **C = 140**.

Expected waiting 42.5, CVaR 90 % 60 (the worst 10 % is inside ``late``),
worst case 60 (``late``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import instances
from support import TINY, local_cluster
from typer.testing import CliRunner

import allocator
from allocator.cli import app

SCENARIOS = """scenario,change,target,period,value,probability
on-time,supply_delay,VENDOR,2017-04,0,0.5
late,supply_delay,VENDOR,2017-04,1,0.5
"""


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "what-if.csv"
    path.write_text(SCENARIOS)
    return path


def test_tiny_hand_worked(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, table: Path
) -> None:
    result = allocator.stress(tiny_instance, tiny_plan, table, commit=1, workers=1)
    rows = result.table.set_index("scenario")
    assert rows["waiting"].to_dict() == {"on-time": 25.0, "late": 60.0}
    assert rows["cost"].to_dict() == {"on-time": 140.0, "late": 140.0}
    assert rows["status"].tolist() == ["optimal", "optimal"]
    figures = result.summary["plans"][0]
    assert figures["expected_waiting"] == 42.5
    assert figures["cvar_90"] == 60.0
    assert figures["worst_case"] == {"scenario": "late", "waiting": 60.0}
    assert figures["regions"] == [{"region": "Central Java", "expected_fill_rate": 0.9}]


def test_several_plans_add_a_regret_table(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, table: Path, tmp_path: Path
) -> None:
    result = allocator.stress(
        tiny_instance, tiny_plan, table, commit=1, plans=[tiny_plan], workers=2
    )
    assert result.regret is not None
    assert result.regret.columns.tolist() == ["scenario", "probability", "plan", "plan-2"]
    assert result.regret[["plan", "plan-2"]].to_numpy().tolist() == [[0.0, 0.0], [0.0, 0.0]]
    result.write(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "regret.csv",
        "stress.csv",
        "summary.json",
    ]


def test_impossible_commitments_are_dropped(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    """March's tranche a month late: none of its 4 committed shipments and 3 issues can happen.

    The 30 March cards and April's 15 arrive in April: the scenario's own
    optimum (nothing in March: 10 priority + 35 regular wait, 85; then 5 and
    5): W = 95, as a batch finds it.
    """
    path = tmp_path / "march.csv"
    path.write_text(
        "scenario,change,target,period,value\nmarch-late,supply_delay,VENDOR,2017-03,1\n"
    )
    result = allocator.stress(tiny_instance, tiny_plan, path, commit=1, workers=1)
    row = result.table.iloc[0]
    assert (row["waiting"], row["status"]) == (95.0, "optimal")
    assert row["message"].startswith("7 committed value(s) impossible, re-planned: ")


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout + result.stderr


def test_cli_writes_the_folder(tmp_path: Path, table: Path) -> None:
    plan = tmp_path / "plan"
    assert _run("solve", TINY, "-o", plan, "-q")[0] == 0
    code, text = _run(
        "stress", TINY, plan, table, "--commit", 1, "-o", tmp_path / "out", "--workers", 1
    )
    assert code == 0, text
    stress = pd.read_csv(tmp_path / "out" / "stress.csv")
    assert stress.columns.tolist()[:9] == [
        "scenario",
        "probability",
        "waiting",
        "unmet",
        "fill_rate",
        "worst_region",
        "worst_region_fill_rate",
        "cost",
        "status",
    ]
    assert "42.50" in text


@pytest.mark.parametrize("commit", [0, 4])
def test_commit_outside_the_horizon_is_exit_2(tmp_path: Path, table: Path, commit: int) -> None:
    plan = tmp_path / "plan"
    assert _run("solve", TINY, "-o", plan, "-q")[0] == 0
    code, text = _run("stress", TINY, plan, table, "--commit", commit, "-o", tmp_path / "out")
    assert code == 2
    assert (
        f"--commit: '{commit}' months is outside the horizon 2017-03..2017-05: "
        "commit 1 to 3 month(s)" in text
    )
    assert not (tmp_path / "out").exists()


def test_bad_probability_is_exit_2_with_row_and_column(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    assert _run("solve", TINY, "-o", plan, "-q")[0] == 0
    path = tmp_path / "bad.csv"
    path.write_text(SCENARIOS.replace("0,0.5", "0,-0.5"))
    code, text = _run("stress", TINY, plan, path, "--commit", 1, "-o", tmp_path / "out")
    assert code == 2
    assert "bad.csv, row 2, column 'probability': '-0.5' is negative" in text
    assert not (tmp_path / "out").exists()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instance=instances(), data=st.data())
def test_stress_equals_a_replan_from_the_month_after_the_commitment(
    instance: allocator.Instance, data: st.DataObject
) -> None:
    """With changes only after month K, stress is a re-plan from K+1 of the executed months.

    The re-plan (:func:`allocator.replan`, computed by another path: the
    executed state, a new instance of the months left) must give the same
    whole-horizon waiting and cost, scenario by scenario.
    """
    assume(instance.periods >= 2)
    plan = allocator.solve(instance)
    k = data.draw(st.integers(1, instance.periods - 1))
    later = instance.months[k:]
    rows = [["same", "supply_scale", "*", "", "1"]]
    for i in range(data.draw(st.integers(1, 3))):
        month = data.draw(st.sampled_from(later))
        factor = data.draw(st.sampled_from(["0", "0.5", "2"]))
        rows.append([f"s{i}", "supply_scale", "*", month, factor])
    table = pd.DataFrame(rows, columns=["scenario", "change", "target", "period", "value"])
    result = allocator.stress(instance, plan, table, commit=k, workers=1)
    assert (result.table["status"] == "optimal").all(), result.table["message"].tolist()
    for row in result.table.itertuples():
        changed = allocator.apply_scenario(instance, table[table["scenario"] == row.scenario])
        future = changed.supply[instance.month_number(changed.supply["period"]) > k]
        again = allocator.replan(instance, plan, start=instance.months[k], supply=future)
        new = again.summary["replan"]["compare"]["new"]
        assert row.waiting == pytest.approx(new["waiting"], abs=1e-6)
        assert row.cost == pytest.approx(new["cost"], abs=1e-6)
        assert row.message == ""


def test_same_table_in_process_in_processes_and_on_dask(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, table: Path
) -> None:
    """workers=1, workers=2 and a real Dask cluster give the same stress table."""
    one = allocator.stress(tiny_instance, tiny_plan, table, commit=1, workers=1).table
    two = allocator.stress(tiny_instance, tiny_plan, table, commit=1, workers=2).table
    with local_cluster() as address:
        dask = allocator.stress(tiny_instance, tiny_plan, table, commit=1, scheduler=address).table
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, dask)


def test_a_capacity_cut_below_a_committed_shipment_drops_it(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan
) -> None:
    """Rail carries 10 in March, not the 20 committed: the rail shipment is re-planned.

    It is dropped, never held above the new capacity. Which other committed
    values go with it is the probe's choice among equally many kept cards
    (as for ``replan --freeze``): with HiGHS, HUB -> A and A's issue (A gets
    5 of 15; the other 10 March cards wait at VENDOR for April): W = 35,
    C = 145. Whatever the choice, the waiting is at least the scenario's own
    optimum, 25 (road carries the rest).
    """
    table = pd.DataFrame(
        [["cut", "link_capacity", "VENDOR>HUB:rail", "2017-03", "10"]],
        columns=["scenario", "change", "target", "period", "value"],
    )
    row = allocator.stress(tiny_instance, tiny_plan, table, commit=1, workers=1).table.iloc[0]
    assert row["status"] == "optimal" and row["waiting"] >= 25.0
    assert "VENDOR>HUB:rail@2017-03: 20 (only 10 possible)" in row["message"]
