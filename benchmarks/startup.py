"""Benchmark: how long ``allocator --help`` and each command's ``--help`` take to answer.

Each figure is the median wall-clock time of several fresh processes running
the installed console script (Python's own start-up included), so it is what a
person waits for at the prompt.

    python benchmarks/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = [
    "", "solve", "replan", "verify", "report", "batch", "explain", "validate", "info", "generate",
    "dispatch",
]  # fmt: skip


def seconds(argv: list[str], runs: int) -> tuple[float, float]:
    """The median wall-clock and CPU (user + system) seconds of ``runs`` processes of ``argv``.

    The CPU time is what the process itself spent, so it moves less than the
    wall clock when other work shares the machine.
    """
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="processes per command")
    runs = parser.parse_args().runs
    script = shutil.which("allocator") or sys.exit("the allocator console script is not on PATH")
    print(f"median of {runs} processes: wall-clock s, CPU s")
    wall, cpu = seconds([sys.executable, "-c", "pass"], runs)
    print(f"python -c pass: {wall:.3f}, {cpu:.3f}")
    for command in COMMANDS:
        wall, cpu = seconds([script, *([command] if command else []), "--help"], runs)
        print(f"allocator {command + ' ' if command else ''}--help: {wall:.3f}, {cpu:.3f}")


if __name__ == "__main__":
    main()
