"""The engine holds BLAS to one thread while it works and gives the caller's setting back."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import allocator
from allocator._threads import one_blas_thread


def blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


def test_a_solve_runs_on_one_blas_thread_and_the_callers_threads_come_back(
    tiny_instance: allocator.Instance,
) -> None:
    seen: list[set[int]] = []
    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        allocator.solve(tiny_instance, progress=lambda _step: seen.append(blas_threads()))
        assert blas_threads() == before == {2}
    assert seen and all(threads == {1} for threads in seen)


def test_one_blas_thread_restores_the_setting_when_the_call_fails() -> None:
    @one_blas_thread
    def fails() -> None:
        assert blas_threads() == {1}
        raise ValueError("inside")

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        with pytest.raises(ValueError, match="inside"):
            fails()
        assert blas_threads() == before


def test_the_command_line_starts_numpy_with_one_blas_thread_unless_the_user_chose() -> None:
    script = (
        "import sys; sys.argv = ['allocator', '--help']\n"
        "from allocator._threads import single_threaded_environment\n"
        "single_threaded_environment()\n"
        "import numpy, os\n"
        "from threadpoolctl import threadpool_info\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], "
        "[p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'])\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", script], env=clean, capture_output=True, text=True)
    assert out.stdout.strip() == "1 [1]"
    chosen = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "OPENBLAS_NUM_THREADS": "2"},
        capture_output=True,
        text=True,
    )
    assert chosen.stdout.strip() == "2 [2]"
