"""Bad inputs and API failures, through a real MCP client: each is a clear tool error, never a
traceback, and a malformed input never reaches the API."""

from __future__ import annotations

from typing import Any

import pytest
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox

from .api import raw_get
from .conftest import CANARY_KEY, MODES, call, connect, make_server, text_of


def _request_counter(sandbox: RunningSandbox) -> Fault:
    """A fault that changes nothing but counts every request that reaches the sandbox."""
    return sandbox.state.faults.add(Fault("latency", seconds=0, times=None))


BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("get_user", {"user_id": "bob"}, "user_01WCz1FkmYMm4gnmykNKUu3Q"),
    ("get_user", {"user_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"}, "expected a user id"),
    ("get_user", {"user_id": "user_../../organizations/me"}, "expected a user id"),
    ("get_user", {"user_id": "user_01%2F..%2Fme"}, "expected a user id"),
    ("get_user", {"user_id": "user_01?x=1#y"}, "expected a user id"),
    ("get_user", {}, "user_id: required"),
    ("get_user", {"user_id": 42}, "user_id"),
    ("get_workspace", {"workspace_id": "wrkspc_"}, "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"),
    ("get_api_key", {"api_key_id": "sk-ant-api03-abc"}, "apikey_01"),
    ("get_invite", {"invite_id": "inv_123"}, "invite_01"),
    ("get_workspace_member", {"workspace_id": "wrkspc_01A", "user_id": "u"}, "expected a user id"),
    ("list_users", {"roles": ["superuser"]}, "roles.0: Input should be"),
    ("list_users", {"limit": 0}, "limit: Input should be greater than or equal to 1"),
    ("list_users", {"limit": 5000}, "limit: Input should be less than or equal to 1000"),
    ("list_api_keys", {"status": "gone"}, "status: Input should be"),
    ("list_invites", {"statuses": ["maybe"]}, "statuses.0"),
    ("list_users", {"colour": "blue"}, "colour: unknown argument; this tool takes:"),
    ("list_users", {"cursor": "not-a-cursor"}, "cursor is not one this server issued"),
]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_bad_inputs_are_refused_before_any_request(fresh_sandbox: RunningSandbox, mode: str) -> None:
    counter = _request_counter(fresh_sandbox)
    server = make_server(fresh_sandbox)
    async with connect(server, mode) as client:
        for tool, arguments, expected in BAD_INPUTS:
            result = await client.call_tool(tool, arguments)
            text = text_of(result)
            assert result.is_error, (tool, arguments)
            assert expected in text, (tool, arguments, text)
            assert "Traceback" not in text and "errors.pydantic.dev" not in text
    assert counter.fired == 0, "a malformed input reached the API"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "hint"),
    [
        ("get_user", {"user_id": "user_01ZZZZZZZZZZZZZZZZZZZZZZ"}, "list_users finds members"),
        ("get_workspace", {"workspace_id": "wrkspc_01ZZZZZZZZZZZZZZZZZZZZ"}, "list_workspaces"),
        ("get_api_key", {"api_key_id": "apikey_01ZZZZZZZZZZZZZZZZZZZZ"}, "list_api_keys finds keys"),
        ("get_invite", {"invite_id": "invite_01ZZZZZZZZZZZZZZZZZZZZ"}, "list_invites finds invites"),
        ("list_workspace_members", {"workspace_id": "wrkspc_01ZZZZZZZZZZZZZZZZZZZZ"}, "list_workspaces"),
    ],
)
async def test_unknown_ids_are_404_with_the_next_step(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], hint: str
) -> None:
    result = await call(make_server(sandbox), tool, arguments)
    text = text_of(result)
    assert result.is_error
    assert "not_found_error (HTTP 404)" in text and "[request_id=req_" in text and hint in text


@pytest.mark.anyio
async def test_a_non_member_is_a_clear_404(sandbox: RunningSandbox) -> None:
    workspace = raw_get(sandbox, "/v1/organizations/workspaces", limit=1)["data"][0]
    members = {
        m["user_id"]
        for m in raw_get(sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members")["data"]
    }
    outsider = next(
        u["id"]
        for u in raw_get(sandbox, "/v1/organizations/users", limit=100)["data"]
        if u["id"] not in members
    )
    result = await call(
        make_server(sandbox), "get_workspace_member", {"workspace_id": workspace["id"], "user_id": outsider}
    )
    assert result.is_error and "not a member of that workspace" in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_rejected_credential_is_401_naming_the_variable_without_the_key(
    sandbox: RunningSandbox, mode: str
) -> None:
    from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
    from claude_admin_mcp.server.app import create_server

    from .conftest import make_settings

    wrong = "sk-ant-admin01-canaryWRONG" + "Pp9" * 14
    server = create_server(make_settings(sandbox), admin_key_credential("ANTHROPIC_ADMIN_KEY", wrong))
    result = await call(server, "list_users", {}, mode)
    text = text_of(result)
    assert result.is_error and "authentication_error (HTTP 401)" in text and "ANTHROPIC_ADMIN_KEY" in text
    assert wrong not in text and CANARY_KEY not in text


@pytest.mark.anyio
async def test_403_explains_the_credential_kind(fresh_sandbox: RunningSandbox) -> None:
    fresh_sandbox.state.faults.add(Fault("status", status=403, message="Missing required scopes"))
    result = await call(make_server(fresh_sandbox), "get_organization", {})
    text = text_of(result)
    assert result.is_error and "permission_error (HTTP 403): Missing required scopes" in text
    assert "org:admin OAuth token" in text


@pytest.mark.anyio
async def test_429_is_retried_honouring_retry_after(fresh_sandbox: RunningSandbox) -> None:
    fault = fresh_sandbox.state.faults.add(Fault("status", status=429, retry_after=0.2, times=1))
    result = await call(make_server(fresh_sandbox), "get_organization", {})
    assert not result.is_error and fault.fired == 1


@pytest.mark.anyio
async def test_429_beyond_the_retry_budget_fails_at_once_with_the_wait(fresh_sandbox: RunningSandbox) -> None:
    fault = fresh_sandbox.state.faults.add(Fault("status", status=429, retry_after=120, times=None))
    result = await call(make_server(fresh_sandbox, retry_budget_seconds=5), "get_organization", {})
    text = text_of(result)
    assert result.is_error and "rate_limit_error (HTTP 429)" in text and "wait 120 s" in text
    assert fault.fired == 1, "a wait longer than the budget is not slept through"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "error_type"), [(500, "api_error"), (529, "overloaded_error"), (503, "api_error")]
)
async def test_server_errors_are_retried_then_reported(
    fresh_sandbox: RunningSandbox, status: int, error_type: str
) -> None:
    fresh_sandbox.state.faults.add(Fault("status", status=status, times=2))
    server = make_server(fresh_sandbox, max_retries=2)
    assert not (await call(server, "get_organization", {})).is_error  # two failures, third try succeeds
    fresh_sandbox.state.faults.add(Fault("status", status=status, times=None))
    result = await call(server, "get_organization", {})
    text = text_of(result)
    assert result.is_error and f"{error_type} (HTTP {status})" in text and "after 2 retries" in text


@pytest.mark.anyio
async def test_malformed_and_dropped_responses_to_reads_are_retried(fresh_sandbox: RunningSandbox) -> None:
    server = make_server(fresh_sandbox, max_retries=3)
    for kind in ("malformed", "truncated", "drop"):
        fault = fresh_sandbox.state.faults.add(Fault(kind, path="/users", times=1))
        result = await call(server, "list_users", {"limit": 3})
        assert not result.is_error and fault.fired == 1, (kind, text_of(result))
    fresh_sandbox.state.faults.add(Fault("malformed", path="/me", times=None))
    result = await call(server, "get_organization", {})
    assert result.is_error and "not JSON" in text_of(result)


@pytest.mark.anyio
async def test_unreachable_api(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox, base_url="http://127.0.0.1:9", max_retries=1, retry_budget_seconds=2)
    result = await call(server, "get_organization", {})
    assert result.is_error and "did not answer" in text_of(result) and "cannot connect" in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_an_unknown_prompt_is_invalid_params_not_an_internal_error(
    sandbox: RunningSandbox, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with connect(make_server(sandbox), mode) as client:
        with pytest.raises(MCPError) as raised:
            await client.get_prompt("test_simple_prompt")
        assert (await client.call_tool("get_organization", {})).is_error is False, "still serving"
    assert (
        raised.value.code == INVALID_PARAMS and "Unknown prompt: test_simple_prompt" in raised.value.message
    )
    assert "Traceback" not in caplog.text
