"""The ``allocator`` command line: a thin layer over the Python API, one call per command.

Commands live by subject (:mod:`~allocator.cli.plans`, :mod:`~allocator.cli.instances`,
:mod:`~allocator.cli.batch`, :mod:`~allocator.cli.explaining`,
:mod:`~allocator.cli.dispatching`) on the one Typer :data:`app`
of :mod:`~allocator.cli.app`;
:mod:`~allocator.cli.console` prints what they return.
"""

from allocator.cli import batch as batch
from allocator.cli import dispatching as dispatching
from allocator.cli import explaining as explaining
from allocator.cli import hedging as hedging
from allocator.cli import instances as instances
from allocator.cli import plans as plans
from allocator.cli.app import app as app
from allocator.cli.app import install_signal_handlers


def main() -> None:
    """Entry point of the ``allocator`` console script."""
    install_signal_handlers()
    app()


__all__ = ["app", "main"]
