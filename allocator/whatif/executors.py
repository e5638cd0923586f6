"""Where a batch's scenarios run: local processes or a Dask cluster.

The instance (and a baseline plan) is sent once to each worker, not once per
scenario: to each local process by its initializer, to a Dask cluster with
``client.scatter(..., broadcast=True)``. Processes are started from a clean
fork server, and the caller's script is never run again in them (so a plain
script without a ``__main__`` guard works). Dask is imported only when a
scheduler is given.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import types
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from allocator._version import __version__
from allocator.errors import AllocatorError
from allocator.plan import Plan
from allocator.whatif.task import Shared, Task, crashed, run_scenario

Record = Callable[[dict[str, Any], Plan | None], None]
#: What a worker runs for each task: ``work(shared, task) -> (row, plan or None)``; a
#: module-level function (it is pickled), by default a batch's :func:`run_scenario`.
Work = Callable[[Any, Any], tuple[dict[str, Any], Plan | None]]


# -- local processes ----------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_process(shared: Shared, work: Work = run_scenario) -> None:
    """Initializer of each local worker process: keep the shared data for every task."""
    _WORKER["shared"] = shared
    _WORKER["work"] = work


def _process_task(task: Task) -> tuple[dict[str, Any], Plan | None]:
    work: Work = _WORKER["work"]
    return work(_WORKER["shared"], task)


@contextlib.contextmanager
def _callers_script_not_rerun() -> Iterator[None]:
    """While workers start, hide the caller's script from them.

    A worker started by forkserver (or spawn) runs the caller's ``__main__``
    script again before its first task, so a plain script without an
    ``if __name__ == "__main__":`` guard would start the batch again in every
    worker, which multiprocessing refuses: every scenario then failed as "a
    worker process died". The tasks need only allocator's own modules, so the
    workers are started with a stand-in ``__main__`` that names no file.
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__file__", None) is None:
        yield
        return
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def run_processes(
    n: int,
    shared: Any,
    tasks: list[Any],
    record: Record,
    work: Work = run_scenario,
) -> None:
    """Solve ``tasks`` in ``n`` local processes (forked from a clean fork server).

    Each runs ``work(shared, task)`` (default: a batch's scenario).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["allocator.whatif.task"])
    executor = ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=_init_process, initargs=(shared, work)
    )
    try:
        with _callers_script_not_rerun():  # the workers start as the tasks are submitted
            futures: dict[Future, Any] = {executor.submit(_process_task, t): t for t in tasks}
        for future in as_completed(futures):
            try:
                row, plan = future.result()
            except BrokenProcessPool as error:
                row, plan = crashed(futures[future], f"a worker process died: {error}"), None
            record(row, plan)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


# -- Dask distributed ---------------------------------------------------------------------


def _worker_version() -> str:
    """Run on every Dask worker: the allocator version it imports (this module's, there)."""
    return __version__


def run_dask(
    scheduler: str,
    shared: Any,
    tasks: list[Any],
    record: Record,
    work: Work = run_scenario,
) -> None:
    """Solve ``tasks`` on the Dask cluster at ``scheduler``; the shared data go once per worker.

    Each runs ``work(shared, task)`` (default: a batch's scenario).
    """
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise AllocatorError(
            "--scheduler needs Dask distributed: pip install 'allocator[distributed]'"
        ) from None
    try:
        client = Client(scheduler, timeout=15, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise AllocatorError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    try:
        try:
            versions = client.run(_worker_version)
        except Exception as error:
            raise AllocatorError(
                f"the Dask workers at {scheduler} cannot run allocator ({error}); "
                "install allocator on every worker"
            ) from None
        if not versions:
            raise AllocatorError(f"the Dask cluster at {scheduler} has no workers")
        wrong = sorted({v for v in versions.values() if v != __version__})
        if wrong:
            raise AllocatorError(
                f"the Dask workers run allocator {', '.join(wrong)}, this is "
                f"{__version__}; install the same version everywhere"
            )
        data = client.scatter(shared, broadcast=True, hash=False)
        batch = uuid.uuid4().hex[:8]
        futures = {
            client.submit(work, data, task, key=f"allocator-{batch}-{i}", pure=False): task
            for i, task in enumerate(tasks)
        }
        for future in dask_completed(list(futures), loop=client.loop):
            try:
                row, plan = future.result()
            except Exception as error:  # a lost worker, a task the cluster gave up on
                row, plan = crashed(futures[future], f"{type(error).__name__}: {error}"), None
            record(row, plan)
            future.release()
    finally:
        client.close()
