"""The codebase stays lint- and type-clean: ruff and mypy --strict run as part of the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO

BIN = Path(sys.executable).parent
PACKAGES = ["server", "tools", "sandbox", "tests", "bench", "scripts"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=600)


def test_ruff_lint() -> None:
    done = _run(str(BIN / "ruff"), "check", *[p for p in PACKAGES if (REPO / p).exists()])
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format() -> None:
    done = _run(str(BIN / "ruff"), "format", "--check", *[p for p in PACKAGES if (REPO / p).exists()])
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict() -> None:
    packages = [
        "-p",
        "claude_admin_mcp.server",
        "-p",
        "claude_admin_mcp.tools",
        "-p",
        "claude_admin_mcp.sandbox",
    ]
    done = _run(str(BIN / "mypy"), *packages)
    assert done.returncode == 0, done.stdout + done.stderr
    # mypy takes packages (-p) or paths, not both: the benchmarks are a plain folder of scripts.
    done = _run(str(BIN / "mypy"), "bench", "scripts")
    assert done.returncode == 0, done.stdout + done.stderr
    # The tests are typed as strictly as the code.
    done = _run(str(BIN / "mypy"), "tests")
    assert done.returncode == 0, done.stdout + done.stderr
