"""Hypothesis strategies: random small instances that every solver path must solve exactly."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

import allocator
from allocator.instance import month_labels

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
