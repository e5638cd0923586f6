"""How a run stops on Ctrl-C (SIGINT) or SIGTERM, from its first import to its last write.

Imports nothing but :mod:`signal`, so that :func:`~allocator.cli.main` can install
the handlers before it imports Typer, rich or the engine: a signal that lands
while Python imports still ends with exit 130 or 143 and the one line that a
signal later in the run prints, never a traceback.
"""

from __future__ import annotations

import signal

#: Exit codes of a run stopped by Ctrl-C (SIGINT) and by SIGTERM, as shells report them.
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it unwinds exactly as Ctrl-C does."""


# The last signal received, and whether its message was printed already.
_state: dict[str, object] = {"signal": None, "told": False}


def _on_sigint(_signum: int, _frame: object) -> None:
    _state["signal"] = signal.SIGINT
    raise KeyboardInterrupt()


def _on_sigterm(_signum: int, _frame: object) -> None:
    _state["signal"] = signal.SIGTERM
    raise Terminated()


def install_signal_handlers() -> None:
    """Make SIGTERM stop a run the way Ctrl-C does: solver stopped, nothing written."""
    signal.signal(signal.SIGINT, _on_sigint)
    signal.signal(signal.SIGTERM, _on_sigterm)


def stopped(exc: BaseException | None = None) -> tuple[int, str]:
    """The exit code and message of a run stopped by ``exc`` (or by the last signal)."""
    terminated = isinstance(exc, Terminated) or (exc is None and _state["signal"] is signal.SIGTERM)
    if terminated:
        return EXIT_TERMINATED, "terminated: nothing was written"
    return EXIT_INTERRUPTED, "interrupted: nothing was written"


def told() -> None:
    """Note that the stop's message has been printed (so that main does not repeat it)."""
    _state["told"] = True


def untold() -> bool:
    """Whether a signal stopped the run and no one has said so yet."""
    return _state["signal"] is not None and not _state["told"]
