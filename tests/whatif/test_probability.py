"""The optional ``probability`` column of a what-if table: one value per scenario, adding up to 1.

Read through the one boundary (the number rule of instance files and one
:class:`~allocator.instance.problems.Collector`): every bad cell is reported
at once with its row and column.
"""

from __future__ import annotations

import pandas as pd
import pytest

import allocator
from allocator.whatif.scenarios import probabilities

COLUMNS = ["scenario", "change", "target", "period", "value", "probability"]


def _table(*probability: str) -> pd.DataFrame:
    rows = [
        ["on-time", "supply_delay", "VENDOR", "2017-04", "0", probability[0]],
        ["late", "supply_delay", "VENDOR", "2017-04", "1", probability[1]],
        ["late", "supply_scale", "VENDOR", "2017-03", "1", probability[2]],
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _problems(tiny_instance: allocator.Instance, table: pd.DataFrame) -> list[str]:
    with pytest.raises(allocator.InputError) as raised:
        allocator.read_scenarios(table, tiny_instance)
    return [str(p) for p in raised.value.problems]


def test_given_once_per_scenario(tiny_instance: allocator.Instance) -> None:
    table = allocator.read_scenarios(_table("0.25", "0.75", ""), tiny_instance)
    assert probabilities(table) == {"on-time": 0.25, "late": 0.75}


def test_absent_means_equal_weights(tiny_instance: allocator.Instance) -> None:
    table = allocator.read_scenarios(_table("", "", ""), tiny_instance)
    assert probabilities(table) == {"on-time": 0.5, "late": 0.5}
    plain = allocator.read_scenarios(_table("", "", "").drop(columns="probability"), tiny_instance)
    assert probabilities(plain) == {"on-time": 0.5, "late": 0.5}


def test_negative(tiny_instance: allocator.Instance) -> None:
    assert _problems(tiny_instance, _table("-0.5", "1.5", "")) == [
        "scenarios.csv, row 2, column 'probability': '-0.5' is negative; "
        "a probability is a number between 0 and 1",
        "scenarios.csv, row 3, column 'probability': '1.5' is out of range; "
        "a probability is a number between 0 and 1",
    ]


def test_not_summing_to_one(tiny_instance: allocator.Instance) -> None:
    assert _problems(tiny_instance, _table("0.4", "0.5", "")) == [
        "scenarios.csv, row 2, column 'probability': the probabilities of the 2 scenarios "
        "add up to 0.9, not 1"
    ]


def test_given_for_some_scenarios_only(tiny_instance: allocator.Instance) -> None:
    assert _problems(tiny_instance, _table("", "0.5", "0.5")) == [
        "scenarios.csv, row 2, column 'probability': scenario 'on-time' has no probability "
        "while other scenarios have one; give every scenario a probability, or none "
        "(equal weights)"
    ]


def test_two_values_for_one_scenario(tiny_instance: allocator.Instance) -> None:
    assert _problems(tiny_instance, _table("0.5", "0.5", "0.4")) == [
        "scenarios.csv, row 4, column 'probability': scenario 'late' already has "
        "probability 0.5; give one probability per scenario (its other rows blank or the same)"
    ]


def test_decimal_comma_is_refused(tiny_instance: allocator.Instance) -> None:
    problems = _problems(tiny_instance, _table("0,5", "0.5", ""))
    assert len(problems) == 1 and problems[0].startswith(
        "scenarios.csv, row 2, column 'probability': '0,5'"
    )
