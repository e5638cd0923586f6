"""A DIMACS min-cost-flow file as arrays, and as the :class:`LinearProgram` the engine solves.

The published benchmark instances of min-cost flow (NETGEN and the others of
the DIMACS and LEMON suites) come as DIMACS ``.min`` files. :func:`read_dimacs`
reads one into arrays; :func:`dimacs_program` makes of them an
:class:`~allocator.model.LinearProgram` in the engine's own terms, so that
:func:`~allocator.solvers.solve_lexicographic` solves it exactly as it solves
a plan's LP (the network recognition, the integer scaling, the overflow
check, LEMON; or HiGHS through PuLP):

- one ``stock_balance`` equality row per node, ``out - in = supply`` (the
  family and sign a plan's stock balance has, :data:`~allocator.solvers.network.NODE_SIGNS`);
- one column per arc, bounds ``[0, capacity]``, +1 in its tail's row and -1
  in its head's row;
- one stage, ``cost``, with the arc costs.

Used by ``tests/solvers/test_netgen.py`` and ``benchmarks/netgen.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allocator.model import Builder, LinearProgram, Stage

#: (supply per node, tail, head, capacity, cost per arc), int64, nodes 0-based.
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def read_dimacs(path: Path) -> Arrays:
    """A DIMACS ``.min`` file as (supply, tail, head, capacity, cost), 0-based, lower bounds 0."""
    supply: np.ndarray = np.zeros(0, dtype=np.int64)
    arcs: list[tuple[int, int, int, int, int]] = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "p":
            supply = np.zeros(int(parts[2]), dtype=np.int64)
        elif parts[0] == "n":
            supply[int(parts[1]) - 1] = int(parts[2])
        elif parts[0] == "a":
            tail, head, low, cap, cost = map(int, parts[1:6])
            if low:
                raise ValueError(f"{path.name}: lower bounds are not supported by this reader")
            arcs.append((tail - 1, head - 1, low, cap, cost))
    a = np.array(arcs, dtype=np.int64)
    return supply, a[:, 0], a[:, 1], a[:, 3], a[:, 4]


def dimacs_program(
    supply: np.ndarray, tail: np.ndarray, head: np.ndarray, cap: np.ndarray, cost: np.ndarray
) -> LinearProgram:
    """The min-cost flow of the arrays as a one-stage LP with a ``stock_balance`` row per node."""
    n_nodes, n_arcs = len(supply), len(tail)
    b = Builder()
    arcs = b.columns(n_arcs, upper=cap.astype(float), cost=cost.astype(float))
    nodes = b.rows(supply.astype(float), supply.astype(float))
    b.entries(nodes[tail], arcs, 1.0)
    b.entries(nodes[head], arcs, -1.0)
    variables = {"arc": pd.DataFrame({"tail": tail, "head": head, "col": arcs})}
    rows = {"stock_balance": pd.DataFrame({"node": np.arange(n_nodes), "row": nodes})}
    objective = b.column_array("cost")
    return b.program(
        periods=1,
        variables=variables,
        rows=rows,
        bounds={},
        stages=(Stage("cost", objective),),
        report_cost=objective,
    )


def flow_cost(cost: np.ndarray, flow: np.ndarray) -> int:
    """The exact integer cost of a whole-number flow."""
    return int(cost @ np.round(flow).astype(np.int64))
