"""The progress line a terminal shows during a long command: exact strings."""

from __future__ import annotations

from allocator.cli.progress import Display, clock


def test_the_clock_reads_minutes_and_seconds() -> None:
    shown = [clock(s) for s in (0, 7.9, 61, 754, 3723)]
    assert shown == ["0:00", "0:07", "1:01", "12:34", "1:02:03"]


def test_the_line_names_step_stage_and_iteration() -> None:
    display = Display("loading the instance...", now=100.0)
    assert display.line(now=100.5) == "0:00 · loading the instance"
    display.say("solving with highs")
    display.stage(1, 2, "waiting")
    display.iteration(1234)
    assert display.line(now=112.0) == (
        "0:12 · solving with highs · stage 1 of 2: waiting · interior point, iteration 1,234"
    )
    display.stage(2, 2, "cost")  # a new stage: its own iterations, none yet
    assert display.line(now=130.0) == "0:30 · solving with highs · stage 2 of 2: cost"
    display.say("writing the plan")
    assert display.line(now=131.0) == "0:31 · writing the plan"
