"""Claude Enterprise scoped keys: offered exactly what their scopes open, told why not the rest, and
the sandbox (like the API) refusing the same."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.credentials.base import CredentialError
from claude_admin_mcp.server.api.credentials.discover import discover
from claude_admin_mcp.server.api.credentials.scoped_key import scoped_key_credential
from claude_admin_mcp.server.app import AdminServer, create_server

from .conftest import connect, make_settings, sandbox_config, text_of
from .writes import ScriptedHuman

READER = "sk-ant-api01-canaryScopedREADER" + "Qm4" * 12
WRITER = "sk-ant-api01-canaryScopedWRITER" + "Jx8" * 12
READ_SCOPES = frozenset({"read:members"})
WRITE_SCOPES = frozenset({"read:members", "write:members"})


@pytest.fixture
def scoped_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(
        sandbox_config(scoped_keys=((READER, READ_SCOPES), (WRITER, WRITE_SCOPES)))
    ) as running:
        yield running


def _server(sandbox: RunningSandbox, key: str, scopes: str, **settings: object) -> AdminServer:
    credential = scoped_key_credential("ANTHROPIC_SCOPED_KEY", key, scopes)
    return create_server(make_settings(sandbox, **settings), credential)


@pytest.mark.anyio
async def test_a_read_members_key_is_offered_the_member_reads_and_told_why_not_the_rest(
    scoped_sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with connect(_server(scoped_sandbox, READER, "read:members", toolsets=["all"])) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        users = await client.call_tool("list_users", {"limit": 3})
        who = await client.call_tool("whoami", {})
        workspaces = await client.call_tool("list_workspaces", {})
        role = await client.call_tool("update_user_role", {"user_id": "user_01ABC", "role": "user"})
    assert {"get_organization", "whoami", "list_users", "get_user", "list_invites", "get_invite"} <= names
    assert not names & {
        "list_workspaces",
        "list_api_keys",
        "get_cost_report",
        "update_user_role",
        "create_invite",
    }
    assert not users.is_error and (users.structured_content or {})["count"] == 3
    identity = who.structured_content or {}
    assert identity["kind"] == "scoped_key" and identity["scope"] == "read:members"
    assert identity["unusable_toolsets"]["workspaces"] == "needs an admin key (Console)"
    assert workspaces.is_error and "belongs to Console organizations" in text_of(workspaces)
    assert role.is_error and "needs write:members" in text_of(role) and "read:members" in text_of(role)
    everything = caplog.text + text_of(users) + text_of(who) + text_of(workspaces) + text_of(role)
    assert READER not in everything and READER[-16:] not in everything


def test_the_sandbox_refuses_a_scoped_key_what_the_server_does_not_offer(
    scoped_sandbox: RunningSandbox,
) -> None:
    def get(key: str, path: str) -> httpx2.Response:
        return httpx2.get(
            scoped_sandbox.base_url + path, headers={"x-api-key": key, "anthropic-version": "2023-06-01"}
        )

    assert get(READER, "/v1/organizations/users").status_code == 200
    assert get(READER, "/v1/organizations/me").status_code == 200
    console_only = get(WRITER, "/v1/organizations/workspaces")
    assert console_only.status_code == 403 and console_only.json()["error"]["type"] == "permission_error"
    reader_write = httpx2.post(
        scoped_sandbox.base_url + "/v1/organizations/invites",
        json={"email": "x@acme.com", "role": "user"},
        headers={"x-api-key": READER, "anthropic-version": "2023-06-01"},
    )
    assert reader_write.status_code == 403 and "write:members" in reader_write.text


@pytest.mark.anyio
async def test_a_write_members_key_changes_a_role_with_approval(scoped_sandbox: RunningSandbox) -> None:
    user = next(u for u in scoped_sandbox.state.users.values() if u.role == "developer")
    server = _server(scoped_sandbox, WRITER, "read:members, write:members")
    async with connect(server, elicitation_callback=ScriptedHuman("accept")) as client:
        result = await client.call_tool("update_user_role", {"user_id": user.id, "role": "user"})
    assert (result.structured_content or {})["outcome"] == "applied", text_of(result)
    assert scoped_sandbox.state.users[user.id].role == "user"


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        ({"ANTHROPIC_SCOPED_KEY": READER}, "ANTHROPIC_SCOPED_KEY_SCOPES must list the scopes"),
        (
            {"ANTHROPIC_SCOPED_KEY": READER, "ANTHROPIC_SCOPED_KEY_SCOPES": "read:members,read:everything"},
            "unknown scope(s) read:everything",
        ),
        (
            {
                "ANTHROPIC_SCOPED_KEY": "sk-ant-admin01-" + "x" * 30,
                "ANTHROPIC_SCOPED_KEY_SCOPES": "read:members",
            },
            "holds an admin key",
        ),
    ],
)
def test_a_scoped_key_misconfigured_is_a_clear_error(environ: dict[str, str], said: str) -> None:
    with pytest.raises(CredentialError) as raised:
        discover(environ)
    assert said in str(raised.value) and READER not in str(raised.value)
