"""The MCP Bundle for Claude Desktop: built from the repository with `@anthropic-ai/mcpb` (validate,
pack), and run as Claude Desktop runs it: unpacked, started with uv from its manifest's
`mcp_config`, the admin key given as the install-time (keychain) value, spoken to over stdio."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from .conftest import CANARY_KEY, REPO, text_of
from .npm_tools import MCPB_VERSION, mcpb
from .processes import clean_env
from .test_e2e_writes import standalone_sandbox

pytestmark = pytest.mark.e2e
UV = Path(sys.executable).parent / "uv"


def _built(tmp_path: Path) -> Path:
    out = tmp_path / "claude-admin-mcp.mcpb"
    subprocess.run(
        [sys.executable, str(REPO / "bundle" / "build.py"), "--mcpb", str(mcpb()), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    unpacked = tmp_path / "unpacked"
    subprocess.run(
        [str(mcpb()), "unpack", str(out), str(unpacked)], check=True, capture_output=True, timeout=120
    )
    return unpacked


def test_the_manifest_keeps_the_key_in_the_keychain_and_offers_tier_and_toolsets() -> None:
    manifest = json.loads((REPO / "bundle" / "manifest.json").read_text(encoding="utf-8"))
    config = manifest["user_config"]
    assert config["admin_key"]["sensitive"] is True and config["admin_key"]["required"] is True
    assert config["tier"]["default"] == "confirm" and config["toolsets"]["default"] == "default"
    env = manifest["server"]["mcp_config"]["env"]
    assert env["ANTHROPIC_ADMIN_KEY"] == "${user_config.admin_key}"
    assert MCPB_VERSION and manifest["server"]["type"] == "uv"


@pytest.mark.anyio
async def test_the_bundle_builds_validates_and_serves_as_claude_desktop_runs_it(tmp_path: Path) -> None:
    unpacked = _built(tmp_path)
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert manifest["version"] == project["version"]
    for part in (
        "server/app.py",
        "tools/users.py",
        "server/transports/templates/approval.html",
        "pyproject.toml",
    ):
        assert (unpacked / part).is_file(), part
    config = manifest["server"]["mcp_config"]
    values = {"admin_key": CANARY_KEY, "tier": "read-only", "toolsets": "default"}

    def filled(text: str) -> str:
        text = text.replace("${__dirname}", str(unpacked))
        for name, value in values.items():
            text = text.replace("${user_config." + name + "}", value)
        return text

    with standalone_sandbox() as base:
        env = clean_env(ANTHROPIC_BASE_URL=base, **{k: filled(v) for k, v in config["env"].items()})
        command = str(UV) if config["command"] == "uv" else config["command"]
        params = StdioServerParameters(command=command, args=[filled(a) for a in config["args"]], env=env)
        async with Client(params) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            organization = await client.call_tool("get_organization", {})
    assert "list_users" in tools and "update_user_role" not in tools, "the tier chosen at install applies"
    assert not organization.is_error and "Acme" in text_of(organization)
