"""Benchmark: what ``allocator explain`` costs on top of the solve, on ``indonesia-2017``.

In a fresh process per repeat: load the instance, solve it (``allocator.solve``),
then explain the plan in memory (what ``solve --explain`` adds), with the
time of its one HiGHS solve for stage 1's duals (warm-started from the plan)
and of the rest; then read the written plan folder back and explain it again
(``allocator explain INSTANCE PLAN``). Prints a Markdown table.

    python benchmarks/explain.py                 # 3 repeats
    python benchmarks/explain.py --repeats 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one() -> dict[str, float]:
    """One measurement in this process (called in a fresh subprocess)."""
    import allocator

    out: dict[str, float] = {}
    inst = allocator.load_instance(ROOT / "instances" / "indonesia-2017")
    began = time.perf_counter()
    plan = allocator.solve(inst)
    out["solve"] = time.perf_counter() - began
    began = time.perf_counter()
    explained = allocator.explain(inst, plan)
    out["explain"] = time.perf_counter() - began
    out["stage_1_duals"] = explained.summary["seconds"]["stage_1"]
    out["rest"] = out["explain"] - out["stage_1_duals"]
    with tempfile.TemporaryDirectory() as tmp:
        plan.write(Path(tmp) / "plan")
        began = time.perf_counter()
        allocator.explain(inst, allocator.read_plan(Path(tmp) / "plan"))
        out["explain_from_folder"] = time.perf_counter() - began
    out["rows"] = len(explained.marginal_values)
    out["shortfalls"] = len(explained.shortfalls)
    out["pegging"] = len(explained.pegging)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one()))
        return
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, "--one"], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(args.repeats)
    ]
    keys = ["solve", "explain", "stage_1_duals", "rest", "explain_from_folder"]
    print("| step (s) | " + " | ".join(f"run {i + 1}" for i in range(len(runs))) + " | median |")
    print("| --- |" + " ---: |" * (len(runs) + 1))
    for key in keys:
        values = [r[key] for r in runs]
        cells = " | ".join(f"{v:.2f}" for v in values)
        print(f"| {key} | {cells} | {statistics.median(values):.2f} |")
    last = runs[-1]
    print(
        f"\n{int(last['rows']):,} marginal values, {int(last['shortfalls']):,} shortfall rows, "
        f"{int(last['pegging']):,} pegging rows"
    )


if __name__ == "__main__":
    main()
