"""Demand from registration records: invalid NIKs and duplicate people removed.

:func:`build_demand` reads a registration file (one row per person record),
checks each NIK, finds exact duplicates, conflicts and probable pairs, and
counts what is left as demand in the instance format;
:func:`write_record_demand` writes ``demand.csv``, ``duplicate_pairs.csv``
and ``quality.csv``. :func:`generate_registrations` writes synthetic records
with a known answer key.
"""

from allocator.registry.build import RecordDemand, build_demand
from allocator.registry.generate import generate_registrations, write_registrations
from allocator.registry.output import write_instance_copy, write_record_demand

__all__ = [
    "RecordDemand",
    "build_demand",
    "generate_registrations",
    "write_instance_copy",
    "write_record_demand",
    "write_registrations",
]
