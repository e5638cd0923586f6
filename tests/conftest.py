"""Named instances and their solved plans, loaded and solved once per test session.

The instances are read-only once loaded; a plan fixture hands each test its
own copy, so a test that changes a plan (its summary, its tables) cannot
change what another test sees.
"""

from __future__ import annotations

import copy

import pytest
from support import INDONESIA, INSTANCES, TEACHING, Solved

import allocator


@pytest.fixture(scope="session")
def teaching() -> Solved:
    """Each teaching instance (``support.TEACHING``) and its plan, by name (do not change them)."""
    solved = {}
    for name in TEACHING:
        instance = allocator.load_instance(INSTANCES / name)
        solved[name] = (instance, allocator.solve(instance))
    return solved


@pytest.fixture(scope="session")
def tiny_instance(teaching: Solved) -> allocator.Instance:
    """``instances/tiny``: W* = 25, C* = 140 (its README)."""
    return teaching["tiny"][0]


@pytest.fixture
def tiny_plan(teaching: Solved) -> allocator.Plan:
    """The plan of ``instances/tiny``, a copy of its own."""
    return copy.deepcopy(teaching["tiny"][1])


@pytest.fixture(scope="session")
def indonesia_instance() -> allocator.Instance:
    """``instances/indonesia-2017``: 514 offices, 10 months."""
    return allocator.load_instance(INDONESIA)


@pytest.fixture(scope="session")
def _indonesia_solved(indonesia_instance: allocator.Instance) -> allocator.Plan:
    return allocator.solve(indonesia_instance)


@pytest.fixture
def indonesia_plan(_indonesia_solved: allocator.Plan) -> allocator.Plan:
    """The plan of ``instances/indonesia-2017``, a copy of its own."""
    return copy.deepcopy(_indonesia_solved)
