"""What-if batches: scenario tables, their hand-worked outcomes, and the same table however run.

The instance is ``instances/tiny`` (README: W* = 25, C* = 140) with office C
moved to its own region ``Remote``, so the worst-served region shows in the
table. Recall tiny: VENDOR -> HUB by rail (cost 1, 20 a month) or road
(cost 2); HUB -> A, B, C by road at cost 1, 2, 4; lead times 0; HUB holds
at 1 a card a month, every other node at 0. Supply 30 in March, 15 in April;
demand A 15, B 10, C 10 regular (weight 1) in March, B 10 priority (weight 5)
in March and 5 in April: 50 cards, 45 supplied, 5 regular wait to the end.

Each scenario's optimum, by hand (W waiting, C cost):

``base`` (the batch's own first row, the instance unchanged) and ``unchanged``
    (supply scaled by 1): the README's plan, W 25, C 140; C gets 5 of 10
    (Remote 50 %).

``april-late`` (April's 15 arrive in May): by the end of April at most 30
    cards can be issued. With ``p1, r1`` priority/regular cards issued in
    March and ``p2, r2`` in April, the waiting at the end of March and April
    is ``W1 + W2 = 195 - 10 p1 - 2 r1 - 5 p2 - r2`` with
    ``p1 + r1 + p2 + r2 <= 30``, ``p1 <= 10``, ``p1 + p2 <= 15``: a priority
    card in March saves 10, one in April 5, a regular one in March 2, so the
    best is p1 = 10, p2 = 5, r1 = 15: W1 + W2 = 40, and May ends with 5
    regular waiting: **W = 45, 20 more than base** (five March cards are held
    back for April's priority applicants, so 20 instead of 15 regular wait at
    the end of March and 20 instead of 5 at the end of April). The 5 held
    cards wait at VENDOR (holding 0) and go by rail in April: VENDOR -> HUB
    costs 20 + 5*2 (March) + 5 (April) + 15 (May) = 50, HUB -> offices 85
    as in base: **C = 135**.

``april-lost`` (April's tranche 2 months late: past May, lost): only 30
    cards. W1 + W2 = 40 as above and 20 regular wait in May: **W = 60**,
    unmet 20, fill 60 %. The 15 regular cards go to A (cheapest), none to C
    (Remote 0 %): C = 20 + 2*5 + 5 (VENDOR -> HUB) + 15 + 2*15 = **80**.

``march-late`` (March's 30 arrive in April, with April's 15): nothing in
    March, so 10 priority + 35 regular wait (85); April and May end with 5
    regular: **W = 95**. April moves 45 cards: rail 20 + road 25*2 = 70, HUB
    -> offices 85: **C = 155**.

``no-rail-march`` (rail closed in March): waiting unchanged, **W = 25**; the
    20 March rail cards go by road at 1 more each: **C = 160**.

``c-cut-off`` (HUB -> C closed every month): C is stranded (Remote 0 %).
    A and B's 40 cards can all be served; March ends with 5 of A/B's regular
    and C's 10 waiting, April and May with C's 10: **W = 35**, unmet 10.
    Only 40 cards move: March rail 20 + road 2*10, April rail 10, then
    A 15*1 + B 25*2: **C = 115**.

``remote-demand`` (Remote's March demand times 1.25): C's 10 become 12
    (rounded down from 12.5). 52 demanded, 45 supplied: 17 wait at the end of
    March, 7 after: **W = 31**, unmet 7, fill 45/52. The 7 left are C's (the
    dearest): Remote 5/12; **C = 140**.

``a-closed`` (A issues nothing): A's 15 wait all three months; B and C's
    35 are served on time: **W = 45**; VENDOR -> HUB 30 in March (40) and 5
    in April (5), HUB -> B 25*2, C 10*4: **C = 135**; Central Java 25/40 is
    now the worst region.

``combo`` (April late by a month *and* C cut off, two rows of one
    scenario): W1 + W2 = 40 as in april-late, then May serves A and B's last
    10 regular and C's 10 wait: **W = 50**. VENDOR -> HUB March 20 + 5*2,
    April 5, May 10; HUB -> A 15, B 50: **C = 110**.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from support import INSTANCES, local_cluster
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.whatif import RESULT_COLUMNS, apply_scenario, read_scenarios, run_batch

SCENARIOS = """scenario,change,target,period,value
unchanged,supply_scale,*,,1
april-late,supply_delay,VENDOR,2017-04,1
april-lost,supply_delay,VENDOR,2017-04,2
march-late,supply_delay,VENDOR,2017-03,1
no-rail-march,link_capacity,VENDOR>HUB:rail,2017-03,0
c-cut-off,link_capacity,HUB>C:road,,0
remote-demand,demand_scale,Remote,2017-03,1.25
a-closed,issue_capacity,A,,0
combo,supply_delay,VENDOR,2017-04,1
combo,link_capacity,HUB>C:road,,0
"""

# scenario: (waiting, cost, unmet, fill rate, worst region, its fill rate)
EXPECTED = {
    "base": (25, 140, 5, 0.9, "Remote", 0.5),
    "unchanged": (25, 140, 5, 0.9, "Remote", 0.5),
    "april-late": (45, 135, 5, 0.9, "Remote", 0.5),
    "april-lost": (60, 80, 20, 0.6, "Remote", 0.0),
    "march-late": (95, 155, 5, 0.9, "Remote", 0.5),
    "no-rail-march": (25, 160, 5, 0.9, "Remote", 0.5),
    "c-cut-off": (35, 115, 10, 0.8, "Remote", 0.0),
    "remote-demand": (31, 140, 7, 0.865385, "Remote", 0.416667),
    "a-closed": (45, 135, 15, 0.7, "Central Java", 0.625),
    "combo": (50, 110, 10, 0.8, "Remote", 0.0),
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """``instances/tiny`` with office C in a region of its own, ``Remote``."""
    folder = tmp_path / "tiny"
    shutil.copytree(INSTANCES / "tiny", folder)
    nodes = folder / "nodes.csv"
    text = nodes.read_text()
    assert "C,District office C,office,Central Java" in text
    nodes.write_text(
        text.replace("C,District office C,office,Central Java", "C,District office C,office,Remote")
    )
    return folder


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    path = tmp_path / "scenarios.csv"
    path.write_text(SCENARIOS)
    return path


def _without_seconds(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns="seconds")


def test_hand_worked_outcomes(tiny: Path, scenarios: Path) -> None:
    """Every scenario reaches the optimum worked out in the module docstring."""
    calls: list[tuple[int, int, int]] = []
    table = run_batch(tiny, scenarios, workers=1, progress=lambda *c: calls.append(c))
    assert list(table.columns) == RESULT_COLUMNS
    assert table["scenario"].tolist() == list(EXPECTED)
    assert (table["status"] == "optimal").all()
    for row in table.itertuples(index=False):
        waiting, cost, unmet, fill, region, region_fill = EXPECTED[row.scenario]
        assert (row.waiting, row.cost, row.unmet) == (waiting, cost, unmet), row.scenario
        assert row.fill_rate == pytest.approx(fill, abs=1e-6), row.scenario
        assert (row.worst_region, row.worst_region_fill_rate) == (region, region_fill)
    # The delay of April's tranche raises waiting by exactly 20 card-months.
    by = table.set_index("scenario")
    assert by.at["april-late", "waiting"] - by.at["base", "waiting"] == 20
    assert by.at["april-lost", "message"] == (
        "15 cards of supply delayed past the horizon's last month (2017-05) are lost "
        "(scenario table row 4)"
    )
    assert set(table.loc[table["scenario"] != "april-lost", "message"]) == {""}
    assert calls[0] == (0, 0, 10) and calls[-1] == (10, 0, 0) and len(calls) == 11


def test_same_table_in_process_in_processes_and_on_dask(tiny: Path, scenarios: Path) -> None:
    """workers=1, workers=2 and a real Dask cluster give the same rows, a failing one included."""
    limits = {"march-late": 0.0}  # fails at once; the others must go on
    one = run_batch(tiny, scenarios, workers=1, time_limit=limits)
    two = run_batch(tiny, scenarios, workers=2, time_limit=limits)
    with local_cluster() as address:
        dask = run_batch(tiny, scenarios, scheduler=address, time_limit=limits)
    failed = one.set_index("scenario").loc["march-late"]
    assert failed["status"] == "failed"
    assert "time limit of 0 s" in failed["message"]
    assert pd.isna(failed["waiting"]) and pd.isna(failed["unmet"])
    assert (one.loc[one["scenario"] != "march-late", "status"] == "optimal").all()
    assert one["seconds"].notna().all()
    pd.testing.assert_frame_equal(_without_seconds(one), _without_seconds(two))
    pd.testing.assert_frame_equal(_without_seconds(one), _without_seconds(dask))


def test_cli_writes_results_and_plans_and_a_stranded_office(tiny: Path, scenarios: Path) -> None:
    """``allocator batch --keep-plans``: the table, and a plan per scenario; C gets nothing."""
    results = tiny.parent / "results"
    run = CliRunner().invoke(
        app,
        ["batch", str(tiny), str(scenarios), "-o", str(results), "--workers", "1", "--keep-plans"],
    )
    assert run.exit_code == 0, run.output
    table = pd.read_csv(results / "scenarios.csv", keep_default_na=False)
    assert table.columns.tolist() == RESULT_COLUMNS
    assert table["scenario"].tolist() == list(EXPECTED)
    assert table["waiting"].tolist() == [e[0] for e in EXPECTED.values()]
    assert sorted(p.name for p in (results / "plans").iterdir()) == sorted(EXPECTED)
    nodes = pd.read_csv(results / "plans" / "c-cut-off" / "nodes.csv").set_index("node")
    assert nodes.loc["C", ["demand", "issued", "unmet"]].tolist() == [10, 0, 10]
    assert nodes.loc[["A", "B"], "fill_rate"].tolist() == [1.0, 1.0]
    plan = allocator.read_plan(results / "plans" / "combo")
    assert plan.summary["scenario"]["id"] == "combo"
    assert [c["change"] for c in plan.summary["scenario"]["changes"]] == [
        "supply_delay",
        "link_capacity",
    ]
    assert [p.name for p in tiny.parent.iterdir() if p.name.startswith(".")] == []
    # The folder is not replaced without --force.
    again = CliRunner().invoke(app, ["batch", str(tiny), str(scenarios), "-o", str(results)])
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_cli_failed_scenarios_exit_1_with_the_table_written(tiny: Path, scenarios: Path) -> None:
    results = tiny.parent / "results"
    run = CliRunner().invoke(
        app,
        [
            "batch",
            str(tiny),
            str(scenarios),
            "-o",
            str(results),
            "--workers",
            "1",
            "--time-limit",
            "0",
        ],
    )
    assert run.exit_code == 1
    assert "10 of 10 scenario(s) failed" in run.output
    table = pd.read_csv(results / "scenarios.csv", keep_default_na=False)
    assert (table["status"] == "failed").all()
    assert table["message"].str.contains("time limit of 0 s").all()


def test_cli_bad_rows_all_reported_nothing_written(tiny: Path) -> None:
    bad = tiny.parent / "scenarios.csv"
    bad.write_text(
        "scenario,change,target,period,value\n"
        "ok,supply_scale,*,,1\n"
        "s1,supply_shift,VENDOR,,1\n"
        "s2,link_capacity,HUB>D:road,,0\n"
        "s3,supply_delay,VENDOR,2017-13,1\n"
        "s4,demand_scale,Remote,,-0.5\n"
        "s5,supply_delay,VENDOR,2017-04,1.5\n"
        "s6,supply_delay,HUB,2017-06,1\n"
        "a/b,issue_capacity,Nowhere,,\n"
    )
    results = tiny.parent / "results"
    run = CliRunner().invoke(
        app, ["batch", str(tiny), str(bad), "-o", str(results)], env={"COLUMNS": "400"}
    )
    assert run.exit_code == 2
    lines = [line.strip() for line in run.output.splitlines()]
    assert lines[0] == "input error: 10 problems"
    assert lines[1:] == [
        "scenarios.csv, row 3, column 'change': 'supply_shift' is not a change; use "
        "supply_delay, supply_scale, link_capacity, demand_scale or issue_capacity",
        "scenarios.csv, row 4, column 'target': 'HUB>D:road' is not a link in links.csv; "
        "the target of link_capacity is a link id",
        "scenarios.csv, row 5, column 'period': '2017-13' is not a month written YYYY-MM "
        "(for example 2017-03)",
        "scenarios.csv, row 6, column 'value': '-0.5' is negative; a factor is a number >= 0",
        "scenarios.csv, row 7, column 'value': '1.5' is not a whole number; decimals are not "
        "accepted, write a whole number >= 0",
        "scenarios.csv, row 8, column 'target': 'HUB' has no supply in supply.csv; the target "
        "of supply_delay is a node with supply or *",
        "scenarios.csv, row 8, column 'period': '2017-06' is outside the horizon "
        "2017-03..2017-05 (start 2017-03, 3 periods)",
        "scenarios.csv, row 9, column 'scenario': 'a/b' cannot name a plan folder; leave out "
        '/ \\ : * ? " < > | and a leading dot',
        "scenarios.csv, row 9, column 'target': 'Nowhere' is neither a node nor a region in "
        "nodes.csv; the target of issue_capacity is a node or a region",
        "scenarios.csv, row 9, column 'value': is empty; give the change's value",
    ]
    assert not results.exists()
    assert sorted(p.name for p in tiny.parent.iterdir()) == ["scenarios.csv", "tiny"]


def test_missing_columns_and_bad_options(tiny: Path) -> None:
    instance = allocator.load_instance(tiny)
    with pytest.raises(allocator.InputError) as error:
        read_scenarios(pd.DataFrame({"scenario": ["x"], "what": ["y"]}), instance)
    assert [(p.row, p.column) for p in error.value.problems] == [
        (1, "change"),
        (1, "target"),
        (1, "value"),
    ]
    table = pd.DataFrame([["x", "supply_scale", "*", "", 1]], columns=list("abcde"))
    table.columns = ["scenario", "change", "target", "period", "value"]
    with pytest.raises(allocator.InputError, match="either workers"):
        run_batch(instance, table, workers=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(allocator.InputError, match="needs the month to re-plan from"):
        run_batch(instance, table, workers=1, baseline=tiny)
    with pytest.raises(allocator.InputError, match="not in the table: y"):
        run_batch(instance, table, workers=1, time_limit={"x": 1.0, "y": 0.0})


def _changes(instance: allocator.Instance, rows: list[list[object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["scenario", "change", "target", "period", "value"])
    return read_scenarios(frame, instance)


def test_apply_scenario_keeps_a_valid_instance_with_exact_types() -> None:
    """Capacity changes become override rows replacing the old ones; the types do not move."""
    instance = allocator.load_instance(INSTANCES / "print-capacity")
    assert instance.capacity.values.tolist() == [["issue", "A", "2017-04", 0]]
    changed = apply_scenario(
        instance,
        _changes(
            instance,
            [
                ["s", "issue_capacity", "A", "2017-04", 5],
                ["s", "link_capacity", "HUB>B:road", "", 7],
                ["s", "supply_scale", "VENDOR", "", 0.5],
            ],
        ),
    )
    assert changed.capacity.values.tolist() == [
        ["issue", "A", "2017-04", 5],
        ["link", "HUB>B:road", "2017-03", 7],
        ["link", "HUB>B:road", "2017-04", 7],
        ["link", "HUB>B:road", "2017-05", 7],
    ]
    for table in ("nodes", "links", "supply", "demand", "capacity"):
        assert getattr(changed, table).dtypes.equals(getattr(instance, table).dtypes), table
    again = allocator.Instance.from_frames(
        name=changed.name,
        start=changed.start,
        periods=changed.periods,
        categories=changed.categories,
        nodes=changed.nodes,
        links=changed.links,
        supply=changed.supply,
        demand=changed.demand,
        capacity=changed.capacity,
    )
    for table in ("supply", "demand", "capacity"):
        pd.testing.assert_frame_equal(getattr(again, table), getattr(changed, table))
    assert instance.capacity.values.tolist() == [["issue", "A", "2017-04", 0]]  # untouched


def test_scaling_is_exact_and_rounds_down_and_changes_apply_in_order() -> None:
    """0.3 of 30 is 9 (the float product is 8.999...); delays compose row after row."""
    instance = allocator.load_instance(INSTANCES / "tiny")
    scaled = apply_scenario(
        instance, _changes(instance, [["s", "supply_scale", "*", "2017-03", 0.3]])
    )
    assert scaled.supply["quantity"].tolist() == [9, 15]
    demand = apply_scenario(instance, _changes(instance, [["s", "demand_scale", "B", "", 0.55]]))
    # B: 10 regular, 10 and 5 priority -> 5, 5, 2 (5.5, 5.5, 2.75 rounded down).
    assert demand.demand.set_index(["node", "period", "category"])["quantity"].to_dict() == {
        ("A", "2017-03", "regular"): 15,
        ("B", "2017-03", "regular"): 5,
        ("B", "2017-03", "priority"): 5,
        ("C", "2017-03", "regular"): 10,
        ("B", "2017-04", "priority"): 2,
    }
    # March's tranche moves to April (joining it), then April's 45 move to May.
    both = apply_scenario(
        instance,
        _changes(
            instance,
            [
                ["s", "supply_delay", "VENDOR", "2017-03", 1],
                ["s", "supply_delay", "VENDOR", "2017-04", 1],
            ],
        ),
    )
    assert both.supply[["period", "quantity"]].values.tolist() == [["2017-05", 45]]


BASELINE_SCENARIOS = """scenario,change,target,period,value
as-planned,supply_scale,*,,1
april-late,supply_delay,VENDOR,2017-04,1
c-cut-off,link_capacity,HUB>C:road,,0
"""


def test_baseline_replans_each_scenario_from_a_month(tiny: Path, tmp_path: Path) -> None:
    """Each scenario as a re-plan of the base plan from April; figures cover April and May.

    The base plan issued all 30 March cards (A 15, B 10 priority + 5 regular),
    so April starts with nothing in stock and B's 5 and C's 10 regular still
    waiting, plus B's 5 priority arising in April: 20 cards to serve.

    - ``as-planned``: April's 15 serve B's 5 priority and 10 regular, 5 of C's
      wait in April and May: W = 10; cost rail 15 + B 10*2 + C 5*4 = 55.
    - ``april-late`` (April's tranche in May): all 20 wait at the end of April
      (5 priority: 25, 15 regular: 15), May's 15 leave 5 regular: W = 45
      (35 more than planned); cost as planned, 55.
    - ``c-cut-off`` (HUB -> C closed from April; a blank period means every
      month from --from): B's 10 are served in April, C's 10 wait twice:
      W = 20, unmet 10, fill 10/20; cost rail 10 + B 10*2 = 30.
    """
    base = tmp_path / "base"
    allocator.solve(tiny).write(base)
    table = tmp_path / "what-if.csv"
    table.write_text(BASELINE_SCENARIOS)
    one = run_batch(tiny, table, workers=1, baseline=base, start="2017-04")
    assert (one["status"] == "optimal").all(), one["message"].tolist()
    got = one.set_index("scenario")[["waiting", "cost", "unmet", "fill_rate"]]
    assert got.to_dict("index") == {
        "base": {"waiting": 10, "cost": 55, "unmet": 5, "fill_rate": 0.75},  # re-planned as is
        "as-planned": {"waiting": 10, "cost": 55, "unmet": 5, "fill_rate": 0.75},
        "april-late": {"waiting": 45, "cost": 55, "unmet": 5, "fill_rate": 0.75},
        "c-cut-off": {"waiting": 20, "cost": 30, "unmet": 10, "fill_rate": 0.5},
    }
    two = run_batch(tiny, table, workers=2, baseline=allocator.read_plan(base), start="2017-04")
    pd.testing.assert_frame_equal(_without_seconds(one), _without_seconds(two))


BASELINE_DEMAND_SCENARIOS = """scenario,change,target,period,value
b-surge,demand_scale,B,,2
remote-surge,demand_scale,Remote,,3
april-half,demand_scale,*,2017-04,0.5
surge-and-late,demand_scale,B,,2
surge-and-late,supply_delay,VENDOR,2017-04,1
"""


def test_baseline_demand_scale_scales_new_demand_not_the_backlog(
    tiny: Path, tmp_path: Path
) -> None:
    """demand_scale in a re-plan from April scales the demand arising from April on.

    As in the test above, April starts with nothing in stock, B's 5 and C's 10
    regular carried in (the backlog, which is not scaled), B's 5 priority
    arising in April and April's 15 cards; nothing arises in May.

    - ``b-surge`` (B's demand doubled): B's April priority is 10. The 15 cards
      serve the 10 priority and 5 regular, B's (HUB -> B costs 2, -> C 4);
      C's 10 wait in April and May: W = 20, unmet 10, demand 25, fill 0.6;
      cost rail 15 + B 15*2 = 45.
    - ``remote-surge`` (Remote's demand tripled): C has no demand from April
      on, only its backlog, so nothing changes from ``as-planned``: W = 10,
      cost 55, unmet 5 of 20; Remote (C) gets 5 of its 10.
    - ``april-half`` (April's demand halved): B's 5 priority become 2 (2.5
      rounded down). The 15 cards serve 2 priority and 13 regular, B's 5 and
      8 of C's: 2 wait in April and May: W = 4, unmet 2 of 17; cost rail 15
      + B 7*2 + C 8*4 = 61; Remote 8/10.
    - ``surge-and-late`` (B doubled and April's tranche in May): nothing in
      April, so 10 priority (50) and 15 regular (15) wait; May's 15 serve
      the 10 priority and B's 5 regular, C's 10 wait: W = 65 + 10 = 75; cost
      rail 15 + B 15*2 = 45.
    """
    base = tmp_path / "base"
    allocator.solve(tiny).write(base)
    table = tmp_path / "what-if.csv"
    table.write_text(BASELINE_DEMAND_SCENARIOS)
    results = run_batch(tiny, table, workers=1, baseline=base, start="2017-04")
    assert (results["status"] == "optimal").all(), results["message"].tolist()
    columns = ["waiting", "cost", "unmet", "fill_rate", "worst_region", "worst_region_fill_rate"]
    assert results.set_index("scenario")[columns].to_dict("index") == {
        "base": {
            "waiting": 10,
            "cost": 55,
            "unmet": 5,
            "fill_rate": 0.75,
            "worst_region": "Remote",
            "worst_region_fill_rate": 0.5,
        },
        "b-surge": {
            "waiting": 20,
            "cost": 45,
            "unmet": 10,
            "fill_rate": 0.6,
            "worst_region": "Remote",
            "worst_region_fill_rate": 0.0,
        },
        "remote-surge": {
            "waiting": 10,
            "cost": 55,
            "unmet": 5,
            "fill_rate": 0.75,
            "worst_region": "Remote",
            "worst_region_fill_rate": 0.5,
        },
        "april-half": {
            "waiting": 4,
            "cost": 61,
            "unmet": 2,
            "fill_rate": 0.882353,
            "worst_region": "Remote",
            "worst_region_fill_rate": 0.8,
        },
        "surge-and-late": {
            "waiting": 75,
            "cost": 45,
            "unmet": 10,
            "fill_rate": 0.6,
            "worst_region": "Remote",
            "worst_region_fill_rate": 0.0,
        },
    }


def test_baseline_rows_before_the_month_are_refused(tiny: Path, tmp_path: Path) -> None:
    base = tmp_path / "base"
    allocator.solve(tiny).write(base)
    bad = tmp_path / "scenarios.csv"
    bad.write_text(
        "scenario,change,target,period,value\n"
        "early,supply_delay,VENDOR,2017-03,1\n"
        "more,demand_scale,*,,1.1\n"
        "earlier-demand,demand_scale,A,2017-03,2\n"
    )
    results = tmp_path / "results"
    args = ["batch", str(tiny), str(bad), "-o", str(results), "--baseline", str(base)]
    run = CliRunner().invoke(app, [*args, "--from", "2017-04"], env={"COLUMNS": "400"})
    assert run.exit_code == 2
    assert run.output.splitlines()[1:] == [
        "  scenarios.csv, row 2, column 'period': '2017-03' is before the re-plan month "
        "2017-04 (--from): a re-plan changes only the months from then on",
        "  scenarios.csv, row 4, column 'period': '2017-03' is before the re-plan month "
        "2017-04 (--from): a re-plan changes only the months from then on",
    ]
    run = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert run.exit_code == 2
    assert "needs the month to re-plan from (--from)" in run.output
    assert not results.exists()


def test_batch_summary_shows_the_ten_with_most_waiting_failed_first(tmp_path: Path) -> None:
    """More than 20 scenarios: base, the failed one, then the 9 with most waiting, in that order."""
    from rich.console import Console

    from allocator.cli.console import batch_summary
    from allocator.whatif.batch import results_frame

    rows = [
        {
            "scenario": f"s{i:02d}",
            "status": "optimal",
            "message": "",
            "waiting": float(i),
            "unmet": i,
            "fill_rate": 0.5,
            "worst_region": "Remote",
            "worst_region_fill_rate": 0.25,
            "cost": 1000.0 * i,
            "seconds": 0.1,
        }
        for i in range(21)
    ]
    rows[0]["scenario"] = "base"  # the batch's first row: waiting 0, so s20 is +20 against it
    rows.append({"scenario": "broken", "status": "failed", "message": "time limit"})
    console = Console(record=True, width=80, highlight=False, soft_wrap=True)  # as the CLI's
    batch_summary(console, results_frame(rows), tmp_path / "out")
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    assert lines[0] == "Base, and the 10 of 21 scenarios with the most waiting (failed first)"
    shown = [line.split("│")[1].strip() for line in lines if line.startswith("│ ")]
    assert shown == ["base", "broken", *(f"s{i:02d}" for i in range(20, 11, -1))]
    assert "│ s20      │      20 │     +20 │    20 │ 50.0% │ Remote 25.0% │ 20,000 │" in lines
    assert (
        lines[-1]
        == f"wrote {tmp_path / 'out' / 'scenarios.csv'}: 22 scenario(s), 21 optimal, 1 failed"
    )
