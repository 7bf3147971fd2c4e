"""Build the MCP Bundle (`.mcpb`) for Claude Desktop from this repository.

    python bundle/build.py [--mcpb PATH] [--out dist/claude-admin-mcp.mcpb]

Stages what the bundle needs (the manifest, pyproject.toml, the packages, the launcher), validates
the manifest with `mcpb validate`, and packs it with `mcpb pack`. Claude Desktop runs it with uv
(`server.type = "uv"`), which installs Python and the dependencies pyproject.toml names.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = (
    "server",
    "tools",
    "sandbox",
    "bundle/main.py",
    "pyproject.toml",
    "README.md",
    "config.example.toml",
)
MCPB_VERSION = "2.1.2"


def stage(into: Path) -> Path:
    """The bundle's folder: the manifest (its version from pyproject.toml) and what the server runs."""
    manifest = json.loads((REPO / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    for part in SHIPPED:
        source, target = REPO / part, into / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target)
    (into / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return into


def build(mcpb: list[str], out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        staged = stage(Path(temporary) / "claude-admin-mcp")
        subprocess.run([*mcpb, "validate", str(staged / "manifest.json")], check=True)
        subprocess.run([*mcpb, "pack", str(staged), str(out)], check=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mcpb", help="the mcpb command (default: npx -y @anthropic-ai/mcpb)")
    parser.add_argument("--out", default=str(REPO / "dist" / "claude-admin-mcp.mcpb"))
    ns = parser.parse_args()
    mcpb = [ns.mcpb] if ns.mcpb else ["npx", "-y", f"@anthropic-ai/mcpb@{MCPB_VERSION}"]
    print(build(mcpb, Path(ns.out)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
