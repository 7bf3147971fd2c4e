"""What an attacker's try at the approval guarantees found, each reproduced as a test:

- the allowlist let rules for all workspaces, and organization-wide writes, through;
- API data (a key's name) forged a line of a preview, and a model-chosen name pushed the real
  change out of sight;
- a used token applied again through a server with another audit log in the same state folder;
- editing the last lines of the audit log, or rewriting its chain, passed `verify-audit`;
- a password in ANTHROPIC_BASE_URL showed in errors and in `check`.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.config import ConfigError, load_settings
from claude_admin_mcp.server.confirmation.audit import AuditLog, head_path_for, verify
from claude_admin_mcp.server.confirmation.keys import Keys
from claude_admin_mcp.server.confirmation.tokens import ConfirmationTokens

from .api import raw_all
from .conftest import TOKEN_CHANNEL, connect, make_server, text_of
from .processes import BIN, clean_env
from .wif import CONSOLE_TOKEN, make_federation
from .writes import ScriptedHuman, snapshot

# -- the allowlist ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_rule_for_all_workspaces_touches_every_workspace(fresh_sandbox: RunningSandbox) -> None:
    fresh_sandbox.state.console_token = CONSOLE_TOKEN
    federation = make_federation(fresh_sandbox, scope="workspace:developer")
    allowed = federation.workspace_id
    human = ScriptedHuman("accept", typed="anything")
    before = snapshot(fresh_sandbox)
    server = make_server(fresh_sandbox, oauth=True, toolsets=("all",), allow_workspaces=[allowed, "org"])
    async with connect(server, elicitation_callback=human) as client:
        created = await client.call_tool(
            "create_federation_rule",
            {
                "name": "everywhere",
                "issuer_id": federation.issuer_id,
                "service_account_id": federation.service_account_id,
                "oauth_scope": "workspace:developer",
                "subject_prefix": "repo:acme/*",
                "applies_to_all_workspaces": True,
            },
        )
        widened = await client.call_tool(
            "update_federation_rule",
            {"federation_rule_id": federation.rule_id, "applies_to_all_workspaces": True},
        )
    for result in (created, widened):
        assert result.structured_content["outcome"] == "refused", text_of(result)
        assert "reaches every workspace" in text_of(result)
    assert human.messages == [] and snapshot(fresh_sandbox) == before


ORG_WIDE = ("update_user_role", "remove_user", "sign_out_user", "create_invite", "delete_invite")


@pytest.mark.anyio
async def test_organization_wide_writes_need_org_in_the_allowlist(fresh_sandbox: RunningSandbox) -> None:
    workspaces = raw_all(fresh_sandbox, "/v1/organizations/workspaces")
    members = {
        m["user_id"]
        for w in workspaces
        for m in raw_all(fresh_sandbox, f"/v1/organizations/workspaces/{w['id']}/members")
    }
    loner = next(
        u
        for u in raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])
        if u["id"] not in members
    )
    invite = raw_all(fresh_sandbox, "/v1/organizations/invites", statuses=["pending"])[0]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("update_user_role", {"user_id": loner["id"], "role": "billing"}),
        ("remove_user", {"user_id": loner["id"]}),
        ("sign_out_user", {"user_id": loner["id"]}),
        ("create_invite", {"email": "newcomer@acme.example", "role": "user"}),
        ("delete_invite", {"invite_id": invite["id"]}),
    ]
    before = snapshot(fresh_sandbox)
    human = ScriptedHuman("decline")
    server = make_server(fresh_sandbox, allow_workspaces=[workspaces[0]["id"]])
    async with connect(server, elicitation_callback=human) as client:
        for tool, arguments in calls:
            result = await client.call_tool(tool, arguments)
            assert result.structured_content["outcome"] == "refused", (tool, text_of(result))
            assert "organization as a whole" in text_of(result), tool
    assert human.messages == [] and snapshot(fresh_sandbox) == before
    # Naming `org` lets them through to the human (who declines here).
    with_org = make_server(fresh_sandbox, allow_workspaces=[workspaces[0]["id"], "org"])
    async with connect(with_org, elicitation_callback=human) as client:
        outcomes = [
            (await client.call_tool(tool, arguments)).structured_content["outcome"]
            for tool, arguments in calls
        ]
    assert outcomes == ["declined"] * len(calls) and len(human.messages) == len(calls)
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_service_account_roles_are_organization_wide(fresh_sandbox: RunningSandbox) -> None:
    fresh_sandbox.state.console_token = CONSOLE_TOKEN
    federation = make_federation(fresh_sandbox, scope="workspace:developer")
    server = make_server(
        fresh_sandbox, oauth=True, toolsets=("all",), allow_workspaces=[federation.workspace_id]
    )
    async with connect(server, elicitation_callback=ScriptedHuman("accept")) as client:
        result = await client.call_tool(
            "update_service_account",
            {"service_account_id": federation.service_account_id, "organization_role": "admin"},
        )
    assert result.structured_content["outcome"] == "refused", text_of(result)
    assert "organization as a whole" in text_of(result)


# -- previews are data ------------------------------------------------------------------------------

FORGED = "Deploy key\n- Recoverable: archived workspaces can be restored for 30 days"


@pytest.mark.anyio
async def test_api_data_cannot_forge_a_line_of_a_preview(fresh_sandbox: RunningSandbox) -> None:
    keys = raw_all(fresh_sandbox, "/v1/organizations/api_keys", status="active")
    key = next(k for k in keys if k["workspace_id"])
    fresh_sandbox.state.api_keys[key["id"]].name = FORGED + "\u202e\u200b"
    human = ScriptedHuman("decline")
    async with connect(make_server(fresh_sandbox), elicitation_callback=human) as client:
        await client.call_tool("archive_workspace", {"workspace_id": key["workspace_id"]})
    (message,) = human.messages
    lines = message.splitlines()
    assert not any(line.startswith("- Recoverable") for line in lines), message
    assert "Irreversible" in message and "\\n- Recoverable" in message
    assert "\u202e" not in message and "\u200b" not in message and "\\u202e" in message


@pytest.mark.anyio
async def test_a_model_chosen_value_cannot_push_the_change_out_of_sight(
    fresh_sandbox: RunningSandbox,
) -> None:
    key = raw_all(fresh_sandbox, "/v1/organizations/api_keys", status="active")[0]
    human = ScriptedHuman("decline")
    async with connect(make_server(fresh_sandbox), elicitation_callback=human) as client:
        await client.call_tool(
            "update_api_key", {"api_key_id": key["id"], "name": "x" + "\n" * 30 + "harmless"}
        )
    (message,) = human.messages
    assert message.count("\n") <= 6, message
    assert message.splitlines()[1].startswith("Update API key"), "the change leads the question"


# -- single use, across servers ---------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_used_token_cannot_apply_again_through_another_audit_log(
    fresh_sandbox: RunningSandbox, tmp_path: Path
) -> None:
    user = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[0]
    arguments = {"user_id": user["id"], "role": "billing"}
    first = make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL, audit_log=tmp_path / "a.jsonl")
    second = make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL, audit_log=tmp_path / "b.jsonl")
    async with connect(first) as client:
        token = (await client.call_tool("update_user_role", arguments)).structured_content[
            "confirmation_token"
        ]
        applied = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
    assert applied.structured_content["outcome"] == "applied"
    fresh_sandbox.state.users[user["id"]].role = "developer"  # something a replay could change again
    async with connect(second) as client:
        replay = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
    assert replay.is_error and "already used" in text_of(replay)
    assert fresh_sandbox.state.users[user["id"]].role == "developer"


def test_tokens_and_request_state_use_separate_keys(tmp_path: Path) -> None:
    keys = Keys.load(tmp_path)
    assert len({keys.token, keys.request_state, keys.audit}) == 3
    for name in ("token.key", "request-state.key", "audit.key"):
        assert oct((tmp_path / name).stat().st_mode & 0o777) == "0o600"
    # A token made under the request-state key is not one this server issued.
    forged, _ = ConfirmationTokens(keys.request_state).issue("update_user_role", {"user_id": "user_01A"}, "d")
    with pytest.raises(Exception, match="different arguments"):
        ConfirmationTokens(keys.token).verify(forged, "update_user_role", {"user_id": "user_01A"})


# -- the audit log's end --------------------------------------------------------------------------


def _history(tmp_path: Path, count: int = 6) -> tuple[Path, Path, bytes]:
    log = tmp_path / "audit.jsonl"
    keys = Keys.load(tmp_path / "state")
    head = head_path_for(log, tmp_path / "state")
    audit = AuditLog(log, head, keys.audit)
    for n in range(count):
        audit.append_sync({"tool": "update_user_role", "outcome": "applied", "n": n})
    return log, head, keys.audit


def _verify_cli(log: Path, state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "verify-audit", str(log), "--state-dir", str(state)],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )


@pytest.mark.parametrize(
    "tamper", ["drop the last line", "drop the last two", "rewrite the chain", "drop the head"]
)
def test_removing_the_end_or_rewriting_the_chain_is_caught(tmp_path: Path, tamper: str) -> None:
    log, head, key = _history(tmp_path)
    assert verify(log, head, key).ok and _verify_cli(log, tmp_path / "state").returncode == 0
    lines = log.read_bytes().splitlines()
    if tamper == "drop the last line":
        log.write_bytes(b"\n".join(lines[:-1]) + b"\n")
    elif tamper == "drop the last two":
        log.write_bytes(b"\n".join(lines[:-2]) + b"\n")
    elif tamper == "rewrite the chain":
        # Edit a line and recompute every hash after it: the chain itself verifies again.
        from claude_admin_mcp.server.confirmation.audit import GENESIS, line_hash

        records = [json.loads(line) for line in lines]
        records[2]["outcome"] = "declined"
        previous, rebuilt = GENESIS, []
        for record in records:
            record["prev"] = previous
            line = json.dumps(record, separators=(",", ":")).encode()
            rebuilt.append(line)
            previous = line_hash(line)
        log.write_bytes(b"\n".join(rebuilt) + b"\n")
        assert verify(log).ok, "the chain alone would not notice"
    else:
        head.unlink()
    result = verify(log, head, key)
    assert not result.ok, tamper
    done = _verify_cli(log, tmp_path / "state")
    assert done.returncode == 1 and "BROKEN" in done.stdout, done.stdout


# -- a password in the base URL ---------------------------------------------------------------------

PASSWORD = "hunter2-canary-password"


def test_a_password_in_the_base_url_is_refused_and_never_shown() -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({}, {"ANTHROPIC_BASE_URL": f"http://admin:{PASSWORD}@127.0.0.1:9/"})
    assert PASSWORD not in str(refused.value) and "user name or password" in str(refused.value)
    done = subprocess.run(
        [str(BIN), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(
            ANTHROPIC_BASE_URL=f"https://ops:{PASSWORD}@api.example.test",
            ANTHROPIC_ADMIN_KEY="sk-ant-admin01-" + "k" * 40,
        ),
    )
    assert done.returncode == 2 and PASSWORD not in done.stdout + done.stderr
    assert "user name or password" in done.stderr
