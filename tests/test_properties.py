"""Property tests: on random small instances, every plan verifies and is the lexicographic optimum.

The optimum is computed a second way, independently of the model code, as one
min-cost flow on the time-expanded graph (``tests/mcf_reference.py``).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcf_reference import lexicographic_optimum

import allocator
from allocator.instance import month_labels
from allocator.solvers import highs as lp_module
from allocator.solvers.options import hipo_available

START = "2017-03"


@st.composite
def instances(draw: st.DrawFn) -> allocator.Instance:
    """Random instances of 2-6 nodes, 1-4 months, 1-3 categories, with parallel links."""
    periods = draw(st.integers(1, 4))
    months = month_labels(START, periods)
    n = draw(st.integers(2, 6))
    ids = [f"N{i}" for i in range(n)]
    small = st.integers(0, 30)
    maybe_cap = st.one_of(st.none(), st.integers(0, 25))
    sources = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
    nodes = pd.DataFrame(
        {
            "id": ids,
            "stock": [draw(st.integers(0, 10)) if i in sources else 0 for i in ids],
            # Storage only where no card is forced to arrive, so every instance is feasible.
            "storage": [None if i in sources else draw(maybe_cap) for i in ids],
            "issue_capacity": [draw(maybe_cap) for _ in ids],
            "holding_cost": [draw(st.integers(0, 3)) for _ in ids],
        }
    )
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1]),
            min_size=1,
            max_size=8,
        )
    )
    links = pd.DataFrame(
        {
            "id": [f"L{j}" for j in range(len(pairs))],  # repeated pairs are parallel links
            "from": [a for a, _ in pairs],
            "to": [b for _, b in pairs],
            "capacity": [draw(maybe_cap) for _ in pairs],
            "cost": [draw(st.integers(0, 9)) for _ in pairs],
            "lead_time": [draw(st.integers(0, 2)) for _ in pairs],
        }
    )
    supply_keys = draw(
        st.lists(
            st.tuples(st.sampled_from(sources), st.sampled_from(months)), max_size=4, unique=True
        )
    )
    supply = pd.DataFrame(
        {
            "node": [k[0] for k in supply_keys],
            "period": [k[1] for k in supply_keys],
            "quantity": [draw(small) for _ in supply_keys],
        },
        columns=["node", "period", "quantity"],
    )
    weights = draw(st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0, 20.0]), min_size=1, max_size=3))
    categories = {f"k{i}": w for i, w in enumerate(weights)}
    demand_keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ids), st.sampled_from(months), st.sampled_from(list(categories))
            ),
            max_size=10,
            unique=True,
        )
    )
    demand = pd.DataFrame(
        {
            "node": [k[0] for k in demand_keys],
            "period": [k[1] for k in demand_keys],
            "category": [k[2] for k in demand_keys],
            "quantity": [draw(small) for _ in demand_keys],
        },
        columns=["node", "period", "category", "quantity"],
    )
    return allocator.Instance.from_frames(
        name="random",
        start=START,
        periods=periods,
        categories=categories,
        nodes=nodes,
        links=links,
        supply=supply,
        demand=demand,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_highs_plan_verifies_and_equals_min_cost_flow_optimum(inst: allocator.Instance) -> None:
    plan = allocator.solve(inst)
    assert allocator.verify(inst, plan) == []
    waiting, cost = lexicographic_optimum(inst)
    assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-9)
    assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-9)


@pytest.mark.parametrize("method", ["ipx", "simplex"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances())
def test_other_highs_methods_give_the_same_optimum(inst: allocator.Instance, method: str) -> None:
    plan = allocator.solve(inst, method=method)
    assert allocator.verify(inst, plan) == []
    waiting, cost = lexicographic_optimum(inst)
    assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-9)
    assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-9)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_cbc_fallback_gives_the_same_optimum(inst: allocator.Instance) -> None:
    plan = allocator.solve(inst, solver="cbc")
    assert allocator.verify(inst, plan) == []
    waiting, cost = lexicographic_optimum(inst)
    assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-9)
    assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=instances())
def test_later_stages_by_interior_point_give_the_same_optimum(inst: allocator.Instance) -> None:
    """Large LPs solve stage 2 by a fresh interior point; force that path on small ones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lp_module, "LATER_STAGE_IPM_COLUMNS", 0)
        plan = allocator.solve(inst, method="hipo" if hipo_available() else "ipx")
    assert allocator.verify(inst, plan) == []
    waiting, cost = lexicographic_optimum(inst)
    assert plan.summary["objective"]["waiting"] == pytest.approx(waiting, abs=1e-9)
    assert plan.summary["objective"]["cost"] == pytest.approx(cost, abs=1e-9)
