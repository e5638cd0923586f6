"""The package's layers: imports go down the pipeline only, never in a circle.

The layer each part of ``allocator/`` sits in, and what it may import, are
``LAYERS`` below (the same table as ``docs/design.md``, "Layers"). The test
walks every module's imports with :mod:`ast` (no import is executed) and
fails on an import a layer may not make, on a circle between modules, on a
module that imports the bare package ``allocator``, on an import of the
package's own modules inside a function outside ``cli/``, and on a module
named like a function exported at the top level (``allocator.solve`` must be
the function, never a module).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import allocator

PACKAGE = Path(allocator.__file__).resolve().parent

#: Each part of the package -> the parts it may import (besides itself).
LAYERS: dict[str, set[str]] = {
    "_version": set(),
    "_format": set(),
    "_threads": set(),
    "errors": set(),
    "_atomic": {"errors"},
    "instance": {"errors", "_atomic"},
    "model": {"instance"},
    "solvers": {"model", "errors"},
    "plan": {"instance", "errors", "_atomic"},
    "pipeline": {"instance", "model", "solvers", "plan", "errors", "_threads"},
    "verification": {"instance", "plan"},
    "replanning": {
        "pipeline",
        "model",
        "solvers",
        "verification",
        "plan",
        "instance",
        "errors",
        "_threads",
    },
    "whatif": {
        "pipeline",
        "replanning",
        "solvers",
        "verification",
        "plan",
        "instance",
        "errors",
        "_atomic",
        "_version",
        "_threads",
    },
    "explaining": {
        "model",
        "solvers",
        "verification",
        "plan",
        "instance",
        "errors",
        "_atomic",
        "_format",
    },
    "hedging": {
        "whatif",
        "pipeline",
        "model",
        "solvers",
        "verification",
        "plan",
        "instance",
        "errors",
        "_atomic",
    },
    "report": {"verification", "whatif", "plan", "instance", "errors", "_atomic", "_format"},
    "deliver": {"explaining", "report", "plan", "instance", "errors", "_atomic"},
    "registry": {"instance", "errors", "_atomic", "_format"},
    "cli": {
        "registry",
        "hedging",
        "deliver",
        "explaining",
        "report",
        "whatif",
        "replanning",
        "verification",
        "pipeline",
        "plan",
        "solvers",
        "model",
        "instance",
        "errors",
        "_atomic",
        "_format",
        "_version",
        "_threads",
    },
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_module(name: str) -> bool:
    return name in MODULES


def imports(path: Path) -> list[tuple[str, bool]]:
    """The ``allocator`` modules ``path`` imports, each with whether it is inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    inside.add(id(inner))
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from allocator.instance import schema`` imports the module allocator.instance.schema
            names = [
                f"{node.module}.{alias.name}"
                if is_module(f"{node.module}.{alias.name}")
                else node.module
                for alias in node.names
            ]
        else:
            continue
        found += [(name, id(node) in inside) for name in names if name.split(".")[0] == "allocator"]
    return found


def part(module: str) -> str:
    """The layer a module belongs to: ``allocator.instance.cells`` -> ``instance``."""
    return module.split(".")[1] if "." in module else ""


EDGES = {name: imports(path) for name, path in MODULES.items()}


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {part(m) for m in MODULES} - {""}
    assert parts == set(LAYERS), "a new part of the package needs a row in LAYERS"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m != "allocator"))
def test_imports_go_down_the_layers(module: str) -> None:
    mine = part(module)
    for target, _ in EDGES[module]:
        assert target != "allocator", f"{module} imports the bare package allocator"
        theirs = part(target)
        assert theirs == mine or theirs in LAYERS[mine], (
            f"{module} imports {target}: {mine}/ may import only {sorted(LAYERS[mine])}"
        )


#: Modules that import their optional parts inside the function that needs them
#: (besides the CLI): ``deliver`` loads explaining, openpyxl and the report's
#: matplotlib (about 1.2 s) only when a plan asks for them, and the solver
#: choice loads PuLP and highspy only for an LP that is not a network.
LATE_IMPORTS = {"allocator.deliver", "allocator.solvers.run"}


def test_no_module_imports_its_own_package_inside_a_function_outside_the_cli() -> None:
    late = [
        (module, target)
        for module, edges in EDGES.items()
        for target, in_function in edges
        if in_function and part(module) != "cli" and module not in LATE_IMPORTS
    ]
    assert late == [], "import these at the top of the module (or fix the circle it hides)"


def test_there_is_no_circle_between_modules() -> None:
    graph = {m: {t for t, _ in edges if t in MODULES and t != m} for m, edges in EDGES.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                circle = [*path[path.index(target) :], target]
                pytest.fail("import circle: " + " -> ".join(circle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_no_module_is_named_like_a_top_level_function() -> None:
    functions = {name for name in allocator.__all__ if callable(getattr(allocator, name))}
    clashing = sorted(m for m in MODULES if m.rsplit(".", 1)[-1] in functions and m != "allocator")
    assert clashing == []


@pytest.mark.parametrize("module", sorted(m for m, p in MODULES.items() if p.name == "__init__.py"))
def test_every_name_in_every_all_resolves(module: str) -> None:
    loaded = importlib.import_module(module)
    for name in getattr(loaded, "__all__", []):
        assert getattr(loaded, name, None) is not None, f"{module}.__all__ names {name}"


def test_verification_never_sees_the_model_or_the_solvers() -> None:
    assert LAYERS["verification"].isdisjoint({"model", "solvers", "pipeline", "replanning"})
