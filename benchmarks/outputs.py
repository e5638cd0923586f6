"""Benchmark: what the planner's outputs cost on ``indonesia-2017``: plan.xlsx and dispatch lists.

Solves the instance once, then times, ``--repeats`` times each,
``plan_xlsx_bytes`` (the workbook with names, filters, month dates, full stock
and one dispatch sheet per month) and ``write_dispatch`` (every sender and
month: CSV files and one printable page each). Prints a Markdown table.

    python benchmarks/outputs.py                 # 3 repeats
    python benchmarks/outputs.py --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import allocator
from allocator.plan.xlsx import plan_xlsx_bytes
from allocator.report.dispatch_page import write_dispatch

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time the outputs and print one Markdown row per output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    inst = allocator.load_instance(ROOT / "instances" / "indonesia-2017")
    plan = allocator.solve(inst)
    times: dict[str, list[float]] = {"plan.xlsx": [], "dispatch (every sender and month)": []}
    size = pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            began = time.perf_counter()
            size = len(plan_xlsx_bytes(plan, inst))
            times["plan.xlsx"].append(time.perf_counter() - began)
            began = time.perf_counter()
            _, lists = write_dispatch(plan, Path(tmp) / f"d{i}", instance=inst)
            times["dispatch (every sender and month)"].append(time.perf_counter() - began)
            pages = len(lists.totals)
    print(f"plan.xlsx {size / 1024:,.0f} KB; {pages:,} dispatch pages\n")
    print("| output | " + " | ".join(f"run {i + 1}" for i in range(args.repeats)) + " | median |")
    print("| --- |" + " ---: |" * (args.repeats + 1))
    for name, values in times.items():
        cells = " | ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {cells} | {statistics.median(values):.2f} |")


if __name__ == "__main__":
    main()
