"""The ``allocator`` Typer app, and what its commands share: options, errors, consoles.

Exit codes: 0 done; 2 the input or the command line is wrong (the message says
what and where); 1 anything else (a solver time limit, a plan that fails
verification, an internal error).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from allocator.cli import console as show
from allocator.cli.stopping import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from allocator.cli.stopping import EXIT_TERMINATED as EXIT_TERMINATED
from allocator.cli.stopping import Terminated as Terminated
from allocator.cli.stopping import stopped, told
from allocator.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    AllocatorError,
    InputError,
    Problem,
    VerificationError,
)

if TYPE_CHECKING:
    from allocator.solvers import SolveOptions

app = typer.Typer(
    name="allocator",
    help="Plan how scarce cards reach the people waiting for them: as few people as "
    "possible wait as short a time as possible, at least cost.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from allocator._version import __version__
        from allocator.solvers import highs_version

        typer.echo(f"allocator {__version__} (HiGHS {highs_version()})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Plan how scarce cards reach the people waiting for them: as few people as possible
    wait as short a time as possible, at least cost."""


class SolverName(StrEnum):
    auto = "auto"
    network = "network"
    highs = "highs"
    cbc = "cbc"


class Method(StrEnum):
    auto = "auto"
    hipo = "hipo"
    ipx = "ipx"
    simplex = "simplex"


def out() -> Console:
    # soft_wrap: a message with a long path stays on one line, for people and for grep.
    return Console(highlight=False, soft_wrap=True)


def err() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


@contextlib.contextmanager
def errors(as_json: bool = False) -> Iterator[None]:
    """Turn the engine's errors into messages and exit codes, never a traceback.

    With ``as_json`` the error also goes to stdout as one JSON object,
    ``{"ok": false, "exit_code": N, "message": "...", "problems": [{"file",
    "row", "column", "message"}]}``, for scripts.
    """
    try:
        yield
    except InputError as exc:
        show.problems(err(), exc.problems, "input error")
        _json_failure(as_json, EXIT_BAD_INPUT, "input error", exc.problems)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except VerificationError as exc:
        console = err()
        console.print(f"[bold red]error[/]: {exc.message}", highlight=False)
        for problem in exc.problems:
            console.print(f"  {problem}", markup=False, highlight=False)
        plain = [Problem("plan", None, None, p) for p in exc.problems]
        _json_failure(as_json, exc.exit_code, exc.message, plain)
        raise typer.Exit(exc.exit_code) from None
    except AllocatorError as exc:
        err().print(f"[bold red]error[/]: {exc}")
        _json_failure(as_json, exc.exit_code, str(exc), [])
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as Terminated
        code, message = stopped(exc)
        word, rest = message.split(":", 1)
        err().print(f"[bold red]{word}[/]:{rest}")
        told()
        _json_failure(as_json, code, message, [])
        raise typer.Exit(code) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:  # pragma: no cover - the last line of defence
        if os.environ.get("ALLOCATOR_DEBUG"):
            raise
        err().print(
            f"[bold red]internal error[/]: {type(exc).__name__}: {exc}\n"
            "Set ALLOCATOR_DEBUG=1 to see the traceback, and please report it."
        )
        _json_failure(as_json, EXIT_FAILURE, f"internal error: {type(exc).__name__}: {exc}", [])
        raise typer.Exit(EXIT_FAILURE) from None


def _json_failure(as_json: bool, code: int, message: str, problems: list[Problem]) -> None:
    """The error as one JSON object on stdout, when ``--json`` asked for JSON."""
    if not as_json:
        return
    listed = [
        {"file": p.file, "row": p.row, "column": p.column, "message": p.message} for p in problems
    ]
    failure = {"ok": False, "exit_code": code, "message": message, "problems": listed}
    sys.stdout.write(json.dumps(failure, ensure_ascii=False) + "\n")


@contextlib.contextmanager
def status(enabled: bool, first: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the current step, the solver's stage and the time.

    Only when ``enabled`` (not quiet) and stderr is a terminal; otherwise the
    callable it yields does nothing.
    """
    console = err()
    if not enabled or not console.is_terminal:
        yield lambda _message: None
        return
    from allocator.cli.progress import Display
    from allocator.solvers.watch import watching

    display = Display(first)
    with console.status(display), watching(display):
        yield display.say


def option(*param_decls: str, **kwargs: Any) -> Any:
    """A Typer option that never names an environment variable it does not have.

    Click 8.2 adds " (env var: 'None')" to the error of every option whose
    ``show_envvar`` is set, which Typer sets by default: a mistyped
    ``--solver netwrok`` would read "Invalid value for '--solver' (env var:
    'None')". No option of this command line reads the environment.
    """
    return typer.Option(*param_decls, show_envvar=False, **kwargs)


InstancePath = Annotated[
    Path,
    typer.Argument(
        help="Instance folder (instance.toml, nodes.csv, ...) or .xlsx workbook.",
        show_default=False,
    ),
]

# Options shared by several commands, declared once.
SolverOption = Annotated[
    SolverName,
    option(
        help="LP solver: auto (min-cost flow, LEMON, wherever the LP is a network; "
        "else HiGHS), network (the same), highs or cbc."
    ),
]
MethodOption = Annotated[
    Method,
    option(
        help="HiGHS method for the first stage: auto is HiPO (interior point) where "
        "highspy-extras is installed, else IPX; both end with crossover."
    ),
]
TimeLimitOption = Annotated[
    float | None,
    option("--time-limit", min=0, help="Seconds for the whole solve; no plan if reached."),
]
ForceOption = Annotated[bool, option("--force", help="Replace the output if it exists.")]
QuietOption = Annotated[bool, option("--quiet", "-q", help="Print nothing but errors.")]
JsonOption = Annotated[bool, option("--json", help="Print the plan summary as JSON on stdout.")]
ReportOption = Annotated[
    bool, option("--report", help="Also write report.html (see `allocator report`).")
]
ExplainOption = Annotated[
    bool,
    option(
        "--explain",
        help="Also explain the plan (see `allocator explain`): marginal_values.csv, "
        "shortfalls.csv, pegging.csv, and the roll-up in summary.json and the report.",
    ),
]
WorkersOption = Annotated[
    int | None,
    option(
        "--workers",
        min=1,
        help="Scenarios at a time in local processes (default: the number of cores).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    option(
        "--scheduler",
        help="Run the scenarios on the Dask cluster at tcp://HOST:PORT instead of local processes.",
    ),
]
FormatsOption = Annotated[
    list[str] | None,
    option(
        "--format",
        help="Also write the plan in this format: xlsx writes plan.xlsx (one sheet per "
        "table). Repeat or comma-separate.",
    ),
]


def solve_options(solver: SolverName, method: Method, time_limit: float | None) -> SolveOptions:
    """The command line's solver options as one :class:`~allocator.SolveOptions`."""
    from allocator.solvers import SolveOptions

    return SolveOptions(solver=solver.value, method=method.value, time_limit=time_limit)
