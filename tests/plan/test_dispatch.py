"""Dispatch lists (issue 14): per sender and month, what leaves for whom.

The tiny plan (``instances/tiny/README.md``) ships VENDOR -> HUB 20 by rail and
10 by road in 2017-03 and 15 by rail in 2017-04; HUB -> A 15 and HUB -> B 15
in 2017-03, HUB -> B 10 and HUB -> C 5 in 2017-04.
"""

from __future__ import annotations

import pytest
from conftest import Solved

import allocator
from allocator.plan.dispatch_lists import DISPATCH_COLUMNS, close_matches, dispatch, node_names


def test_tiny_hand_worked(tiny_instance: allocator.Instance, tiny_plan: allocator.Plan) -> None:
    lists = dispatch(tiny_plan, tiny_instance)
    assert list(lists.lines.columns) == DISPATCH_COLUMNS
    assert lists.lines.values.tolist()[:4] == [
        [
            "HUB",
            "Provincial hub Semarang",
            "A",
            "District office A",
            "road",
            "2017-03",
            "2017-03",
            15,
        ],
        [
            "HUB",
            "Provincial hub Semarang",
            "B",
            "District office B",
            "road",
            "2017-03",
            "2017-03",
            15,
        ],
        [
            "HUB",
            "Provincial hub Semarang",
            "B",
            "District office B",
            "road",
            "2017-04",
            "2017-04",
            10,
        ],
        [
            "HUB",
            "Provincial hub Semarang",
            "C",
            "District office C",
            "road",
            "2017-04",
            "2017-04",
            5,
        ],
    ]
    assert lists.totals[
        ["from", "month", "receivers", "consignments", "cards"]
    ].values.tolist() == [
        ["HUB", "2017-03", 2, 2, 30],
        ["HUB", "2017-04", 2, 2, 15],
        ["VENDOR", "2017-03", 1, 2, 30],
        ["VENDOR", "2017-04", 1, 1, 15],
    ]


def test_totals_equal_the_shipments(
    indonesia_instance: allocator.Instance, indonesia_plan: allocator.Plan
) -> None:
    lists = dispatch(indonesia_plan, indonesia_instance)
    ships = indonesia_plan.shipments
    assert len(lists.lines) == len(ships)
    assert lists.lines["cards"].sum() == ships["quantity"].sum()
    expected = ships.groupby(["from", "period"])["quantity"].sum()
    got = lists.totals.set_index(["from", "month"])["cards"]
    assert got.to_dict() == {k: int(v) for k, v in expected.items()}
    assert list(lists.lines["from"]) == sorted(lists.lines["from"])  # sorted by sender


def test_month_and_sender_filters(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan
) -> None:
    lists = dispatch(tiny_plan, tiny_instance, month="2017-04", sender="HUB")
    assert lists.lines[["to", "cards"]].values.tolist() == [["B", 10], ["C", 5]]
    assert lists.pages() == [("HUB", "2017-04")]
    assert dispatch(tiny_plan, tiny_instance, month="2017-05").lines.empty  # nothing leaves


def test_bad_month_and_unknown_node_are_named(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan
) -> None:
    with pytest.raises(allocator.InputError) as caught:
        dispatch(tiny_plan, tiny_instance, month="2018-03", sender="HBU")
    assert [str(p) for p in caught.value.problems] == [
        "--month: '2018-03' is outside the horizon 2017-03..2017-05 (start 2017-03, 3 periods)",
        "--from: no node 'HBU' in the plan's instance; did you mean 'HUB' "
        "(Provincial hub Semarang)?",
    ]
    with pytest.raises(allocator.InputError) as caught:
        dispatch(tiny_plan, tiny_instance, month="March")
    assert [str(p) for p in caught.value.problems] == [
        "--month: 'March' is not a month written YYYY-MM (for example 2017-03)"
    ]


def test_close_matches_by_id_or_by_name(tiny_instance: allocator.Instance) -> None:
    names = dict(zip(tiny_instance.nodes["id"], tiny_instance.nodes["name"], strict=True))
    assert close_matches("vendr", names) == ["VENDOR"]
    assert close_matches("semarang", names) == ["HUB"]
    assert close_matches("nowhere", names) == []


def test_without_the_instance_offices_keep_their_names(tiny_plan: allocator.Plan) -> None:
    names = node_names(tiny_plan)
    assert names["A"] == "District office A" and "HUB" not in names
    lists = dispatch(tiny_plan, sender="HUB", month="2017-03")
    assert lists.lines[["from_name", "to_name"]].values.tolist() == [
        ["HUB", "District office A"],
        ["HUB", "District office B"],
    ]


def test_every_teaching_plans_dispatch_adds_up(teaching: Solved) -> None:
    """On each teaching instance (lead times included), every shipment is one line, once."""
    for name, (instance, plan) in teaching.items():
        lists = dispatch(plan, instance)
        ships = plan.shipments
        assert lists.totals["cards"].sum() == ships["quantity"].sum(), name
        got = sorted(
            lists.lines[["from", "to", "mode", "depart", "arrive", "cards"]].values.tolist()
        )
        want = sorted(
            ships[["from", "to", "mode", "period", "arrival", "quantity"]].values.tolist()
        )
        assert got == want, name
