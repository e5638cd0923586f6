"""An instance without a plan says which cards have nowhere to go, where, when and why.

Each case is small enough to work out by hand; both paths (the network and
HiGHS) must give the same exact message, found on the network by
``allocator/solvers/infeasible.py``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from support import TINY, sea_to_a_hub_that_holds_nothing

import allocator
from allocator.errors import EXIT_BAD_INPUT, InfeasibleError, SolveError, Stranded
from allocator.model import ModelOptions, build_model
from allocator.solvers import Deadline, SolveOptions, solve_lexicographic
from allocator.solvers.infeasible import diagnose

SOLVERS = ["auto", "highs"]


def road_closed(capacity: int) -> pd.DataFrame:
    """``capacity.csv``'s row: the road out of the hub carries ``capacity`` in April."""
    return pd.DataFrame(
        {"what": ["link"], "id": ["H>A:road"], "period": ["2017-04"], "capacity": [capacity]}
    )


def replanned(solver: str, capacity: int, freeze: int = 0) -> InfeasibleError:
    """The error of re-planning the sea-to-hub instance from April with the road cut."""
    instance = sea_to_a_hub_that_holds_nothing()
    plan = allocator.solve(instance)
    assert [(r.link, r.period, r.quantity) for r in plan.shipments.itertuples()] == [
        ("S>H:sea", "2017-03", 1200),
        ("H>A:road", "2017-04", 1200),
    ]
    with pytest.raises(InfeasibleError) as caught:
        allocator.replan(
            instance,
            plan,
            start="2017-04",
            capacity=road_closed(capacity),
            freeze=freeze,
            solver=solver,
        )
    return caught.value


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("freeze", [0, 1])
def test_cards_at_sea_into_a_hub_that_can_neither_hold_nor_pass_them_on(
    solver: str, freeze: int
) -> None:
    """All 1,200 cards land at H in April; H holds 0 and its only road carries 0 then.

    With ``--freeze 1`` the freeze probe meets the same LP first, and says the same.
    """
    error = replanned(solver, capacity=0, freeze=freeze)
    assert str(error) == (
        "no plan exists: 1,200 cards at H (Hub Makassar) in 2017-04 (in transit on link "
        "S>H:sea since 2017-03) can go nowhere: its storage is 0 and its links out carry at "
        "most 0 in 2017-04 (H>A:road closed)"
    )
    assert error.stranded == [
        Stranded(
            node="H",
            period="2017-04",
            cards=1200,
            why="its storage is 0 and its links out carry at most 0 in 2017-04 (H>A:road closed)",
            name="Hub Makassar",
            note="in transit on link S>H:sea since 2017-03",
        )
    ]
    assert isinstance(error, SolveError) and error.exit_code == EXIT_BAD_INPUT


@pytest.mark.parametrize("solver", SOLVERS)
def test_only_the_cards_beyond_what_the_road_carries_are_named(solver: str) -> None:
    """The road carries 500 in April: 500 go on to A, 1,200 - 500 = 700 have nowhere to go."""
    error = replanned(solver, capacity=500)
    assert str(error) == (
        "no plan exists: 700 cards at H (Hub Makassar) in 2017-04 (in transit on link "
        "S>H:sea since 2017-03) can go nowhere: its storage is 0 and its links out carry at "
        "most 500 in 2017-04 (H>A:road at most 500)"
    )


def held_at_the_vendor_then_stuck() -> allocator.Instance:
    """S -road-> A (storage 0, prints 15 a month); 100 cards at S in March, 20 wanted at A.

    A takes only what it prints (it holds nothing): 15 in March, the other 5
    in April, so S keeps 85, then 80, which it may until April. In May S may
    hold nothing and the road is closed (``capacity.csv``): the 80 are stuck
    at S in May. Dropping 80 cards in March or April, or sending them to A in
    April to be dropped there, would leave a plan too, but then they still had
    somewhere to go: the diagnosis names where they finally get stuck.
    """
    return allocator.Instance.from_frames(
        name="held-then-stuck",
        start="2017-03",
        periods=4,
        categories={"regular": 1.0},
        nodes=pd.DataFrame(
            {
                "id": ["S", "A"],
                "name": ["Jakarta", "Office Maros"],
                "kind": ["source", "office"],
                "storage": [None, 0],
                "issue_capacity": [None, 15],
            }
        ),
        links=pd.DataFrame({"id": ["S>A:road"], "from": ["S"], "to": ["A"]}),
        supply=pd.DataFrame({"node": ["S"], "period": ["2017-03"], "quantity": [100]}),
        demand=pd.DataFrame(
            {"node": ["A"], "period": ["2017-03"], "category": ["regular"], "quantity": [20]}
        ),
        capacity=pd.DataFrame(
            {
                "what": ["storage", "link"],
                "id": ["S", "S>A:road"],
                "period": ["2017-05", "2017-05"],
                "capacity": [0, 0],
            }
        ),
    )


@pytest.mark.parametrize(
    ("solver", "time_limit"),
    [("auto", None), ("highs", None), ("auto", 60.0)],
    ids=["network", "highs", "network-in-a-worker"],
)
def test_a_solve_names_the_month_the_cards_get_stuck_not_the_month_they_came(
    solver: str, time_limit: float | None
) -> None:
    """With a time limit the flows run in a forked worker, which must say "infeasible" too."""
    with pytest.raises(InfeasibleError) as caught:
        allocator.solve(held_at_the_vendor_then_stuck(), solver=solver, time_limit=time_limit)
    assert str(caught.value) == (
        "no plan exists: 80 cards at S (Jakarta) in 2017-05 can go nowhere: its storage is 0 "
        "and its links out carry at most 0 in 2017-05 (S>A:road closed)"
    )


def test_the_message_names_the_three_places_with_most_cards_and_counts_the_rest() -> None:
    places = [
        Stranded("H1", "2017-04", 30, "its storage is 0"),
        Stranded("H2", "2017-05", 1200, "its storage is 0", name="Hub Makassar"),
        Stranded("H3", "2017-04", 30, "its storage is 0"),
        Stranded("H4", "2017-04", 7, "its storage is 0"),
        Stranded("H5", "2017-06", 5, "its storage is 0"),
    ]
    error = InfeasibleError("HiGHS could not solve stage 1 (waiting): infeasible", places)
    assert str(error) == (
        "no plan exists (1,272 cards in 5 places): 1,200 cards at H2 (Hub Makassar) in 2017-05 "
        "can go nowhere: its storage is 0; 30 cards at H1 in 2017-04 can go nowhere: its "
        "storage is 0; 30 cards at H3 in 2017-04 can go nowhere: its storage is 0; and 2 more "
        "places (12 cards)"
    )
    noted = error.noted({("H1", "2017-04"): "in transit on link L12 since 2017-03"})
    assert "30 cards at H1 in 2017-04 (in transit on link L12 since 2017-03) can go" in str(noted)
    assert InfeasibleError("the min-cost flow has no optimum: x").args == (
        "the min-cost flow has no optimum: x",
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_storage_limit_below_the_stock_already_there(solver: str) -> None:
    """S -> H -> A (A holds nothing), 1,200 cards at S in March, wanted at A in April.

    Holding costs 1 at S and nothing at H, so the plan moves the cards to H in
    March and on to A in April. Re-planned from April with H's storage 100
    and its road 300 then: of the 1,200 on hand, 100 stay, 300 leave, and
    1,200 - 100 - 300 = 800 have nowhere to go.
    """
    instance = allocator.Instance.from_frames(
        name="held-at-the-hub",
        start="2017-03",
        periods=2,
        categories={"regular": 1.0},
        nodes=pd.DataFrame(
            {
                "id": ["S", "H", "A"],
                "name": ["Jakarta", "Hub Makassar", "Office Maros"],
                "kind": ["source", "hub", "office"],
                "holding_cost": [1, 0, 0],
                "storage": [None, None, 0],
            }
        ),
        links=pd.DataFrame({"id": ["S>H:road", "H>A:road"], "from": ["S", "H"], "to": ["H", "A"]}),
        supply=pd.DataFrame({"node": ["S"], "period": ["2017-03"], "quantity": [1200]}),
        demand=pd.DataFrame(
            {"node": ["A"], "period": ["2017-04"], "category": ["regular"], "quantity": [1200]}
        ),
    )
    plan = allocator.solve(instance)
    assert [(r.link, r.period, r.quantity) for r in plan.shipments.itertuples()] == [
        ("S>H:road", "2017-03", 1200),
        ("H>A:road", "2017-04", 1200),
    ]
    limits = pd.DataFrame(
        {
            "what": ["storage", "link"],
            "id": ["H", "H>A:road"],
            "period": ["2017-04", "2017-04"],
            "capacity": [100, 300],
        }
    )
    with pytest.raises(InfeasibleError) as caught:
        allocator.replan(instance, plan, start="2017-04", capacity=limits, solver=solver)
    assert str(caught.value) == (
        "no plan exists: 800 cards at H (Hub Makassar) in 2017-04 (1,200 on hand) can go "
        "nowhere: its storage is 100 and its links out carry at most 300 in 2017-04 "
        "(H>A:road at most 300)"
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_shipments_held_out_of_a_node_that_cannot_have_the_cards(solver: str) -> None:
    """S -> H -> A: 10 cards at S; held shipments S>H 10 and H>A 15: H lacks 5."""
    instance = allocator.Instance.from_frames(
        name="held",
        start="2017-01",
        periods=1,
        categories={"regular": 1.0},
        nodes=pd.DataFrame({"id": ["S", "H", "A"], "kind": ["source", "hub", "office"]}),
        links=pd.DataFrame({"from": ["S", "H"], "to": ["H", "A"]}),
        supply=pd.DataFrame({"node": ["S"], "period": ["2017-01"], "quantity": [10]}),
        demand=pd.DataFrame(
            {"node": ["A"], "period": ["2017-01"], "category": ["regular"], "quantity": [10]}
        ),
    )
    fixed = pd.DataFrame(
        {"link": ["S>H", "H>A"], "period": ["2017-01", "2017-01"], "quantity": [10, 15]}
    )
    lp = build_model(instance, ModelOptions(fixed=fixed))
    with pytest.raises(InfeasibleError) as caught:
        solve_lexicographic(lp, SolveOptions(solver=solver))
    assert str(caught.value) == (
        "no plan exists: 5 cards must leave H in 2017-01 that it cannot have: the shipments "
        "held out of it carry 15 in 2017-01 (H>A 15)"
    )
    assert [s.missing for s in caught.value.stranded] == [True]


def test_an_lp_that_is_no_network_keeps_the_solvers_message() -> None:
    """A side constraint (equity's stage 0 shape): no diagnosis, the solver's own words."""
    lp = build_model(held_at_the_vendor_then_stuck())
    renamed = {("equity_floor" if f == "issue_capacity" else f): t for f, t in lp.rows.items()}
    side = dataclasses.replace(lp, rows=renamed)
    error = InfeasibleError("HiGHS could not solve stage 1 (waiting): infeasible")
    assert diagnose(side, Deadline(None), error) is error


def test_a_solver_that_calls_a_feasible_network_infeasible_is_not_believed() -> None:
    """The diagnosis places every card of instances/tiny: the solver was wrong, exit 1."""
    lp = build_model(allocator.load_instance(TINY))
    error = InfeasibleError("HiGHS could not solve stage 2 (cost): infeasible")
    said = diagnose(lp, Deadline(None), error)
    assert type(said) is SolveError and said.exit_code == 1
    assert str(said) == (
        "HiGHS could not solve stage 2 (cost): infeasible, yet the network has a plan: "
        "please report it with the data"
    )
