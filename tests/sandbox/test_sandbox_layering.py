"""The sandbox's modules import downward only: no cycles, and no import hidden inside a function or
under `if TYPE_CHECKING:` (the usual ways a cycle is dodged rather than removed)."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"


def _module(path: Path) -> str:
    parts = path.relative_to(SANDBOX).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """The sandbox modules `path` imports, and the places where it imports out of line."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    hidden: list[str] = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or (
            isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        ):
            inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
            hidden += [f"{module}:{n.lineno}" for n in inner]
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [f"{target}.{alias.name}".strip(".") for alias in node.names]
            found |= {name for name in names if (SANDBOX / f"{name.replace('.', '/')}.py").exists()}
            found |= {target} if target and (SANDBOX / f"{target.replace('.', '/')}.py").exists() else set()
            found |= {target} if target and (SANDBOX / target.replace(".", "/")).is_dir() else set()
    found.discard(module)
    return found, hidden


def test_sandbox_imports_downward_only() -> None:
    graph: dict[str, set[str]] = {}
    hidden: list[str] = []
    for path in SANDBOX.rglob("*.py"):
        graph[_module(path)], out_of_line = _imports(path)
        hidden += out_of_line
    assert not hidden, f"imports inside functions or under TYPE_CHECKING: {hidden}"
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        raise AssertionError(f"import cycle: {cycle.args[1]}") from None
    assert graph["store"] >= {"federation", "monitoring", "resources"}, "the graph was read"
