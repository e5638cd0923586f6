"""Where the tests' data are, for every test module (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import allocator

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
#: The hand-worked instances, each with its optimum derived in its README.
TEACHING = ["tiny", "lead-time", "print-capacity", "sea-or-air"]
TINY = INSTANCES / "tiny"
INDONESIA = INSTANCES / "indonesia-2017"

#: The named instances, each with its solved plan, as the ``teaching`` fixture gives them.
Solved = dict[str, tuple["allocator.Instance", "allocator.Plan"]]
