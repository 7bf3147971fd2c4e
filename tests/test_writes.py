"""Confirm-to-write through a real MCP client in both protocol eras.

Each write is asked of a scripted human who accepts, declines, cancels or types the wrong name,
and the sandbox's own state proves what changed and what did not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox

from .api import raw_all, raw_get
from .conftest import MODES, connect, make_server, text_of
from .writes import ScriptedHuman, audit_lines, snapshot


def _developer_in_a_workspace(
    sandbox: RunningSandbox,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A developer, a workspace they belong to, and their membership there."""
    for workspace in raw_all(sandbox, "/v1/organizations/workspaces"):
        for member in raw_all(sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members"):
            user = raw_get(sandbox, f"/v1/organizations/users/{member['user_id']}")
            if user["role"] == "developer":
                return user, workspace, member
    raise AssertionError("the seed has developers in workspaces")


def _outsider(sandbox: RunningSandbox, workspace_id: str) -> dict[str, Any]:
    members = {m["user_id"] for m in raw_all(sandbox, f"/v1/organizations/workspaces/{workspace_id}/members")}
    return next(
        u for u in raw_all(sandbox, "/v1/organizations/users", roles=["developer"]) if u["id"] not in members
    )


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_accepted_role_change_is_applied_and_audited(
    fresh_sandbox: RunningSandbox, mode: str, tmp_path: Path
) -> None:
    user, _, _ = _developer_in_a_workspace(fresh_sandbox)
    human = ScriptedHuman("accept")
    audit = tmp_path / "audit.jsonl"
    server = make_server(fresh_sandbox, audit_log=audit)
    async with connect(server, mode, elicitation_callback=human) as client:
        result = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
    assert not result.is_error, text_of(result)
    content = result.structured_content
    assert content is not None and content["outcome"] == "applied" and content["result"]["role"] == "billing"
    assert fresh_sandbox.state.users[user["id"]].role == "billing"
    assert (
        human.messages
        and f"{user['email']}" in human.messages[0]
        and "developer → billing" in human.messages[0]
    )
    assert "Acme Corp" in human.messages[0], "the human sees which organization"
    assert set(human.schemas[0]["properties"]) == {"approve"}, "a non-destructive change is a yes/no"
    outcomes = [line["outcome"] for line in audit_lines(audit)]
    assert outcomes == ["confirmed", "applied"]
    applied = audit_lines(audit)[-1]
    assert applied["request_id"].startswith("req_") and applied["credential"] == "admin_key"
    assert applied["organization_id"] == fresh_sandbox.state.organization.id
    assert applied["arguments"] == {"user_id": user["id"], "role": "billing"}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("human", "outcome"),
    [
        (ScriptedHuman("decline"), "declined"),
        (ScriptedHuman("cancel"), "cancelled"),
        (ScriptedHuman("accept", typed="someone-else@acme.com"), "mismatch"),
        (ScriptedHuman("accept", typed=""), "mismatch"),
    ],
    ids=["decline", "cancel", "wrong-email", "empty"],
)
async def test_destructive_write_not_confirmed_changes_nothing(
    fresh_sandbox: RunningSandbox, mode: str, human: ScriptedHuman, outcome: str, tmp_path: Path
) -> None:
    user, _, _ = _developer_in_a_workspace(fresh_sandbox)
    before = snapshot(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    async with connect(
        make_server(fresh_sandbox, audit_log=audit), mode, elicitation_callback=human
    ) as client:
        result = await client.call_tool("remove_user", {"user_id": user["id"]})
    assert snapshot(fresh_sandbox) == before, "nothing changed"
    content = result.structured_content
    assert content is not None and content["outcome"] == outcome and content["applied"] is False
    assert "Nothing changed" in text_of(result)
    assert [line["outcome"] for line in audit_lines(audit)] == [outcome]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_removing_a_member_shows_the_blast_radius_and_needs_their_email(
    fresh_sandbox: RunningSandbox, mode: str
) -> None:
    user, workspace, member = _developer_in_a_workspace(fresh_sandbox)
    human = ScriptedHuman("accept", typed=user["email"].upper())
    async with connect(make_server(fresh_sandbox), mode, elicitation_callback=human) as client:
        result = await client.call_tool("remove_user", {"user_id": user["id"]})
    assert not result.is_error and result.structured_content["outcome"] == "applied"
    message = human.messages[0]
    assert f"Org role: {user['role']}" in message
    assert f"{workspace['name']} ({member['workspace_role']})" in message
    assert "API keys they created" in message
    assert human.schemas[0]["properties"]["confirm"]["description"] == f"Type {user['email']} to confirm"
    assert user["id"] not in fresh_sandbox.state.users
    assert fresh_sandbox.state.member(workspace["id"], user["id"]) is None


@pytest.mark.anyio
async def test_archiving_a_workspace_lists_members_and_keys_and_needs_its_name(
    fresh_sandbox: RunningSandbox,
) -> None:
    workspace = max(
        raw_all(fresh_sandbox, "/v1/organizations/workspaces"),
        key=lambda w: len(
            raw_all(fresh_sandbox, "/v1/organizations/api_keys", workspace_id=w["id"], status="active")
        ),
    )
    keys = raw_all(fresh_sandbox, "/v1/organizations/api_keys", workspace_id=workspace["id"], status="active")
    members = raw_all(fresh_sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members")
    assert keys and members
    wrong = ScriptedHuman("accept", typed=workspace["name"] + "x")
    async with connect(make_server(fresh_sandbox), elicitation_callback=wrong) as client:
        refused = await client.call_tool("archive_workspace", {"workspace_id": workspace["id"]})
    assert refused.structured_content["outcome"] == "mismatch"
    assert fresh_sandbox.state.workspaces[workspace["id"]].archived_at is None
    # Case and surrounding spaces are forgiven: the preview already binds the exact workspace.
    human = ScriptedHuman("accept", typed=f"  {workspace['name'].lower()} ")
    async with connect(make_server(fresh_sandbox), elicitation_callback=human) as client:
        result = await client.call_tool("archive_workspace", {"workspace_id": workspace["id"]})
    assert result.structured_content["outcome"] == "applied", text_of(result)
    message = human.messages[0]
    assert f"{len(members)} members lose access" in message and "Irreversible" in message
    assert f"{len(keys)} active API keys are deactivated" in message and keys[0]["id"] in message
    assert fresh_sandbox.state.workspaces[workspace["id"]].archived_at is not None
    after = raw_all(
        fresh_sandbox, "/v1/organizations/api_keys", workspace_id=workspace["id"], status="active"
    )
    assert after == []


@pytest.mark.anyio
async def test_every_write_tool_applies_on_a_yes(fresh_sandbox: RunningSandbox) -> None:
    """The administrator's day: invite, change roles, move a member, archive, deactivate a key."""
    sandbox = fresh_sandbox
    user, workspace, member = _developer_in_a_workspace(sandbox)
    other = next(w for w in raw_all(sandbox, "/v1/organizations/workspaces") if w["id"] != workspace["id"])
    newcomer = _outsider(sandbox, other["id"])
    key = next(
        k for k in raw_all(sandbox, "/v1/organizations/api_keys", status="active") if k["workspace_id"]
    )
    invite = raw_all(sandbox, "/v1/organizations/invites", statuses=["pending"])[0]

    class Human(ScriptedHuman):
        """Types whatever the question asks for: a careful administrator who agrees."""

        async def __call__(self, context: Any, params: Any) -> Any:
            schema = params.requested_schema or {}
            if "confirm" in schema.get("properties", {}):
                self.typed = (
                    schema["properties"]["confirm"]["description"]
                    .removeprefix("Type ")
                    .removesuffix(" to confirm")
                )
            return await super().__call__(context, params)

    calls: list[tuple[str, dict[str, Any]]] = [
        ("create_invite", {"email": "ana.new@acme.com", "role": "developer"}),
        ("delete_invite", {"invite_id": invite["id"]}),
        ("update_user_role", {"user_id": user["id"], "role": "claude_code_user"}),
        ("create_workspace", {"name": "Red Team", "tags": {"team": "security"}}),
        ("update_workspace", {"workspace_id": other["id"], "name": "Renamed", "tags": {"cost_center": "42"}}),
        (
            "add_workspace_member",
            {"workspace_id": other["id"], "user_id": newcomer["id"], "workspace_role": "workspace_user"},
        ),
        (
            "update_workspace_member_role",
            {"workspace_id": other["id"], "user_id": newcomer["id"], "workspace_role": "workspace_developer"},
        ),
        ("remove_workspace_member", {"workspace_id": workspace["id"], "user_id": member["user_id"]}),
        ("update_api_key", {"api_key_id": key["id"], "name": "renamed-key"}),
        ("update_api_key", {"api_key_id": key["id"], "status": "inactive"}),
        ("sign_out_user", {"user_id": newcomer["id"]}),
    ]
    async with connect(make_server(sandbox), elicitation_callback=Human()) as client:
        for tool, arguments in calls:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, (tool, text_of(result))
            assert result.structured_content["outcome"] == "applied", (tool, text_of(result))
            assert text_of(result).startswith("Applied: ")
    state = sandbox.state
    assert any(i.email == "ana.new@acme.com" for i in state.invites.values())
    assert state.invites[invite["id"]].stored_status == "deleted"
    assert state.users[user["id"]].role == "claude_code_user"
    assert any(w.name == "Red Team" for w in state.workspaces.values())
    assert state.workspaces[other["id"]].name == "Renamed"
    joined = state.member(other["id"], newcomer["id"])
    assert joined is not None and joined.workspace_role == "workspace_developer"
    assert state.member(workspace["id"], member["user_id"]) is None
    assert state.api_keys[key["id"]].name == "renamed-key"
    assert raw_get(sandbox, f"/v1/organizations/api_keys/{key['id']}")["status"] == "inactive"
    assert state.users[newcomer["id"]].signed_out_at is not None


@pytest.mark.anyio
async def test_nothing_to_do_and_refusals_from_current_state_ask_no_one(
    fresh_sandbox: RunningSandbox,
) -> None:
    user, workspace, member = _developer_in_a_workspace(fresh_sandbox)
    admin = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["admin"])[0]
    before = snapshot(fresh_sandbox)
    human = ScriptedHuman("accept")
    async with connect(make_server(fresh_sandbox), elicitation_callback=human) as client:
        same = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "developer"})
        protected = await client.call_tool("remove_user", {"user_id": admin["id"]})
        again = await client.call_tool(
            "add_workspace_member",
            {"workspace_id": workspace["id"], "user_id": user["id"], "workspace_role": "workspace_user"},
        )
        existing = await client.call_tool("create_invite", {"email": user["email"], "role": "user"})
    assert human.messages == [], "nobody is asked about a change that cannot or need not happen"
    assert snapshot(fresh_sandbox) == before
    assert same.structured_content["outcome"] == "nothing_to_do" and not same.is_error
    assert "already has the role developer" in text_of(same)
    assert protected.is_error and "cannot remove them" in text_of(protected)
    assert again.is_error and f"already a member as {member['workspace_role']}" in text_of(again)
    assert existing.is_error and "already a member" in text_of(existing)


@pytest.mark.anyio
@pytest.mark.parametrize("role", ["admin", "owner", "primary_owner", "membership_admin"])
async def test_roles_the_api_will_not_grant_are_refused_before_any_request(
    fresh_sandbox: RunningSandbox, role: str, tmp_path: Path
) -> None:
    from claude_admin_mcp.sandbox.faults import Fault

    user, _, _ = _developer_in_a_workspace(fresh_sandbox)
    counter = fresh_sandbox.state.faults.add(Fault("latency", seconds=0, times=None))
    audit = tmp_path / "audit.jsonl"
    human = ScriptedHuman("accept")
    async with connect(make_server(fresh_sandbox, audit_log=audit), elicitation_callback=human) as client:
        result = await client.call_tool("update_user_role", {"user_id": user["id"], "role": role})
        invite = await client.call_tool("create_invite", {"email": "boss@acme.com", "role": role})
    for outcome in (result, invite):
        assert (
            outcome.is_error
            and f"cannot grant '{role}'" in text_of(outcome)
            and "Console" in text_of(outcome)
        )
    assert counter.fired == 0 and human.messages == []
    assert [line["outcome"] for line in audit_lines(audit)] == ["invalid", "invalid"]
