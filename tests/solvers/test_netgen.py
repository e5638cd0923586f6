"""A published NETGEN min-cost flow, solved to its published optimum by both of the engine's paths.

``data/netgen_8_08a.min`` (256 nodes, 2,048 arcs) is an instance of the
LEMON NETGEN-8 suite; its published optimum is 142,274,536 (provenance in
``data/README.md``). Built as a :class:`~allocator.model.LinearProgram`
(``tests/dimacs.py``: a ``stock_balance`` row per node, a column per arc, one
``cost`` stage) and solved by :func:`~allocator.solvers.solve_lexicographic`,
it must be recognised as a network and take LEMON on ``auto``, take HiGHS
on ``highs``, and both must return a flow of exactly that cost that keeps
every node's balance and every arc's bounds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from dimacs import Arrays, dimacs_program, read_dimacs

from allocator.model import LinearProgram
from allocator.solvers import SolveOptions, solve_lexicographic

DATA = Path(__file__).resolve().parent / "data" / "netgen_8_08a.min"
SHA256 = "216cf17f9ca8b3aa6c8098249249cc27f4f0baeba24715f5ff74e45c567525ff"
#: netgen_8_08a.sol line 5 ("s 142274536") and performance_comparison.csv of the source repo.
PUBLISHED_OPTIMUM = 142_274_536


@pytest.fixture(scope="module")
def netgen() -> tuple[Arrays, LinearProgram]:
    """The instance's arrays and its LP."""
    arrays = read_dimacs(DATA)
    return arrays, dimacs_program(*arrays)


def test_the_file_is_the_published_instance(netgen: tuple[Arrays, LinearProgram]) -> None:
    assert hashlib.sha256(DATA.read_bytes()).hexdigest() == SHA256
    (supply, tail, _, _, _), lp = netgen
    assert (len(supply), len(tail)) == (256, 2048)
    assert (lp.n_rows, lp.n_cols, lp.n_nonzeros) == (256, 2048, 4096)
    assert int(supply[supply > 0].sum()) == 16_000 == -int(supply[supply < 0].sum())


def _whole_flow(values: np.ndarray) -> np.ndarray:
    """The column values as integers; fails unless every one is a whole number."""
    flow = np.round(values)
    assert np.array_equal(flow, values)  # HiGHS's vertex too: whole cards, no rounding noise
    return flow.astype(np.int64)


@pytest.mark.parametrize(
    ("solver", "path"), [("auto", "network"), ("network", "network"), ("highs", "highs")]
)
def test_both_paths_reach_the_published_optimum_with_a_feasible_flow(
    netgen: tuple[Arrays, LinearProgram], solver: str, path: str
) -> None:
    (supply, tail, head, cap, cost), lp = netgen
    result = solve_lexicographic(lp, SolveOptions(solver=solver))
    assert result.solver["name"] == path
    assert "network" not in result.solver  # no fallback sentence: the path asked for was taken
    if path == "network":
        assert result.solver["method"] == "LEMON cost scaling"
        assert result.solver["cost_scale"] == {"cost": 1}
    assert result.objectives == {"cost": PUBLISHED_OPTIMUM}
    assert [s.status for s in result.stages] == ["optimal"]
    flow = _whole_flow(result.values)
    assert int(cost @ flow) == PUBLISHED_OPTIMUM
    assert flow.min() >= 0
    assert np.all(flow <= cap)
    out_minus_in = np.zeros(len(supply), dtype=np.int64)
    np.add.at(out_minus_in, tail, flow)
    np.subtract.at(out_minus_in, head, flow)
    assert np.array_equal(out_minus_in, supply)
