"""Finding the instance a plan was made for, for the report's map.

A plan records its instance's name, sha256 and the path it was loaded from
(``summary.instance``); a re-plan holds its instance in ``instance/``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from allocator.errors import InputError
from allocator.instance import Instance, load_instance


@dataclass(frozen=True)
class Located:
    """The instance a plan names, where it was found, or why it was not (``instance`` None)."""

    instance: Instance | None
    where: str | None
    note: str | None
    explicit: bool = False  # given by the caller (--instance), not found from the plan


def locate_instance(
    summary: dict[str, Any],
    plan_folder: str | Path | None,
    instance: Instance | str | Path | None = None,
) -> Located:
    """The instance a plan names (see :class:`Located`).

    An explicit ``instance`` (an Instance or a path) is used as given; a path
    that cannot be loaded raises :class:`InputError`. Otherwise a relative
    ``summary.instance.source`` is looked for in the plan folder, the working
    directory, then each folder above the plan folder; a plan that records no
    source but holds an ``instance/`` folder (a re-plan) uses that. Whether
    the instance found is the plan's own is for :mod:`allocator.report.check`.
    """
    recorded = summary.get("instance", {})
    if isinstance(instance, Instance):
        return Located(instance, instance.source or "the instance given", None, explicit=True)
    if instance is not None:
        return Located(load_instance(instance), str(instance), None, explicit=True)
    source = recorded.get("source")
    here = Path(plan_folder if plan_folder is not None else ".").resolve()
    if not source:
        if (here / "instance").is_dir():  # a re-plan keeps its instance inside the plan
            source = "instance"
        else:
            return Located(
                None, None, "the plan does not record where its instance was loaded from"
            )
    candidates = [Path(source)]
    if not Path(source).is_absolute():
        candidates = [here / source, Path(source), *(folder / source for folder in here.parents)]
    path = next((c for c in candidates if c.exists()), None)
    if path is None:
        return Located(
            None,
            None,
            f"its instance '{source}' was not found (looked in the plan folder, the working "
            "directory and the folders above the plan); pass it with --instance",
        )
    try:
        found = load_instance(path)
    except InputError as exc:
        return Located(
            None, str(path), f"its instance at {path} could not be loaded: {exc.problems[0]}"
        )
    return Located(found, os.path.relpath(path), None)
