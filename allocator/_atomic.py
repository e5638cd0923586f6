"""Writing folders completely or not at all.

A plan (or an instance) is written into a temporary folder beside the target
and renamed into place, so a failed run never leaves a half-written folder and
an existing folder is replaced only when the caller asks for it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from allocator.errors import PlanExistsError


def write_folder_atomic(
    folder: str | Path, files: Mapping[str, bytes | str], *, force: bool = False
) -> Path:
    """Write ``files`` (relative path -> content) as ``folder``, atomically.

    Raises :class:`PlanExistsError` if ``folder`` exists and ``force`` is false.
    """
    target = Path(folder)
    if target.exists() and not force:
        raise PlanExistsError(f"{target} already exists; use --force to replace it")
    if target.exists() and not target.is_dir():
        raise PlanExistsError(f"{target} exists and is not a folder")
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        for relative, content in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode() if isinstance(content, str) else content
            path.write_bytes(data)
        os.chmod(staging, 0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.rename(target, old)
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def refuse_existing(folder: str | Path, *, force: bool = False) -> None:
    """Fail early, before any work, if ``folder`` exists and may not be replaced."""
    target = Path(folder)
    if target.exists() and not force:
        raise PlanExistsError(f"{target} already exists; use --force to replace it")


def write_file_atomic(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write one file completely or not at all; refuse an existing file unless ``force``."""
    target = Path(path)
    if target.exists() and not force:
        raise PlanExistsError(f"{target} already exists; use --force to replace it")
    if target.is_dir():
        raise PlanExistsError(f"{target} is a folder, not a file")
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(staging, 0o644)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    return target
