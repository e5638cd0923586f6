"""A batch runs from a plain script, one without ``if __name__ == "__main__":`` (issue 10).

Before, every worker process ran the caller's script again, multiprocessing
refused the nested start, and every scenario came back "a worker process
died" with exit 0.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import TINY

SCRIPT = """\
import allocator
print("the script runs")
table = allocator.run_batch({tiny!r}, {scenarios!r}, workers=2)
print(table[["scenario", "status", "waiting"]].to_csv(index=False), end="")
"""


def test_run_batch_with_processes_from_a_script_without_a_main_guard(tmp_path: Path) -> None:
    scenarios = tmp_path / "what-if.csv"
    scenarios.write_text(
        "scenario,change,target,period,value\n"  # base, the first row, comes by itself
        "april-late,supply_delay,VENDOR,2017-04,1\n"
        "half,supply_scale,*,,0.5\n"
    )
    script = tmp_path / "plain.py"
    script.write_text(SCRIPT.format(tiny=str(TINY), scenarios=str(scenarios)))
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    # The script ran once (not again in each worker), and every scenario was solved:
    # tiny's W* = 25; April's tranche a month late W = 45 (tests/whatif/test_batch.py).
    assert done.stdout.splitlines()[0] == "the script runs"
    assert done.stdout.count("the script runs") == 1
    rows = done.stdout.splitlines()[1:]
    assert rows[0] == "scenario,status,waiting"
    assert rows[1:3] == ["base,optimal,25.0", "april-late,optimal,45.0"]
    assert rows[3].startswith("half,optimal,")
