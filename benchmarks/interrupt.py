"""Benchmark: how long ``allocator solve`` takes to stop after Ctrl-C or SIGTERM, and time limits.

Generates a 2,000 x 24 instance, starts ``allocator solve`` on it, sends the
signal after each of a few delays (so that it lands in Python's start-up, the
imports, loading, building, the PuLP model and stage 1), and reports the exit
code, the seconds from the signal to the exit and the last line printed.
Then runs ``allocator.solve`` with a few time limits and reports how long each
call took in all.

    python benchmarks/interrupt.py
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import allocator


def stop_after(instance: Path, sig: signal.Signals, delay: float) -> tuple[int, float, str]:
    """Exit code, seconds from the signal to the exit, and the last line on stderr."""
    with tempfile.TemporaryDirectory() as tmp:
        process = subprocess.Popen(
            [sys.executable, "-c", "from allocator.cli import main; main()", "solve",
             str(instance), "-o", str(Path(tmp) / "plan")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        time.sleep(delay)
        began = time.perf_counter()
        process.send_signal(sig)
        _, err = process.communicate()
        last = (err.strip().splitlines() or [""])[-1]
        return process.returncode, time.perf_counter() - began, last


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "instance"
        allocator.write_instance(allocator.generate_instance(2000, 24, seed=1), folder)
        for sig in (signal.SIGINT, signal.SIGTERM):
            # The first delays land in Python's start-up and in the imports (issue 14).
            for delay in (0.05, 0.15, 0.3, 0.6, 1, 3, 6, 12, 20):
                code, seconds, last = stop_after(folder, sig, delay)
                print(f"{sig.name} after {delay:>4} s: exit {code} in {seconds:.2f} s: {last}")
        for limit in (2, 5, 10, 20):
            began = time.perf_counter()
            try:
                allocator.solve(folder, time_limit=limit)
                outcome = "solved"
            except allocator.SolveError as error:
                outcome = str(error).split(",")[0]
            print(f"time limit {limit:>2} s: {time.perf_counter() - began:.2f} s ({outcome})")


if __name__ == "__main__":
    main()
