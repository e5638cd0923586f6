"""The ``allocator`` command line: a thin layer over the Python API, one call per command.

Commands live by subject (:mod:`~allocator.cli.plans`, :mod:`~allocator.cli.instances`,
:mod:`~allocator.cli.batch`, :mod:`~allocator.cli.explaining`,
:mod:`~allocator.cli.dispatching`) on the one Typer :data:`app`
of :mod:`~allocator.cli.app`;
:mod:`~allocator.cli.console` prints what they return.

This module imports nothing heavy: :func:`main` first installs the signal
handlers, then imports Typer, rich and the commands, so that Ctrl-C or SIGTERM
while Python imports stops the run as cleanly as later.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from allocator._threads import single_threaded_environment
from allocator.cli.stopping import install_signal_handlers, stopped, untold

if TYPE_CHECKING:
    import typer


def _app() -> typer.Typer:
    """The Typer app with every command on it."""
    # In the order --help lists the commands: a planner's day, from the instance
    # to its plan, its explanation and dispatch lists, then what-ifs and records.
    from allocator.cli import instances, plans  # noqa: F401, I001
    from allocator.cli import explaining, dispatching  # noqa: F401
    from allocator.cli import batch, hedging, registry  # noqa: F401
    from allocator.cli.app import app

    return app


class _Package(types.ModuleType):
    """``allocator.cli.app`` is the Typer app, imported on first use.

    The import system names each submodule on its package once loaded, so it
    would set ``allocator.cli.app`` to the module ``app.py``; the setter keeps
    the attribute the Typer app (the module stays ``sys.modules["allocator.cli.app"]``).
    """

    @property
    def app(self) -> typer.Typer:
        return _app()

    @app.setter
    def app(self, _value: object) -> None:
        pass


sys.modules[__name__].__class__ = _Package


def main() -> None:
    """Entry point of the ``allocator`` console script."""
    install_signal_handlers()
    single_threaded_environment()  # before numpy is imported (allocator/_threads.py)
    try:
        _app()()
    except KeyboardInterrupt as exc:  # while importing, before a command could catch it
        _say_stopped(stopped(exc))
    except SystemExit:
        # Typer turns a Ctrl-C outside a command's error handling into a silent exit 130.
        if untold():
            _say_stopped(stopped())
        raise


def _say_stopped(stop: tuple[int, str]) -> None:
    code, message = stop
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


__all__ = ["app", "main"]
