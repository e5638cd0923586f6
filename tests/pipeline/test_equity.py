"""The equity option: a floor on every reachable node's fill rate, held while minimising waiting.

The hand-worked instance ``remote``: 2 months from 2017-03, one category
(weight 1). The warehouse W holds 10 cards at the start; office A is near
(link WA, cost 1, lead 0), office R remote (link WR, cost 5, lead 1: cards
leaving in March arrive in April). A needs 13 cards, R 7, all demanded in
March.

Plain least waiting: a card issued at A in March saves 2 card-months of
waiting (March and April), a card for R at most 1 (it arrives in April), so
all 10 cards go to A. A waits 3 cards x 2 months = 6, R 7 x 2 = 14:
waiting 20, cost 10 x 1 = 10, and R gets nothing.

Equity: 10 cards for 20 demanded, so the best smallest fill rate is
z* = 10 / 20 = 0.5 (A 6.5 of 13, R 3.5 of 7). Floors, rounded down:
F_A = floor(6.5) = 6, F_R = floor(3.5) = 3, 9 cards at 2 nodes. The tenth card
then goes where it saves most waiting, to A: A issues 7, R 3 (sent in March,
issued in April). Waiting: A 6 unmet x 2 months = 12; R 7 waiting at the end of
March and 4 at the end of April = 11; total 23. Cost 7 x 1 + 3 x 5 = 22.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from strategies import instances
from support import TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.model import build_model
from allocator.model.equity import FLOOR_SLACK, node_demand


def remote() -> allocator.Instance:
    """The instance of the module docstring."""
    return allocator.Instance.from_frames(
        name="remote",
        start="2017-03",
        periods=2,
        categories={"backlog": 1.0},
        nodes=pd.DataFrame(
            {
                "id": ["W", "A", "R"],
                "stock": [10, 0, 0],
                "storage": [None, None, None],
                "issue_capacity": [None, None, None],
                "holding_cost": [0, 0, 0],
            }
        ),
        links=pd.DataFrame(
            {
                "id": ["WA", "WR"],
                "from": ["W", "W"],
                "to": ["A", "R"],
                "capacity": [None, None],
                "cost": [1, 5],
                "lead_time": [0, 1],
            }
        ),
        supply=pd.DataFrame(columns=["node", "period", "quantity"]),
        demand=pd.DataFrame(
            {
                "node": ["A", "R"],
                "period": ["2017-03", "2017-03"],
                "category": ["backlog", "backlog"],
                "quantity": [13, 7],
            }
        ),
    )


def issued(plan: allocator.Plan) -> dict[str, int]:
    return dict(zip(plan.nodes["node"], plan.nodes["issued"].astype(int), strict=True))


def test_plain_least_waiting_leaves_the_remote_office_with_nothing() -> None:
    plan = allocator.solve(remote())
    assert issued(plan) == {"A": 10, "R": 0}
    assert plan.summary["objective"] == {"waiting": 20.0, "cost": 10.0}
    assert "equity" not in plan.summary


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_equity_gives_the_remote_office_its_floor(solver: str) -> None:
    inst = remote()
    plan = allocator.solve(inst, equity=True, solver=solver)
    assert allocator.verify(inst, plan) == []
    assert issued(plan) == {"A": 7, "R": 3}
    assert plan.summary["objective"] == {"waiting": 23.0, "cost": 22.0}
    equity = plan.summary["equity"]
    assert equity["z"] == pytest.approx(0.5, abs=1e-9)
    assert (equity["floors"], equity["floor_cards"], equity["left_out"]) == (2, 9, 0)
    # The plan's tables look as without equity: the LP's extra columns stay inside.
    assert list(plan.shipments["quantity"]) == [7, 3]


def test_a_node_no_card_can_reach_is_left_out_of_the_minimum() -> None:
    """Office X has demand but no link in: z* is still 0.5 over A and R."""
    inst = remote()
    nodes = pd.concat(
        [
            inst.nodes,
            inst.nodes.iloc[[2]].assign(id="X", name="X"),
        ],
        ignore_index=True,
    )
    demand = pd.concat(
        [inst.demand, inst.demand.iloc[[1]].assign(node="X", quantity=4)], ignore_index=True
    )
    inst = allocator.Instance.from_frames(
        name="remote-x",
        start=inst.start,
        periods=inst.periods,
        categories=inst.categories,
        nodes=nodes,
        links=inst.links,
        supply=inst.supply,
        demand=demand,
    )
    plan = allocator.solve(inst, equity=True)
    assert plan.summary["equity"]["z"] == pytest.approx(0.5, abs=1e-9)
    assert plan.summary["equity"]["left_out"] == 1
    assert issued(plan) == {"A": 7, "R": 3, "X": 0}
    # X's 4 cards wait both months: 23 + 8.
    assert plan.summary["objective"] == {"waiting": 31.0, "cost": 22.0}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_equity_plan_verifies_holds_every_floor_and_waits_no_less(
    inst: allocator.Instance,
) -> None:
    plain = allocator.solve(inst)
    plan = allocator.solve(inst, equity=True)
    assert allocator.verify(inst, plan) == []
    z = plan.summary["equity"]["z"]
    assert 0.0 <= z <= 1.0
    demand = node_demand(build_model(inst))
    assert plan.summary["equity"]["floors"] == len(demand)
    got = dict(zip(plan.nodes["node"], plan.nodes["issued"].astype(int), strict=True))
    for node, d in demand.items():
        assert got[node] >= math.floor(z * d + FLOOR_SLACK)
    # Issuing more than the floor everywhere is impossible: some node sits at its rate.
    rates = [got[node] / d for node, d in demand.items()]
    if rates:
        assert min(rates) <= z + 1e-9
        assert plan.summary["equity"]["smallest_fill_rate"] == pytest.approx(min(rates), abs=1e-6)
    assert plan.summary["objective"]["waiting"] >= plain.summary["objective"]["waiting"] - 1e-9


def test_on_tiny_the_floor_is_rounded_down_and_the_plan_says_what_it_holds() -> None:
    """tiny: z* = 0.9 (45 of 50 cards exist), so the floors are floor(0.9 x demand):
    A 13 of 15, B 22 of 25, C 9 of 10 (44 cards). B at its floor is served 88%,
    below z*, and the summary says so instead of claiming 90% was held.
    """
    plan = allocator.solve(TINY, equity=True)
    equity = plan.summary["equity"]
    assert equity["z"] == pytest.approx(0.9)
    assert (equity["floors"], equity["floor_cards"]) == (3, 44)
    assert equity["smallest_fill_rate"] == 0.88
    rates = dict(zip(plan.nodes["node"], plan.nodes["fill_rate"], strict=True))
    assert rates["B"] == 0.88


def test_cli_equity_writes_the_floor_into_the_summary(tmp_path: Path) -> None:
    allocator.write_instance(remote(), tmp_path / "remote")
    result = CliRunner().invoke(
        app,
        ["solve", str(tmp_path / "remote"), "-o", str(tmp_path / "plan"), "--equity"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "equity: floor per office" in result.stdout
    assert "equity: smallest fill rate in the plan" in result.stdout
    summary = json.loads((tmp_path / "plan" / "summary.json").read_text())
    assert summary["objective"] == {"waiting": 23.0, "cost": 22.0}
    assert summary["equity"]["floor_cards"] == 9
