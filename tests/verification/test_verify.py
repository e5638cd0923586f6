"""The independent verifier and the min-cost-flow reference, on instances done by hand.

The hand instance (months 2017-03, -04, -05; categories backlog w=1, pilkada w=5):

- W (source): 10 cards in stock, 2 more supplied in 2017-04, holding cost 0.5,
  storage 1 in 2017-05 (capacity.csv);
- A (office): issue capacity 4 (1 in 2017-05 by capacity.csv), storage 6;
  demand backlog 6 in 2017-03, pilkada 2 in 2017-04;
- B (office): demand backlog 3 in 2017-04;
- W>A: lead 0, cost 1, capacity 5 (2 in 2017-04 by capacity.csv);
  W>B: lead 1, cost 2.

The hand plan ships W>A 5 / 2 / 1 in the three months and W>B 3 in 2017-03
(arriving 2017-04). A issues 4 backlog, then 2 pilkada + 1 backlog, then 1
backlog; B issues 3 in 2017-04. Backlog of A's backlog category: 2, 1, 0.
Stock: W 2, 2, 1 (10-5-3; +2-2; -1); A 1, 0, 0.

- waiting = 1 * (2 + 1) = 3; card-months waiting 3; unmet 0; demand = issued = 11;
- cost = shipping 8 * 1 + 3 * 2 = 14, plus holding 0.5 * (2 + 2 + 1) = 2.5: 16.5.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest
from mcf_reference import lexicographic_optimum, reference_plan

from allocator.instance import Instance, generate_instance
from allocator.plan import Plan, read_plan
from allocator.verification import verify


def hand_instance() -> Instance:
    """The instance of the module docstring."""
    return Instance.from_frames(
        name="hand",
        start="2017-03",
        periods=3,
        categories={"backlog": 1.0, "pilkada": 5.0},
        nodes=pd.DataFrame(
            {
                "id": ["W", "A", "B"],
                "kind": ["source", "office", "office"],
                "stock": [10, 0, 0],
                "storage": [None, 6, None],
                "issue_capacity": [None, 4, None],
                "holding_cost": [0.5, 0.0, 0.0],
            }
        ),
        links=pd.DataFrame(
            {
                "from": ["W", "W"],
                "to": ["A", "B"],
                "capacity": [5, None],
                "cost": [1.0, 2.0],
                "lead_time": [0, 1],
            }
        ),
        supply=pd.DataFrame({"node": ["W"], "period": ["2017-04"], "quantity": [2]}),
        demand=pd.DataFrame(
            {
                "node": ["A", "A", "B"],
                "period": ["2017-03", "2017-04", "2017-04"],
                "category": ["backlog", "pilkada", "backlog"],
                "quantity": [6, 2, 3],
            }
        ),
        capacity=pd.DataFrame(
            {
                "what": ["link", "issue", "storage"],
                "id": ["W>A", "A", "W"],
                "period": ["2017-04", "2017-05", "2017-05"],
                "capacity": [2, 1, 1],
            }
        ),
    )


INSTANCE = hand_instance()


def shipments(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["link", "from", "to", "mode", "period", "arrival", "quantity"]
    )


def issuance(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["node", "period", "category", "demand", "issued", "backlog"])


def stock(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["node", "period", "stock"])


def hand_plan() -> Plan:
    """The valid plan of the module docstring, written out by hand (rows sorted as a plan's)."""
    return Plan(
        shipments=shipments(
            ("W>A", "W", "A", "", "2017-03", "2017-03", 5),  # row 2
            ("W>B", "W", "B", "", "2017-03", "2017-04", 3),  # row 3
            ("W>A", "W", "A", "", "2017-04", "2017-04", 2),  # row 4
            ("W>A", "W", "A", "", "2017-05", "2017-05", 1),  # row 5
        ),
        issuance=issuance(
            ("A", "2017-03", "backlog", 6, 4, 2),  # row 2
            ("A", "2017-04", "backlog", 0, 1, 1),  # row 3
            ("A", "2017-05", "backlog", 0, 1, 0),  # row 4
            ("A", "2017-04", "pilkada", 2, 2, 0),  # row 5
            ("B", "2017-04", "backlog", 3, 3, 0),  # row 6
        ),
        stock=stock(
            ("A", "2017-03", 1),  # row 2
            ("W", "2017-03", 2),  # row 3
            ("W", "2017-04", 2),  # row 4
            ("W", "2017-05", 1),  # row 5
        ),
        nodes=pd.DataFrame(
            {
                "node": ["A", "B"],
                "name": ["A", "B"],
                "region": ["", ""],
                "demand": [8, 3],
                "issued": [8, 3],
                "unmet": [0, 0],
                "fill_rate": [1.0, 1.0],
                "card_months_waiting": [3, 0],
            }
        ),
        summary={
            "instance": {"name": "hand", "sha256": INSTANCE.sha256},
            "status": "optimal",
            "objective": {"waiting": 3.0, "cost": 16.5},
            "totals": {
                "demand": 11,
                "issued": 11,
                "unmet": 0,
                "fill_rate": 1.0,
                "card_months_waiting": 3,
            },
        },
    )


def changed(**tables: object) -> Plan:
    """The hand plan with some tables replaced; ``summary`` entries are merged one level deep."""
    plan = hand_plan()
    for name, value in tables.items():
        if name == "summary":
            for section, entries in value.items():  # type: ignore[attr-defined]
                plan.summary[section].update(entries)
        else:
            setattr(plan, name, value)
    return plan


# -- a valid plan ---------------------------------------------------------------------


def test_hand_plan_is_valid() -> None:
    assert verify(INSTANCE, hand_plan()) == []


def test_valid_plan_survives_writing_and_reading(tmp_path) -> None:
    """Read back from CSV (strings, int64 columns, empty modes), the plan is still valid."""
    hand_plan().write(tmp_path / "plan")
    assert verify(INSTANCE, read_plan(tmp_path / "plan")) == []


# -- shipments ------------------------------------------------------------------------


def test_link_capacity_override_exceeded() -> None:
    """3 cards on W>A in 2017-04 fit links.csv's 5 but not capacity.csv's 2.

    Shipping 3 then and nothing in 2017-05 leaves A 1 card at the end of 2017-04
    and W 2, 1, 1 cards: holding 0.5 * 4 = 2, cost 14 + 2 = 16; nothing else changes.
    """
    plan = changed(
        shipments=shipments(
            ("W>A", "W", "A", "", "2017-03", "2017-03", 5),
            ("W>B", "W", "B", "", "2017-03", "2017-04", 3),
            ("W>A", "W", "A", "", "2017-04", "2017-04", 3),
        ),
        stock=stock(
            ("A", "2017-03", 1),
            ("A", "2017-04", 1),
            ("W", "2017-03", 2),
            ("W", "2017-04", 1),
            ("W", "2017-05", 1),
        ),
        summary={"objective": {"cost": 16.0}},
    )
    assert verify(INSTANCE, plan) == [
        "link capacity: link W>A carries 3 cards leaving in 2017-04, more than its capacity 2"
    ]


def test_arrival_after_the_horizon() -> None:
    """1 more card on W>B (lead 1) in 2017-05 would arrive in 2017-06: x is not defined there.

    W then ends 2017-05 with 0 cards: cost = 14 + 2 + 0.5 * (2 + 2) = 18.
    """
    plan = hand_plan()
    plan.shipments.loc[len(plan.shipments)] = ["W>B", "W", "B", "", "2017-05", "2017-06", 1]
    plan.stock = plan.stock.iloc[:3]
    plan.summary["objective"]["cost"] = 18.0
    assert verify(INSTANCE, plan) == [
        "shipments.csv row 6: link W>B with lead time 1 leaves in 2017-05 and arrives in "
        "2017-06, after the horizon ends in 2017-05"
    ]


def test_arrival_label_must_match_lead_time() -> None:
    plan = hand_plan()
    plan.shipments.loc[1, "arrival"] = "2017-03"
    assert verify(INSTANCE, plan) == [
        "shipments.csv row 3: arrival '2017-03' but link W>B with lead time 1 leaving in "
        "2017-03 arrives in 2017-04"
    ]


def test_fractional_quantity() -> None:
    plan = hand_plan()
    plan.shipments["quantity"] = plan.shipments["quantity"].astype(float)
    plan.shipments.loc[1, "quantity"] = 2.5
    problems = verify(INSTANCE, plan)
    assert problems[0] == "shipments.csv row 3: quantity 2.5 is not a whole number of cards"
    # Half a card less reaches B and stays at W: the balances show it too.
    assert (
        "stock.csv row 3: stock 2 for node W at the end of 2017-03, but the previous stock "
        "plus supply plus arrivals minus departures minus issued is 2.5"
    ) in problems
    assert (
        "stock balance: node B at the end of 2017-04 would hold -0.5 cards: more leaves or "
        "is issued than is on hand" in problems
    )


def test_shipment_rows_must_be_positive() -> None:
    plan = hand_plan()
    plan.shipments.loc[len(plan.shipments)] = ["W>B", "W", "B", "", "2017-04", "2017-05", 0]
    assert verify(INSTANCE, plan) == [
        "shipments.csv row 6: quantity 0 is not positive (only shipments with quantity > 0 "
        "are listed)"
    ]


def test_shipment_endpoints_must_match_the_link() -> None:
    plan = hand_plan()
    plan.shipments.loc[0, "to"] = "B"
    assert verify(INSTANCE, plan) == ["shipments.csv row 2: link W>A has to 'A', not 'B'"]


def test_repeated_link_and_period() -> None:
    """Splitting 5 cards into 3 + 2 on two rows keeps every balance; only the repeat is wrong."""
    plan = hand_plan()
    plan.shipments.loc[0, "quantity"] = 3
    plan.shipments.loc[len(plan.shipments)] = ["W>A", "W", "A", "", "2017-03", "2017-03", 2]
    assert verify(INSTANCE, plan) == [
        "shipments.csv row 6: link W>A, period 2017-03 appears on an earlier row too"
    ]


def test_messages_are_limited_per_kind() -> None:
    """25 shipments on unknown links: 20 sentences, then one line counting the other 5."""
    plan = hand_plan()
    unknown = shipments(*((f"X{i}", "W", "A", "", "2017-03", "2017-03", 1) for i in range(25)))
    plan.shipments = pd.concat([plan.shipments, unknown], ignore_index=True)
    problems = verify(INSTANCE, plan)
    assert len(problems) == 21
    assert problems[0] == "shipments.csv row 6: link 'X0' is not in the instance"
    assert problems[19] == "shipments.csv row 25: link 'X19' is not in the instance"
    assert problems[20] == "... and 5 more shipments.csv violations"


# -- issuance and backlog ---------------------------------------------------------------


def test_demand_column_must_equal_the_instance() -> None:
    plan = hand_plan()
    plan.issuance.loc[3, "demand"] = 3
    assert verify(INSTANCE, plan) == [
        "issuance.csv row 5: demand 3 for node A, category pilkada, 2017-04, but the "
        "instance's demand is 2"
    ]


def test_every_demand_row_must_be_covered() -> None:
    plan = hand_plan()
    plan.issuance = plan.issuance.iloc[:4]
    problems = verify(INSTANCE, plan)
    assert problems[0] == (
        "issuance.csv (no row): demand 0 for node B, category backlog, 2017-04, but the "
        "instance's demand is 3"
    )
    assert (
        "issuance.csv (no row): backlog 0 for node B, category backlog, 2017-04, but the "
        "previous backlog plus demand minus issued is 3"
    ) in problems


def test_backlog_column_must_follow_the_recurrence() -> None:
    plan = hand_plan()
    plan.issuance.loc[1, "backlog"] = 2
    assert verify(INSTANCE, plan) == [
        "issuance.csv row 3: backlog 2 for node A, category backlog, 2017-04, but the previous "
        "backlog plus demand minus issued is 1"
    ]


def test_card_issued_before_its_demand() -> None:
    plan = hand_plan()
    plan.issuance.loc[0, "issued"] = 7
    problems = verify(INSTANCE, plan)
    assert (
        "backlog: node A, category backlog, 2017-03: issued exceeds the demand arisen so far by "
        "1 (a card issued before its demand arises)"
    ) in problems
    assert "issue capacity: node A issues 7 cards in 2017-03, more than its capacity 4" in problems


def test_issue_capacity_exceeded() -> None:
    """A issues 5 in 2017-03 (capacity 4): backlog 1, 1, 0 so waiting 2; A holds nothing."""
    plan = changed(
        issuance=issuance(
            ("A", "2017-03", "backlog", 6, 5, 1),
            ("A", "2017-04", "backlog", 0, 0, 1),
            ("A", "2017-05", "backlog", 0, 1, 0),
            ("A", "2017-04", "pilkada", 2, 2, 0),
            ("B", "2017-04", "backlog", 3, 3, 0),
        ),
        stock=stock(("W", "2017-03", 2), ("W", "2017-04", 2), ("W", "2017-05", 1)),
        summary={"objective": {"waiting": 2.0}, "totals": {"card_months_waiting": 2}},
    )
    plan.nodes.loc[0, "card_months_waiting"] = 2
    assert verify(INSTANCE, plan) == [
        "issue capacity: node A issues 5 cards in 2017-03, more than its capacity 4"
    ]


# -- stock ----------------------------------------------------------------------------


def test_broken_stock_balance() -> None:
    plan = hand_plan()
    plan.stock.loc[2, "stock"] = 3
    assert verify(INSTANCE, plan) == [
        "stock.csv row 4: stock 3 for node W at the end of 2017-04, but the previous stock "
        "plus supply plus arrivals minus departures minus issued is 2"
    ]


def test_missing_stock_row() -> None:
    plan = hand_plan()
    plan.stock = plan.stock.iloc[1:]
    assert verify(INSTANCE, plan) == [
        "stock.csv (no row): stock 0 for node A at the end of 2017-03, but the previous stock "
        "plus supply plus arrivals minus departures minus issued is 1"
    ]


def test_storage_override_exceeded() -> None:
    """Not shipping A's last card leaves W 2 cards in 2017-05, where capacity.csv allows 1.

    A's backlog is then 2, 1, 1: waiting 4, unmet 1, issued 10 of 11; A issues 7 of 8.
    Cost: shipping 7 + 6 = 13, holding 0.5 * (2 + 2 + 2) = 3: 16.
    """
    plan = changed(
        shipments=hand_plan().shipments.iloc[:3],
        issuance=issuance(
            ("A", "2017-03", "backlog", 6, 4, 2),
            ("A", "2017-04", "backlog", 0, 1, 1),
            ("A", "2017-05", "backlog", 0, 0, 1),
            ("A", "2017-04", "pilkada", 2, 2, 0),
            ("B", "2017-04", "backlog", 3, 3, 0),
        ),
        stock=stock(
            ("A", "2017-03", 1), ("W", "2017-03", 2), ("W", "2017-04", 2), ("W", "2017-05", 2)
        ),
        summary={
            "objective": {"waiting": 4.0, "cost": 16.0},
            "totals": {"issued": 10, "unmet": 1, "fill_rate": 10 / 11, "card_months_waiting": 4},
        },
    )
    plan.nodes.loc[0, ["issued", "unmet", "fill_rate", "card_months_waiting"]] = [7, 1, 7 / 8, 4]
    assert verify(INSTANCE, plan) == [
        "storage: node W at the end of 2017-05 holds 2 cards, more than its storage 1"
    ]


def test_negative_stock() -> None:
    plan = hand_plan()
    plan.shipments.loc[1, "quantity"] = 6
    problems = verify(INSTANCE, plan)
    assert problems[0] == (
        "stock balance: node W at the end of 2017-03 would hold -1 cards: more leaves or is "
        "issued than is on hand"
    )


def test_period_outside_the_horizon() -> None:
    plan = hand_plan()
    plan.issuance.loc[len(plan.issuance)] = ["B", "2017-06", "backlog", 0, 0, 0]
    assert verify(INSTANCE, plan) == [
        "issuance.csv row 7: period '2017-06' is not a month of the horizon 2017-03..2017-05"
    ]


# -- summary and nodes ------------------------------------------------------------------


def test_wrong_summary_waiting() -> None:
    plan = changed(summary={"objective": {"waiting": 2.0}})
    assert verify(INSTANCE, plan) == ["summary.json: objective.waiting is 2, but the plan's is 3"]


def test_summary_cost_has_a_relative_tolerance() -> None:
    close = changed(summary={"objective": {"cost": 16.5 * (1 + 1e-12)}})
    assert verify(INSTANCE, close) == []
    off = changed(summary={"objective": {"cost": 16.501}})
    assert verify(INSTANCE, off) == [
        "summary.json: objective.cost is 16.501, but the plan's is 16.5"
    ]


def test_missing_summary_figure() -> None:
    plan = hand_plan()
    del plan.summary["totals"]["unmet"]
    assert verify(INSTANCE, plan) == [
        "summary.json: totals.unmet is None, not a number; recomputed 0"
    ]


def test_plan_for_other_data() -> None:
    """Said first, before any row-level problem: another name, or the same name changed."""
    name = INSTANCE.name
    plan = changed(summary={"instance": {"sha256": "0" * 64}})
    assert verify(INSTANCE, plan) == [
        f"the plan was made for other data: instance '{name}' has changed since (sha256 "
        f"000000000000... then, {INSTANCE.sha256[:12]}... now)"
    ]
    plan = changed(summary={"instance": {"sha256": "0" * 64, "name": "elsewhere"}})
    plan.shipments = plan.shipments.assign(quantity=plan.shipments["quantity"] * 2)
    found = verify(INSTANCE, plan)
    assert found[0] == (
        "the plan was made for other data: instance 'elsewhere' (sha256 000000000000...), "
        f"not '{name}' (sha256 {INSTANCE.sha256[:12]}...)"
    )
    assert len(found) > 1


def test_nodes_figures_are_recomputed() -> None:
    plan = hand_plan()
    plan.nodes.loc[0, "card_months_waiting"] = 2
    plan.nodes.loc[1, "fill_rate"] = 0.99
    assert verify(INSTANCE, plan) == [
        "nodes.csv row 2: card_months_waiting 2 for node A, recomputed 3",
        "nodes.csv row 3: fill_rate 0.99 for node B, recomputed 1",
    ]


def test_node_with_demand_needs_a_row() -> None:
    plan = hand_plan()
    plan.nodes = plan.nodes.iloc[:1]
    assert verify(INSTANCE, plan) == ["nodes.csv: node B has demand 3 but no row"]


def test_missing_column() -> None:
    plan = hand_plan()
    plan.stock = plan.stock.drop(columns="stock")
    problems = verify(INSTANCE, plan)
    assert problems[0] == "stock.csv has no column 'stock'"


# -- the min-cost-flow reference ---------------------------------------------------------


def test_reference_optimum_of_the_hand_instance() -> None:
    """W* = 3 and C* = 16.5: the hand plan is lexicographically optimal.

    Waiting: A issues at most 4 in 2017-03, so A's backlog is >= 2 then; in
    2017-04 A has at most 1 + 2 cards (W>A capacity 2 that month) for 2 pilkada
    (w=5, served first) and 2 backlog, so >= 1 backlog card waits: W* >= 2 + 1,
    reached by the hand plan. Cost: the 8 cards A issues and the 3 B issues cross
    W>A (1) and W>B (2): 14. W holds >= 10 - 5 - 3 = 2 after 2017-03 (W>A capacity
    5; B's cards must leave then to arrive in time), >= 2 + 2 - 2 = 2 after
    2017-04, and 1 card is left over at the end (12 cards, 11 demanded); sending
    any of them on costs 1 or 2 per card to save at most 0.5 * 2 = 1: holding 2.5.
    """
    assert lexicographic_optimum(INSTANCE) == (3.0, 16.5)


def parallel_links_instance(backlog_weight: float = 0.75) -> Instance:
    """V supplies 3 cards in 2017-03 to office H over sea (lead 1, cost 1) or air (lead 0,
    cost 4, capacity 1); H has 2 backlog in 2017-03 and 2 pilkada (w=10) in 2017-04."""
    return Instance.from_frames(
        name="parallel",
        start="2017-03",
        periods=2,
        categories={"backlog": backlog_weight, "pilkada": 10.0},
        nodes=pd.DataFrame({"id": ["V", "H"], "kind": ["source", "office"]}),
        links=pd.DataFrame(
            {
                "from": ["V", "V"],
                "to": ["H", "H"],
                "mode": ["sea", "air"],
                "capacity": [None, 1],
                "cost": [1.0, 4.0],
                "lead_time": [1, 0],
            }
        ),
        supply=pd.DataFrame({"node": ["V"], "period": ["2017-03"], "quantity": [3]}),
        demand=pd.DataFrame(
            {
                "node": ["H", "H"],
                "period": ["2017-03", "2017-04"],
                "category": ["backlog", "pilkada"],
                "quantity": [2, 2],
            }
        ),
    )


def test_reference_optimum_with_parallel_links() -> None:
    """W* = 1.5, C* = 6.

    Only air reaches H in 2017-03 (1 card); sea leaves in 2017-03 only (2017-04 + 1
    is past the horizon). Flying 1 card and issuing it to the backlog leaves
    backlog 1, 1 (waiting 0.75 * 2 = 1.5) with both pilkada cards served in
    2017-04 by the other 2 cards; not flying leaves backlog 2, 1 (2.25); serving
    a backlog card instead of a pilkada card costs 10 a month. Cheapest way to
    get 1 card there in 2017-03 and 2 in 2017-04: air 1 * 4 + sea 2 * 1 = 6
    (nothing is held, nothing left over).
    """
    assert lexicographic_optimum(parallel_links_instance()) == (1.5, 6.0)


def test_reference_plan_passes_verify() -> None:
    for instance in (INSTANCE, parallel_links_instance()):
        assert verify(instance, reference_plan(instance)) == []


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_plans_of_generated_instances_pass_verify(seed: int) -> None:
    instance = generate_instance(6, 4, seed=seed, hubs=2)
    plan = reference_plan(instance)
    assert verify(instance, plan) == []
    # The verifier is not blind on these plans: one card fewer issued is seen.
    broken = copy.deepcopy(plan)
    row = broken.issuance.index[broken.issuance["issued"] > 0][0]
    broken.issuance.loc[row, "issued"] -= 1
    assert any(
        p.startswith("issuance.csv row") and "backlog" in p for p in verify(instance, broken)
    )


def test_reference_refuses_weights_with_more_than_six_decimals() -> None:
    with pytest.raises(ValueError, match="more than 6 decimals"):
        lexicographic_optimum(parallel_links_instance(backlog_weight=0.1234567))
