"""Benchmark: a NETGEN min-cost flow (DIMACS format) by LEMON, networkx and HiGHS, same network.

The engine's network path is LEMON's cost scaling (``pylmcf``); this runs it
on a single-period min-cost flow of the NETGEN family, the standard
generator of the DIMACS and LEMON benchmark suites, and compares it with
networkx's network simplex and with HiGHS on the same problem as an LP (its
dual simplex and its interior point). The instance is generated here with
``pynetgen`` (a port of NETGEN with its original random number generator,
``pip install pynetgen``; not a dependency of the project), or read from a
DIMACS ``.min`` file given with ``--file`` (for instance LEMON's
``netgen_8_13a.min`` from http://lime.cs.elte.hu/~kpeter/data/mcf/netgen/;
``--optimum`` then checks the published optimum).

    python benchmarks/netgen.py                        # 8,192 nodes, 65,536 arcs (NETGEN-8 size)
    python benchmarks/netgen.py --nodes 1024           # smaller
    python benchmarks/netgen.py --file netgen_8_10a.min --optimum 369269289
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def read_dimacs(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
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
                raise SystemExit("lower bounds are not supported by this reader")
            arcs.append((tail - 1, head - 1, low, cap, cost))
    a = np.array(arcs, dtype=np.int64)
    return supply, a[:, 0], a[:, 1], a[:, 3], a[:, 4]


def generate(nodes: int, seed: int, folder: Path) -> Path:
    """A NETGEN-8 style instance (8 arcs a node, costs 1-10,000, capacities 1-1,000)."""
    import pynetgen

    path = folder / f"netgen_{nodes}.min"
    sources = max(nodes // 64, 1)
    pynetgen.netgen_generate(
        seed=seed,
        nodes=nodes,
        sources=sources,
        sinks=sources,
        density=8 * nodes,
        mincost=1,
        maxcost=10_000,
        supply=int(1000 * np.sqrt(nodes)),
        mincap=1,
        maxcap=1000,
        fname=str(path),
    )
    return path


def lemon(supply, tail, head, cap, cost) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    import pylmcf

    order = np.lexsort((head, tail))
    began = time.perf_counter()
    flow = pylmcf.pylmcf_cpp.lmcf_cost_scaling(
        supply, tail[order], head[order], cap[order], cost[order]
    )
    seconds = time.perf_counter() - began
    return int(cost[order] @ flow), seconds


def networkx_simplex(supply, tail, head, cap, cost) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    import networkx as nx

    g = nx.MultiDiGraph()
    for node, s in enumerate(supply.tolist()):
        g.add_node(node, demand=-s)
    for t, h, c, w in zip(tail.tolist(), head.tolist(), cap.tolist(), cost.tolist(), strict=True):
        g.add_edge(t, h, capacity=c, weight=w)
    began = time.perf_counter()
    value, _ = nx.network_simplex(g)
    return int(value), time.perf_counter() - began


def highs(supply, tail, head, cap, cost, solver: str) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    import highspy

    from allocator.solvers.highs import pass_arrays

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    m = len(tail)
    rows = np.concatenate([tail, head])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    values = np.concatenate([np.ones(m), -np.ones(m)])
    rhs = supply.astype(float)
    lower = np.zeros(m)
    pass_arrays(h, cost.astype(float), lower, cap.astype(float), rhs, rhs, rows, cols, values)
    began = time.perf_counter()
    h.run()
    return round(h.getInfo().objective_function_value), time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=8192)
    parser.add_argument("--seed", type=int, default=13502460)
    parser.add_argument("--file", type=Path, help="a DIMACS .min file instead of generating one")
    parser.add_argument("--optimum", type=int, help="the published optimum of --file")
    parser.add_argument("--no-highs", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or generate(args.nodes, args.seed, Path(tmp))
        data = read_dimacs(path)
    print(f"{path.name}: {len(data[0]):,} nodes, {len(data[1]):,} arcs")
    runs = [("LEMON cost scaling (pylmcf)", lemon), ("networkx network simplex", networkx_simplex)]
    if not args.no_highs:
        runs += [
            ("HiGHS dual simplex (as an LP)", lambda *d: highs(*d, "simplex")),
            ("HiGHS IPX (as an LP)", lambda *d: highs(*d, "ipx")),
        ]
    print("| code | optimum | seconds |")
    print("| --- | ---: | ---: |")
    for name, run in runs:
        value, seconds = run(*data)
        mark = "" if args.optimum is None else (" (published)" if value == args.optimum else " (!)")
        print(f"| {name} | {value:,}{mark} | {seconds:.2f} |", flush=True)


if __name__ == "__main__":
    main()
