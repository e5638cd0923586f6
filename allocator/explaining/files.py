"""Writing an explanation: into its plan folder (with the roll-up in ``summary.json``) or a folder.

Either way all or nothing: the plan folder is written again as a whole, with
the explanation's files added, and renamed into place
(:func:`~allocator._atomic.write_folder_atomic`); an explanation already in
it is replaced only with ``force``.
"""

from __future__ import annotations

import json
from pathlib import Path

from allocator._atomic import write_folder_atomic
from allocator.errors import PlanExistsError
from allocator.explaining.run import FILES, Explanation
from allocator.plan.core import summary_json

SUMMARY = "explain.json"


def write_explanation(
    explanation: Explanation,
    plan_folder: str | Path,
    output: str | Path | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write the explanation into ``plan_folder``, or into the new folder ``output``.

    In the plan folder its roll-up becomes ``summary.json``'s ``explain``
    (what the report shows); in ``output`` it is ``explain.json``.
    """
    files = explanation.files()
    if output is not None:
        files[SUMMARY] = summary_json(explanation.summary)
        return write_folder_atomic(output, files, force=force)
    root = Path(plan_folder)
    there = [name for name in FILES if (root / name).exists()]
    if there and not force:
        raise PlanExistsError(
            f"{root} already holds an explanation ({', '.join(there)}); use --force to replace it"
        )
    kept = {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
    summary = json.loads(kept.get("summary.json", b"{}").decode("utf-8-sig") or "{}")
    summary["explain"] = explanation.summary
    kept.update(files)
    kept["summary.json"] = summary_json(summary)
    return write_folder_atomic(root, kept, force=True)
