"""The command line starts fast and stops cleanly even while Python still imports.

``allocator --help`` imports neither the solver nor pandas (measured in
benchmarks/startup.py, not timed here). A signal in the first half second,
while the engine is being imported, ends the run with the same exit code and
one line as a signal during the solve.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import INDONESIA

HEAVY = ("pandas", "numpy", "networkx", "highspy", "pulp", "matplotlib", "openpyxl")


@pytest.mark.parametrize(
    "command", [[], ["solve"], ["report"], ["batch"], ["explain"], ["dispatch"]]
)
def test_help_imports_no_heavy_package(command: list[str]) -> None:
    probe = (
        "import sys\n"
        "from allocator.cli import main\n"
        f"sys.argv = ['allocator', *{command!r}, '--help']\n"
        "try:\n    main()\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_import_allocator_is_light_and_names_still_resolve() -> None:
    probe = (
        "import sys, allocator\n"
        "print(sorted(m for m in ('pandas', 'highspy', 'pulp') if m in sys.modules))\n"
        "from allocator import solve\n"
        "print(callable(solve), all(hasattr(allocator, n) for n in allocator.__all__))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True True"]


@pytest.mark.parametrize(
    ("sig", "code", "line"),
    [
        (signal.SIGINT, 130, "interrupted: nothing was written"),
        (signal.SIGTERM, 143, "terminated: nothing was written"),
    ],
)
def test_a_signal_while_importing_exits_with_the_usual_line(
    tmp_path: Path, sig: signal.Signals, code: int, line: str
) -> None:
    plan = tmp_path / "plan"
    process = subprocess.Popen(
        [sys.executable, "-c", "from allocator.cli import main; main()",
         "solve", str(INDONESIA), "-o", str(plan)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    # The moment main() has installed its SIGTERM handler (Linux shows it in SigCgt), it
    # goes on to import Typer and the engine: the signal lands in those imports.
    handled = 1 << (signal.SIGTERM - 1)
    status = Path(f"/proc/{process.pid}/status")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        caught = next(x for x in status.read_text().splitlines() if x.startswith("SigCgt:"))
        if int(caught.split()[1], 16) & handled:
            break
        time.sleep(0.002)
    assert process.poll() is None
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code
    assert err.strip().splitlines() == [line]
    assert not plan.exists()


def test_the_signal_handlers_wait_for_main() -> None:
    """Importing the CLI (as the tests and a script do) leaves SIGTERM to its default."""
    probe = (
        "import signal, allocator.cli; print(signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "True"
