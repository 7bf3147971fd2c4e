"""The read-only tier, the workspace allowlist on every write path, and no duplicate writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from claude_admin_mcp.sandbox.faults import Fault, FaultKind
from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.api.client import AdminApi
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.api.errors import MethodNotAllowed
from claude_admin_mcp.tools import OPERATIONS

from .api import raw_all
from .conftest import MODES, TOKEN_CHANNEL, connect, make_server, text_of
from .writes import ScriptedHuman, audit_lines, snapshot

WRITE_TOOLS = {
    op.name
    for op in OPERATIONS
    if not op.read_only and op.toolset in ("users", "invites", "workspaces", "api_keys")
}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_read_only_lists_no_write_tool_and_refuses_them_by_name(
    fresh_sandbox: RunningSandbox, mode: str
) -> None:
    counter = fresh_sandbox.state.faults.add(Fault("latency", seconds=0, times=None))
    user = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[0]
    counter.fired = 0
    async with connect(make_server(fresh_sandbox, tier="read-only"), mode) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        assert not listed & WRITE_TOOLS and len(WRITE_TOOLS) == 12
        result = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
        removal = await client.call_tool("remove_user", {"user_id": user["id"]})
    for refused in (result, removal):
        assert (
            refused.is_error
            and "read-only tier" in text_of(refused)
            and "Nothing was changed" in text_of(refused)
        )
    assert counter.fired == 0


@pytest.mark.anyio
async def test_confirm_tier_lists_every_write_with_true_annotations(fresh_sandbox: RunningSandbox) -> None:
    # With the token channel opted in; without it no write takes a confirmation_token (below).
    async with connect(make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    async with connect(make_server(fresh_sandbox)) as client:
        default = {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}
    assert not any("confirmation_token" in default[name]["properties"] for name in WRITE_TOOLS)
    assert set(tools) >= WRITE_TOOLS
    destructive = {
        "remove_user",
        "delete_invite",
        "archive_workspace",
        "remove_workspace_member",
        "sign_out_user",
        "update_api_key",
    }
    for name in WRITE_TOOLS:
        hints = tools[name].annotations
        assert hints is not None and hints.read_only_hint is False, name
        assert hints.destructive_hint is (name in destructive), name
        schema = tools[name].input_schema
        assert "confirmation_token" in schema["properties"], name
        assert "decision" not in schema["properties"], "the resolved confirmation is not an argument"
    for name, idempotent in (
        ("create_workspace", False),
        ("create_invite", False),
        ("update_user_role", True),
    ):
        hints = tools[name].annotations
        assert hints is not None and hints.idempotent_hint is idempotent, name


@pytest.mark.anyio
async def test_read_only_http_client_sends_nothing_but_get(sandbox: RunningSandbox) -> None:
    api = AdminApi(
        base_url=sandbox.base_url,
        credential=admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key),
        allowed_methods=frozenset({"GET"}),
    )
    try:
        for method in ("POST", "DELETE", "PUT", "PATCH"):
            with pytest.raises(MethodNotAllowed):
                await api.request(method, "/v1/organizations/users/user_01X", body={"role": "billing"})
        assert (await api.get("/v1/organizations/me")).status == 200
    finally:
        await api.aclose()


def _cases(sandbox: RunningSandbox) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """An allowed workspace, and one write per path that touches a workspace outside it."""
    workspaces = raw_all(sandbox, "/v1/organizations/workspaces")
    keys = raw_all(sandbox, "/v1/organizations/api_keys")
    outside = next(w for w in workspaces if any(k["workspace_id"] == w["id"] for k in keys))
    allowed = next(w for w in workspaces if w["id"] != outside["id"])
    members = raw_all(sandbox, f"/v1/organizations/workspaces/{outside['id']}/members")
    inside = {m["user_id"] for m in members}
    developers = raw_all(sandbox, "/v1/organizations/users", roles=["developer"])
    newcomer = next(u for u in developers if u["id"] not in inside)
    remover = next(u for u in developers if u["id"] in inside)
    usable = [k for k in keys if k["status"] != "archived"]
    key = next(k for k in usable if k["workspace_id"] == outside["id"])
    default_key = next(k for k in usable if k["id"] != key["id"])
    # Arrange a key in the default workspace (small seeds may have none there).
    sandbox.state.api_keys[default_key["id"]].workspace_id = sandbox.state.default_workspace_id
    member = members[0]
    return allowed["id"], [
        ("update_workspace", {"workspace_id": outside["id"], "name": "X"}),
        ("archive_workspace", {"workspace_id": outside["id"]}),
        (
            "add_workspace_member",
            {"workspace_id": outside["id"], "user_id": newcomer["id"], "workspace_role": "workspace_user"},
        ),
        (
            "update_workspace_member_role",
            {
                "workspace_id": outside["id"],
                "user_id": member["user_id"],
                "workspace_role": "workspace_admin",
            },
        ),
        ("remove_workspace_member", {"workspace_id": outside["id"], "user_id": member["user_id"]}),
        ("update_api_key", {"api_key_id": key["id"], "status": "archived"}),
        ("update_api_key", {"api_key_id": default_key["id"], "name": "renamed"}),
        ("create_workspace", {"name": "Shadow IT"}),
        ("remove_user", {"user_id": remover["id"]}),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_the_allowlist_holds_on_every_write_path(
    fresh_sandbox: RunningSandbox, mode: str, tmp_path: Path
) -> None:
    allowed, cases = _cases(fresh_sandbox)
    before = snapshot(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    human = ScriptedHuman("accept", typed="anything")
    server = make_server(fresh_sandbox, allow_workspaces=[allowed], audit_log=audit)
    async with connect(server, mode, elicitation_callback=human) as client:
        for tool, arguments in cases:
            result = await client.call_tool(tool, arguments)
            assert result.is_error, (tool, arguments)
            assert result.structured_content["outcome"] == "refused", (tool, text_of(result))
            assert "may only change" in text_of(result), tool
    assert human.messages == [], "a refused write is never put to the human"
    assert snapshot(fresh_sandbox) == before
    assert [line["outcome"] for line in audit_lines(audit)] == ["refused"] * len(cases)


@pytest.mark.anyio
async def test_the_allowlist_lets_allowed_workspaces_through(fresh_sandbox: RunningSandbox) -> None:
    workspace = raw_all(fresh_sandbox, "/v1/organizations/workspaces")[0]
    async with connect(
        make_server(fresh_sandbox, allow_workspaces=[workspace["id"]]),
        elicitation_callback=ScriptedHuman("accept"),
    ) as client:
        result = await client.call_tool(
            "update_workspace", {"workspace_id": workspace["id"], "name": "Allowed"}
        )
    assert result.structured_content["outcome"] == "applied"
    assert fresh_sandbox.state.workspaces[workspace["id"]].name == "Allowed"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["drop", "truncated"])
async def test_a_create_that_may_have_reached_the_api_is_never_sent_twice(
    fresh_sandbox: RunningSandbox, kind: FaultKind
) -> None:
    before = len(fresh_sandbox.state.workspaces)
    fault = fresh_sandbox.state.faults.add(Fault(kind, method="POST", path="/workspaces$", times=None))
    async with connect(
        make_server(fresh_sandbox, max_retries=3), elicitation_callback=ScriptedHuman("accept")
    ) as client:
        result = await client.call_tool("create_workspace", {"name": "Once Only"})
    assert result.is_error and "may or may not have been applied" in text_of(result)
    assert fault.fired == 1, "the POST was sent once"
    names = [w.name for w in fresh_sandbox.state.workspaces.values()]
    assert names.count("Once Only") == 1 and len(fresh_sandbox.state.workspaces) == before + 1


@pytest.mark.anyio
async def test_an_idempotent_update_is_retried_after_a_server_error(fresh_sandbox: RunningSandbox) -> None:
    user = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[0]
    fault = fresh_sandbox.state.faults.add(Fault("status", status=503, method="POST", times=1))
    async with connect(make_server(fresh_sandbox), elicitation_callback=ScriptedHuman("accept")) as client:
        result = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "user"})
    assert result.structured_content["outcome"] == "applied" and fault.fired == 1


@pytest.mark.anyio
async def test_a_replayed_modern_confirmation_round_does_not_apply_twice(
    fresh_sandbox: RunningSandbox,
) -> None:
    """Drive the 2026-07-28 input-required rounds by hand and resend the final round."""
    from mcp.types import ElicitResult, InputRequiredResult, InputResponses

    user = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[0]
    arguments = {"user_id": user["id"], "role": "billing"}
    human = ScriptedHuman("accept")
    async with connect(make_server(fresh_sandbox), "auto", elicitation_callback=human) as client:
        first = await client.session.call_tool("update_user_role", arguments, allow_input_required=True)
        assert isinstance(first, InputRequiredResult)
        assert first.input_requests is not None
        answers: InputResponses = {
            key: ElicitResult(action="accept", content={"approve": True}) for key in first.input_requests
        }
        final = await client.session.call_tool(
            "update_user_role",
            arguments,
            input_responses=answers,
            request_state=first.request_state,
            allow_input_required=True,
        )
        assert not isinstance(final, InputRequiredResult) and final.structured_content["outcome"] == "applied"
        fresh_sandbox.state.users[user["id"]].role = "developer"  # something a replay could change again
        replay = await client.session.call_tool(
            "update_user_role",
            arguments,
            input_responses=answers,
            request_state=first.request_state,
            allow_input_required=True,
        )
    # The state is back to what the human approved, so only the once-only claim on the round trip
    # stands between a resent answer and a second change.
    writes = [a for a in fresh_sandbox.state.activities if "role" in cast(str, a.to_dict().get("type", ""))]
    assert len(writes) == 1, "applied exactly once"
    assert not isinstance(replay, InputRequiredResult)
    assert replay.is_error and "already used" in text_of(replay)
    assert fresh_sandbox.state.users[user["id"]].role == "developer"
