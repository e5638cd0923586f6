"""Benchmark: the min-cost-flow path (LEMON) against HiGHS's path, side by side, same run.

For ``indonesia-2017`` and each generated size, in a fresh process per path:
load, build the LP arrays, solve (both stages) and assemble the plan, write
it; peak memory. Then the bare network solve from the arrays (stage 1 only,
LEMON's cost scaling on the converted network, no plan), the floor of this
path. For ``indonesia-2017`` also the wall time of ``allocator solve``.
Prints a Markdown table.

    python benchmarks/network.py                          # indonesia-2017, 514x12, 2000x24
    python benchmarks/network.py --sizes 7000x24 --no-highs   # the large one, network only
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ["indonesia-2017", "514x12", "2000x24"]


def _instance(size: str, tmp: Path) -> Path:
    if size == "indonesia-2017":
        return ROOT / "instances" / "indonesia-2017"
    from allocator.instance.generate import write_generated

    offices, months = map(int, size.split("x"))
    return write_generated(tmp / "instance", offices, months, seed=1)


def one(size: str, solver: str) -> dict[str, object]:
    """Measure one size and path in this process (called in a fresh subprocess)."""
    import allocator
    from allocator.model import build_model
    from allocator.pipeline import solve_model

    with tempfile.TemporaryDirectory() as tmp:
        folder = _instance(size, Path(tmp))
        out: dict[str, object] = {"size": size, "solver": solver}
        began = time.perf_counter()
        inst = allocator.load_instance(folder)
        out["load"] = time.perf_counter() - began
        began = time.perf_counter()
        lp = build_model(inst)
        out["build"] = time.perf_counter() - began
        out["columns"] = lp.n_cols
        began = time.perf_counter()
        plan = solve_model(inst, lp, allocator.SolveOptions(solver=solver))
        out["solve"] = time.perf_counter() - began
        out["stages"] = [s["seconds"] for s in plan.summary["solver"]["stages"]]
        began = time.perf_counter()
        plan.write(Path(tmp) / "plan")
        out["write"] = time.perf_counter() - began
        out["end_to_end"] = out["load"] + out["build"] + out["solve"] + out["write"]  # type: ignore[operator]
        out["waiting"] = plan.summary["objective"]["waiting"]
        out["cost"] = plan.summary["objective"]["cost"]
        if solver == "network":
            out["bare"] = bare(lp)
        # The largest of this process and its LEMON worker (large networks solve in one).
        peaks = [
            resource.getrusage(who).ru_maxrss
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        ]
        out["peak_mb"] = max(peaks) / 1024
        return out


def bare(lp: object) -> float:
    """Seconds of stage 1 alone: LEMON on the converted arrays (conversion included)."""
    import numpy as np
    import pylmcf

    from allocator.solvers.network_stages import plan_network

    began = time.perf_counter()
    plan = plan_network(lp)  # type: ignore[arg-type]
    assert not isinstance(plan, str)
    net = plan.network
    supply = net.supply.copy()
    np.subtract.at(supply, net.tail, net.lower)
    np.add.at(supply, net.head, net.lower)
    pylmcf.pylmcf_cpp.lmcf_cost_scaling(
        supply, net.tail, net.head, plan.capacity - net.lower, plan.costs[0]
    )
    return time.perf_counter() - began


def cli_wall(size: str, runs: int = 5) -> float:
    """Median wall time of ``allocator solve`` on the instance, each run a fresh process.

    The first run is not counted: it may compile the package's bytecode. Where
    ``PYTHONDONTWRITEBYTECODE`` is set (as in this sandbox) every run compiles
    the package's modules again, about 0.1 s more than a normal installation.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = _instance(size, Path(tmp))
        command = [str(Path(sys.executable).parent / "allocator"), "solve", str(folder)]
        walls = []
        for run in range(runs + 1):
            began = time.perf_counter()
            subprocess.run([*command, "-o", f"{tmp}/plan{run}"], check=True, capture_output=True)
            walls.append(time.perf_counter() - began)
        return float(statistics.median(walls[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=SIZES, help="indonesia-2017 or OxM ...")
    parser.add_argument("--no-highs", action="store_true", help="skip HiGHS's path")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(*args.one)))
        return
    rows = []
    for size in args.sizes:
        for solver in ["network"] if args.no_highs else ["network", "highs"]:
            command = [sys.executable, __file__, "--one", size, solver]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            if size == "indonesia-2017":
                rows[-1]["cli"] = cli_wall(size) if solver == "network" else None
            print(rows[-1], file=sys.stderr, flush=True)
    header = (
        "| instance | path | columns | load s | build s | solve + plan s | stages s | write s "
        "| end to end s | bare stage 1 s | `allocator solve` s | peak MB | waiting | cost |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in rows:
        stages = " + ".join(f"{s:.2f}" for s in r["stages"])
        bare_s = f"{r['bare']:.2f}" if "bare" in r else ""
        cli = f"{r['cli']:.2f}" if r.get("cli") else ""
        print(
            f"| {r['size']} | {r['solver']} | {r['columns']:,} | {r['load']:.2f} "
            f"| {r['build']:.2f} | {r['solve']:.2f} | {stages} | {r['write']:.2f} "
            f"| {r['end_to_end']:.2f} | {bare_s} | {cli} | {r['peak_mb']:,.0f} "
            f"| {r['waiting']:,.0f} | {r['cost']:,.2f} |"
        )
    if any(r.get("cli") for r in rows):
        cached = "not kept (PYTHONDONTWRITEBYTECODE)" if sys.flags.dont_write_bytecode else "kept"
        print(f"\n`allocator solve`: median of 5 runs after one more; package bytecode {cached}.")


if __name__ == "__main__":
    main()
