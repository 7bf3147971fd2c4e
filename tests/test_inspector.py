"""The MCP Inspector CLI, an independent client, lists and calls the tools over stdio."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .npm_tools import inspector
from .processes import BIN, STATE_DIR, clean_env

pytestmark = pytest.mark.e2e


def _inspect(*args: str, era: str = "legacy") -> subprocess.CompletedProcess[str]:
    command = [str(inspector()), "--cli", "-q", "--format", "json", "--protocol-era", era]
    command += [str(BIN), "--sandbox", "--sandbox-users", "20", *args]
    env = clean_env(HOME=str(inspector().parent.parent.parent))
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_lists_the_read_tools_with_annotations(era: str) -> None:
    done = _inspect("--method", "tools/list", era=era)
    assert done.returncode == 0, done.stderr
    tools = {tool["name"]: tool for tool in json.loads(done.stdout)["result"]["tools"]}
    assert {"get_organization", "list_users", "get_api_key", "list_workspace_members"} <= set(tools)
    assert tools["list_users"]["annotations"]["readOnlyHint"] is True
    assert "outputSchema" in tools["list_users"]


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_calls_a_tool(era: str) -> None:
    done = _inspect("--method", "tools/call", "--tool-name", "list_users", "--tool-arg", "limit=3", era=era)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["result"]
    assert result["structuredContent"]["count"] == 3
    assert "next_cursor" in result["content"][0]["text"]


def test_inspector_sees_a_tool_error_as_an_error() -> None:
    done = _inspect("--method", "tools/call", "--tool-name", "get_user", "--tool-arg", "user_id=bob")
    assert done.returncode == 5, (done.returncode, done.stdout, done.stderr)
    assert "user_01" in done.stdout + done.stderr


def test_inspector_applies_a_write_only_with_the_previewed_token(tmp_path: Path) -> None:
    """The Inspector cannot ask the user; with the token channel opted in (the Inspector passes the
    server no environment of ours, hence flags), it gets a preview and a token first."""
    audit = str(tmp_path / "audit.jsonl")
    opted_in = ["--confirm-via", "form,token", "--state-dir", str(STATE_DIR), "--audit-log", audit]
    users = json.loads(
        _inspect("--method", "tools/call", "--tool-name", "list_users", "--tool-arg", "limit=50").stdout
    )
    developer = next(u for u in users["result"]["structuredContent"]["items"] if u["role"] == "developer")
    args = ["--tool-arg", f"user_id={developer['id']}", "role=billing"]
    first = _inspect(*opted_in, "--method", "tools/call", "--tool-name", "update_user_role", *args)
    assert first.returncode == 0, first.stderr
    preview = json.loads(first.stdout)["result"]["structuredContent"]
    assert preview["outcome"] == "needs_confirmation" and "developer → billing" in preview["preview"]
    token = preview["confirmation_token"]
    second = _inspect(
        *opted_in,
        "--method",
        "tools/call",
        "--tool-name",
        "update_user_role",
        *args,
        f"confirmation_token={token}",
    )
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["result"]["structuredContent"]["outcome"] == "applied"
