"""Independent MCP clients from the npm registry, installed on first use into .ci/.cache (git-ignored).

Installing on demand keeps the README's single test command true on a fresh machine: node and npm
are all it needs, and a second run reuses the cache.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".ci" / ".cache"
INSPECTOR_VERSION = "2.12.0"


def npm_install(prefix: Path, *packages: str, timeout: float = 600) -> None:
    prefix.mkdir(parents=True, exist_ok=True)
    with open(prefix / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test processes install once
        marker = prefix / (".installed-" + "-".join(p.replace("/", "_") for p in packages))
        if marker.exists():
            return
        env = {**os.environ, "npm_config_update_notifier": "false", "npm_config_fund": "false"}
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-save", "--prefix", str(prefix), *packages],
            check=True,
            env=env,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        marker.touch()


def inspector() -> Path:
    """Path of the MCP Inspector CLI, installing it on first use."""
    prefix = CACHE / "inspector"
    npm_install(prefix, f"@modelcontextprotocol/inspector@{INSPECTOR_VERSION}")
    binary = prefix / "node_modules" / ".bin" / "mcp-inspector"
    if not binary.exists():
        raise FileNotFoundError(f"npm install did not produce {binary}")
    return binary
