"""One BLAS thread while the engine works: its products are of vectors, never of matrices.

numpy hands every float ``a @ b`` to OpenBLAS, which spreads it over a pool
of threads. For the engine's vectors (tens of thousands of entries) that
buys nothing, and between two products the pool goes to sleep: waking it
made each product cost 1.5-7 ms instead of 20 us (measured here on 33,577
entries), and two batch workers on two cores spent their time in each
other's spinning threads. One scenario of a 514 x 12 batch took 0.50 s with
the pool and 0.29-0.33 s without it, in one process.

:func:`one_blas_thread` holds BLAS to one thread for the duration of a call
and gives the caller's setting back afterwards, so a notebook that embeds
the engine keeps its threads for its own matrices. The command line also
sets the thread counts before numpy is first imported
(:func:`single_threaded_environment`), which covers its worker processes.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from threadpoolctl import threadpool_limits

P = ParamSpec("P")
R = TypeVar("R")

#: The environment variables the BLAS builds numpy ships with read at start-up.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run with BLAS held to one thread (the caller's setting restored after)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return wrapper


def single_threaded_environment() -> None:
    """Ask for one BLAS thread in this process and the ones it starts, unless the user chose.

    Only takes effect before numpy is first imported.
    """
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
