"""Where the tests' data are, for every test module (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
#: The hand-worked instances, each with its optimum derived in its README.
TEACHING = ["tiny", "lead-time", "print-capacity", "sea-or-air"]
TINY = INSTANCES / "tiny"
INDONESIA = INSTANCES / "indonesia-2017"
