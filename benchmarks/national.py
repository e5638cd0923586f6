"""Benchmark: the national solve (``instances/indonesia-2017``) end to end, in fresh processes.

Each run is a new Python process that imports allocator, loads the instance,
solves it (build, both stages, plan) and writes the plan folder, and reports
the wall time of each step and of the whole. Prints the median and range of
``--runs`` runs. With ``--source DIR`` the runs import allocator from another
checkout (for example the commit before a change), so that two versions are
measured on one machine in one sitting:

    python benchmarks/national.py --runs 7
    git worktree add /tmp/before HEAD~5 && python benchmarks/national.py --source /tmp/before
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "indonesia-2017"


def one() -> dict[str, float]:
    """One run in this process: import, load, solve, write."""
    began = time.perf_counter()
    import allocator

    imported = time.perf_counter() - began
    began = time.perf_counter()
    instance = allocator.load_instance(INSTANCE)
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    plan = allocator.solve(instance)
    solved = time.perf_counter() - began
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        plan.write(Path(tmp) / "plan")
        written = time.perf_counter() - began
    return {
        "import": imported,
        "load": loaded,
        "solve": solved,
        "write": written,
        "total": imported + loaded + solved + written,
        "waiting": float(plan.summary["objective"]["waiting"]),
        "cost": float(plan.summary["objective"]["cost"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, help="checkout to import allocator from")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one()))
        return
    env = dict(os.environ)
    if args.source:
        env["PYTHONPATH"] = str(args.source.resolve())
    runs = []
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, __file__, "--one"], capture_output=True, text=True, check=True, env=env
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    for step in ("import", "load", "solve", "write", "total"):
        values = [r[step] for r in runs]
        print(
            f"{step:7s} median {statistics.median(values):6.3f} s  "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )
    print(f"waiting {runs[0]['waiting']:,.0f}, cost {runs[0]['cost']:,.0f}")


if __name__ == "__main__":
    main()
