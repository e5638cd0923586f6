"""One min-cost flow with LEMON (the ``pylmcf`` package): exact integers, in or out of process.

:func:`integer_costs` scales a stage's objective to whole numbers exactly
(the smallest power of ten that makes every coefficient whole, i.e. the
decimal digits of the files), and :func:`overflow_reason` checks that no sum
LEMON forms can leave int64 (LEMON does not check, and crashes). :func:`min_cost_flow`
solves one problem with LEMON's cost scaling (:data:`SIMPLEX_ARCS`: why not
its network simplex), and returns the flow and the node potentials.

A LEMON solve cannot be interrupted. When the run has a time limit, or the
network is large enough that the solve takes long, it runs in a forked worker
process that is killed at the deadline or on Ctrl-C; small solves without a
time limit run in this process, where starting a worker would cost more than
the solve (:data:`IN_PROCESS_ARCS`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import time
from typing import Any

import numpy as np
import pylmcf

from allocator.errors import InfeasibleError, SolveError
from allocator.solvers.options import Deadline, time_limit_error

#: The largest power of ten a cost or weight is scaled by (9 decimal digits).
MAX_DIGITS = 9
#: Sums of costs stay below this (int64's limit, with a margin of 2).
COST_LIMIT = 2**62
#: LEMON's cost scaling multiplies costs by alpha (16) times the node count.
SCALING_ALPHA = 16
#: Networks with more arcs are solved in a worker process even without a time limit, so
#: that Ctrl-C stops them at once. LEMON's cost scaling takes 0.2-0.3 s a stage at 37k
#: arcs (indonesia-2017), 5-30 s at 256k (2,000 x 24); a forked worker added no
#: measurable time at 37k (0.56-0.74 s for both stages, against 0.60-0.72 in-process).
IN_PROCESS_ARCS = 50_000
#: How often (seconds) the main process looks up from a worker's solve.
POLL_SECONDS = 0.05


def pylmcf_version() -> str:
    """The version of the pylmcf package (LEMON's min-cost-flow codes)."""
    return str(pylmcf.__version__)


def integer_costs(objective: np.ndarray) -> tuple[np.ndarray, int] | None:
    """``(objective * 10**k, 10**k)`` as int64 with the smallest ``k`` that makes it exact.

    ``None`` when no ``k <= MAX_DIGITS`` does (a cost like 1/3) or the
    scaled costs are too large for int64.
    """
    values = np.asarray(objective, dtype=float)
    if not np.all(np.isfinite(values)):
        return None
    biggest = float(np.abs(values).max(initial=0.0))
    for digits in range(MAX_DIGITS + 1):
        scale = 10**digits
        scaled = values * scale
        if biggest * scale >= COST_LIMIT:
            return None
        rounded = np.round(scaled)
        if np.all(np.abs(scaled - rounded) <= 1e-6):
            return rounded.astype(np.int64), scale
    return None


def overflow_reason(cost: np.ndarray, capacity: np.ndarray, n_nodes: int) -> str | None:
    """Why ``cost`` would overflow int64 in LEMON on arcs of ``capacity``; None if it cannot.

    Checks the total cost of any feasible flow (``sum |c| * capacity``) and
    cost scaling's internal costs (``|c| * 16 * (nodes + 1)``), in floats
    with a margin of 2.
    """
    magnitude = np.abs(cost.astype(float))
    total = float(magnitude @ capacity.astype(float))
    if total >= COST_LIMIT:
        return f"the scaled costs times the flows could reach {total:.3g}, beyond int64"
    internal = float(magnitude.max(initial=0.0)) * SCALING_ALPHA * (n_nodes + 1)
    if internal >= COST_LIMIT:
        return f"the scaled costs times {SCALING_ALPHA} x nodes reach {internal:.3g}, beyond int64"
    return None


#: Up to this many arcs, and without negative costs (which it refuses), LEMON's network
#: simplex would solve a stage instead of cost scaling: at indonesia-2017 (37k arcs) it
#: takes 0.20-0.31 s a stage against 0.38-0.49 s; equal at 514 x 12 (34k); at 2,000 x 24
#: (256k arcs) 36 s against 7.7 s (benchmarks/README.md). Off (0): among equally good
#: plans it picks other vertices than cost scaling and HiGHS, e.g. not the plan that
#: instances/tiny/README.md works by hand, and a plan should not change with the size.
SIMPLEX_ARCS = 0
SIMPLEX, SCALING = "LEMON network simplex", "LEMON cost scaling"


def code_for(cost: np.ndarray) -> str:
    """Which of LEMON's codes solves a stage with these arc costs."""
    return SIMPLEX if len(cost) <= SIMPLEX_ARCS and cost.min(initial=0) >= 0 else SCALING


def _solve(
    supply: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    capacity: np.ndarray,
    cost: np.ndarray,
    potentials: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """LEMON on int64 arrays (:func:`code_for`): (flow per arc, potential per node).

    Without ``potentials`` they come back as zeros: computing them (LEMON's
    own Bellman-Ford where cost scaling's rounded ones are not exact, then
    pylmcf's canonical ones) took as long again as the solve at 2,000 x 24.
    """
    code = code_for(cost)
    run = pylmcf.pylmcf_cpp.lmcf if code == SIMPLEX else pylmcf.pylmcf_cpp.lmcf_cost_scaling
    try:
        result = run(supply, tail, head, capacity, cost, return_potentials=potentials)
    except RuntimeError as error:
        raise InfeasibleError(f"the min-cost flow has no optimum: {error}") from None
    flow, potential = result if potentials else (result, np.zeros(len(supply), np.int64))
    return np.asarray(flow, dtype=np.int64), np.asarray(potential, dtype=np.int64)


def _worker(connection: multiprocessing.connection.Connection, arrays: tuple) -> None:
    """Run :func:`_solve` in a worker process and send back its result or its error."""
    try:
        connection.send(("ok", _solve(*arrays)))
    except InfeasibleError as error:
        connection.send(("infeasible", str(error)))
    except SolveError as error:
        connection.send(("error", str(error)))
    finally:
        connection.close()


def _in_worker(arrays: tuple, deadline: Deadline, label: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_solve` in a forked process, killed at the deadline or on an interruption."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(send, arrays), daemon=True)
    process.start()
    send.close()
    try:
        while not receive.poll(POLL_SECONDS):
            if deadline.passed():
                raise time_limit_error(deadline.limit, label)
            if not process.is_alive() and not receive.poll(0):
                raise SolveError(f"the min-cost-flow worker stopped during {label}")
        kind, result = receive.recv()
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receive.close()
    if kind == "infeasible":
        raise InfeasibleError(result)
    if kind == "error":
        raise SolveError(result)
    return result


def min_cost_flow(
    supply: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    capacity: np.ndarray,
    cost: np.ndarray,
    deadline: Deadline,
    label: str,
    potentials: bool = True,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Solve one min-cost flow (all int64, zero lower bounds): flow, potentials, and how.

    Potentials are LEMON's: an arc's reduced cost is ``cost + pi[tail] -
    pi[head]``; zeros unless ``potentials``. Raises :class:`SolveError` at
    the deadline (the worker is killed), :class:`InfeasibleError` when the
    flow has no optimum (no flow meets the supplies within the capacities).
    """
    remaining = deadline.remaining()
    if remaining is not None and remaining <= 0:
        raise time_limit_error(deadline.limit, label)
    arrays: tuple[Any, ...] = tuple(
        np.ascontiguousarray(a, dtype=np.int64) for a in (supply, tail, head, capacity, cost)
    )
    arrays += (potentials,)
    # A daemonic process (a pool's or a Dask worker's) may not start one of its own.
    worker = (deadline.limit is not None or len(tail) > IN_PROCESS_ARCS) and not (
        multiprocessing.current_process().daemon
    )
    began = time.perf_counter()
    if worker:
        flow, potential = _in_worker(arrays, deadline, label)
    else:
        flow, potential = _solve(*arrays)
        deadline.check(label)
    how: dict[str, Any] = {"process": "worker" if worker else "in-process", "code": code_for(cost)}
    how["seconds"] = time.perf_counter() - began
    return flow, potential, how
