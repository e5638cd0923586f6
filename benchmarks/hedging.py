"""Benchmark: ``allocator stress`` and hedged plans on ``indonesia-2017``.

Three parts, each run in its own process so that its peak memory is its own:

- ``stress``: the plain plan stressed over ``--scenarios`` (50) what-if
  scenarios (``make_scenarios`` of ``benchmarks/batch.py``: tranche delays,
  supply cuts, sea-route closures, demand surges, printer limits, pairs),
  first ``--commit`` (2) months committed, on ``--workers`` (2) processes.
- ``hedge``: a hedged plan over ``--scenarios`` (10: the base scenario and 9
  of those), K = 2, expected waiting; wall time, where it goes, peak memory.
- ``growth``: the hedged (extensive-form) LP alone for 1, 2, 5, 10
  scenarios: columns, rows, non-zeros, build and solve time.

    nice -n 10 python benchmarks/hedging.py stress --scenarios 50 --workers 2
    nice -n 10 python benchmarks/hedging.py hedge --scenarios 10
    nice -n 10 python benchmarks/hedging.py hedge --scenarios 10 --future-only
    nice -n 10 python benchmarks/hedging.py growth --sizes 1 2 5 10
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import make_scenarios

import allocator
from allocator.hedging.extensive import extensive
from allocator.hedging.risk import Risk
from allocator.model import build_model
from allocator.solvers import SolveOptions, solve_lexicographic
from allocator.whatif.changes import apply_changes
from allocator.whatif.scenarios import WHOLE_CHANGES, read_scenarios

INSTANCE = Path(__file__).resolve().parents[1] / "instances" / "indonesia-2017"


def future_only(table: pd.DataFrame, months: list[str], k: int) -> pd.DataFrame:
    """The changes of months after the first ``k`` only: a blank period becomes those months."""
    rows = []
    for row in table.itertuples(index=False):
        periods = months[k:] if row.period == "" else [row.period]
        rows += [
            [row.scenario, row.change, row.target, m, row.value] for m in periods if m in months[k:]
        ]
    return pd.DataFrame(rows, columns=table.columns)


def table_of(instance: allocator.Instance, n: int, after: int = 0) -> pd.DataFrame:
    """The base scenario (no change) and ``n - 1`` scenarios of ``make_scenarios``.

    With ``after = K``, only changes after month K are kept (blank periods
    become months K+1..P), and scenarios left with none are skipped.
    """
    base = pd.DataFrame(
        [["no-change", "supply_scale", "*", "", 1.0]],
        columns=["scenario", "change", "target", "period", "value"],
    )
    others = base.iloc[:0]
    if n > 1:
        others = make_scenarios(instance, 4 * n)
        if after:
            others = future_only(others, instance.months, after)
        keep = list(dict.fromkeys(others["scenario"]))[: n - 1]
        others = others[others["scenario"].isin(keep)]
    table = pd.concat([base, others], ignore_index=True)
    whole = table["change"].isin(WHOLE_CHANGES)
    table["value"] = [
        str(int(v)) if w else str(v) for v, w in zip(table["value"], whole, strict=True)
    ]
    return table


def peak_mb(children: bool = False) -> float:
    """Peak resident memory of this process (or of its largest child), in MB."""
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def run_stress(args: argparse.Namespace) -> None:
    instance = allocator.load_instance(INSTANCE)
    plan = allocator.solve(instance)
    table = table_of(instance, args.scenarios)
    began = time.perf_counter()
    result = allocator.stress(instance, plan, table, commit=args.commit, workers=args.workers)
    wall = time.perf_counter() - began
    figures = result.summary["plans"][0]
    print(f"stress: {args.scenarios} scenarios, K = {args.commit}, {args.workers} workers")
    print(f"  wall {wall:.1f} s ({wall / args.scenarios:.2f} s a scenario), failed {result.failed}")
    print(f"  peak memory: this process {peak_mb():.0f} MB, largest worker {peak_mb(True):.0f} MB")
    print(
        f"  expected waiting {figures.get('expected_waiting')}, CVaR 90 % {figures.get('cvar_90')}"
        f", worst {figures.get('worst_case')}"
    )


def run_hedge(args: argparse.Namespace) -> None:
    instance = allocator.load_instance(INSTANCE)
    table = table_of(instance, args.scenarios, args.commit if args.future_only else 0)
    steps: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(message: str) -> None:
        now = time.perf_counter()
        steps.append((message, now - last[0]))
        last[0] = now

    began = time.perf_counter()
    plan = allocator.solve(
        instance, hedge=table, commit=args.commit, workers=args.workers, progress=progress
    )
    wall = time.perf_counter() - began
    progress("end")
    h = plan.summary["hedge"]
    print(f"hedge: {h['scenarios']} scenarios, K = {args.commit}, {args.workers} workers")
    print(f"  wall {wall:.1f} s, peak memory {peak_mb():.0f} MB (workers {peak_mb(True):.0f} MB)")
    for (message, _), (_, seconds) in itertools.pairwise(steps):
        print(f"    {message}: {seconds:.1f} s")
    print(f"  LP {h['lp']}; bound {h['lp_bound']}, gap {h['gap']}, chosen {h['chosen']}")
    print(f"  hedged {h['plan']}")
    print(f"  plain {h['plain']}")
    print(
        f"  value of hedging {h['value_of_hedging']}, "
        f"value of perfect information {h['value_of_perfect_information']}"
    )
    print("  verify:", allocator.verify(instance, plan) or "ok")


def run_growth(args: argparse.Namespace) -> None:
    instance = allocator.load_instance(INSTANCE)
    print("| scenarios | columns | rows | non-zeros | build | solve | peak memory |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in args.sizes:
        table = read_scenarios(table_of(instance, n), instance)
        began = time.perf_counter()
        lps = [
            build_model(apply_changes(instance, g)[0])
            for _, g in table.groupby("scenario", sort=False)
        ]
        ext = extensive(lps, np.full(len(lps), 1 / len(lps)), args.commit, Risk())
        build = time.perf_counter() - began
        began = time.perf_counter()
        solve_lexicographic(ext.lp, SolveOptions())
        solve = time.perf_counter() - began
        print(
            f"| {n} | {ext.lp.n_cols:,} | {ext.lp.n_rows:,} | {ext.lp.n_nonzeros:,} | "
            f"{build:.1f} s | {solve:.1f} s | {peak_mb():.0f} MB |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=["stress", "hedge", "growth"])
    parser.add_argument("--scenarios", type=int, default=None)
    parser.add_argument("--commit", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument(
        "--future-only",
        action="store_true",
        help="hedge: keep only the scenarios' changes after the committed months",
    )
    args = parser.parse_args()
    if args.scenarios is None:
        args.scenarios = 50 if args.part == "stress" else 10
    {"stress": run_stress, "hedge": run_hedge, "growth": run_growth}[args.part](args)


if __name__ == "__main__":
    main()
