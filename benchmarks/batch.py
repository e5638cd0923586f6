"""Benchmark: ``allocator batch`` over 200 what-if scenarios of the 514-office, 12-month instance.

Generates the instance (``allocator generate``, seed 0) and a deterministic
table of 200 scenarios (tranche delays, supply cuts, sea-route closures,
regional demand surges, printer limits, and pairs of these), then measures:

- the wall time of the whole batch with 1 worker (in this process) and with
  2 local worker processes (and, with ``--dask``, on a 2-worker Dask
  ``LocalCluster``);
- the sum of the per-scenario ``seconds`` (apply the changes + solve + read
  the figures, timed inside the worker);
- ``apply``: the time to apply one scenario's changes (timed alone, no solve);
- a plain loop of ``solve(apply_scenario(...))`` over the first ``--reference``
  scenarios, timing the solve alone;
- the overhead per scenario beyond the solve itself:
  ``(workers * wall - sum(seconds)) / n + apply``, in worker-seconds, i.e.
  everything the batch adds to the solves: checking the table, starting the
  workers and sending them the instance, dispatch, collecting results;
- whether the result tables are identical (``seconds`` aside).

Prints a Markdown table and writes the figures as JSON.

    python benchmarks/batch.py                       # 200 scenarios, 1 and 2 workers
    python benchmarks/batch.py --scenarios 20 --dask
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

import allocator
from allocator.instance import Instance
from allocator.instance.generate import generate_instance
from allocator.whatif import run_batch
from allocator.whatif.changes import apply_changes
from allocator.whatif.scenarios import read_scenarios, scenario_ids


def make_scenarios(instance: Instance, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` deterministic what-if scenarios of ``instance``, as a scenario table."""
    rng = np.random.default_rng(seed)
    tranches = instance.supply[["node", "period"]].drop_duplicates().values.tolist()
    sea = instance.links.loc[instance.links["mode"] == "sea", "id"].tolist()
    regions = sorted(set(instance.offices["region"]))
    months = instance.months

    def one(k: int) -> list[list[object]]:
        kind = k % 6
        if kind == 0:
            node, period = tranches[rng.integers(len(tranches))]
            return [["supply_delay", node, period, int(rng.integers(1, 4))]]
        if kind == 1:
            return [["supply_scale", "*", "", round(float(rng.uniform(0.6, 1.0)), 2)]]
        if kind == 2:
            link = sea[rng.integers(len(sea))]
            first = int(rng.integers(0, len(months) - 2))
            return [["link_capacity", link, m, 0] for m in months[first : first + 3]]
        if kind == 3:
            region = regions[rng.integers(len(regions))]
            return [["demand_scale", region, "", round(float(rng.uniform(1.1, 1.5)), 2)]]
        if kind == 4:
            region = regions[rng.integers(len(regions))]
            return [["issue_capacity", region, "", int(rng.integers(200, 2000))]]
        return one(0) + one(2)  # a late tranche and a closed sea route together

    rows = []
    for k in range(n):
        for change in one(k):
            rows.append([f"s{k + 1:03d}", *change])
    return pd.DataFrame(rows, columns=["scenario", "change", "target", "period", "value"])


def measure(
    instance: Instance, table: pd.DataFrame, **options: object
) -> tuple[float, pd.DataFrame]:
    began = time.perf_counter()
    result = run_batch(instance, table, **options)  # type: ignore[arg-type]
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--offices", type=int, default=514)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--reference", type=int, default=20, help="scenarios solved in a plain loop"
    )
    parser.add_argument("--dask", action="store_true", help="also run on a 2-worker LocalCluster")
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/batch.json"))
    args = parser.parse_args()

    instance = generate_instance(args.offices, args.months, seed=0)
    table = make_scenarios(instance, args.scenarios)
    checked = read_scenarios(table, instance)
    ids = scenario_ids(checked)
    n = len(ids)
    groups = dict(tuple(checked.groupby("scenario", sort=False)))

    began = time.perf_counter()
    for i in ids:
        apply_changes(instance, groups[i])
    apply = (time.perf_counter() - began) / n

    solves = []
    for i in ids[: args.reference]:
        changed = apply_changes(instance, groups[i])[0]
        began = time.perf_counter()
        allocator.solve(changed)
        solves.append(time.perf_counter() - began)

    runs: dict[str, dict[str, float]] = {}
    tables: dict[str, pd.DataFrame] = {}
    for workers in args.workers:
        wall, result = measure(instance, table, workers=workers)
        tables[f"{workers} worker(s)"] = result
        runs[f"{workers} worker(s)"] = {"workers": workers, "wall": wall}
    if args.dask:
        from distributed import LocalCluster

        with LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            wall, result = measure(instance, table, scheduler=cluster.scheduler_address)
        tables["Dask, 2 workers"] = result
        runs["Dask, 2 workers"] = {"workers": 2, "wall": wall}

    first = next(iter(tables.values())).drop(columns="seconds")
    for name, result in tables.items():
        run = runs[name]
        run["sum_seconds"] = float(result["seconds"].sum())
        run["failed"] = int((result["status"] == "failed").sum())
        run["overhead_per_scenario"] = (  # len(result): the scenarios and the base row
            run["workers"] * run["wall"] - run["sum_seconds"]
        ) / len(result) + apply
        run["identical"] = bool(result.drop(columns="seconds").equals(first))

    figures = {
        "instance": f"{args.offices} offices x {args.months} months (seed 0)",
        "scenarios": n,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "apply_per_scenario": apply,
        "plain_solve_mean": float(np.mean(solves)) if solves else None,
        "plain_solves": len(solves),
        "runs": runs,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")

    print(
        f"{n} scenarios of {figures['instance']}, {os.cpu_count()} cores, load average "
        f"at the end {figures['load_average_at_end']}"
    )
    print(f"apply one scenario's changes: {1000 * apply:.1f} ms")
    if solves:
        print(f"plain solve, mean of {len(solves)}: {np.mean(solves):.2f} s")
    print()
    print(
        "| run | wall | per scenario | sum of scenario seconds | overhead per scenario "
        "| failed | same table |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, run in runs.items():
        print(
            f"| {name} | {run['wall']:.1f} s | {run['wall'] / n:.2f} s "
            f"| {run['sum_seconds']:.1f} s "
            f"| {1000 * run['overhead_per_scenario']:.0f} ms | {run['failed']} "
            f"| {'yes' if run['identical'] else 'NO'} |"
        )


if __name__ == "__main__":
    main()
