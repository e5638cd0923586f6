"""The validated problem: tables, horizon and categories.

An :class:`Instance` is what every later step reads. It is only ever made by
validation (:func:`allocator.load_instance` from files, or
:meth:`Instance.from_frames` from DataFrames), or by code that builds tables
of exactly the validated types (the generator, a what-if scenario), so its
tables always have the columns and types of ``docs/formats.md``:

- ``nodes``: id, name, kind, region, lat, lon, stock, storage, issue_capacity,
  holding_cost (+ any extra columns, kept as text)
- ``links``: id, from, to, mode, capacity, cost, lead_time (+ extras)
- ``supply``: node, period, quantity
- ``demand``: node, period, category, quantity
- ``capacity``: what, id, period, capacity

Periods are ``YYYY-MM`` strings. Whole-number limits that may be unlimited
(``storage``, ``issue_capacity``, link ``capacity``) are pandas ``Int64`` with
``<NA>`` for "no limit".
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from allocator._atomic import write_folder_atomic
from allocator.instance import schema
from allocator.instance.periods import month_labels, month_number
from allocator.instance.validate import validate_frames


@dataclass(frozen=True, eq=False)
class Instance:
    """A validated instance; build it with :func:`allocator.load_instance` or `from_frames`."""

    name: str
    start: str
    periods: int
    categories: dict[str, float]
    nodes: pd.DataFrame
    links: pd.DataFrame
    supply: pd.DataFrame
    demand: pd.DataFrame
    capacity: pd.DataFrame
    description: str = ""
    source: str | None = None

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_frames(
        cls,
        *,
        name: str,
        start: str,
        periods: int,
        categories: Mapping[str, float],
        nodes: pd.DataFrame,
        links: pd.DataFrame,
        supply: pd.DataFrame | None = None,
        demand: pd.DataFrame | None = None,
        capacity: pd.DataFrame | None = None,
        description: str = "",
    ) -> Instance:
        """Validate DataFrames (columns as in ``formats.md``) into an Instance.

        Raises :class:`allocator.InputError` listing every problem, exactly as
        loading files does.
        """
        fields = validate_frames(
            settings={
                "name": name,
                "start": start,
                "periods": periods,
                "description": description,
            },
            categories=dict(categories),
            frames={
                "nodes": nodes,
                "links": links,
                "supply": supply,
                "demand": demand,
                "capacity": capacity,
            },
            source=None,
        )
        return cls(**fields)

    def replace(self, **changes: object) -> Instance:
        """A copy with some fields replaced (tables are not re-validated)."""
        fields = {
            "name": self.name,
            "start": self.start,
            "periods": self.periods,
            "categories": self.categories,
            "nodes": self.nodes,
            "links": self.links,
            "supply": self.supply,
            "demand": self.demand,
            "capacity": self.capacity,
            "description": self.description,
            "source": self.source,
        }
        fields.update(changes)
        return Instance(**fields)  # type: ignore[arg-type]

    # -- the horizon ----------------------------------------------------------------

    @property
    def months(self) -> list[str]:
        """The horizon's months as ``YYYY-MM``, month 1 first."""
        return month_labels(self.start, self.periods)

    def month_number(self, periods: Iterable[str] | pd.Series) -> np.ndarray:
        """Map ``YYYY-MM`` labels to month numbers 1..P (0 or >P when outside the horizon)."""
        return month_number(self.start, periods)

    def month_label(self, t: int | np.ndarray) -> str | np.ndarray:
        """The ``YYYY-MM`` label of month number ``t`` (1-based); vectorised over arrays."""
        labels = np.array(month_labels(self.start, max(self.periods, 1) + 240), dtype=object)
        if isinstance(t, np.ndarray):
            return labels[t - 1]
        return str(labels[int(t) - 1])

    # -- identity -------------------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        """The instance as canonical file contents (what :func:`write_instance` writes)."""
        out: dict[str, bytes] = {"instance.toml": self._toml().encode()}
        for filename, table in schema.TABLES.items():
            frame: pd.DataFrame = getattr(self, table)
            if filename == "capacity.csv" and frame.empty:
                continue
            buf = io.StringIO()
            frame.to_csv(buf, index=False, lineterminator="\n")
            out[filename] = buf.getvalue().encode()
        return out

    @cached_property
    def sha256(self) -> str:
        """Hash of the canonical files: equal data give equal hashes, folder or workbook."""
        digest = hashlib.sha256()
        for filename, content in sorted(self.files().items()):
            digest.update(filename.encode() + b"\0" + content + b"\0")
        return digest.hexdigest()

    def _toml(self) -> str:
        def q(text: str) -> str:
            return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

        lines = [f"name = {q(self.name)}"]
        if self.description:
            lines.append(f"description = {q(self.description)}")
        lines += [f"start = {q(self.start)}", f"periods = {self.periods}", "", "[categories]"]
        for category, weight in self.categories.items():
            key = category if category.replace("_", "").replace("-", "").isalnum() else q(category)
            lines.append(f"{key} = {float(weight)!r}")
        return "\n".join(lines) + "\n"

    # -- conveniences ----------------------------------------------------------------

    @property
    def offices(self) -> pd.DataFrame:
        """Nodes of kind ``office``."""
        return self.nodes[self.nodes["kind"] == "office"]

    def __repr__(self) -> str:
        return (
            f"Instance({self.name!r}, start={self.start}, periods={self.periods}, "
            f"nodes={len(self.nodes)}, links={len(self.links)}, "
            f"categories={list(self.categories)})"
        )


def write_instance(instance: Instance, folder: str | Path, *, force: bool = False) -> Path:
    """Write an instance as a folder of ``formats.md`` files, atomically."""
    return write_folder_atomic(Path(folder), instance.files(), force=force)
