"""A watcher set around a solve hears each stage and the interior point's iterations."""

from __future__ import annotations

import allocator
from allocator.solvers.watch import current_watcher, watching


class Recorder:
    def __init__(self) -> None:
        self.stages: list[tuple[int, int, str]] = []
        self.iterations: list[int] = []

    def stage(self, number: int, of: int, name: str) -> None:
        self.stages.append((number, of, name))

    def iteration(self, count: int) -> None:
        self.iterations.append(count)


def test_a_highs_solve_tells_its_stages_and_iterations() -> None:
    instance = allocator.generate_instance(60, 6, seed=3)
    recorder = Recorder()
    with watching(recorder):
        plan = allocator.solve(instance, solver="highs", method="ipx")
    assert current_watcher() is None
    assert recorder.stages == [(1, 2, "waiting"), (2, 2, "cost")]
    assert recorder.iterations and recorder.iterations[0] == 1
    assert recorder.iterations == sorted(recorder.iterations)
    assert max(recorder.iterations) == plan.summary["solver"]["stages"][0]["iterations"]["ipm"]


def test_the_network_path_tells_its_stages() -> None:
    recorder = Recorder()
    with watching(recorder):
        plan = allocator.solve(allocator.generate_instance(60, 6, seed=3), solver="network")
    assert recorder.stages == [(1, 2, "waiting"), (2, 2, "cost")]
    assert recorder.iterations == []  # a min-cost flow has no interior point
    assert plan.summary["status"] == "optimal"


def test_without_a_watcher_nothing_is_told() -> None:
    assert current_watcher() is None
    plan = allocator.solve(allocator.generate_instance(20, 3, seed=1))
    assert plan.summary["status"] == "optimal"
