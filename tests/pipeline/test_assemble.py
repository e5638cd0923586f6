"""Equal-weight categories share one LP issue chain; plans split it first come, first served."""

from __future__ import annotations

import numpy as np
import pandas as pd

import allocator
from allocator.model import build_model, weight_groups
from allocator.pipeline.assemble import split_first_come


def test_weight_groups_keep_declared_order() -> None:
    groups = weight_groups({"backlog": 1.0, "pilkada": 20.0, "new": 1.0, "moved": 1})
    assert groups == {"backlog+new+moved": ("backlog", "new", "moved"), "pilkada": ("pilkada",)}


def test_split_first_come_by_hand() -> None:
    """A: 5 in month 1, 3 in month 3; B: 2 in month 1, 4 in month 2; 4, 6, 4 issued.

    Arrival order: A's 5, B's 2 (month 1), B's 4 (month 2), A's 3 (month 3).
    Served by month 1: 4, all A. By month 2: 10 = A 5 + B 2 + B 3. By month 3: all 14.
    So A gets 4, 1, 3 and B gets 0, 5, 1.
    """
    demand = np.array([[[5, 0, 3], [2, 4, 0]]])
    issued = np.array([[4, 6, 4]])
    assert split_first_come(demand, issued).tolist() == [[[4, 1, 3], [0, 5, 1]]]


def _office(categories: dict[str, float]) -> allocator.Instance:
    """One vendor, one office printing 6 a month; 8 backlog in March, 5 new in April."""
    return allocator.Instance.from_frames(
        name="fifo",
        start="2017-03",
        periods=3,
        categories=categories,
        nodes=pd.DataFrame({"id": ["V", "O"], "issue_capacity": [None, 6]}),
        links=pd.DataFrame({"from": ["V"], "to": ["O"]}),
        supply=pd.DataFrame({"node": ["V"], "period": ["2017-03"], "quantity": [20]}),
        demand=pd.DataFrame(
            {
                "node": ["O", "O"],
                "period": ["2017-03", "2017-04"],
                "category": ["backlog", "new"],
                "quantity": [8, 5],
            }
        ),
    )


def test_equal_weights_share_one_chain_and_are_served_in_arrival_order() -> None:
    """Printing 6 a month: 6 of the backlog in March, its last 2 and 4 new in April, 1 new in May.

    Waiting: backlog 2 at the end of March; new 1 at the end of April: W = 3.
    """
    inst = _office({"backlog": 1.0, "new": 1.0})
    lp = build_model(inst)
    assert set(lp.variables["s"]["group"]) == {"backlog+new"}
    plan = allocator.solve(inst)
    assert allocator.verify(inst, plan) == []
    assert plan.summary["objective"]["waiting"] == 3.0
    issued = plan.issuance.set_index(["category", "period"])["issued"].to_dict()
    assert issued == {
        ("backlog", "2017-03"): 6,
        ("backlog", "2017-04"): 2,
        ("new", "2017-04"): 4,
        ("new", "2017-05"): 1,
    }


def test_distinct_weights_keep_their_own_chains() -> None:
    """With new weighted 3, April's 6 go to the 5 new first and 1 to the backlog."""
    inst = _office({"backlog": 1.0, "new": 3.0})
    assert set(build_model(inst).variables["s"]["group"]) == {"backlog", "new"}
    plan = allocator.solve(inst)
    assert allocator.verify(inst, plan) == []
    issued = plan.issuance.set_index(["category", "period"])["issued"].to_dict()
    assert issued[("new", "2017-04")] == 5
    assert issued[("backlog", "2017-04")] == 1
    # backlog waits 2 (end of March) + 1 (end of April); new waits 0.
    assert plan.summary["objective"]["waiting"] == 3.0
