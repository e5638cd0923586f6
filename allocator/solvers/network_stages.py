"""The lexicographic solve on the network: each stage one exact min-cost flow, the face by integers.

:func:`plan_network` decides whether an LP can take this path (it is a
network, every stage's objective scales to whole numbers exactly, and no sum
can overflow int64) and says why not otherwise. :func:`solve_network` then
solves the stages in order, like :func:`~allocator.solvers.stages.solve_stages`
does through a solver: after each stage every arc whose reduced cost (from
the node potentials, in exact integers) is non-zero is fixed at its flow.
By complementary slackness that is exactly the optimal face, whichever
optimal potentials the solve returns, so the later stages see the same
face as HiGHS's path, and give the same waiting, cost and change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from allocator.model import LinearProgram
from allocator.solvers.flow import integer_costs, min_cost_flow, overflow_reason, pylmcf_version
from allocator.solvers.network import Network, as_network
from allocator.solvers.options import Deadline
from allocator.solvers.stages import LexResult, StageResult
from allocator.solvers.watch import current_watcher

#: What the plan's summary calls the min-cost-flow codes before any has run.
CODE = "LEMON"


@dataclass(frozen=True, eq=False)
class NetworkPlan:
    """An LP ready for the network path: its network, finite capacities, integer stage costs."""

    network: Network
    capacity: np.ndarray  # upper bounds, the unbounded ones at the total supply
    costs: list[np.ndarray]  # per stage, int64 arc costs
    scales: dict[str, int]  # per stage, the power of ten its costs were multiplied by


@dataclass
class NetworkDuals:
    """Stage 1's duals from the network solve, in the LP's terms (HiGHS's sign)."""

    col_dual: np.ndarray
    row_dual: np.ndarray
    potential: np.ndarray = field(repr=False)


def plan_network(lp: LinearProgram) -> NetworkPlan | str:
    """The :class:`NetworkPlan` of ``lp``, or why it must be solved by HiGHS instead."""
    network = as_network(lp)
    if isinstance(network, str):
        return f"not a network: {network}"
    total = int(network.supply[network.supply > 0].sum()) + int(network.lower.max(initial=0))
    capacity = np.where(network.upper < 0, total, network.upper)
    if np.any(network.lower > capacity):
        return "a lower bound is above its arc's capacity"
    costs: list[np.ndarray] = []
    scales: dict[str, int] = {}
    for stage in lp.stages:
        scaled = integer_costs(stage.objective)
        if scaled is None:
            return f"the {stage.name} coefficients are not decimals of at most 9 digits"
        cost = network.arc_cost(scaled[0])
        if np.any((cost < 0) & (network.upper < 0)):
            return f"a negative {stage.name} coefficient on an unbounded column"
        reason = overflow_reason(cost, capacity, network.n_nodes)
        if reason is not None:
            return f"{stage.name}: {reason}"
        costs.append(cost)
        scales[stage.name] = scaled[1]
    return NetworkPlan(network, capacity, costs, scales)


class _Face:
    """Arc bounds of the optimal face so far, and one stage's solve on it."""

    def __init__(self, plan: NetworkPlan) -> None:
        self.net = plan.network
        self.lower = plan.network.lower.copy()
        self.upper = plan.capacity.copy()

    def solve(
        self, cost: np.ndarray, deadline: Deadline, label: str, potentials: bool = True
    ) -> tuple[np.ndarray, np.ndarray, dict]:
        """Min-cost flow on the face: (flow, potentials, how). Fixed arcs are left out."""
        net = self.net
        free = np.flatnonzero(self.upper > self.lower)
        fixed = np.flatnonzero(self.upper == self.lower)
        supply = net.supply.copy()
        # Lower bounds shifted into the supplies: x = lower + y with 0 <= y <= upper - lower.
        np.subtract.at(supply, net.tail, self.lower)
        np.add.at(supply, net.head, self.lower)
        shifted, potential, how = min_cost_flow(
            supply,
            net.tail[free],
            net.head[free],
            self.upper[free] - self.lower[free],
            cost[free],
            deadline,
            label,
            potentials,
        )
        flow = self.lower.copy()
        flow[free] += shifted
        flow[fixed] = self.lower[fixed]
        return flow, potential, how

    def reduced(self, cost: np.ndarray, potential: np.ndarray) -> np.ndarray:
        """Each arc's reduced cost ``cost + pi[tail] - pi[head]`` (exact integers)."""
        return cost + potential[self.net.tail] - potential[self.net.head]

    def restrict(self, flow: np.ndarray, reduced: np.ndarray) -> None:
        """Fix every arc with a non-zero reduced cost at its flow (a lower or upper bound)."""
        fix = reduced != 0
        self.lower[fix] = self.upper[fix] = flow[fix]


def solve_network(
    lp: LinearProgram, plan: NetworkPlan, deadline: Deadline
) -> tuple[LexResult, NetworkDuals]:
    """Solve ``lp``'s stages in order on its network; the result and stage 1's duals.

    A stage whose objective is all zero is skipped as in the solver path.
    Raises :class:`~allocator.errors.SolveError` at the deadline or when the
    flow has no optimum (an infeasible instance).
    """
    face = _Face(plan)
    results: list[StageResult] = []
    objectives: dict[str, float] = {}
    net = plan.network
    values = np.zeros(lp.n_cols)
    duals: NetworkDuals | None = None
    processes: set[str] = set()
    codes: list[str] = []
    solved = False
    for number, (stage, cost) in enumerate(zip(lp.stages, plan.costs, strict=True), start=1):
        last = number == len(lp.stages)
        if not np.any(stage.objective) and (solved or not last):
            results.append(StageResult("optimal", stage.constant, 0.0))
            objectives[stage.name] = stage.value(values)
            continue
        began = time.perf_counter()
        label = f"stage {number} ({stage.name})"
        if (watcher := current_watcher()) is not None:
            watcher.stage(number, len(lp.stages), stage.name)
        # The last stage's potentials would serve nothing (no face to restrict after it).
        flow, potential, how = face.solve(cost, deadline, label, potentials=not last)
        processes.add(how["process"])
        if how["code"] not in codes:
            codes.append(how["code"])
        values = flow[: net.n_cols].astype(float)
        reduced = face.reduced(cost, potential)
        if number == 1 and not last:
            scale = plan.scales[stage.name]
            duals = NetworkDuals(
                col_dual=reduced[: net.n_cols] / scale,
                row_dual=net.row_duals(potential.astype(float), reduced.astype(float), lp.n_rows)
                / scale,
                potential=potential,
            )
        if not last:
            face.restrict(flow, reduced)
        objectives[stage.name] = stage.value(values)
        seconds = time.perf_counter() - began
        results.append(StageResult("optimal", objectives[stage.name], seconds))
        solved = True
    info = {
        "name": "network",
        "version": "pylmcf " + pylmcf_version(),
        "method": ", ".join(codes) or CODE,
        "cost_scale": dict(plan.scales),
        "process": ", ".join(sorted(processes)) or "none",
    }
    result = LexResult(values, results, objectives, info)
    if duals is None:  # stage 1 had nothing to minimise: every feasible plan is optimal for it
        zeros = np.zeros(lp.n_rows)
        duals = NetworkDuals(np.zeros(lp.n_cols), zeros, np.zeros(net.n_nodes, np.int64))
    return result, duals


def lexicographic_flow(plan: NetworkPlan, deadline: Deadline, label: str) -> np.ndarray:
    """The flow minimising ``plan.costs`` in order, each on the optimal face of the ones before.

    For a network that is not an LP's own (the diagnosis of an infeasible
    LP, :mod:`~allocator.solvers.infeasible`): no stage bookkeeping, only the flow.
    """
    face = _Face(plan)
    flow = face.lower.copy()
    for number, cost in enumerate(plan.costs, start=1):
        last = number == len(plan.costs)
        flow, potential, _ = face.solve(cost, deadline, label, potentials=not last)
        if not last:
            face.restrict(flow, face.reduced(cost, potential))
    return flow


def stage_one_row_duals(lp: LinearProgram, deadline: Deadline | None = None) -> np.ndarray | None:
    """Optimal row duals of ``lp``'s first stage from one min-cost flow (HiGHS's sign).

    The node potentials of LEMON's optimum, turned into row duals
    (:meth:`~allocator.solvers.network.Network.row_duals`). Optimal duals
    are optimal with every optimal flow, so they are optimal with any plan
    of least waiting too. ``None`` when the LP is not for this path.
    """
    plan = plan_network(lp)
    if isinstance(plan, str) or not lp.stages:
        return None
    face = _Face(plan)
    cost = plan.costs[0]
    _, potential, _ = face.solve(cost, deadline or Deadline(None), "stage 1 (waiting)")
    reduced = face.reduced(cost, potential)
    scale = plan.scales[lp.stages[0].name]
    net = plan.network
    return net.row_duals(potential.astype(float), reduced.astype(float), lp.n_rows) / scale
