"""The package keeps its shape: a self-contained backend, no import cycles, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tsmock"
MAX_LINES = 500
FOREIGN = ("botocore", "boto3", "responses", "requests", "moto", "aiobotocore")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """Every module an import statement of ``name`` names (anywhere, TYPE_CHECKING too)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            # ``from tsmock.backend import records`` imports the submodule.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _internal_imports(name: str) -> set[str]:
    return {module for module in _imports(name) if module in MODULES and module != name}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_the_size_limit(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("tsmock.backend")))
def test_the_backend_imports_nothing_outside_itself(name: str) -> None:
    for module in _imports(name):
        root = module.split(".")[0]
        assert root not in FOREIGN, f"{name} imports {module}"
        if root == "tsmock":
            assert module.startswith("tsmock.backend"), f"{name} imports {module}"


def test_no_import_cycle() -> None:
    graph = {name: _internal_imports(name) for name in MODULES}
    # A package's __init__ is imported with its submodules; an edge to it from
    # inside the package is no cycle of its own.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for target in sorted(graph[name]):
            if name.startswith(target + "."):
                continue
            if state.get(target) == 1:
                cycle = [*stack[stack.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)
