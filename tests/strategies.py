"""Hypothesis strategies: random small instances that every solver path must solve exactly."""

from __future__ import annotations

import pandas as pd
from hypothesis import strategies as st

import allocator
from allocator.instance import month_labels

START = "2017-03"


#: Decimal link costs and weights for :func:`instances` ``(decimals=True)``.
DECIMAL_COSTS = st.sampled_from([0, 0.5, 1, 1.25, 2.5, 3, 7.75, 9.99])
DECIMAL_WEIGHTS = st.sampled_from([0.5, 1.0, 1.5, 2.25, 3.0, 20.0])


@st.composite
def instances(
    draw: st.DrawFn, decimals: bool = False, overrides: bool = False
) -> allocator.Instance:
    """Random instances of 2-6 nodes, 1-4 months, 1-3 categories, with parallel links.

    ``decimals``: link costs and weights with up to 2 decimals; ``overrides``:
    a ``capacity.csv`` table of monthly link and issue capacities.
    """
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
            "cost": [draw(DECIMAL_COSTS if decimals else st.integers(0, 9)) for _ in pairs],
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
    weight = DECIMAL_WEIGHTS if decimals else st.sampled_from([0.5, 1.0, 2.0, 3.0, 20.0])
    weights = draw(st.lists(weight, min_size=1, max_size=3))
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
    capacity = None
    if overrides:
        keys = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(["link", "issue"]),
                    st.integers(0, max(len(pairs), n) - 1),
                    st.sampled_from(months),
                ),
                max_size=4,
                unique=True,
            )
        )
        rows = [
            (what, f"L{i}" if what == "link" else ids[i], month)
            for what, i, month in keys
            if i < (len(pairs) if what == "link" else n)
        ]
        capacity = pd.DataFrame(
            {
                "what": [r[0] for r in rows],
                "id": [r[1] for r in rows],
                "period": [r[2] for r in rows],
                "capacity": [draw(st.integers(0, 25)) for _ in rows],
            },
            columns=["what", "id", "period", "capacity"],
        )
        capacity = capacity.drop_duplicates(["what", "id", "period"])
    return allocator.Instance.from_frames(
        name="random",
        capacity=capacity,
        start=START,
        periods=periods,
        categories=categories,
        nodes=nodes,
        links=links,
        supply=supply,
        demand=demand,
    )
