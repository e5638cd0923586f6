"""The equity option's stage 0 and its floors: the smallest fill rate, then held in whole cards.

Stage 0 maximises ``z``, the smallest fill rate over the nodes with demand
that some card can reach (the LP of ``ModelOptions(fill_rate=True)``); each of
them then gets ``floor(z * D_n + 1e-9)`` whole cards, held by the LP of
``ModelOptions(floors=...)`` (:mod:`allocator.model.equity`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from allocator.instance import Instance
from allocator.instance.network import unreachable_demand
from allocator.model import LinearProgram, ModelOptions, build_model
from allocator.model.equity import floors, node_demand
from allocator.plan.figures import fill_rate
from allocator.solvers import Deadline, SolveOptions, StageResult, solve_once


def hold_equity_floor(
    instance: Instance, lp: LinearProgram, options: SolveOptions, deadline: Deadline
) -> tuple[LinearProgram, dict[str, Any]]:
    """Solve stage 0; return the LP of ``instance`` with every node's floor held, and the facts.

    ``lp`` is the core LP of ``instance`` (its demand per node is read off it).
    The facts are the summary's ``equity``: ``z``, ``floors`` (nodes with a
    floor), ``floor_cards`` (their sum), ``left_out`` (nodes with demand no
    card can reach), stage 0's status and seconds; and, for the caller,
    ``floored`` (the ids of the nodes with a floor).
    """
    demand = node_demand(lp)
    z = 1.0  # the smallest fill rate over no node at all
    stage = StageResult("optimal", 1.0, 0.0)
    if len(demand):
        stage0 = build_model(instance, ModelOptions(fill_rate=True))
        stage, values = solve_once(stage0, options, stage="stage 0 (equity)", deadline=deadline)
        z = float(min(max(values[stage0.variables["z"]["col"].iloc[0]], 0.0), 1.0))
    floor = floors(demand, z)
    held = build_model(instance, ModelOptions(floors=floor))
    return held, {
        "z": z,
        "floors": len(floor),
        "floor_cards": int(floor.sum()),
        "left_out": len(unreachable_demand(instance)),
        "status": stage.status,
        "seconds": round(stage.seconds, 3),
        "floored": floor.index.tolist(),
    }


def smallest_fill_rate(nodes: pd.DataFrame, floored: list[str]) -> float:
    """The smallest fill rate the plan's ``nodes`` table shows over the nodes with a floor.

    It can be below ``z*``: each floor is ``z* x demand`` rounded down to whole cards.
    """
    held = nodes[nodes["node"].isin(floored)]
    rates = fill_rate(held["issued"], held["demand"])
    return round(float(rates.min()), 6) if len(rates) else 1.0
