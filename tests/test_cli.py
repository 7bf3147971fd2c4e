"""The command line as an administrator uses it: one clear line on failure, never a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from claude_admin_mcp.sandbox.routes import ROUTES

from .conftest import CANARY_KEY
from .processes import BIN, clean_env

pytestmark = pytest.mark.e2e


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], capture_output=True, text=True, timeout=120, env=clean_env(**env)
    )


def test_check_without_a_credential_says_what_to_set() -> None:
    done = run("check")
    assert done.returncode == 2
    assert "Set ANTHROPIC_ADMIN_KEY" in done.stderr and "--sandbox" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_serve_with_a_malformed_key_fails_fast_without_echoing_it() -> None:
    bad = "sk-ant-api03-" + "Q" * 60
    done = run(ANTHROPIC_ADMIN_KEY=bad)
    assert done.returncode == 2 and "standard API key" in done.stderr
    assert bad not in done.stderr + done.stdout and "Traceback" not in done.stderr


def test_check_against_the_sandbox() -> None:
    done = run("check", "--sandbox")
    assert done.returncode == 0, done.stderr
    assert "Acme Corp" in done.stdout and done.stdout.strip().endswith("OK")
    assert "admin key from the sandbox" in done.stdout


def test_check_reports_an_unreachable_api() -> None:
    done = run("check", "--base-url", "http://127.0.0.1:9", ANTHROPIC_ADMIN_KEY=CANARY_KEY)
    assert done.returncode == 1 and "FAILED" in done.stdout and "cannot connect" in done.stdout
    assert CANARY_KEY not in done.stdout + done.stderr


def test_tools_lists_the_read_tools_annotated_without_a_credential() -> None:
    done = run("tools", "--tier", "read-only")
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith(("get_", "list_"))]
    assert len(lines) == 11
    assert all("read-only, idempotent" in line for line in lines)
    listed = json.loads(run("tools", "--json").stdout)
    assert all("annotations" in tool and "outputSchema" in tool for tool in listed["tools"])


def test_tools_json_names_each_tools_toolset_tier_and_the_endpoints_it_calls() -> None:
    listed = json.loads(run("tools", "--json", "--toolsets", "all", ANTHROPIC_OAUTH_TOKEN="x" * 40).stdout)
    served = {(method, route.path) for route in ROUTES for method in route.methods or ()}
    tools = {tool["name"]: tool for tool in listed["tools"]}
    for name, tool in tools.items():
        assert tool["toolset"] and tool["tier"] in ("read", "write"), name
        assert tool["tier"] == ("read" if tool["annotations"]["readOnlyHint"] else "write"), name
        for endpoint in tool["endpoints"]:
            assert (endpoint["method"], endpoint["path"]) in served, (name, endpoint)
    assert tools["update_user_role"]["endpoints"] == [
        {"method": "POST", "path": "/v1/organizations/users/{user_id}"}
    ]
    offboard = {e["method"] + " " + e["path"] for e in tools["offboard_user"]["endpoints"]}
    assert {
        "POST /v1/organizations/users/{user_id}/sign_out",
        "DELETE /v1/organizations/users/{user_id}",
    } <= offboard
    writes = {
        (e["method"], e["path"]) for t in tools.values() if t["tier"] == "write" for e in t["endpoints"]
    }
    assert {(e["method"], e["path"]) for e in tools["apply_changes"]["endpoints"]} <= writes
    assert tools["get_approval"]["endpoints"] == []


def test_call_runs_a_tool_and_reports_errors_by_exit_status() -> None:
    done = run("call", "list_users", "--json", '{"limit": 2}', "--sandbox", "--structured")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["count"] == 2
    done = run("call", "get_user", "--json", '{"user_id": "bob"}', "--sandbox")
    assert done.returncode == 1 and "expected a user id" in done.stdout
    done = run("call", "get_user", "--json", "{not json", "--sandbox")
    assert done.returncode == 2 and "--json must be a JSON object" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tools", "--toolsets", "userz"], "unknown toolset(s) userz"),
        (["tools", "--tools", "drop_everything"], "unknown tool(s) drop_everything"),
        (["tools", "--config", "/nonexistent.toml"], "does not exist"),
    ],
)
def test_bad_settings_fail_with_one_line(args: list[str], message: str) -> None:
    done = run(*args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_bad_config_value(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('tier = "admin"\n')
    done = run("tools", "--config", str(config))
    assert done.returncode == 2 and "tier" in done.stderr
