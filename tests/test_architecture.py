"""The layering contract holds: import-linter's contracts (pyproject.toml, `[tool.importlinter]`), and
no project import hidden inside a function or under TYPE_CHECKING, where a cycle could hide."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

from .conftest import REPO

BIN = Path(sys.executable).parent
PACKAGES = ("server", "tools", "sandbox")
LAZY_ALLOWED = {
    # The emulator is imported only when a command asks for it: no part of a production run.
    ("server/cli/__init__.py", "claude_admin_mcp.sandbox.runner"),
    ("server/cli/__init__.py", "claude_admin_mcp.sandbox.faults"),
}
"""(file, module) pairs imported inside a function on purpose; `anthropic` (the SDK, loaded only for
the credentials that use it) is always allowed."""


def test_import_linter_contracts_are_kept() -> None:
    done = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], capture_output=True, text=True, cwd=REPO, timeout=300
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def _hidden_imports(path: Path) -> list[tuple[int, str]]:
    """Project imports that are not at module level (in a function, or under `if TYPE_CHECKING`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, hidden: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = hidden or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                inside = True
            if isinstance(child, ast.ImportFrom) and inside:
                module = "." * child.level + (child.module or "")
                if child.level or module.startswith("claude_admin_mcp"):
                    found.append((child.lineno, module))
            elif isinstance(child, ast.Import) and inside:
                found.extend(
                    (child.lineno, a.name) for a in child.names if a.name.startswith("claude_admin_mcp")
                )
            visit(child, inside)

    visit(tree, False)
    return found


def test_no_project_import_hides_in_a_function_or_under_type_checking() -> None:
    hidden = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            name = str(path.relative_to(REPO))
            hidden += [
                f"{name}:{line} {module}"
                for line, module in _hidden_imports(path)
                if (name, module) not in LAZY_ALLOWED
            ]
    assert not hidden, "imports placed where a cycle could hide:\n" + "\n".join(hidden)


def test_the_check_sees_a_hidden_import() -> None:
    sample = REPO / ".pytest-hidden-import-sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .store import X\n"
        "def f():\n    from claude_admin_mcp.server import app\n",
        encoding="utf-8",
    )
    try:
        assert [module for _, module in _hidden_imports(sample)] == [".store", "claude_admin_mcp.server"]
    finally:
        sample.unlink()


def test_every_package_and_its_page_files_ship_in_a_plain_install() -> None:
    """`pip install .` copies only the packages pyproject.toml lists (an editable install would hide
    a missing one): every folder with an __init__.py, and the approval page's templates."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        "claude_admin_mcp." + ".".join(init.parent.relative_to(REPO).parts)
        for package in PACKAGES
        for init in (REPO / package).rglob("__init__.py")
    }
    assert found == listed, f"unlisted: {sorted(found - listed)}; gone: {sorted(listed - found)}"
    shipped = config["package-data"]["claude_admin_mcp.server.transports"]
    pages = REPO / "server" / "transports"
    for page in [*pages.glob("templates/*"), *pages.glob("static/*")]:
        assert any(page.match(pattern) for pattern in shipped), page
