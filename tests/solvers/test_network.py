"""The min-cost-flow path: same optimum as HiGHS's path and the reference, the rule, the fallback.

On random instances with decimal costs and weights, several weights,
parallel links and monthly capacity overrides, and on re-plans of them
(stability penalty, frozen months), the network path (LEMON) and the HiGHS
path give the same waiting, cost and cards changed; every plan passes
``verify``; both equal the independent min-cost flow of ``tests/mcf_reference.py``.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcf_reference import lexicographic_optimum
from strategies import instances

import allocator
from allocator.errors import InfeasibleError
from allocator.model import ModelOptions, build_model
from allocator.solvers import SolveOptions, flow, highs
from allocator.solvers.flow import integer_costs, overflow_reason
from allocator.solvers.network_stages import NetworkPlan, stage_one_row_duals
from allocator.solvers.run import choose_path, solve_lexicographic
from allocator.solvers.sensitivity import stage_one_sensitivity

TINY = Path(__file__).resolve().parents[2] / "instances" / "tiny"
NETWORK = SolveOptions(solver="network")
HIGHS = SolveOptions(solver="highs")
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def changed(old: allocator.Plan, new: allocator.Plan, start: str) -> int:
    """Cards moved away from the old plan from ``start`` on: sum |x - x_old| over link-months."""

    def table(plan: allocator.Plan) -> pd.Series:
        rows = plan.shipments[plan.shipments["period"] >= start]
        return rows.set_index(["link", "period"])["quantity"].astype(int)

    both = pd.concat([table(old), table(new)], axis=1).fillna(0)
    return int((both.iloc[:, 0] - both.iloc[:, 1]).abs().sum())


@SETTINGS
@given(inst=instances(decimals=True, overrides=True))
def test_the_network_path_equals_the_highs_path_and_the_reference(
    inst: allocator.Instance,
) -> None:
    network = allocator.solve(inst, NETWORK)
    highs = allocator.solve(inst, HIGHS)
    assert network.summary["solver"]["name"] == "network"
    assert allocator.verify(inst, network) == []
    assert allocator.verify(inst, highs) == []
    waiting, cost = lexicographic_optimum(inst)
    for plan in (network, highs):
        assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-6)
        assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-6)


@SETTINGS
@given(
    inst=instances(decimals=True, overrides=True).filter(lambda i: i.periods >= 2),
    freeze=st.integers(0, 1),
    stability=st.sampled_from([0.0, 0.5, 2.25]),
    cut=st.integers(0, 10),
)
def test_replans_on_the_network_path_equal_highs_in_waiting_cost_and_cards_changed(
    inst: allocator.Instance, freeze: int, stability: float, cut: int
) -> None:
    old = allocator.solve(inst, HIGHS)
    start = inst.months[1]
    capacity = pd.DataFrame(
        {"what": ["link"], "id": [inst.links["id"].iloc[0]], "period": [start], "capacity": [cut]}
    )
    plans = {}
    infeasible: dict[str, str] = {}
    for name, options in (("network", NETWORK), ("highs", HIGHS)):
        try:
            plans[name] = allocator.replan(
                inst,
                old,
                start=start,
                capacity=capacity,
                freeze=freeze,
                stability=stability,
                options=options,
            )
        except InfeasibleError as error:
            # Cards already on their way into a node that can neither hold nor pass them
            # on once the link is cut: no plan exists, and both paths must say so, naming
            # the same cards (the diagnosis runs on the network whichever path failed).
            assert str(error).startswith("no plan exists"), str(error)
            assert error.stranded, str(error)
            infeasible[name] = str(error)
    assert set(infeasible) in (set(), {"network", "highs"})
    if infeasible:
        assert infeasible["network"] == infeasible["highs"]
        return
    for name in plans:
        assert plans[name].instance is not None
        assert allocator.verify(plans[name].instance, plans[name]) == []
    network, highs = plans["network"], plans["highs"]
    assert network.summary["solver"]["name"] == "network"
    for key in ("waiting", "cost"):
        assert network.summary["objective"][key] == pytest.approx(
            highs.summary["objective"][key], abs=1e-6
        )
    assert changed(old, network, start) == changed(old, highs, start)


def test_costs_are_scaled_exactly_from_their_decimal_digits() -> None:
    cost, scale = integer_costs(np.array([0.0, 2.5, 9.99, 3.0]))  # type: ignore[misc]
    assert scale == 100
    assert cost.tolist() == [0, 250, 999, 300]
    assert integer_costs(np.array([1 / 3])) is None
    assert integer_costs(np.array([1.0, 2.0])) == (pytest.approx(np.array([1, 2])), 1)


def test_a_sum_beyond_int64_is_refused_before_lemon_sees_it() -> None:
    assert overflow_reason(np.array([10**15]), np.array([10**4]), 10) is not None
    assert overflow_reason(np.array([10**12]), np.array([10**4]), 10) is None


def _two_nodes(cost: float, cards: int = 10_000) -> allocator.Instance:
    return allocator.Instance.from_frames(
        name="dear",
        start="2017-01",
        periods=1,
        categories={"regular": 1.0},
        nodes=pd.DataFrame({"id": ["S", "A"], "kind": ["source", "office"]}),
        links=pd.DataFrame({"from": ["S"], "to": ["A"], "cost": [cost]}),
        supply=pd.DataFrame({"node": ["S"], "period": ["2017-01"], "quantity": [cards]}),
        demand=pd.DataFrame(
            {"node": ["A"], "period": ["2017-01"], "category": ["regular"], "quantity": [cards]}
        ),
    )


def test_costs_that_would_overflow_int64_take_highs_and_the_summary_says_so() -> None:
    inst = _two_nodes(5e15)  # 5e15 x 10,000 cards > 2^62
    plan = allocator.solve(inst)
    solver = plan.summary["solver"]
    assert solver["name"] == "highs"
    assert solver["network"].startswith("not used (cost: the scaled costs times the flows")
    assert solver["network"].endswith("beyond int64); solved by HiGHS")
    assert plan.summary["objective"] == {"waiting": 0.0, "cost": 5e19}


def test_a_cost_that_is_no_short_decimal_takes_highs() -> None:
    plan = allocator.solve(_two_nodes(1 / 3, cards=3))
    assert plan.summary["solver"]["network"] == (
        "not used (the cost coefficients are not decimals of at most 9 digits); solved by HiGHS"
    )
    assert plan.summary["objective"]["cost"] == pytest.approx(1.0)


def test_the_summary_states_the_scaling_of_each_stage() -> None:
    plan = allocator.solve(_two_nodes(2.5, cards=4))
    solver = plan.summary["solver"]
    assert solver["name"] == "network"
    assert solver["cost_scale"] == {"waiting": 1, "cost": 10}
    assert plan.summary["objective"] == {"waiting": 0.0, "cost": 10.0}


def test_the_default_path_is_the_network_wherever_the_lp_is_one(
    tiny_instance: allocator.Instance,
) -> None:
    """The rule: highs and cbc always; auto and network take LEMON iff the LP is a network."""
    core = build_model(tiny_instance)
    assert SolveOptions().solver == "auto"
    assert isinstance(choose_path(core, SolveOptions()), NetworkPlan)
    assert isinstance(choose_path(core, NETWORK), NetworkPlan)
    assert choose_path(core, HIGHS) is None
    assert choose_path(core, SolveOptions(solver="cbc")) is None
    stage0 = build_model(tiny_instance, ModelOptions(fill_rate=True))
    assert choose_path(stage0, SolveOptions()) == (
        "not a network: the rows equity_floor are a side constraint"
    )
    floors = pd.Series(1, index=["A"])
    with_floors = build_model(tiny_instance, ModelOptions(floors=floors))
    assert isinstance(choose_path(with_floors, SolveOptions()), NetworkPlan)


def test_equity_runs_stage_0_on_highs_and_the_floors_on_the_network(
    tiny_instance: allocator.Instance,
) -> None:
    network = allocator.solve(tiny_instance, equity=True)
    highs = allocator.solve(tiny_instance, HIGHS, equity=True)
    assert network.summary["solver"]["name"] == "network"
    assert network.summary["objective"] == highs.summary["objective"]
    assert allocator.verify(tiny_instance, network) == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(decimals=True))
def test_a_later_stage_whose_primal_simplex_stalls_goes_on_by_dual_simplex(
    inst: allocator.Instance,
) -> None:
    """With no pivot allowed, every later stage hits the limit and dual simplex finishes it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(highs, "PRIMAL_PIVOTS_MIN", 0)
        patch.setattr(highs, "PRIMAL_PIVOTS_PER_ROW", 0)
        plan = allocator.solve(inst, HIGHS)
    assert allocator.verify(inst, plan) == []
    waiting, cost = lexicographic_optimum(inst)
    assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-6)
    assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances(decimals=True, overrides=True))
def test_the_network_duals_are_optimal_highs_starts_from_them_without_a_pivot(
    inst: allocator.Instance,
) -> None:
    """Node potentials as row duals: dual optimal with the plan, so HiGHS's crossover needs none."""
    lp = build_model(inst)
    result = solve_lexicographic(lp, NETWORK)
    duals = stage_one_row_duals(lp)
    assert duals is not None
    if lp.n_cols:
        assert np.array_equal(duals, result.duals.row_dual)
    sens = stage_one_sensitivity(lp, result.values, duals)
    assert sens.waiting == pytest.approx(result.objectives["waiting"], abs=1e-9)
    assert sens.iterations == 0


def test_a_large_network_is_solved_in_a_worker_process_with_the_same_plan(
    tiny_instance: allocator.Instance,
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flow, "IN_PROCESS_ARCS", 0)
        worker = allocator.solve(tiny_instance)
    here = allocator.solve(tiny_instance)
    assert worker.summary["solver"]["process"] == "worker"
    assert here.summary["solver"]["process"] == "in-process"
    assert (
        worker.summary["objective"]
        == here.summary["objective"]
        == {
            "waiting": 25.0,
            "cost": 140.0,
        }
    )
    assert worker.shipments.equals(here.shipments)


def _solve_in_a_daemon(queue: Any) -> None:
    instance = allocator.load_instance(TINY)
    plan = allocator.solve(instance, SolveOptions(time_limit=60))
    queue.put((plan.summary["solver"]["process"], plan.summary["objective"]))


def test_a_daemonic_process_solves_in_process_since_it_may_not_start_a_worker() -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_solve_in_a_daemon, args=(queue,), daemon=True)
    process.start()
    process.join(120)
    assert queue.get(timeout=5) == ("in-process", {"waiting": 25.0, "cost": 140.0})
