"""The families built by the code and the families documented in models/README.md agree."""

from __future__ import annotations

import re
from pathlib import Path

import allocator
from allocator.model import BOUND_FAMILIES, ROW_FAMILIES, VARIABLE_FAMILIES, build_model

ROOT = Path(__file__).resolve().parents[1]


def documented(kind: str) -> set[str]:
    text = (ROOT / "models" / "README.md").read_text(encoding="utf-8")
    return set(re.findall(rf"^### {kind}: (\w+)\s*$", text, flags=re.MULTILINE))


def test_every_constraint_family_is_documented_and_nothing_else() -> None:
    lp = build_model(allocator.load_instance(ROOT / "instances" / "tiny"))
    built = set(lp.rows) | set(lp.bounds)
    assert built == set(ROW_FAMILIES) | set(BOUND_FAMILIES)
    assert documented("family") == built


def test_every_variable_family_is_documented_and_nothing_else() -> None:
    lp = build_model(allocator.load_instance(ROOT / "instances" / "tiny"))
    assert set(lp.variables) == set(VARIABLE_FAMILIES)
    assert documented("variable") == set(lp.variables)
