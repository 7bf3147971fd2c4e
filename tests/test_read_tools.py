"""Every read tool against the sandbox, in both protocol eras: the result is what the API holds."""

from __future__ import annotations

from typing import Any

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox

from .api import raw_all, raw_get
from .conftest import MODES, call, make_server, text_of


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_organization(sandbox: RunningSandbox, mode: str) -> None:
    result = await call(make_server(sandbox), "get_organization", {}, mode)
    assert not result.is_error, text_of(result)
    expected = raw_get(sandbox, "/v1/organizations/me")
    assert result.structured_content == expected
    assert expected["name"] in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_list_users_returns_every_member_across_calls(sandbox: RunningSandbox, mode: str) -> None:
    server = make_server(sandbox)
    expected = raw_all(sandbox, "/v1/organizations/users")
    seen: list[dict[str, Any]] = []
    cursor = None
    calls = 0
    while True:
        args: dict[str, Any] = {"limit": 7}
        if cursor:
            args["cursor"] = cursor
        result = await call(server, "list_users", args, mode)
        assert not result.is_error, text_of(result)
        content = result.structured_content
        assert content is not None and content["count"] == len(content["items"]) <= 7
        seen.extend(content["items"])
        calls += 1
        cursor = content["next_cursor"]
        if cursor is None:
            break
        assert calls < 50
    assert [u["id"] for u in seen] == [u["id"] for u in expected]
    assert seen == expected


@pytest.mark.anyio
async def test_list_users_filters_by_role_and_email(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox)
    developers = raw_all(sandbox, "/v1/organizations/users", roles=["developer"])
    assert developers, "the seed has developers"
    result = await call(server, "list_users", {"roles": ["developer"], "limit": 1000})
    assert [u["id"] for u in result.structured_content["items"]] == [u["id"] for u in developers]
    target = developers[0]
    result = await call(server, "list_users", {"email": target["email"].upper()})
    assert [u["id"] for u in result.structured_content["items"]] == [target["id"]]
    assert target["email"] in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_get_user_invite_workspace_member_and_key(sandbox: RunningSandbox, mode: str) -> None:
    server = make_server(sandbox)
    user = raw_get(sandbox, "/v1/organizations/users", limit=1)["data"][0]
    result = await call(server, "get_user", {"user_id": user["id"]}, mode)
    assert result.structured_content == user

    invite = raw_get(sandbox, "/v1/organizations/invites", limit=1)["data"][0]
    result = await call(server, "get_invite", {"invite_id": invite["id"]}, mode)
    assert result.structured_content == invite

    workspace = raw_get(sandbox, "/v1/organizations/workspaces", limit=1)["data"][0]
    result = await call(server, "get_workspace", {"workspace_id": workspace["id"]}, mode)
    assert result.structured_content == workspace

    members = raw_all(sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members")
    assert members, "seeded workspaces have members"
    result = await call(server, "list_workspace_members", {"workspace_id": workspace["id"]}, mode)
    assert result.structured_content["items"] == members
    member = members[0]
    result = await call(
        server, "get_workspace_member", {"workspace_id": workspace["id"], "user_id": member["user_id"]}, mode
    )
    assert result.structured_content == member

    key = raw_get(sandbox, "/v1/organizations/api_keys", limit=1)["data"][0]
    result = await call(server, "get_api_key", {"api_key_id": key["id"]}, mode)
    assert result.structured_content == key
    assert key["name"] in text_of(result)


@pytest.mark.anyio
async def test_list_workspaces_hides_archived_unless_asked(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox)
    active = await call(server, "list_workspaces", {"limit": 1000})
    everything = await call(server, "list_workspaces", {"limit": 1000, "include_archived": True})
    active_items = active.structured_content["items"]
    all_items = everything.structured_content["items"]
    assert all(w["archived_at"] is None for w in active_items)
    archived = [w for w in all_items if w["archived_at"]]
    assert archived, "the seed has archived workspaces"
    assert len(all_items) == len(active_items) + len(archived)


@pytest.mark.anyio
async def test_list_api_keys_filters(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox)
    keys = raw_all(sandbox, "/v1/organizations/api_keys")
    for status in ("active", "inactive", "archived", "expired"):
        result = await call(server, "list_api_keys", {"status": status, "limit": 1000})
        got = [k["id"] for k in result.structured_content["items"]]
        assert got == [k["id"] for k in keys if k["status"] == status], status
    workspace_id = next(k["workspace_id"] for k in keys if k["workspace_id"])
    result = await call(server, "list_api_keys", {"workspace_id": workspace_id, "limit": 1000})
    assert {k["workspace_id"] for k in result.structured_content["items"]} == {workspace_id}
    creator = next(k["created_by"]["id"] for k in keys if k.get("created_by"))
    result = await call(server, "list_api_keys", {"created_by_user_id": creator, "limit": 1000})
    items = result.structured_content["items"]
    assert items and all(k["created_by"]["id"] == creator for k in items)


@pytest.mark.anyio
async def test_list_invites_filters_by_status(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox)
    invites = raw_all(sandbox, "/v1/organizations/invites")
    statuses = {i["status"] for i in invites}
    assert {"pending", "expired"} <= statuses
    result = await call(server, "list_invites", {"statuses": ["expired"], "limit": 1000})
    items = result.structured_content["items"]
    assert [i["id"] for i in items] == [i["id"] for i in invites if i["status"] == "expired"]
