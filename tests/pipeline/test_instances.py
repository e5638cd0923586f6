"""The four teaching instances: the engine must find the optimum worked out by hand.

Each folder's README derives the lexicographic optimum (waiting W*, then cost
C*) with an argument why nothing is better; ``expected.json`` holds the same
numbers. Besides the objective, the tests check the parts of each plan that
every optimal plan shares (the README's "forced" quantities).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from support import INSTANCES, TEACHING, Solved

import allocator


def _sums(table: pd.DataFrame, keys: list[str], value: str) -> dict:
    """``{key tuple (or single key): total}`` over the rows with a non-zero total."""
    totals = table.groupby(keys)[value].sum()
    totals = totals[totals != 0]
    return {k: int(v) for k, v in totals.items()}


@pytest.mark.parametrize("name", TEACHING)
def test_hand_worked_optimum(name: str, teaching: Solved) -> None:
    expected = json.loads((INSTANCES / name / "expected.json").read_text())
    instance, plan = teaching[name]
    assert plan.summary["status"] == "optimal"
    assert plan.summary["objective"]["waiting"] == pytest.approx(expected["waiting"], abs=1e-6)
    assert plan.summary["objective"]["cost"] == pytest.approx(expected["cost"], abs=1e-6)
    for figure, value in expected["totals"].items():
        assert plan.summary["totals"][figure] == value, figure
    assert allocator.verify(instance, plan) == []


@pytest.mark.parametrize("name", TEACHING)
def test_readme_states_the_expected_numbers(name: str) -> None:
    expected = json.loads((INSTANCES / name / "expected.json").read_text())
    readme = (INSTANCES / name / "README.md").read_text()
    line = f"**Optimum: waiting W\\* = {expected['waiting']}, cost C\\* = {expected['cost']}.**"
    assert line in readme


def test_tiny_serves_priority_first_and_leaves_the_dearest_office_short(teaching: Solved) -> None:
    plan = teaching["tiny"][1]
    assert _sums(plan.issuance, ["node", "category"], "issued") == {
        ("A", "regular"): 15,
        ("B", "priority"): 15,
        ("B", "regular"): 10,
        ("C", "regular"): 5,
    }
    assert _sums(plan.issuance, ["period"], "issued") == {"2017-03": 30, "2017-04": 15}
    # Equal waiting either way: the cheap rail is used to its limit, road only for the rest.
    assert _sums(plan.shipments[plan.shipments["to"] == "HUB"], ["link", "period"], "quantity") == {
        ("VENDOR>HUB:rail", "2017-03"): 20,
        ("VENDOR>HUB:rail", "2017-04"): 15,
        ("VENDOR>HUB:road", "2017-03"): 10,
    }


def test_lead_time_ships_a_month_ahead(teaching: Solved) -> None:
    plan = teaching["lead-time"][1]
    sea = plan.shipments[plan.shipments["mode"] == "sea"]
    assert _sums(sea, ["period", "arrival"], "quantity") == {
        ("2017-03", "2017-04"): 20,
        ("2017-04", "2017-05"): 10,
    }
    assert _sums(plan.issuance, ["period"], "issued") == {"2017-04": 20, "2017-05": 10}
    # May's tranche cannot arrive within the horizon: it stays in Jakarta.
    assert _sums(plan.stock, ["node", "period"], "stock") == {("JAKARTA", "2017-05"): 10}


def test_print_capacity_spreads_over_months_and_sends_the_rest_elsewhere(teaching: Solved) -> None:
    plan = teaching["print-capacity"][1]
    assert _sums(plan.issuance, ["node", "period"], "issued") == {
        ("A", "2017-03"): 10,
        ("A", "2017-05"): 5,
        ("B", "2017-03"): 15,
    }
    assert plan.stock.empty or set(plan.stock["node"]) == {"VENDOR"}


def test_sea_or_air_flies_only_the_urgent_cards(teaching: Solved) -> None:
    plan = teaching["sea-or-air"][1]
    by_mode = _sums(plan.shipments, ["mode", "period"], "quantity")
    assert {k: v for k, v in by_mode.items() if k[0] != "road"} == {
        ("air", "2017-03"): 10,
        ("sea", "2017-03"): 40,
        ("sea", "2017-04"): 10,
    }
    issued = _sums(plan.issuance, ["category", "period"], "issued")
    assert issued[("priority", "2017-03")] == 10
    assert ("regular", "2017-03") not in issued
