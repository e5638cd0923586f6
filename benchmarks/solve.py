"""Benchmark: where the time goes in ``allocator solve``, from 500 to 7,000 offices.

For each size it generates an instance (``allocator generate``), writes it,
and in a fresh process measures: load; model build (arrays, then the PuLP
problem); the hand-over to HiGHS; the two solver stages; writing the plan;
peak memory; and the same LP handed straight to highspy from the arrays (the
floor for modelling overhead). Prints a Markdown table.

    python benchmarks/solve.py                     # the sizes of benchmarks/README.md
    python benchmarks/solve.py --sizes 514x12      # one size
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = ["514x12", "500x24", "2000x12", "2000x24", "7000x12", "7000x24"]


def one(offices: int, months: int, method: str, floor: bool) -> dict[str, float]:
    """Measure one size in this process (called in a fresh subprocess)."""
    import numpy as np

    import allocator
    from allocator.instance.generate import write_generated
    from allocator.model import build_model
    from allocator.pipeline import solve_model
    from allocator.solvers.highs import pass_arrays
    from allocator.solvers.options import resolve_method

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_generated(Path(tmp) / "instance", offices, months, seed=1)
        out: dict[str, float] = {"offices": offices, "months": months}
        began = time.perf_counter()
        inst = allocator.load_instance(folder)
        out["load"] = time.perf_counter() - began

        began = time.perf_counter()
        lp = build_model(inst)
        out["build_arrays"] = time.perf_counter() - began
        out["columns"], out["rows"], out["nonzeros"] = lp.n_cols, lp.n_rows, lp.n_nonzeros
        began = time.perf_counter()
        # PuLP build, hand-over, stages, plan
        plan = solve_model(inst, lp, allocator.SolveOptions(method=method))
        solve_total = time.perf_counter() - began
        summary = plan.summary
        out["build_pulp"] = summary["seconds"]["build"]
        out["handover"] = summary["solver"]["handover_seconds"]
        out["stage1"] = summary["solver"]["stages"][0]["seconds"]
        out["stage2"] = summary["solver"]["stages"][1]["seconds"]
        out["assemble"] = solve_total - out["build_pulp"] - summary["seconds"]["solve"]
        began = time.perf_counter()
        plan.write(Path(tmp) / "plan")
        out["write"] = time.perf_counter() - began
        out["end_to_end"] = out["load"] + out["build_arrays"] + solve_total + out["write"]
        out["waiting"] = summary["objective"]["waiting"]

        if floor:
            import highspy

            began = time.perf_counter()
            rows = np.repeat(np.arange(lp.n_rows), np.diff(lp.indptr))
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            pass_arrays(
                h,
                lp.stages[0].objective,
                lp.col_lower,
                lp.col_upper,
                lp.row_lower,
                lp.row_upper,
                rows,
                lp.indices,
                lp.data,
            )
            out["floor_handover"] = time.perf_counter() - began
            h.setOptionValue("solver", resolve_method(method))
            h.setOptionValue("run_crossover", "on")
            began = time.perf_counter()
            h.run()
            out["floor_stage1"] = time.perf_counter() - began
            out["floor_waiting"] = h.getInfo().objective_function_value + lp.stages[0].constant
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=SIZES, help="OFFICESxMONTHS ...")
    parser.add_argument("--method", default="auto", help="HiGHS stage-1 method")
    parser.add_argument("--no-floor", action="store_true", help="skip the arrays-to-highspy run")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        offices, months = map(int, args.one.split("x"))
        print(json.dumps(one(offices, months, args.method, not args.no_floor)))
        return
    rows = []
    for size in args.sizes:
        command = [sys.executable, __file__, "--one", size, "--method", args.method]
        if args.no_floor:
            command.append("--no-floor")
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{size}: {rows[-1]}", file=sys.stderr, flush=True)
    header = (
        "| offices x months | columns | rows | load s | build (arrays) s | build (PuLP) s "
        "| hand-over s | stage 1 s | stage 2 s | write s | end to end s | peak MB "
        "| PuLP build+hand-over / solver | floor: arrays->highspy hand-over s "
        "| floor: stage 1 s |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for r in rows:
        solver = r["stage1"] + r["stage2"]
        ratio = (r["build_pulp"] + r["handover"]) / solver
        print(
            f"| {r['offices']:,} x {r['months']} | {r['columns']:,} | {r['rows']:,} "
            f"| {r['load']:.2f} | {r['build_arrays']:.2f} | {r['build_pulp']:.2f} "
            f"| {r['handover']:.2f} | {r['stage1']:.2f} | {r['stage2']:.2f} | {r['write']:.2f} "
            f"| {r['end_to_end']:.2f} | {r['peak_mb']:,.0f} | {ratio:.2f} "
            f"| {r.get('floor_handover', float('nan')):.2f} "
            f"| {r.get('floor_stage1', float('nan')):.2f} |"
        )


if __name__ == "__main__":
    main()
