"""models/README.md documents exactly the families build_model builds, under each option.

Every family has one heading (``### variable: x``, ``### row: backlog``,
``### bound: storage``), tagged with the option that builds it; this pins the
document to :data:`allocator.model.FAMILIES` and each option's LP to the
families tagged for it, and checks that every ``allocator.module.function``
the document names exists (a stale name such as ``lp.stages`` fails here).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

import allocator
from allocator.model import FAMILIES, ModelOptions, build_model

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "models" / "README.md").read_text(encoding="utf-8")
HEADING = re.compile(r"^### (variable|row|bound): (\w+)(?: \(([^)]*)\))?\s*$", re.MULTILINE)


def documented() -> dict[str, tuple[str, str | None]]:
    """Family -> (kind, option tag) for every heading of the document."""
    found: dict[str, tuple[str, str | None]] = {}
    for kind, name, tag in HEADING.findall(DOC):
        assert name not in found, f"{name} is documented twice"
        found[name] = (kind, tag or None)
    return found


def built(lp: allocator.model.LinearProgram) -> set[str]:
    return set(lp.variables) | set(lp.rows) | set(lp.bounds)


def test_the_headings_are_exactly_the_families_with_their_kinds_and_options() -> None:
    assert documented() == {name: (f.kind, f.option) for name, f in FAMILIES.items()}


def test_each_section_ends_with_the_function_that_builds_it() -> None:
    sections = re.split(r"^(?=#{1,3} )", DOC, flags=re.MULTILINE)
    for section in (s for s in sections if HEADING.match(s)):
        name = HEADING.match(section).group(2)
        last = section.strip().splitlines()[-1]
        expected = FAMILIES[name].builder
        assert last == f"Built by `{expected.__module__}.{expected.__name__}`.", name


@pytest.fixture(scope="module")
def tiny() -> allocator.Instance:
    return allocator.load_instance(ROOT / "instances" / "tiny")


def _options(tiny: allocator.Instance) -> dict[str | None, ModelOptions]:
    plan = allocator.solve(tiny)
    shipped = plan.shipments[["link", "period", "quantity"]]
    demand = allocator.model.equity.node_demand(build_model(tiny))
    return {
        None: ModelOptions(),
        "re-plan": ModelOptions(reference=shipped, stability=1.0, fixed=shipped.head(1)),
        "equity, stage 0": ModelOptions(fill_rate=True),
        "equity": ModelOptions(floors=pd.Series(0, index=demand.index)),
    }


def test_every_option_builds_exactly_the_families_tagged_for_it(tiny: allocator.Instance) -> None:
    options = _options(tiny)
    assert set(options) == {f.option for f in FAMILIES.values()}
    core = {name for name, f in FAMILIES.items() if f.option is None}
    for option, model in options.items():
        tagged = {name for name, f in FAMILIES.items() if f.option == option}
        assert built(build_model(tiny, model)) == core | tagged, option
    # Between them, the options build every family: none is left unchecked.
    assert set().union(*(built(build_model(tiny, m)) for m in options.values())) == set(FAMILIES)


def test_every_function_the_document_names_exists() -> None:
    names = set(re.findall(r"`(allocator(?:\.\w+)+)`", DOC))
    assert len(names) > 15
    for dotted in sorted(names):
        module, _, attribute = dotted.rpartition(".")
        try:
            target = importlib.import_module(dotted)
        except ImportError:
            target = getattr(importlib.import_module(module), attribute, None)
        assert target is not None, f"models/README.md names {dotted}, which does not exist"
