"""WHAT-IF: scenario tables, checked first, then solved (or re-planned) in batches.

:func:`read_scenarios` checks a table with the same rules as every instance
file; :func:`apply_scenario` gives one scenario's instance; :func:`run_batch`
and :func:`write_batch` solve them all, here, in local processes or on Dask,
after the unchanged ``base`` (:mod:`~allocator.whatif.base`);
:func:`read_results` reads a results folder back.
"""

from allocator.whatif.batch import RESULT_COLUMNS as RESULT_COLUMNS
from allocator.whatif.batch import run_batch as run_batch
from allocator.whatif.batch import write_batch as write_batch
from allocator.whatif.changes import apply_scenario as apply_scenario
from allocator.whatif.results import read_results as read_results
from allocator.whatif.scenarios import read_scenarios as read_scenarios

__all__ = [
    "RESULT_COLUMNS",
    "apply_scenario",
    "read_results",
    "read_scenarios",
    "run_batch",
    "write_batch",
]
