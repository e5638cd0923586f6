"""Re-planning after a delay: the state at --from, the properties of issue 4, hand-worked cases.

Every re-plan is checked with ``allocator.verify`` against its own re-plan
instance (``Replan.instance``, written as ``instance/``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support import INSTANCES, TINY
from typer.testing import CliRunner

import allocator
from allocator import Replan, replan
from allocator.cli import app
from allocator.instance.generate import generate_instance

SEA_OR_AIR = INSTANCES / "sea-or-air"
GENERATED = [(5, 4, 0), (12, 5, 1), (20, 6, 2)]  # offices, months, seed
runner = CliRunner()


def checked(result: Replan) -> Replan:
    """The re-plan, after asserting it is a valid plan of its own re-plan instance."""
    assert result.instance is not None
    assert allocator.verify(result.instance, result) == []
    assert result.summary["instance"]["sha256"] == result.instance.sha256
    return result


def shipped(plan: allocator.Plan) -> dict[tuple[str, str], int]:
    return {(r.link, r.period): int(r.quantity) for r in plan.shipments.itertuples()}


def issued(plan: allocator.Plan) -> dict[tuple[str, str, str], int]:
    rows = plan.issuance[plan.issuance["issued"] > 0]
    return {(r.node, r.category, r.period): int(r.issued) for r in rows.itertuples()}


@pytest.fixture
def tiny(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan
) -> tuple[allocator.Instance, allocator.Plan]:
    instance, plan = tiny_instance, tiny_plan
    # The plan of instances/tiny/README.md, which the hand-worked re-plans below start from.
    assert shipped(plan) == {
        ("VENDOR>HUB:rail", "2017-03"): 20,
        ("VENDOR>HUB:road", "2017-03"): 10,
        ("HUB>A:road", "2017-03"): 15,
        ("HUB>B:road", "2017-03"): 15,
        ("VENDOR>HUB:rail", "2017-04"): 15,
        ("HUB>B:road", "2017-04"): 10,
        ("HUB>C:road", "2017-04"): 5,
    }
    assert issued(plan) == {
        ("A", "regular", "2017-03"): 15,
        ("B", "priority", "2017-03"): 10,
        ("B", "regular", "2017-03"): 5,
        ("B", "priority", "2017-04"): 5,
        ("B", "regular", "2017-04"): 5,
        ("C", "regular", "2017-04"): 5,
    }
    return instance, plan


@pytest.fixture(scope="module", params=GENERATED, ids=lambda g: f"{g[0]}offices-{g[1]}months")
def generated(request: pytest.FixtureRequest) -> tuple[allocator.Instance, allocator.Plan]:
    offices, months, seed = request.param
    instance = generate_instance(offices, months, seed)
    return instance, allocator.solve(instance)


TINY_DELAYED = pd.DataFrame(
    {"node": ["VENDOR", "VENDOR"], "period": ["2017-03", "2017-05"], "quantity": [30, 15]}
)


# -- correctness properties ----------------------------------------------------------------------


def test_replan_from_the_first_month_reproduces_waiting_and_cost(tiny, generated) -> None:
    for instance, plan in (tiny, generated):
        result = checked(replan(instance, plan, start=instance.start))
        assert result.summary["objective"]["waiting"] == pytest.approx(
            plan.summary["objective"]["waiting"], abs=1e-6
        )
        assert result.summary["objective"]["cost"] == pytest.approx(
            plan.summary["objective"]["cost"], abs=1e-6
        )
        assert result.summary["replan"]["executed"]["months"] == []
        assert result.summary["replan"]["compare"]["difference"] == {
            "demand": 0,
            "issued": 0,
            "unmet": 0,
            "fill_rate": 0.0,
            "card_months_waiting": 0,
            "waiting": 0.0,
            "cost": 0.0,
        }


def test_replan_without_new_facts_keeps_waiting_and_cost_from_any_month(generated) -> None:
    """An optimal plan stays optimal for its remainder: executed + re-plan = old plan."""
    instance, plan = generated
    old = plan.summary
    for month in instance.months:
        result = checked(replan(instance, plan, start=month))
        new = result.summary["replan"]["compare"]["new"]
        assert new["waiting"] == pytest.approx(old["objective"]["waiting"], abs=1e-6), month
        assert new["cost"] == pytest.approx(old["objective"]["cost"], abs=1e-6), month
        for figure in ("demand", "issued", "unmet", "card_months_waiting"):
            assert new[figure] == old["totals"][figure], (month, figure)
        # The re-plan's own figures are the old plan's for the months from `month` on.
        t = instance.month_number([month])[0]
        executed = result.summary["replan"]["executed"]
        assert executed["months"] == instance.months[: t - 1]
        assert executed["waiting"] + result.summary["objective"]["waiting"] == pytest.approx(
            old["objective"]["waiting"], abs=1e-6
        )


def test_a_delayed_tranche_never_lowers_waiting(generated) -> None:
    instance, plan = generated
    months = instance.months
    waiting = plan.summary["objective"]["waiting"]
    supply = instance.supply
    for i, row in supply.iterrows():
        t = months.index(row["period"]) + 1
        if t == len(months):
            continue
        delayed = supply.drop(index=i)
        delayed = pd.concat(
            [delayed, pd.DataFrame([{**row, "period": months[t]}])], ignore_index=True
        )
        delayed = delayed.groupby(["node", "period"], as_index=False)["quantity"].sum()
        for start in months[:t]:
            result = checked(replan(instance, plan, start=start, supply=delayed))
            new = result.summary["replan"]["compare"]["new"]["waiting"]
            assert new >= waiting - 1e-6, (row["period"], start)
            later = result.instance.supply
            assert later.loc[later["period"] == months[t], "quantity"].sum() >= row["quantity"]


def test_the_months_before_from_never_change(tiny, tmp_path: Path) -> None:
    """The new plan holds only months from --from; changes.csv shows history as executed."""
    instance, plan = tiny
    plan.write(tmp_path / "old")
    before = {p.name: p.read_bytes() for p in (tmp_path / "old").iterdir()}
    old = allocator.read_plan(tmp_path / "old")
    result = checked(
        replan(instance, tmp_path / "old", start="2017-04", supply=TINY_DELAYED, stability=2.0)
    )
    for table in (result.shipments, result.issuance, result.stock):
        assert (table["period"] >= "2017-04").all()
    assert (result.shipments["arrival"] >= "2017-04").all()
    history = result.extra["changes"][result.extra["changes"]["period"] < "2017-04"]
    march = old.shipments[old.shipments["period"] == "2017-03"]
    assert dict(zip(history["link"], history["new"], strict=True)) == dict(
        zip(march["link"], march["quantity"], strict=True)
    )
    assert (history["difference"] == 0).all()
    # The old plan folder is read, never written.
    assert {p.name: p.read_bytes() for p in (tmp_path / "old").iterdir()} == before

    # With actuals, history is what really happened: the road truck left with 5, not 10,
    # so the hub sent B 10 (not 15) and B issued its 10 priority cards but no regular one.
    actual = pd.DataFrame(
        {
            "link": ["VENDOR>HUB:road", "HUB>B:road"],
            "period": ["2017-03", "2017-03"],
            "quantity": [5, 10],
        }
    )
    actual_issued = pd.DataFrame(
        {"node": ["B"], "period": ["2017-03"], "category": ["regular"], "issued": [0]}
    )
    result = checked(
        replan(
            instance,
            plan,
            start="2017-04",
            actuals={"shipments": actual, "issuance": actual_issued},
        )
    )
    march = result.extra["changes"][result.extra["changes"]["period"] == "2017-03"]
    assert march.values.tolist() == [
        ["HUB>A:road", "2017-03", 15, 15, 0],
        ["HUB>B:road", "2017-03", 15, 10, -5],
        ["VENDOR>HUB:rail", "2017-03", 20, 20, 0],
        ["VENDOR>HUB:road", "2017-03", 10, 5, -5],
    ]
    # The vendor still holds the 5 cards the truck did not take; 5 more people wait at B.
    assert result.summary["replan"]["state"] == {"stock": 5, "in_transit": 0, "backlog": 20}
    assert result.instance.nodes.set_index("id").loc["VENDOR", "stock"] == 5


def test_every_replan_written_by_the_cli_verifies_against_its_instance(tmp_path: Path) -> None:
    allocator.solve(TINY).write(tmp_path / "old")
    TINY_DELAYED.to_csv(tmp_path / "late.csv", index=False)
    code = runner.invoke(
        app,
        [
            "replan",
            str(TINY),
            "--plan",
            str(tmp_path / "old"),
            "--from",
            "2017-04",
            "--supply",
            str(tmp_path / "late.csv"),
            "--freeze",
            "1",
            "--stability",
            "1.5",
            "-o",
            str(tmp_path / "new"),
            "--quiet",
        ],
    ).exit_code
    assert code == 0
    files = sorted(str(p.relative_to(tmp_path / "new")) for p in (tmp_path / "new").rglob("*"))
    assert files == [
        "changes.csv",
        "instance",
        "instance/demand.csv",
        "instance/instance.toml",
        "instance/links.csv",
        "instance/nodes.csv",
        "instance/supply.csv",
        "issuance.csv",
        "nodes.csv",
        "shipments.csv",
        "stock.csv",
        "summary.json",
    ]
    result = runner.invoke(
        app, ["verify", str(tmp_path / "new" / "instance"), str(tmp_path / "new")]
    )
    assert result.exit_code == 0, result.stderr
    # The re-plan instance is an ordinary instance: solved again it gives the same optimum.
    again = allocator.solve(tmp_path / "new" / "instance")
    summary = json.loads((tmp_path / "new" / "summary.json").read_text())
    assert again.summary["objective"] == summary["objective"]
    assert again.summary["instance"]["sha256"] == summary["instance"]["sha256"]


# -- hand-worked examples ---------------------------------------------------------------------


def test_tiny_with_its_second_tranche_delayed_by_a_month(tiny) -> None:
    """instances/tiny, the April tranche of 15 arrives in May; re-plan from April.

    March ran as planned (README): 30 cards to the hub (rail 20, road 10), 15 to A
    and 15 to B, issued at once: A 15 regular, B 10 priority + 5 regular. So at
    the end of March nothing is on hand anywhere, nothing is in transit, and
    B 5 regular and C 10 regular wait (weighted 15).

    The re-plan instance (April-May): stock 0 everywhere; supply VENDOR May 15;
    demand in April: B priority 5 (new), B regular 5 and C regular 10 (backlog).

    April: no card exists, so all 20 wait: 5*5 (priority) + 5 + 10 = 40.
    May: 15 cards. Priority first (weight 5): B 5; 10 regular of the 15
    waiting; 5 regular stay unmet: 5. Re-plan waiting = 40 + 5 = 45.
    Cost: the 15 cards go by rail (1, within its 20): 15. Priority to B: 5*2.
    Leaving 5 regular unserved is cheapest at C (4 a card), so B's 5 and C's 5
    are served: 5*2 + 5*4. Cost = 15 + 10 + 10 + 20 = 55, and the plan is unique.
    Card-months waiting: April 20, May 5 = 25; issued 15 of 20 (fill 75%).

    Whole horizon: March's waiting 15 + 45 = 60 (old plan 25, so +35); card-months
    15 + 25 = 40 (old 25); cost March 20*1 + 10*2 + 15*1 + 15*2 = 85, + 55 = 140
    (old 140: the same cards move, a month later); unmet 5, fill rate 90%, as before.

    changes.csv: April's rail 15, HUB>B 10, HUB>C 5 all move to May.
    With --freeze 1 all three April shipments are impossible (the vendor has no
    card in April, so neither has the hub): all are dropped, the plan is the same.
    """
    instance, plan = tiny
    result = checked(replan(instance, plan, start="2017-04", supply=TINY_DELAYED))
    new = result.instance
    assert (new.start, new.periods, new.name) == ("2017-04", 2, "tiny-from-2017-04")
    assert new.nodes["stock"].tolist() == [0, 0, 0, 0, 0]
    assert new.supply[["node", "period", "quantity"]].values.tolist() == [["VENDOR", "2017-05", 15]]
    assert sorted(new.demand[["node", "period", "category", "quantity"]].values.tolist()) == [
        ["B", "2017-04", "priority", 5],
        ["B", "2017-04", "regular", 5],
        ["C", "2017-04", "regular", 10],
    ]
    assert shipped(result) == {
        ("VENDOR>HUB:rail", "2017-05"): 15,
        ("HUB>B:road", "2017-05"): 10,
        ("HUB>C:road", "2017-05"): 5,
    }
    assert issued(result) == {
        ("B", "priority", "2017-05"): 5,
        ("B", "regular", "2017-05"): 5,
        ("C", "regular", "2017-05"): 5,
    }
    assert result.summary["objective"] == {"waiting": 45.0, "cost": 55.0}
    assert result.summary["totals"] == {
        "demand": 20,
        "issued": 15,
        "unmet": 5,
        "fill_rate": 0.75,
        "card_months_waiting": 25,
    }
    info = result.summary["replan"]
    assert info["state"] == {"stock": 0, "in_transit": 0, "backlog": 15}
    assert info["executed"] == {
        "months": ["2017-03"],
        "issued": 30,
        "card_months_waiting": 15,
        "waiting": 15.0,
        "cost": 85.0,
    }
    assert info["compare"]["old"] == {
        "demand": 50,
        "issued": 45,
        "unmet": 5,
        "fill_rate": 0.9,
        "card_months_waiting": 25,
        "waiting": 25.0,
        "cost": 140.0,
    }
    assert info["compare"]["new"] == {
        "demand": 50,
        "issued": 45,
        "unmet": 5,
        "fill_rate": 0.9,
        "card_months_waiting": 40,
        "waiting": 60.0,
        "cost": 140.0,
    }
    assert info["compare"]["difference"]["waiting"] == 35.0
    changes = result.extra["changes"]
    assert changes[changes["period"] >= "2017-04"].values.tolist() == [
        ["HUB>B:road", "2017-04", 10, 0, -10],
        ["HUB>C:road", "2017-04", 5, 0, -5],
        ["VENDOR>HUB:rail", "2017-04", 15, 0, -15],
        ["HUB>B:road", "2017-05", 0, 10, 10],
        ["HUB>C:road", "2017-05", 0, 5, 5],
        ["VENDOR>HUB:rail", "2017-05", 0, 15, 15],
    ]
    # 30 cards go a month later on the same three links: each counted once.
    assert info["changes"] == {
        "link_months_changed": 6,
        "links_changed": 3,
        "months_changed": ["2017-04", "2017-05"],
        "cards_moved": 30,
        "cards_added": 30,
    }

    frozen = checked(replan(instance, plan, start="2017-04", supply=TINY_DELAYED, freeze=1))
    assert shipped(frozen) == shipped(result)
    assert frozen.summary["replan"]["freeze"]["kept"] == 0
    assert [(d["link"], d["quantity"]) for d in frozen.summary["replan"]["freeze"]["dropped"]] == [
        ("HUB>B:road", 10),
        ("HUB>C:road", 5),
        ("VENDOR>HUB:rail", 15),
    ]
    assert frozen.summary["replan"]["freeze"]["dropped"][2]["reason"] == (
        "VENDOR cannot have the cards then: while keeping the most frozen cards, "
        "only 0 of these 15 can leave"
    )


# instances/tiny's demand.csv, copied and edited: B's April priority doubled, A 5 more in May.
TINY_MORE_DEMAND = """node,period,category,quantity
A,2017-03,regular,15
B,2017-03,regular,10
B,2017-03,priority,10
C,2017-03,regular,10
B,2017-04,priority,10
A,2017-05,regular,5
"""


def test_tiny_with_new_demand_from_april(tiny, tmp_path: Path) -> None:
    """instances/tiny re-planned from April with new demand: the backlog is not new demand.

    March ran as planned, so April starts as in the delay above: nothing on
    hand, B 5 and C 10 regular waiting (the backlog, from the old demand and
    March's issuance). The new demand from April: B 10 priority in April, A 5
    regular in May; March's rows of the edited file repeat the instance's.

    April's 15 cards serve the 10 priority and 5 regular; a card held back
    for May would leave a regular card waiting in April, so all 15 go in
    April, and the regular ones to B (HUB -> B costs 2, -> C 4). April ends
    with C's 10 waiting, May with C's 10 and A's 5: W = 10 + 15 = 25; cost
    rail 15 + B 15*2 = 45. Demand 15 + 10 + 5 = 30, issued 15, unmet 15.
    Whole horizon: demand 30 executed + 30 = 60, waiting 15 + 25 = 40.
    """
    instance, plan = tiny
    (tmp_path / "more.csv").write_text(TINY_MORE_DEMAND)
    frame = pd.read_csv(tmp_path / "more.csv")
    for given in (frame, tmp_path / "more.csv"):
        result = checked(replan(instance, plan, start="2017-04", demand=given))
        assert sorted(result.instance.demand.values.tolist()) == [
            ["A", "2017-05", "regular", 5],
            ["B", "2017-04", "priority", 10],
            ["B", "2017-04", "regular", 5],
            ["C", "2017-04", "regular", 10],
        ]
        assert result.summary["objective"] == {"waiting": 25.0, "cost": 45.0}
        assert issued(result) == {
            ("B", "priority", "2017-04"): 10,
            ("B", "regular", "2017-04"): 5,
        }
        compare = result.summary["replan"]["compare"]["new"]
        assert (compare["demand"], compare["issued"], compare["unmet"]) == (60, 45, 15)
        assert compare["waiting"] == 40.0

    written = tmp_path / "new"
    args = ["replan", str(TINY), "--plan", str(tmp_path / "old"), "--from", "2017-04"]
    plan.write(tmp_path / "old")
    run = runner.invoke(app, [*args, "--demand", str(tmp_path / "more.csv"), "-o", str(written)])
    assert run.exit_code == 0, run.output
    summary = json.loads((written / "summary.json").read_text())
    assert summary["totals"] == {
        "demand": 30,
        "issued": 15,
        "unmet": 15,
        "fill_rate": 0.5,
        "card_months_waiting": 25,
    }
    assert "A,2017-05,regular,5" in (written / "instance" / "demand.csv").read_text()


def test_a_late_ship_arrives_as_supply_in_its_real_arrival_month() -> None:
    """sea-or-air: March's ship (40 cards, due in April) is late and arrives in May.

    Old plan (README): March air 10 + sea 40, 10 priority issued; April sea 10, 40 issued;
    May 10 issued. Waiting 20, cost 240.

    Actuals: shipments.csv says the March ship arrives 2017-05. At the end of March:
    Jakarta holds 60 - 50 = 10, 20 regular wait at the office, 40 cards are at sea.
    Re-plan (April-May): supply JAYAPURA May 40; April demand 20 backlog + 20 new.
    April: only Jakarta's 10 can reach the office this month, by air: 40 - 10 = 30
    wait. May: the 40 land, 30 + 10 (May's demand) are served: nobody waits.
    Waiting 30. Cost: air 10*8 + road (10 + 40)*1 = 130, nothing held.
    Whole horizon: waiting 20 + 30 = 50, cost March 80 + 80 + 10 = 170 + 130 = 300.
    """
    instance = allocator.load_instance(SEA_OR_AIR)
    plan = allocator.solve(instance)
    late = pd.DataFrame(
        {
            "link": ["JAKARTA>JAYAPURA:sea"],
            "period": ["2017-03"],
            "quantity": [40],
            "arrival": ["2017-05"],
        }
    )
    result = checked(replan(instance, plan, start="2017-04", actuals={"shipments": late}))
    assert result.instance.nodes.set_index("id")["stock"].to_dict() == {
        "JAKARTA": 10,
        "JAYAPURA": 0,
        "OFFICE": 0,
    }
    assert result.instance.supply[["node", "period", "quantity"]].values.tolist() == [
        ["JAYAPURA", "2017-05", 40]
    ]
    assert shipped(result) == {
        ("JAKARTA>JAYAPURA:air", "2017-04"): 10,
        ("JAYAPURA>OFFICE:road", "2017-04"): 10,
        ("JAYAPURA>OFFICE:road", "2017-05"): 40,
    }
    assert result.summary["objective"] == {"waiting": 30.0, "cost": 130.0}
    info = result.summary["replan"]
    assert info["state"] == {"stock": 10, "in_transit": 40, "backlog": 20}
    assert (info["compare"]["new"]["waiting"], info["compare"]["new"]["cost"]) == (50.0, 300.0)
    assert info["actuals"] == {"shipments": 1}

    on_time = checked(replan(instance, plan, start="2017-04"))
    assert on_time.instance.supply.values.tolist() == [["JAYAPURA", "2017-04", 40]]
    assert on_time.summary["replan"]["compare"]["new"]["waiting"] == 20.0


# -- freeze and stability ----------------------------------------------------------------------


def two_routes() -> tuple[allocator.Instance, allocator.Plan]:
    """S -> H (cost 5) -> A (cost 1); 10 cards a month at S, 10 demanded a month at A.

    The plan ships S>H 10 and H>A 10 in both months: waiting 0, cost 2 * 60 = 120.
    """
    instance = allocator.Instance.from_frames(
        name="two-routes",
        start="2017-01",
        periods=2,
        categories={"regular": 1.0},
        nodes=pd.DataFrame({"id": ["S", "H", "A"], "kind": ["source", "hub", "office"]}),
        links=pd.DataFrame({"from": ["S", "H"], "to": ["H", "A"], "cost": [5, 1]}),
        supply=pd.DataFrame(
            {"node": ["S", "S"], "period": ["2017-01", "2017-02"], "quantity": [10, 10]}
        ),
        demand=pd.DataFrame(
            {
                "node": ["A", "A"],
                "period": ["2017-01", "2017-02"],
                "category": ["regular", "regular"],
                "quantity": [10, 10],
            }
        ),
    )
    plan = allocator.solve(instance)
    assert shipped(plan) == {
        ("S>H", "2017-01"): 10,
        ("H>A", "2017-01"): 10,
        ("S>H", "2017-02"): 10,
        ("H>A", "2017-02"): 10,
    }
    return instance, plan


# In February 10 more cards turn up at the hub itself (S still gets its 10).
HUB_DELIVERY = pd.DataFrame(
    {"node": ["S", "H"], "period": ["2017-02", "2017-02"], "quantity": [10, 10]}
)


@pytest.mark.parametrize(
    ("weight", "moves", "cost"),
    [(0.0, False, 10.0), (2.0, False, 10.0), (10.0, True, 60.0)],
)
def test_stability_trades_cost_against_moving_cards(weight: float, moves: bool, cost: float):
    """Re-plan February after 10 cards turn up at H.

    Both plans serve A in February (waiting 0). Using H's cards costs 10 (H>A) and
    moves 10 cards away from the old S>H 10 (penalty 10W); keeping S>H costs
    5*10 + 10 = 60 and moves nothing. So the re-plan moves the cards when
    10 + 10W < 60, i.e. W < 5, and keeps the old shipment when W > 5. The
    reported cost is the cost alone; the penalty is reported apart.
    """
    instance, plan = two_routes()
    result = checked(replan(instance, plan, start="2017-02", supply=HUB_DELIVERY, stability=weight))
    assert result.summary["objective"] == {"waiting": 0.0, "cost": cost}
    assert (("S>H", "2017-02") in shipped(result)) is moves
    moved = 0 if moves else 10
    assert result.summary["replan"]["changes"]["cards_moved"] == moved
    assert result.summary["replan"]["stability"] == {"weight": weight, "penalty": weight * moved}


def test_freeze_keeps_possible_shipments_and_drops_impossible_ones() -> None:
    instance, plan = two_routes()
    # With H's delivery the cheapest plan would drop S>H; frozen, it is kept (cost 60).
    kept = checked(replan(instance, plan, start="2017-02", supply=HUB_DELIVERY, freeze=1))
    assert shipped(kept) == {("S>H", "2017-02"): 10, ("H>A", "2017-02"): 10}
    assert kept.summary["replan"]["freeze"] == {"months": 1, "kept": 2, "dropped": []}
    assert kept.summary["objective"] == {"waiting": 0.0, "cost": 60.0}

    # S's February tranche goes to H instead: S>H 10 has become impossible and is dropped.
    moved = pd.DataFrame({"node": ["H"], "period": ["2017-02"], "quantity": [10]})
    dropped = checked(replan(instance, plan, start="2017-02", supply=moved, freeze=1))
    assert shipped(dropped) == {("H>A", "2017-02"): 10}
    assert dropped.summary["replan"]["freeze"]["dropped"] == [
        {
            "link": "S>H",
            "period": "2017-02",
            "quantity": 10,
            "reason": "no card can reach the link's origin any more",
        }
    ]


def test_freeze_drops_a_shipment_above_a_new_capacity_and_keeps_the_rest(tiny) -> None:
    """tiny from April, rail closes to 5 cards in April, April frozen.

    The rail 15 no longer fits and is dropped; HUB>B 10 and HUB>C 5 are kept, so 15
    cards must reach the hub in April: rail 5 (5) + road 10 (20) instead of rail 15
    (15). Waiting is unchanged (25); cost 140 - 15 + 25 = 150.
    """
    instance, plan = tiny
    closed = pd.DataFrame(
        {"what": ["link"], "id": ["VENDOR>HUB:rail"], "period": ["2017-04"], "capacity": [5]}
    )
    result = checked(replan(instance, plan, start="2017-04", capacity=closed, freeze=1))
    assert shipped(result) == {
        ("VENDOR>HUB:rail", "2017-04"): 5,
        ("VENDOR>HUB:road", "2017-04"): 10,
        ("HUB>B:road", "2017-04"): 10,
        ("HUB>C:road", "2017-04"): 5,
    }
    freeze = result.summary["replan"]["freeze"]
    assert freeze["kept"] == 2
    assert freeze["dropped"] == [
        {
            "link": "VENDOR>HUB:rail",
            "period": "2017-04",
            "quantity": 15,
            "reason": "the link's capacity then is now 5",
        }
    ]
    compare = result.summary["replan"]["compare"]["new"]
    assert (compare["waiting"], compare["cost"]) == (25.0, 150.0)


# -- the default re-plan: the optimum closest to the old plan -------------------------------------


def test_replan_without_new_facts_from_a_middle_month_changes_nothing(tmp_path: Path) -> None:
    """The old plan stays optimal for its remainder, and stage 3 keeps exactly it.

    Many plans share this instance's optimum: with waiting and cost alone, the
    re-plan from 2017-05 moved 64,784 cards between equally good plans. Stage 3
    (cards changed against the old plan) picks the old plan itself.
    """
    instance = generate_instance(30, 6, 3)
    plan = allocator.solve(instance)
    start = instance.months[2]
    result = checked(replan(instance, plan, start=start))
    stages = [stage["objective"] for stage in result.summary["solver"]["stages"]]
    assert stages == ["waiting", "cost", "change"]
    changes = pd.read_csv(result.write(tmp_path / "new") / "changes.csv", dtype={"period": str})
    replanned = changes[changes["period"] >= start]
    assert len(replanned) > 0
    assert (replanned["difference"] == 0).all()
    assert shipped(result) == {key: q for key, q in shipped(plan).items() if key[1] >= start}
    info = result.summary["replan"]
    assert info["changes"] == {
        "link_months_changed": 0,
        "links_changed": 0,
        "months_changed": [],
        "cards_moved": 0,
        "cards_added": 0,
    }
    assert info["compare"]["difference"]["waiting"] == pytest.approx(0, abs=1e-6)
    assert info["compare"]["difference"]["cost"] == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_among_equally_good_plans_the_replan_moves_fewest_cards(solver: str) -> None:
    """S -> A by road or rail, both cost 1; 10 cards at S, 10 demanded at A, one month.

    The rail is closed (capacity 0), so the old plan ships road 10. Then the road
    is cut to 6 and the rail opens (20). Every plan with road r <= 6 and rail
    10 - r serves A at cost 10 (waiting 0, cost 10 for all); 10 - r cards of the
    old road shipment no longer go by road (and as many go by rail), least at
    r = 6: road 6, rail 4, 4 cards moved, counted once (stage 3 minimises
    sum |x - x_old| = 8). Without the third stage the solvers chose rail 10.
    """
    instance = allocator.Instance.from_frames(
        name="road-or-rail",
        start="2017-01",
        periods=1,
        categories={"regular": 1.0},
        nodes=pd.DataFrame({"id": ["S", "A"], "kind": ["source", "office"]}),
        links=pd.DataFrame(
            {
                "from": ["S", "S"],
                "to": ["A", "A"],
                "mode": ["road", "rail"],
                "cost": [1, 1],
                "capacity": [None, 0],
            }
        ),
        supply=pd.DataFrame({"node": ["S"], "period": ["2017-01"], "quantity": [10]}),
        demand=pd.DataFrame(
            {"node": ["A"], "period": ["2017-01"], "category": ["regular"], "quantity": [10]}
        ),
    )
    plan = allocator.solve(instance, solver=solver)
    assert shipped(plan) == {("S>A:road", "2017-01"): 10}
    cut = pd.DataFrame(
        {
            "what": ["link", "link"],
            "id": ["S>A:road", "S>A:rail"],
            "period": ["2017-01", "2017-01"],
            "capacity": [6, 20],
        }
    )
    result = checked(replan(instance, plan, start="2017-01", capacity=cut, solver=solver))
    assert shipped(result) == {("S>A:road", "2017-01"): 6, ("S>A:rail", "2017-01"): 4}
    assert result.summary["objective"] == {"waiting": 0.0, "cost": 10.0}
    assert result.summary["replan"]["changes"] == {
        "link_months_changed": 2,
        "links_changed": 2,
        "months_changed": ["2017-01"],
        "cards_moved": 4,
        "cards_added": 4,
    }
    assert result.extra["changes"].to_dict("records") == [
        {"link": "S>A:rail", "period": "2017-01", "old": 0, "new": 4, "difference": 4},
        {"link": "S>A:road", "period": "2017-01", "old": 10, "new": 6, "difference": -4},
    ]


# -- bad input -------------------------------------------------------------------------------


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    allocator.solve(TINY).write(tmp_path / "old")
    (tmp_path / "actuals").mkdir()
    return tmp_path


def run_replan(folder: Path, *extra: str) -> tuple[int, str]:
    args = ["replan", str(TINY), "--plan", str(folder / "old"), "-o", str(folder / "new")]
    result = runner.invoke(app, [*args, *extra])
    return result.exit_code, result.stderr


ACTUALS_CASES = {
    "more cards leave than the vendor had": (
        "shipments.csv",
        "link,period,quantity\nVENDOR>HUB:rail,2017-03,40\n",
        "shipments.csv, row 2, column 'quantity': node VENDOR would hold -20 cards at the end "
        "of 2017-03: 50 leave and 0 are issued there, but it has only 30 (0 on hand, 30 "
        "supply, 0 arriving)",
    ),
    "unknown link": (
        "shipments.csv",
        "link,period,quantity\nVENDOR>HUB:rail,2017-03,20\nVENDOR>X:air,2017-03,1\n",
        "shipments.csv, row 3, column 'link': 'VENDOR>X:air' is not a link in links.csv",
    ),
    "period outside the horizon": (
        "shipments.csv",
        "link,period,quantity\nHUB>A:road,2016-12,1\n",
        "shipments.csv, row 2, column 'period': '2016-12' is outside the horizon "
        "2017-03..2017-05 (start 2017-03, 3 periods)",
    ),
    "period not before --from": (
        "issuance.csv",
        "node,period,category,issued\nA,2017-04,regular,1\n",
        "issuance.csv, row 2, column 'period': '2017-04' is not before --from 2017-04",
    ),
    "more issued than demanded": (
        "issuance.csv",
        "node;period;category;issued\nB;2017-03;priority;11\n",
        "issuance.csv, row 2, column 'issued': node B has issued 1 more priority cards by the "
        "end of 2017-03 than demand had arisen",
    ),
    "a decimal quantity": (
        "supply.csv",
        "node,period,quantity\nVENDOR,2017-03,29.5\n",
        "supply.csv, row 2, column 'quantity': '29.5' is not a whole number",
    ),
    "a wrong origin": (
        "shipments.csv",
        "link,from,to,period,quantity\nHUB>A:road,VENDOR,A,2017-03,15\n",
        "shipments.csv, row 2, column 'from': 'VENDOR' but link 'HUB>A:road' has from 'HUB'",
    ),
}


@pytest.mark.parametrize("case", list(ACTUALS_CASES))
def test_bad_actuals_exit_2_with_file_row_and_column_and_write_nothing(
    folders: Path, case: str
) -> None:
    name, text, message = ACTUALS_CASES[case]
    (folders / "actuals" / name).write_text(text)
    code, err = run_replan(folders, "--from", "2017-04", "--actuals", str(folders / "actuals"))
    assert code == 2
    assert f"{folders / 'actuals'}/{message}" in err
    assert not (folders / "new").exists()


def test_actuals_arriving_before_leaving_are_refused(folders: Path) -> None:
    (folders / "actuals" / "shipments.csv").write_text(
        "link,period,quantity,arrival\nHUB>B:road,2017-04,10,2017-03\n"
    )
    code, err = run_replan(folders, "--from", "2017-05", "--actuals", str(folders / "actuals"))
    assert code == 2
    assert (
        f"{folders / 'actuals' / 'shipments.csv'}, row 2, column 'arrival': '2017-03' is before "
        "the shipment leaves"
    ) in err
    assert not (folders / "new").exists()


def test_bad_supply_capacity_and_from_exit_2_listing_every_problem(folders: Path) -> None:
    supply = folders / "late.csv"
    supply.write_text("node,period,quantity\nVENDOR,2017-03,31\nVENDOR,2017-08,15\nX,2017-05,1\n")
    capacity = folders / "closed.csv"
    capacity.write_text("what,id,period,capacity\nlink,HUB>Z:road,2017-04,0\n")
    code, err = run_replan(
        folders, "--from", "2017-04", "--supply", str(supply), "--capacity", str(capacity)
    )
    assert code == 2
    assert "input error: 4 problems" in err
    assert (
        f"{supply}, row 2, column 'period': '2017-03' is before --from 2017-04: supply that "
        "arrived before then cannot change here"
    ) in err
    assert (
        f"{supply}, row 3, column 'period': '2017-08' is outside the horizon 2017-03..2017-05"
    ) in err
    assert f"{supply}, row 4, column 'node': 'X' is not a node in nodes.csv" in err
    assert f"{capacity}, row 2, column 'id': 'HUB>Z:road' is not a link in links.csv" in err
    assert not (folders / "new").exists()

    code, err = run_replan(folders, "--from", "2017-06")
    assert code == 2
    assert "--from: '2017-06' is not a month of the horizon 2017-03..2017-05" in err
    assert not (folders / "new").exists()


def test_bad_demand_exits_2_with_file_row_and_column(folders: Path) -> None:
    demand = folders / "demand.csv"
    demand.write_text(
        "node,period,category,quantity\n"
        "A,2017-03,regular,15\n"
        "B,2017-03,regular,11\n"
        "X,2017-04,regular,1\n"
        "B,2017-04,vip,1\n"
        "B,2017-05,priority,1.5\n"
    )
    code, err = run_replan(folders, "--from", "2017-04", "--demand", str(demand))
    assert code == 2
    assert "input error: 4 problems" in err
    assert (
        f"{demand}, row 3, column 'period': '2017-03' is before --from 2017-04: demand that "
        "arose before then cannot change here (this file may only repeat the instance's rows "
        "for those months; the backlog at --from follows from them and from what was issued)"
    ) in err
    assert f"{demand}, row 4, column 'node': 'X' is not a node in nodes.csv" in err
    assert f"{demand}, row 5, column 'category': 'vip' is not a category" in err
    assert f"{demand}, row 6, column 'quantity': '1.5' is not a whole number" in err
    assert not (folders / "new").exists()


def test_a_plan_made_for_other_data_is_refused(folders: Path) -> None:
    allocator.solve(SEA_OR_AIR).write(folders / "other")
    args = ["replan", str(TINY), "--plan", str(folders / "other"), "--from", "2017-04"]
    result = runner.invoke(app, [*args, "-o", str(folders / "new")])
    assert result.exit_code == 2
    other = allocator.load_instance(SEA_OR_AIR).sha256[:12]
    mine = allocator.load_instance(TINY).sha256[:12]
    lines = result.stderr.splitlines()
    assert lines[1] == (
        f"  {folders / 'other'}: the plan was made for other data: instance 'sea-or-air' "
        f"(sha256 {other}...), not 'tiny' (sha256 {mine}...)"
    )
    assert "the old plan does not fit: shipments.csv row 2" in result.stderr
    assert not (folders / "new").exists()


def test_python_api_reports_problems_in_dataframes(tiny) -> None:
    instance, plan = tiny
    ships = pd.DataFrame({"link": ["HUB>A:road"], "period": ["2017-03"], "quantity": [-1]})
    with pytest.raises(allocator.InputError) as error:
        replan(instance, plan, start="2017-04", actuals={"shipments": ships, "stock": ships})
    assert [str(p) for p in error.value.problems] == [
        "actuals: unknown actuals table 'stock'; give shipments, issuance or supply",
        "actuals shipments, row 2, column 'quantity': '-1' is negative; write a whole number >= 0",
    ]


def test_cli_prints_the_comparison_and_json(folders: Path) -> None:
    TINY_DELAYED.to_csv(folders / "late.csv", index=False)
    args = ["--from", "2017-04", "--supply", str(folders / "late.csv")]
    result = runner.invoke(
        app,
        ["replan", str(TINY), "--plan", str(folders / "old"), *args, "-o", str(folders / "a")],
    )
    assert result.exit_code == 0
    assert "Whole horizon: old plan against re-plan from Apr 2017" in result.stdout
    assert "│ waiting             │       25 │      60 │         35 │" in result.stdout
    result = runner.invoke(
        app,
        [
            "replan",
            str(TINY),
            "--plan",
            str(folders / "old"),
            *args,
            "-o",
            str(folders / "b"),
            "--json",
        ],
    )
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["replan"]["compare"]["new"]["waiting"] == 60.0
    written = json.loads((folders / "b" / "summary.json").read_text())
    assert written["replan"] == summary["replan"]


def test_capacity_before_from_cannot_change_history(folders: Path) -> None:
    capacity = folders / "past.csv"
    capacity.write_text("what,id,period,capacity\nlink,HUB>A:road,2017-03,0\n")
    code, err = run_replan(folders, "--from", "2017-04", "--capacity", str(capacity))
    assert code == 2
    assert (
        f"{capacity}, row 2, column 'period': '2017-03' is before --from 2017-04: capacity "
        "before then cannot change here (this file may only repeat the instance's rows for "
        "those months; what was shipped and issued then is recorded in actuals/shipments.csv "
        "and issuance.csv)"
    ) in err
    assert not (folders / "new").exists()
