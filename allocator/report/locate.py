"""Finding the instance a plan was made for, for the report's map.

A plan records its instance's name, sha256 and the path it was loaded from
(``summary.instance``); a re-plan holds its instance in ``instance/``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from allocator.errors import InputError
from allocator.instance import Instance, load_instance


def locate_instance(
    summary: dict[str, Any],
    plan_folder: str | Path,
    instance: Instance | str | Path | None = None,
) -> tuple[Instance | None, str | None]:
    """The instance a plan names, and a note for the page (``None`` when all is well).

    An explicit ``instance`` (an Instance or a path) is used as given; a path
    that cannot be loaded raises :class:`InputError`. Otherwise a relative
    ``summary.instance.source`` is looked for in the plan folder, the working
    directory, then each folder above the plan folder; a plan that records no
    source but holds an ``instance/`` folder (a re-plan) uses that. A plan
    whose instance is not found, or no longer loads, gets no map, and the note
    says why.
    """
    recorded = summary.get("instance", {})
    if isinstance(instance, Instance):
        return instance, None
    if instance is not None:
        found = load_instance(instance)
        return found, _hash_note(found, recorded, str(instance))
    source = recorded.get("source")
    here = Path(plan_folder).resolve()
    if not source:
        if (here / "instance").is_dir():  # a re-plan keeps its instance inside the plan
            source = "instance"
        else:
            return None, "the plan does not record where its instance was loaded from"
    candidates = [Path(source)]
    if not Path(source).is_absolute():
        candidates = [here / source, Path(source), *(folder / source for folder in here.parents)]
    path = next((c for c in candidates if c.exists()), None)
    if path is None:
        return None, (
            f"its instance '{source}' was not found (looked in the plan folder, the working "
            "directory and the folders above the plan); pass it with --instance"
        )
    try:
        found = load_instance(path)
    except InputError as exc:
        return None, f"its instance at {path} could not be loaded: {exc.problems[0]}"
    return found, _hash_note(found, recorded, os.path.relpath(path))


def _hash_note(found: Instance, recorded: dict[str, Any], where: str) -> str | None:
    made = recorded.get("sha256")
    if made and found.sha256 != made:
        return (
            f"the instance at {where} has changed since this plan was made (sha256 "
            f"{found.sha256[:12]}..., the plan's {made[:12]}...): the map shows its current "
            "nodes and links"
        )
    return None
