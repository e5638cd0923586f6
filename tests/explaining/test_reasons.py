"""Each reason of ``shortfalls.csv`` on an instance worked out by hand, and its relaxation.

For every reason the test finds the rows the hand working predicts (node,
category, month, cards waiting, reason, evidence) and then relaxes exactly
what the evidence names and solves again: the cards that waited are served.
"""

from __future__ import annotations

import pandas as pd
import pytest
from relax import make, raised, waiting_at
from support import Solved

import allocator


def _rows(explanation: allocator.Explanation) -> list[tuple]:
    table = explanation.shortfalls
    return list(
        table[["node", "category", "period", "cards_waiting", "reason"]].itertuples(
            index=False, name=None
        )
    )


def test_lead_time(teaching: Solved) -> None:
    """lead-time: JAKARTA --sea, 1 month--> PORT --road--> OFFICE; 10 demand a month.

    Nothing can be at OFFICE before April (the tranche of March crosses the sea
    in a month), so March's 10 wait, and the reason is the lead time:

        OFFICE, regular, 2017-03, 10 waiting, lead_time, "the earliest a card can
        be here is 2017-04 (from JAKARTA in 2017-03 by JAKARTA>PORT:sea, PORT>OFFICE:road)"

    Relaxed: with the sea leg taking 0 months, March's cards are served in March.
    """
    instance, plan = teaching["lead-time"]
    e = allocator.explain(instance, plan)
    assert _rows(e) == [("OFFICE", "regular", "2017-03", 10, "lead_time")]
    assert e.shortfalls["evidence"][0] == (
        "the earliest a card can be here is 2017-04 "
        "(from JAKARTA in 2017-03 by JAKARTA>PORT:sea, PORT>OFFICE:road)"
    )
    links = instance.links.copy()
    links.loc[links["id"] == "JAKARTA>PORT:sea", "lead_time"] = 0
    fast = allocator.solve(instance.replace(links=links))
    assert waiting_at(fast, "OFFICE", "regular", "2017-03") == 0


def test_issue_capacity_then_national_supply(teaching: Solved) -> None:
    """print-capacity: A prints 10 a month, 0 in April; 30 cards for A's 30 and B's 15.

    March: A issues 10 of 30 (its printer is full), so 20 wait for the
    printer; April: the printer is serviced (0), still 20; May: A prints 5
    of its 10 and the other 15 wait because all 30 cards are used:

        A, regular, 2017-03, 20, issue_capacity  ("printing at A is full in 2017-03: 10 cards")
        A, regular, 2017-04, 20, issue_capacity  ("... in 2017-04: 0 cards")
        A, regular, 2017-05, 15, national_supply (one more at VENDOR would serve these)

    Relaxed: 20 more printing at A in March leaves nobody waiting there in
    March (A is the cheaper office, so all 30 go to A); 20 more in April
    serves the 5 cards left for May in April instead (15 wait); 15 more cards
    at VENDOR in May are printed in May up to A's 10 (of the 20 waiting since
    April, 10 still wait; 5 more than before are served).
    """
    instance, plan = teaching["print-capacity"]
    e = allocator.explain(instance, plan)
    assert _rows(e) == [
        ("A", "regular", "2017-03", 20, "issue_capacity"),
        ("A", "regular", "2017-04", 20, "issue_capacity"),
        ("A", "regular", "2017-05", 15, "national_supply"),
    ]
    assert list(e.shortfalls["evidence"][:2]) == [
        "printing at A is full in 2017-03: 10 cards",
        "printing at A is full in 2017-04: 0 cards",
    ]
    assert "one more at VENDOR in 2017-05 would serve these" in e.shortfalls["evidence"][2]
    march = allocator.solve(raised(instance, "issue", "A", "2017-03", 20))
    assert waiting_at(march, "A", "regular", "2017-03") == 0
    april = allocator.solve(raised(instance, "issue", "A", "2017-04", 20))
    assert waiting_at(april, "A", "regular", "2017-04") == 15
    may = allocator.solve(raised(instance, "supply", "VENDOR", "2017-05", 15))
    assert waiting_at(may, "A", "regular", "2017-05") == 10


def test_link_capacity(teaching: Solved) -> None:
    """sea-or-air: only air (10 a month, no lead time) reaches Wamena in March.

    The 10 air cards serve the 10 priority people; March's 20 regular wait
    because air is full (sea arrives a month later):

        OFFICE, regular, 2017-03, 20, link_capacity
        ("JAKARTA>JAYAPURA:air carries its full capacity of 10 cards in 2017-03 ...")

    and the air link in March is worth 1 card-month per extra card, for 20
    cards. Relaxed: 20 more air seats in March serve all 20 in March.
    """
    instance, plan = teaching["sea-or-air"]
    e = allocator.explain(instance, plan)
    assert _rows(e) == [("OFFICE", "regular", "2017-03", 20, "link_capacity")]
    assert e.shortfalls["evidence"][0].startswith(
        "JAKARTA>JAYAPURA:air carries its full capacity of 10 cards in 2017-03"
    )
    air = e.marginal_values[e.marginal_values["what"] == "link"]
    assert air[["id", "period", "value", "holds_up_to"]].values.tolist() == [
        ["JAKARTA>JAYAPURA:air", "2017-03", 1.0, "20"]
    ]
    wider = allocator.solve(raised(instance, "link", "JAKARTA>JAYAPURA:air", "2017-03", 20))
    assert waiting_at(wider, "OFFICE", "regular", "2017-03") == 0


def storage_instance() -> allocator.Instance:
    """VENDOR (holds nothing) -> OFFICE (holds 5) and -> DEPOT (a dead end); 20 cards in March.

    OFFICE needs 10 in March and 10 in April, and no card arrives in April, so
    April's cards must be held from March: OFFICE keeps 5 (its storage), the
    VENDOR none, and 5 are sent to the DEPOT. So 5 wait at the end of April.
    """
    return make(
        nodes=[
            {"id": "VENDOR", "kind": "source", "storage": 0},
            {"id": "OFFICE", "kind": "office", "storage": 5},
            {"id": "DEPOT", "kind": "hub", "storage": None},
        ],
        links=[
            {"id": "V>O", "from": "VENDOR", "to": "OFFICE", "cost": 1, "lead_time": 0},
            {"id": "V>D", "from": "VENDOR", "to": "DEPOT", "cost": 1, "lead_time": 0},
        ],
        supply=[("VENDOR", "2017-03", 20)],
        demand=[("OFFICE", "2017-03", "regular", 10), ("OFFICE", "2017-04", "regular", 10)],
        categories={"regular": 1.0},
        periods=2,
    )


def test_storage() -> None:
    """storage (above): the 5 waiting in April wait for OFFICE's storage.

        OFFICE, regular, 2017-04, 5, storage
        ("OFFICE holds its full storage of 5 cards at the end of 2017-03")

    Relaxed: 5 more storage at OFFICE in March keeps 10 for April: nobody waits.
    """
    instance = storage_instance()
    e = allocator.explain(instance, allocator.solve(instance))
    assert _rows(e) == [("OFFICE", "regular", "2017-04", 5, "storage")]
    assert e.shortfalls["evidence"][0] == (
        "OFFICE holds its full storage of 5 cards at the end of 2017-03"
    )
    roomier = allocator.solve(raised(instance, "storage", "OFFICE", "2017-03", 5))
    assert waiting_at(roomier, "OFFICE", "regular", "2017-04") == 0


def priority_instance() -> allocator.Instance:
    """VENDOR -> OFFICE, 10 cards in March for 15 priority (weight 5) and 10 regular (weight 1).

    One month. The 10 cards go to priority (each saves 5, not 1): 5 priority
    and all 10 regular wait.
    """
    return make(
        nodes=[{"id": "VENDOR", "kind": "source"}, {"id": "OFFICE", "kind": "office"}],
        links=[{"id": "V>O", "from": "VENDOR", "to": "OFFICE", "cost": 1, "lead_time": 0}],
        supply=[("VENDOR", "2017-03", 10)],
        demand=[
            ("OFFICE", "2017-03", "priority", 15),
            ("OFFICE", "2017-03", "regular", 10),
        ],
        categories={"priority": 5.0, "regular": 1.0},
        periods=1,
    )


def test_priority_and_national_supply() -> None:
    """priority (above):

        OFFICE, priority, 2017-03, 5, national_supply (one more card at VENDOR serves them)
        OFFICE, regular, 2017-03, 10, priority
        ("others come first: one more card here would serve priority (weight 5) at OFFICE
        in 2017-03")

    Relaxed: 5 more cards serve the 5 priority people; without the priority
    demand the 10 cards serve the 10 regular ones.
    """
    instance = priority_instance()
    e = allocator.explain(instance, allocator.solve(instance))
    assert _rows(e) == [
        ("OFFICE", "priority", "2017-03", 5, "national_supply"),
        ("OFFICE", "regular", "2017-03", 10, "priority"),
    ]
    assert e.shortfalls["evidence"][1] == (
        "others come first: one more card here would serve priority (weight 5) at OFFICE in 2017-03"
    )
    more = allocator.solve(raised(instance, "supply", "VENDOR", "2017-03", 5))
    assert waiting_at(more, "OFFICE", "priority", "2017-03") == 0
    demand = instance.demand[instance.demand["category"] != "priority"].reset_index(drop=True)
    alone = allocator.solve(instance.replace(demand=demand))
    assert waiting_at(alone, "OFFICE", "regular", "2017-03") == 0


def test_national_supply_between_two_offices() -> None:
    """VENDOR -> A (cost 1) and -> B (cost 3); 10 cards for 8 at A and 8 at B, one month.

    Waiting is 6 whoever waits; cost sends A's 8 first, so 6 wait at B, for
    cards that do not exist: national_supply, "one more at VENDOR in 2017-03".
    Relaxed: 6 more cards at VENDOR serve them.
    """
    instance = make(
        nodes=[
            {"id": "VENDOR", "kind": "source"},
            {"id": "A", "kind": "office"},
            {"id": "B", "kind": "office"},
        ],
        links=[
            {"id": "V>A", "from": "VENDOR", "to": "A", "cost": 1, "lead_time": 0},
            {"id": "V>B", "from": "VENDOR", "to": "B", "cost": 3, "lead_time": 0},
        ],
        supply=[("VENDOR", "2017-03", 10)],
        demand=[("A", "2017-03", "regular", 8), ("B", "2017-03", "regular", 8)],
        categories={"regular": 1.0},
        periods=1,
    )
    e = allocator.explain(instance, allocator.solve(instance))
    assert _rows(e) == [("B", "regular", "2017-03", 6, "national_supply")]
    assert "one more at VENDOR in 2017-03 would serve these" in e.shortfalls["evidence"][0]
    assert "10 cards supplied, 16 demanded" in e.shortfalls["evidence"][0]
    more = allocator.solve(raised(instance, "supply", "VENDOR", "2017-03", 6))
    assert waiting_at(more, "B", "regular", "2017-03") == 0


def test_unreachable() -> None:
    """An office no link reaches waits for that reason, whatever else happens."""
    instance = make(
        nodes=[
            {"id": "VENDOR", "kind": "source"},
            {"id": "A", "kind": "office"},
            {"id": "ISLAND", "kind": "office"},
        ],
        links=[{"id": "V>A", "from": "VENDOR", "to": "A", "cost": 1, "lead_time": 0}],
        supply=[("VENDOR", "2017-03", 10)],
        demand=[("A", "2017-03", "regular", 5), ("ISLAND", "2017-03", "regular", 4)],
        categories={"regular": 1.0},
        periods=1,
    )
    e = allocator.explain(instance, allocator.solve(instance))
    assert _rows(e) == [("ISLAND", "regular", "2017-03", 4, "unreachable")]


@pytest.mark.parametrize("name", ["tiny", "lead-time", "print-capacity", "sea-or-air"])
def test_card_months_add_up_to_the_waiting(name: str, teaching: Solved) -> None:
    """Each row's weighted card-months; together they are the plan's waiting W*."""
    instance, plan = teaching[name]
    e = allocator.explain(instance, plan)
    assert e.shortfalls["card_months"].sum() == pytest.approx(plan.summary["objective"]["waiting"])
    assert set(e.shortfalls["reason"]) <= set(allocator.explaining.reasons.REASONS)
    assert isinstance(e.shortfalls, pd.DataFrame)


def test_no_card_exists_yet_is_national_supply_not_lead_time() -> None:
    """VENDOR -> A (no lead time); 10 cards arrive in April, 10 people wait from March.

    In March no card exists anywhere: the cards are short, not slow.

        A, regular, 2017-03, 10, national_supply
        ("no card exists yet by 2017-03; one more at VENDOR in 2017-03 would serve these ...")

    Relaxed: the 10 cards in March instead serve them in March.
    """
    instance = make(
        nodes=[{"id": "VENDOR", "kind": "source"}, {"id": "A", "kind": "office"}],
        links=[{"id": "V>A", "from": "VENDOR", "to": "A", "cost": 1, "lead_time": 0}],
        supply=[("VENDOR", "2017-04", 10)],
        demand=[("A", "2017-03", "regular", 10)],
        categories={"regular": 1.0},
        periods=2,
    )
    e = allocator.explain(instance, allocator.solve(instance))
    assert _rows(e) == [("A", "regular", "2017-03", 10, "national_supply")]
    assert e.shortfalls["evidence"][0].startswith(
        "no card exists yet by 2017-03; one more at VENDOR in 2017-03 would serve these"
    )
    sooner = allocator.solve(raised(instance, "supply", "VENDOR", "2017-03", 10))
    assert waiting_at(sooner, "A", "regular", "2017-03") == 0
