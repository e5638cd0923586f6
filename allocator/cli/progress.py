"""What a terminal shows while a command works: the step, the solver's stage, the time.

One line under a spinner, redrawn a dozen times a second from the state
:class:`Display` keeps: ``0:12 · solving with highs · stage 1 of 2: waiting ·
interior point, iteration 23``. The pipeline names each step
(:meth:`Display.say`); the solver, through :mod:`allocator.solvers.watch`,
names the stage and the interior point's iterations. Shown only when stderr
is a terminal (a log or a pipe gets nothing).
"""

from __future__ import annotations

import time

from rich.text import Text


def clock(seconds: float) -> str:
    """Elapsed time as a person reads it: ``0:07``, ``12:34``, ``1:02:03``.

    >>> clock(7.4), clock(754), clock(3723)
    ('0:07', '12:34', '1:02:03')
    """
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class Display:
    """The state of the progress line; rich renders it afresh at each refresh."""

    def __init__(self, first: str, now: float | None = None) -> None:
        self.began = time.monotonic() if now is None else now
        self.step = first.rstrip(".")
        self.stage_text = ""
        self.iterations: int | None = None

    def say(self, message: str) -> None:
        """A new step of the command starts (the pipeline's progress callback)."""
        self.step = message.rstrip(".")
        self.stage_text = ""
        self.iterations = None

    def stage(self, number: int, of: int, name: str) -> None:
        """The solver starts stage ``number`` of ``of``."""
        self.stage_text = f"stage {number} of {of}: {name}"
        self.iterations = None

    def iteration(self, count: int) -> None:
        """The interior point runs its iteration ``count`` (called from HiGHS's thread)."""
        self.iterations = count

    def line(self, now: float | None = None) -> str:
        """The progress line as plain text."""
        elapsed = (time.monotonic() if now is None else now) - self.began
        parts = [clock(elapsed), self.step]  # the time first: a narrow terminal cuts the end
        if self.stage_text:
            parts.append(self.stage_text)
        if self.iterations is not None:
            parts.append(f"interior point, iteration {self.iterations:,}")
        return " · ".join(parts)

    def __rich__(self) -> Text:
        return Text(self.line())
