"""``allocator.explain``: marginal values proven by re-solving, pegging that adds up, refusals.

The property tests draw random small instances (``tests/strategies.py``):
every marginal value stated is checked by raising that limit and solving
again (the waiting must fall by exactly ``k * value`` for ``k`` up to
``holds_up_to``), and the pegging must trace every issued card to a tranche
along a real chain of links and months.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from relax import raised
from strategies import instances
from support import Solved

import allocator
from allocator.deliver import explain_extras
from allocator.explaining import PlanMismatchError
from allocator.explaining.losses import frozen_shipments
from allocator.explaining.pegging import OPENING
from allocator.model import ModelOptions, build_model
from allocator.pipeline import solve_model

#: Rows of marginal_values.csv re-solved per drawn instance (the largest first).
CHECKED = 4


def check_pegging(instance: allocator.Instance, plan: allocator.Plan, pegs: pd.DataFrame) -> None:
    """Sums match issuance and supply; every route is a chain of links whose months fit."""
    issued = plan.issuance[plan.issuance["issued"] > 0]
    want = issued.groupby(["node", "category", "period"])["issued"].sum()
    got = pegs.groupby(["office", "category", "issue_period"])["cards"].sum()
    assert {k: int(v) for k, v in got.items()} == {k: int(v) for k, v in want.items()}
    supply = instance.supply.groupby(["node", "period"])["quantity"].sum()
    stock = instance.nodes.set_index("id")["stock"]
    for (source, when), cards in pegs.groupby(["source", "source_period"])["cards"].sum().items():
        limit = stock[source] if when == OPENING else supply.get((source, when), 0)
        assert cards <= limit, (source, when)
    links = instance.links.set_index("id")
    months = instance.months
    for row in pegs.itertuples(index=False):
        at = row.source
        ready = 0 if row.source_period == OPENING else months.index(row.source_period)
        for leg in filter(None, row.route.split(";")):
            link, when = leg.split("@")
            assert links.at[link, "from"] == at, row
            leaves = months.index(when)
            assert leaves >= ready, row  # a card leaves no earlier than it arrived
            ready = leaves + int(links.at[link, "lead_time"])
            at = links.at[link, "to"]
        assert at == row.office and months.index(row.issue_period) >= ready, row


def check_margins(
    instance: allocator.Instance, plan: allocator.Plan, margins: pd.DataFrame
) -> None:
    """Raising each top limit by k = 1 (and by its holds_up_to, up to 3) lowers W by k * value."""
    waiting = plan.summary["objective"]["waiting"]
    for row in margins.head(CHECKED).itertuples(index=False):
        holds = np.inf if row.holds_up_to == "inf" else int(row.holds_up_to)
        assert holds >= 1
        for k in sorted({1, int(min(holds, 3))}):
            again = allocator.solve(raised(instance, row.what, row.id, row.period, k))
            assert again.summary["objective"]["waiting"] == pytest.approx(
                waiting - k * row.value, abs=1e-6
            ), (row, k)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances())
def test_marginal_values_are_what_a_re_solve_shows_and_pegging_adds_up(
    inst: allocator.Instance,
) -> None:
    plan = allocator.solve(inst)
    assert allocator.verify(inst, plan) == []
    e = allocator.explain(inst, plan)
    assert (e.marginal_values["value"] > 0).all()
    check_margins(inst, plan, e.marginal_values)
    check_pegging(inst, plan, e.pegging)
    assert e.shortfalls["cards_waiting"].sum() == plan.issuance["backlog"].sum()
    assert e.shortfalls["card_months"].sum() == pytest.approx(
        plan.summary["objective"]["waiting"], abs=1e-6
    )


@pytest.mark.parametrize("name", ["tiny", "lead-time", "print-capacity", "sea-or-air"])
def test_teaching_instances(name: str, teaching: Solved) -> None:
    instance, plan = teaching[name]
    e = allocator.explain(instance, plan)
    check_margins(instance, plan, e.marginal_values)
    check_pegging(instance, plan, e.pegging)


def test_tiny_by_hand(teaching: Solved) -> None:
    """tiny: one more card in March saves 3 (a regular card served in March instead of
    never: March, April, May), in April 2, in May 1, at the vendor, the hub or an office;
    each holds for 5 cards (the five regular cards still waiting in May)."""
    instance, plan = teaching["tiny"]
    margins = allocator.explain(instance, plan).marginal_values
    vendor = margins[(margins["what"] == "supply") & (margins["id"] == "VENDOR")]
    assert vendor[["period", "value", "holds_up_to"]].values.tolist() == [
        ["2017-03", 3.0, "5"],
        ["2017-04", 2.0, "5"],
        ["2017-05", 1.0, "5"],
    ]


def test_pegging_is_first_in_first_out_and_deterministic(teaching: Solved) -> None:
    """lead-time: March's 20 cross the sea first and serve March's and April's people in
    April; April's 10 serve May. Both tranches by the same two links, a month apart."""
    instance, plan = teaching["lead-time"]
    pegs = allocator.explain(instance, plan).pegging
    assert pegs[["source_period", "issue_period", "cards"]].values.tolist() == [
        ["2017-03", "2017-04", 20],
        ["2017-04", "2017-05", 10],
    ]
    assert pegs["route"][0] == "JAKARTA>PORT:sea@2017-03;PORT>OFFICE:road@2017-04"
    again = allocator.explain(instance, copy.deepcopy(plan)).files()
    assert again == allocator.explain(instance, plan).files()


def test_indonesia(indonesia_instance: allocator.Instance, indonesia_plan: allocator.Plan) -> None:
    """The national plan: every card traced, reasons for every waiting cell, values proven."""
    e = allocator.explain(indonesia_instance, indonesia_plan)
    check_pegging(indonesia_instance, indonesia_plan, e.pegging)
    assert e.pegging["cards"].sum() == 7_000_000
    assert e.shortfalls["card_months"].sum() == pytest.approx(
        indonesia_plan.summary["objective"]["waiting"]
    )
    top = e.marginal_values.iloc[0]
    again = allocator.solve(raised(indonesia_instance, top.what, top.id, top.period, 1))
    assert again.summary["objective"]["waiting"] == pytest.approx(
        indonesia_plan.summary["objective"]["waiting"] - top.value, abs=1e-6
    )
    # "new" requests (weight 1) wait behind the backlog (weight 2) wherever both wait.
    assert set(e.shortfalls.loc[e.shortfalls["category"] == "new", "reason"]) <= {
        "priority",
        "national_supply",
        "issue_capacity",
    }


def test_a_plan_of_another_instance_is_refused(teaching: Solved) -> None:
    instance, _ = teaching["tiny"]
    _, other = teaching["lead-time"]
    with pytest.raises(allocator.InputError, match="this plan was made for instance 'lead-time'"):
        allocator.explain(instance, other)


def test_a_plan_that_fails_verify_is_refused(tiny_instance, tiny_plan) -> None:
    tiny_plan.shipments.loc[0, "quantity"] += 1
    with pytest.raises(PlanMismatchError, match="fails verification"):
        allocator.explain(tiny_instance, tiny_plan)


def test_a_plan_that_waits_longer_than_it_must_is_refused(teaching: Solved) -> None:
    """lead-time solved with the March sea link capped at 10 cards: a plan that also fits
    the real instance (and verifies against it), but waits W = 10 (March) + 10 (April:
    only March's 10 cross in time) = 20 where W* = 10: stage 1's duals do not describe it."""
    instance, _ = teaching["lead-time"]
    worse = allocator.solve(raised(instance, "link", "JAKARTA>PORT:sea", "2017-03", -(10**9) + 10))
    worse.summary["instance"] = dict(worse.summary["instance"], sha256=instance.sha256)
    assert worse.summary["objective"]["waiting"] == 20
    assert allocator.verify(instance, worse) == []
    with pytest.raises(PlanMismatchError, match="above the least waiting 10"):
        allocator.explain(instance, worse)


def test_a_frozen_replan_is_explained_with_its_frozen_shipments(teaching: Solved) -> None:
    """tiny re-planned from April with 10 new priority people at A and 5 more at B, and
    April's old shipments frozen (B 10, C 5, rail 15): W = 110 against 30 unfrozen.

    Alone, stage 1 of the re-plan instance is not this plan's, so explain refuses it;
    ``replan --explain`` (``deliver.explain_extras`` with the old plan) holds the same
    frozen shipments and explains it: every marginal value again proven by a re-solve
    that holds them too.
    """
    instance, old = teaching["tiny"]
    surge = pd.DataFrame(
        {
            "node": ["B", "A"],
            "period": ["2017-04", "2017-04"],
            "category": ["priority", "priority"],
            "quantity": [5, 10],
        }
    )
    frozen = allocator.replan(instance, old, start="2017-04", demand=surge, freeze=1)
    assert frozen.summary["objective"]["waiting"] == 110
    with pytest.raises(PlanMismatchError, match="above the least waiting 30"):
        allocator.explain(frozen.instance, frozen)
    files = explain_extras(frozen, None, old=(instance, old))
    assert set(files) == {"marginal_values.csv", "pegging.csv", "shortfalls.csv"}
    held = frozen_shipments(frozen.instance, old, frozen.summary["replan"]["freeze"])
    assert held["quantity"].tolist() == [10, 5, 15]
    e = allocator.explain(frozen.instance, frozen, fixed=held)
    assert e.shortfalls["card_months"].sum() == 110
    check_pegging(frozen.instance, frozen, e.pegging)
    for row in e.marginal_values.head(CHECKED).itertuples(index=False):
        more = raised(frozen.instance, row.what, row.id, row.period, 1)
        lp = build_model(more, ModelOptions(fixed=held))
        again = solve_model(more, lp).summary["objective"]["waiting"]
        assert again == pytest.approx(110 - row.value, abs=1e-6), row
