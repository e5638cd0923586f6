"""Watching a solve as it runs: which stage, and how far HiGHS's interior point has gone.

A caller that shows progress (the CLI on a terminal) sets a :class:`Watcher`
with :func:`watching` around a solve; the stage loop tells it each stage it
starts and the HiGHS adapter each interior-point iteration (from HiGHS's own
callback, in HiGHS's thread: a watcher only records, it never blocks). With
no watcher set, nothing is called and the solve runs as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Protocol


class Watcher(Protocol):
    """What a progress display hears from the solver."""

    def stage(self, number: int, of: int, name: str) -> None:
        """Stage ``number`` of ``of`` (``name``: waiting, cost, ...) starts."""

    def iteration(self, count: int) -> None:
        """The interior point runs its iteration ``count`` (from 1) of the running stage."""


_WATCHER: ContextVar[Watcher | None] = ContextVar("allocator_solver_watcher", default=None)


@contextlib.contextmanager
def watching(watcher: Watcher | None) -> Iterator[None]:
    """Tell ``watcher`` about every solve run inside the ``with`` block."""
    token = _WATCHER.set(watcher)
    try:
        yield
    finally:
        _WATCHER.reset(token)


def current_watcher() -> Watcher | None:
    """The watcher set by :func:`watching`, if any."""
    return _WATCHER.get()
