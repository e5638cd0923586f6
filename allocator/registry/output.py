"""Writing what :func:`~allocator.registry.build_demand` found, completely or not at all."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from allocator._atomic import write_folder_atomic
from allocator.instance import Instance
from allocator.registry.build import RecordDemand
from allocator.registry.nik import CROSSWALK

#: The file beside an instance's tables that says its demand came from records.
QUALITY = "quality.csv"


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


def write_record_demand(result: RecordDemand, folder: str | Path, *, force: bool = False) -> Path:
    """Write ``demand.csv``, ``duplicate_pairs.csv`` and ``quality.csv`` into ``folder``."""
    files = {
        "demand.csv": _csv(result.demand),
        "duplicate_pairs.csv": _csv(result.pairs),
        QUALITY: _csv(result.quality),
    }
    return write_folder_atomic(folder, files, force=force)


def with_record_demand(instance: Instance, result: RecordDemand) -> Instance:
    """The instance with the records' demand in place of its own, validated again."""
    return Instance.from_frames(
        name=instance.name,
        start=instance.start,
        periods=instance.periods,
        categories=instance.categories,
        nodes=instance.nodes,
        links=instance.links,
        supply=instance.supply,
        demand=result.demand,
        capacity=instance.capacity,
        description=instance.description,
    )


def write_instance_copy(
    instance: Instance, result: RecordDemand, folder: str | Path, *, force: bool = False
) -> Path:
    """Write a copy of ``instance`` with the records' demand, ready to solve.

    Its ``quality.csv`` (beside the tables) tells the plan report that the
    demand came from records, and with what quality. The instance's code
    crosswalk (``data/regency_code_crosswalk.csv``) goes with it, so the copy
    accepts the same NIKs as the original.
    """
    copy = with_record_demand(instance, result)
    files: dict[str, bytes | str] = dict(copy.files())
    files[QUALITY] = _csv(result.quality)
    crosswalk = Path(instance.source) / CROSSWALK if instance.source else None
    if crosswalk is not None and crosswalk.is_file():
        files[CROSSWALK.as_posix()] = crosswalk.read_bytes()
    return write_folder_atomic(folder, files, force=force)
