"""The compliance activity feed: writes show up at the top with the right type, actor and fields;
filters and both orders page without duplicates; access follows the Compliance API setting."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox

from ._sandbox_helpers import NOW, OAUTH_TOKEN, assert_error

FEED = "/v1/compliance/activities"
USERS = "/v1/organizations/users"
WORKSPACES = "/v1/organizations/workspaces"
SCOPE_MESSAGE = "Missing required scopes. Got: {} Needed: ['read:compliance_activities']"


def walk(http: httpx2.Client, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        body = http.get(FEED, params={**params, **({"after_id": cursor} if cursor else {})}).json()
        assert set(body) == {"data", "has_more", "first_id", "last_id"}
        if body["data"]:
            assert body["first_id"] == body["data"][0]["id"] and body["last_id"] == body["data"][-1]["id"]
        items += body["data"]
        if not body["has_more"]:
            return items
        cursor = body["last_id"]


def test_a_write_is_at_the_top_of_the_feed(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    user = next(u for u in state.users.newest_first() if u.role == "user")
    response = http.post(
        f"{USERS}/{user.id}", json={"role": "developer"}, headers={"user-agent": "feed-test/1.0"}
    )
    assert response.status_code == 200
    top = http.get(FEED, params={"limit": 1}).json()["data"][0]
    assert top["type"] == "claude_user_role_updated"
    assert top["id"] == state.activities[-1].id
    assert top["actor"] == {
        "type": "admin_api_key_actor",
        "admin_api_key_id": top["actor"]["admin_api_key_id"],
        "ip_address": "127.0.0.1",
        "user_agent": "feed-test/1.0",
    }
    assert top["actor"]["admin_api_key_id"].startswith("apikey_01")
    assert top["organization_uuid"] == state.organization.id
    assert top["organization_id"].startswith("org_01")
    assert (top["user_id"], top["email_address"], top["previous_role"], top["current_role"]) == (
        user.id,
        user.email,
        "user",
        "developer",
    )
    assert set(top) == {
        "id", "created_at", "organization_id", "organization_uuid", "type", "actor",
        "user_id", "email_address", "previous_role", "current_role",
    }  # fmt: skip


def test_updates_carry_old_and_new_values(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    workspace = next(w for w in state.workspaces.values() if not w.is_default and w.archived_at is None)
    old_name = workspace.name
    http.post(f"{WORKSPACES}/{workspace.id}", json={"name": "Renamed", "display_color": "#123456"})
    key = next(k for k in state.api_keys.values() if k.stored_status == "active" and k.expires_at is None)
    old_key_name = key.name
    http.post(f"/v1/organizations/api_keys/{key.id}", json={"name": "renamed-key", "status": "inactive"})
    member = next(m for m in state.members[workspace.id].values())
    role = "workspace_admin" if member.workspace_role != "workspace_admin" else "workspace_user"
    previous_role = member.workspace_role
    http.post(f"{WORKSPACES}/{workspace.id}/members/{member.user_id}", json={"workspace_role": role})
    member_update, key_update, workspace_update = http.get(FEED, params={"limit": 3}).json()["data"]
    assert workspace_update["type"] == "platform_workspace_updated"
    assert workspace_update["workspace_id"] == workspace.id
    assert {(u["type"], u["previous_value"], u["current_value"]) for u in workspace_update["updates"]} == {
        ("name", old_name, "Renamed"),
        ("display_color", workspace_update["updates"][1]["previous_value"], "#123456"),
    }
    assert key_update["type"] == "platform_api_key_updated" and key_update["api_key_id"] == key.id
    assert key_update["updates"] == [
        {"type": "name", "previous_value": old_key_name, "current_value": "renamed-key"},
        {"type": "status", "previous_value": "active", "current_value": "inactive"},
    ]
    assert member_update["type"] == "platform_workspace_member_updated"
    assert member_update["updates"] == [
        {"type": "workspace_role", "previous_value": previous_role, "current_value": role}
    ]


def test_oauth_writes_have_a_user_actor_but_oauth_cannot_read(
    http: httpx2.Client, sandbox: RunningSandbox
) -> None:
    state = sandbox.state
    with httpx2.Client(
        base_url=sandbox.base_url, headers={"authorization": f"Bearer {OAUTH_TOKEN}"}
    ) as oauth:
        created = oauth.post(WORKSPACES, json={"name": "Via OAuth"}).json()
        message = assert_error(oauth.get(FEED), 403, "permission_error")
        assert message == SCOPE_MESSAGE.format("['org:admin']")
    top = http.get(FEED, params={"limit": 1}).json()["data"][0]
    assert top["type"] == "platform_workspace_created" and top["workspace_id"] == created["id"]
    me = state.users[state.admin_key_user_id]
    assert top["actor"]["type"] == "user_actor"
    assert (top["actor"]["user_id"], top["actor"]["email_address"]) == (me.id, me.email)


def test_compliance_disabled_is_403() -> None:
    with (
        start_sandbox(SandboxConfig(users=10, now=NOW, compliance_api=False)) as closed,
        httpx2.Client(base_url=closed.base_url, headers={"x-api-key": closed.config.admin_key}) as http,
    ):
        message = assert_error(http.get(FEED), 403, "permission_error")
        assert message == SCOPE_MESSAGE.format("[]")


def test_history_is_seeded(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    items = walk(shared_http, {"limit": 5000})
    assert 200 <= len(items) <= 5000
    ids = [item["id"] for item in items]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    types = {item["type"] for item in items}
    assert {"sso_login_succeeded", "platform_api_key_created", "claude_user_role_updated"} <= types
    users = shared_sandbox.state.users
    for item in items:
        assert item["id"].startswith("activity_") and item["created_at"] < "2026-10-01T12:00:00Z"
        actor = item["actor"]
        assert actor["type"] == "user_actor" and actor["user_id"] in users
        assert actor["email_address"] == users[actor["user_id"]].email
        if item["type"] in ("sso_login_succeeded", "user_logged_out"):
            assert item["organization_id"] is None and item["organization_uuid"] is None
        else:
            assert item["organization_uuid"] == shared_sandbox.state.organization.id
    keys = shared_sandbox.state.api_keys
    created = [item["api_key_id"] for item in items if item["type"] == "platform_api_key_created"]
    assert created and set(created) <= set(keys)


def test_both_orders_page_without_duplicates(shared_http: httpx2.Client) -> None:
    everything = walk(shared_http, {"limit": 5000})
    newest_first = walk(shared_http, {"limit": 37})
    oldest_first = walk(shared_http, {"limit": 41, "order": "asc"})
    assert newest_first == everything
    assert oldest_first == list(reversed(everything))
    # before_id walks back towards the start, in the order asked for.
    middle = everything[100]["id"]
    previous = shared_http.get(FEED, params={"before_id": middle, "limit": 10}).json()
    assert [i["id"] for i in previous["data"]] == [i["id"] for i in everything[90:100]]
    assert previous["has_more"] is True
    previous_asc = shared_http.get(FEED, params={"before_id": middle, "limit": 10, "order": "asc"}).json()
    assert [i["id"] for i in previous_asc["data"]] == [i["id"] for i in reversed(everything[101:111])]
    newest = shared_http.get(FEED, params={"before_id": everything[3]["id"], "limit": 10}).json()
    assert [i["id"] for i in newest["data"]] == [i["id"] for i in everything[:3]] and newest[
        "has_more"
    ] is False


def test_filters(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    everything = walk(shared_http, {"limit": 5000})

    def matching(**params: Any) -> list[dict[str, Any]]:
        result = walk(shared_http, {"limit": 23, **params})
        assert walk(shared_http, {"limit": 29, "order": "asc", **params}) == list(reversed(result))
        return result

    logins = matching(**{"activity_types[]": "sso_login_succeeded"})
    assert logins == [i for i in everything if i["type"] == "sso_login_succeeded"] != []
    others = matching(**{"exclude_activity_types[]": ["sso_login_succeeded", "user_logged_out"]})
    assert others == [i for i in everything if i["type"] not in ("sso_login_succeeded", "user_logged_out")]
    person = logins[0]["actor"]["user_id"]
    assert matching(**{"actor_ids[]": person}) == [
        i for i in everything if i["actor"].get("user_id") == person
    ]
    assert matching(**{"user_ids[]": person}) == matching(**{"actor_ids[]": person})
    window = {"created_at.gte": "2026-09-01T00:00:00Z", "created_at.lt": "2026-09-15T00:00:00Z"}
    assert (
        matching(**window) == [i for i in everything if "2026-09-01" <= i["created_at"] < "2026-09-15"] != []
    )
    exclusive = {"created_at.gt": everything[10]["created_at"], "created_at.lte": everything[2]["created_at"]}
    assert matching(**exclusive) == [
        i for i in everything if everything[10]["created_at"] < i["created_at"] <= everything[2]["created_at"]
    ]
    state = shared_sandbox.state
    in_org = [i for i in everything if i["organization_uuid"] is not None]
    assert matching(**{"organization_ids[]": state.organization.id}) == in_org
    assert matching(**{"organization_ids[]": in_org[0]["organization_id"]}) == in_org
    assert matching(**{"organization_ids[]": "org_01SomeOtherOrganization"}) == []


@pytest.mark.parametrize(
    ("params", "blamed"),
    [
        ({"activity_types[]": "a", "exclude_activity_types[]": "b"}, "activity_types[]"),
        ({"activity_types[]": "Not A Type"}, "activity_types[]"),
        ({"created_at.gte": "last tuesday"}, "created_at.gte"),
        ({"created_at.lt": "2026-09-01"}, "created_at.lt"),
        ({"limit": 5001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"order": "newest"}, "order"),
        ({"after_id": "x", "before_id": "y"}, "before_id"),
        ({"after_id": "user_01abc"}, "after_id"),
        ({"actor_ids[]": "apikey_01abc"}, "actor_ids[]"),
        ({"organization_ids[]": "acme"}, "organization_ids[]"),
    ],
)
def test_validation(shared_http: httpx2.Client, params: dict[str, Any], blamed: str) -> None:
    message = assert_error(shared_http.get(FEED, params=params), 400, "invalid_request_error")
    assert message.startswith(blamed), message
    if blamed.startswith("created_at"):
        assert "invalid timestamp format" in message


def test_same_seed_same_feed(shared_http: httpx2.Client) -> None:
    with (
        start_sandbox(SandboxConfig(users=150, now=NOW)) as twin,
        httpx2.Client(base_url=twin.base_url, headers={"x-api-key": twin.config.admin_key}) as other,
    ):
        assert walk(other, {"limit": 5000}) == walk(shared_http, {"limit": 5000})
