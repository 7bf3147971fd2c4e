"""A new administrator's first hour, as they would meet it: answers a person and a model can act on
(names beside ids, empty answers that explain themselves, units), refusals before anyone is asked,
`check` and `whoami` that match what works, and a CLI that is plain to script."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ElicitResult

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.app import create_server

from .api import raw_all, raw_get
from .conftest import connect, make_server, make_settings, text_of
from .processes import BIN, clean_env, free_port
from .wif import CONSOLE_TOKEN, make_federation
from .writes import ScriptedHuman, audit_lines

# -- names beside ids ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_members_keys_and_rate_limits_read_with_names(sandbox: RunningSandbox) -> None:
    workspace = raw_all(sandbox, "/v1/organizations/workspaces")[0]
    members = raw_all(sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members")
    users = {u["id"]: u for u in raw_all(sandbox, "/v1/organizations/users")}
    observer = sandbox.state.faults.add(Fault("observe", times=None))
    async with connect(make_server(sandbox, toolsets=["all"])) as client:
        listed = await client.call_tool("list_workspace_members", {"workspace_id": workspace["id"]})
        requests = len(observer.seen)
        keys = await client.call_tool("list_api_keys", {"limit": 20})
        limits = await client.call_tool("list_rate_limits", {})
    sandbox.state.faults.clear()
    text = text_of(listed)
    for member in members:
        user = users[member["user_id"]]
        assert f"{member['user_id']} | {user['email']} ({user['name']})" in text
    assert requests <= 3, "names come from one walk of the member list, not one request per row"
    assert listed.structured_content["items"][0].keys() == members[0].keys(), "structured: the API's objects"
    key_rows = text_of(keys).splitlines()
    assert "workspace_name" in key_rows[1] and "created_by_name" in key_rows[1]
    assert any("Default workspace" in row for row in key_rows) or all(
        k["workspace_id"] for k in raw_all(sandbox, "/v1/organizations/api_keys")
    )
    creators = {u["email"] for u in users.values()}
    assert any(email in text_of(keys) for email in creators)
    group = raw_get(sandbox, "/v1/organizations/rate_limits")["data"][0]["group"]["display_name"]
    assert group in text_of(limits)


@pytest.mark.anyio
async def test_activities_say_who_did_what_to_whom(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox, toolsets=["activity"])
    async with connect(server) as client:
        result = await client.call_tool(
            "list_activities", {"activity_types": ["claude_user_role_updated"], "limit": 5}
        )
    rows = [line for line in text_of(result).splitlines()[2:] if " | " in line]
    assert rows and all("role " in row and "→" in row and "@" in row for row in rows), rows


@pytest.mark.anyio
async def test_usage_without_a_key_is_labelled(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, toolsets=["reports"])) as client:
        result = await client.call_tool(
            "get_usage_report", {"range": "2026-11-10..2026-11-16", "group_by": ["api_key_id"]}
        )
    text = text_of(result)
    assert " - | - " not in text
    # Whole in the table and in the summary's leaders, not cut mid-word.
    assert text.count("no API key (Console, Workbench, or an OAuth sign-in)") == 2, text


# -- answers that explain themselves ------------------------------------------------------------------


@pytest.mark.anyio
async def test_claude_code_this_month_on_the_first_says_why_it_is_empty(sandbox: RunningSandbox) -> None:
    first_of_month = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    settings = make_settings(sandbox, toolsets=["reports"])
    server = create_server(
        settings,
        admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key),
        clock=lambda: first_of_month,
    )
    async with connect(server) as client:
        result = await client.call_tool("get_claude_code_usage", {"range": "this month"})
    assert result.structured_content["groups"] == 0
    assert "No complete UTC day in this range yet" in text_of(result)
    assert "No complete UTC day" in (result.structured_content["note"] or "")


@pytest.mark.anyio
async def test_a_workspace_without_overrides_says_it_inherits(sandbox: RunningSandbox) -> None:
    workspaces = raw_all(sandbox, "/v1/organizations/workspaces")
    async with connect(make_server(sandbox, toolsets=["rate_limits"])) as client:
        for workspace in workspaces:
            result = await client.call_tool("list_workspace_rate_limits", {"workspace_id": workspace["id"]})
            if result.structured_content["count"] == 0:
                assert "inherits the organization's limits" in text_of(result)
                return
    pytest.fail("every seeded workspace has overrides: nothing to check")


@pytest.mark.anyio
async def test_unused_keys_state_the_window_and_status(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox)) as client:
        result = await client.call_tool("list_api_keys", {"unused_days": 30})
    text = text_of(result)
    assert re.search(r"from \d{4}-\d\d-\d\dT00:00:00Z to .* \(30 UTC days", text), text
    assert "status" in text.splitlines()[2]


@pytest.mark.anyio
async def test_whoami_notes_are_whole_sentences(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox)) as client:
        result = await client.call_tool("whoami", {})
    notes = [line for line in text_of(result).splitlines() if line.startswith("note: ")]
    assert notes and all(note.endswith(".") for note in notes), notes
    assert notes == [f"note: {n}" for n in result.structured_content["notes"]]
    # Read as a person reads it: the organization by name and id, toolsets as a list, no JSON, no "-".
    organization = result.structured_content["organization"]
    lines = text_of(result).splitlines()
    assert f"organization: {organization['name']} [{organization['id']}]" in lines
    assert "toolsets: " + ", ".join(result.structured_content["usable_toolsets"]) in lines
    assert not any("{" in line or line.endswith(": -") for line in lines), lines


@pytest.mark.anyio
async def test_whoami_says_why_the_organization_is_unreadable(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, base_url="http://127.0.0.1:9")) as client:
        result = await client.call_tool("whoami", {})
    text = text_of(result)
    assert "organization: unreachable" in text and "cannot connect to http://127.0.0.1:9" in text, text


@pytest.mark.anyio
async def test_costs_say_their_unit(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, toolsets=["reports"])) as client:
        result = await client.call_tool(
            "get_cost_report", {"range": "2026-11-10..2026-11-16", "group_by": ["workspace_id"]}
        )
    totals = result.structured_content["totals"]
    assert "cost" not in totals and {"cost_cents", "cost_usd"} <= set(totals)
    row = result.structured_content["rows"][0]
    assert "cost" not in row and {"cost_cents", "cost_usd"} <= set(row)


# -- refused before anyone is asked -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_rule_on_a_shared_issuer_must_pin_the_tenant(fresh_sandbox: RunningSandbox) -> None:
    fresh_sandbox.state.console_token = CONSOLE_TOKEN
    federation = make_federation(fresh_sandbox, scope="workspace:developer")
    human = ScriptedHuman("accept")
    rules = len(fresh_sandbox.state.federation.rules)
    async with connect(
        make_server(fresh_sandbox, oauth=True, toolsets=["federation"]), elicitation_callback=human
    ) as client:
        issuer = await client.call_tool(
            "create_federation_issuer",
            {"name": "github", "issuer_url": "https://token.actions.githubusercontent.com"},
        )
        issuer_id = issuer.structured_content["result"]["id"]
        unpinned = await client.call_tool(
            "create_federation_rule",
            {
                "name": "any-repo",
                "issuer_id": issuer_id,
                "service_account_id": federation.service_account_id,
                "oauth_scope": "workspace:developer",
                "workspace_id": federation.workspace_id,
                "subject_prefix": "repo:*",
            },
        )
    assert unpinned.structured_content["outcome"] == "refused", text_of(unpinned)
    assert "must pin your tenant" in text_of(unpinned) and "repository_owner" in text_of(unpinned)
    assert len(human.messages) == 1, "only the issuer was put to the human"
    assert len(fresh_sandbox.state.federation.rules) == rules


# -- check, and the CLI --------------------------------------------------------------------------------


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(**env),
        stdin=subprocess.DEVNULL,
    )


def test_check_on_the_sandbox_suggests_the_sandbox_way_to_service_accounts() -> None:
    done = _run("check", "--sandbox")
    assert (
        done.returncode == 0
        and "--sandbox --toolsets all" in done.stdout
        and "ant auth login" not in done.stdout
    )


def test_help_shows_the_serve_options() -> None:
    done = _run("--help")
    assert done.returncode == 0 and "--transport" in done.stdout and "--port" in done.stdout


def test_a_port_in_use_fails_before_serving() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _run("--sandbox", "--transport", "http", "--port", str(port))
    assert done.returncode == 2 and "in use" in done.stderr and "--port" in done.stderr
    assert "serving" not in done.stderr and "Traceback" not in done.stderr


def test_call_exit_codes_say_what_happened_and_logs_stay_quiet(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    users = _run(
        "call", "list_users", "--sandbox", "--structured", "--json", '{"roles": ["developer"], "limit": 1}'
    )
    assert users.returncode == 0 and " INFO " not in users.stderr
    user = json.loads(users.stdout)["items"][0]["id"]
    refused = _run(
        "call",
        "update_user_role",
        "--sandbox",
        "--audit-log",
        str(audit),
        "--json",
        f'{{"user_id": "{user}", "role": "developer"}}',
    )
    pending = _run(
        "call",
        "update_user_role",
        "--sandbox",
        "--confirm-via",
        "token",
        "--audit-log",
        str(audit),
        "--json",
        f'{{"user_id": "{user}", "role": "billing"}}',
    )
    failed = _run("call", "get_user", "--sandbox", "--json", '{"user_id": "user_01NoSuchMember"}')
    assert refused.returncode == 0, "nothing to do: the member already has that role"
    assert pending.returncode == 3 and "confirmation_token" in pending.stdout
    assert (
        failed.returncode == 1
        and failed.stdout.count("not_found_error") == 1
        and "not_found" not in failed.stderr
    )
    assert "lives for this one command" in pending.stderr
    assert all(line.get("sandbox") is True for line in audit_lines(audit)), "sandbox lines say so"


def test_the_sandbox_keeps_its_own_audit_log(tmp_path: Path) -> None:
    state = tmp_path / "state"
    done = _run(
        "call",
        "update_user_role",
        "--sandbox",
        "--state-dir",
        str(state),
        "--confirm-via",
        "token",
        "--json",
        '{"user_id": "user_01NoSuchMember", "role": "billing"}',
    )
    assert done.returncode == 1
    assert (state / "sandbox-audit.jsonl").exists() and not (state / "audit.jsonl").exists()


def test_the_standalone_sandbox_prints_its_tokens() -> None:
    port = free_port()
    process = subprocess.Popen(
        [str(BIN), "sandbox", "--port", str(port), "--users", "5"],
        env=clean_env(),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    try:
        banner = b""
        while b"Admin API sandbox" not in banner:
            line = process.stderr.readline() if process.stderr else b""
            if not line:
                break
            banner += line
    finally:
        process.terminate()
        process.wait(timeout=10)
    text = banner.decode()
    assert "ANTHROPIC_OAUTH_TOKEN=sk-ant-oat01-sandbox" in text and "--console-session" in text
    assert "follows today's date" in text


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_answer_that_does_not_fit_the_form_is_a_clear_error(
    fresh_sandbox: RunningSandbox, mode: str
) -> None:
    async def garbled(context: Any, params: Any) -> ElicitResult:
        return ElicitResult(action="accept", content={"approve": "maybe"})

    user = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[0]
    async with connect(make_server(fresh_sandbox), mode, elicitation_callback=garbled) as client:
        result = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
    assert (
        result.is_error
        and "did not fit the question" in text_of(result)
        and "Nothing changed" in text_of(result)
    )
    assert "Resolver" not in text_of(result) and "schema" not in text_of(result)
    assert fresh_sandbox.state.users[user["id"]].role == "developer"
