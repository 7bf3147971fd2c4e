"""Writes: accepted ones show in later reads and in the activity log; refused ones change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox
from claude_admin_mcp.sandbox.store import SandboxState

from ._sandbox_helpers import NOW, assert_error

USERS = "/v1/organizations/users"
INVITES = "/v1/organizations/invites"
WORKSPACES = "/v1/organizations/workspaces"
API_KEYS = "/v1/organizations/api_keys"
SIGN_OUT_BETA = {"anthropic-beta": "admin-user-sign-out-2026-10-08"}


@contextmanager
def unchanged(state: SandboxState) -> Iterator[None]:
    """Asserts the whole state (activity log included) is the same after the block."""
    before = state.snapshot()
    yield
    assert state.snapshot() == before


def _user(state: SandboxState, role: str) -> str:
    return next(u.id for u in state.users.newest_first() if u.role == role)


def _active_workspace(state: SandboxState) -> str:
    return next(w.id for w in state.workspaces.values() if not w.is_default and w.archived_at is None)


def _archived_workspace(state: SandboxState) -> str:
    return next(w.id for w in state.workspaces.values() if w.archived_at is not None)


# -- users --------------------------------------------------------------------------------------


def test_role_change_is_visible_and_logged(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    user_id = _user(state, "user")
    response = http.post(f"{USERS}/{user_id}", json={"role": "billing"})
    assert response.status_code == 200 and response.json()["role"] == "billing"
    assert http.get(f"{USERS}/{user_id}").json()["role"] == "billing"
    listed = http.get(USERS, params={"roles[]": "billing", "limit": 1000}).json()["data"]
    assert user_id in {u["id"] for u in listed}
    activity = state.activities[-1]
    assert activity.type == "user_role_updated"
    assert activity.actor == state.admin_key_user_id
    assert activity.fields == {
        "credential": "admin_api_key",
        "user_id": user_id,
        "previous_role": "user",
        "role": "billing",
    }
    assert activity.id.startswith("activity_")


@pytest.mark.parametrize("role", ["admin", "owner", "primary_owner", "managed"])
def test_unassignable_roles_are_refused(http: httpx2.Client, sandbox: RunningSandbox, role: str) -> None:
    with unchanged(sandbox.state):
        response = http.post(f"{USERS}/{_user(sandbox.state, 'developer')}", json={"role": role})
        assert assert_error(response, 400, "invalid_request_error").startswith("role:")


def test_admins_cannot_be_changed_or_removed(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    admin = _user(sandbox.state, "admin")
    with unchanged(sandbox.state):
        assert_error(http.post(f"{USERS}/{admin}", json={"role": "user"}), 400, "invalid_request_error")
        assert_error(http.delete(f"{USERS}/{admin}"), 400, "invalid_request_error")


def test_remove_user_removes_memberships_but_not_keys(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    user_id = next(
        u.id
        for u in state.users.values()
        if state.workspaces_of(u.id) and any(k.created_by_user_id == u.id for k in state.api_keys.values())
    )
    workspaces = state.workspaces_of(user_id)
    keys = {k.id for k in state.api_keys.values() if k.created_by_user_id == user_id}
    response = http.delete(f"{USERS}/{user_id}")
    assert response.json() == {"id": user_id, "type": "user_deleted"}
    assert_error(http.get(f"{USERS}/{user_id}"), 404, "not_found_error")
    for workspace_id in workspaces:
        members = http.get(f"{WORKSPACES}/{workspace_id}/members", params={"limit": 1000}).json()["data"]
        assert user_id not in {m["user_id"] for m in members}
        assert_error(http.get(f"{WORKSPACES}/{workspace_id}/members/{user_id}"), 404, "not_found_error")
    listed = http.get(API_KEYS, params={"created_by_user_id": user_id, "limit": 1000}).json()["data"]
    assert {k["id"] for k in listed} == keys
    assert state.activities[-1].type == "user_removed"
    assert state.activities[-1].fields["removed_from_workspaces"] == sorted(workspaces)


def test_removing_the_last_member_is_refused() -> None:
    with (
        start_sandbox(SandboxConfig(users=1, now=NOW)) as sandbox,
        httpx2.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.config.admin_key}) as http,
        unchanged(sandbox.state),
    ):
        only = next(iter(sandbox.state.users))
        assert_error(
            http.delete(f"{USERS}/{only}"), 400, "invalid_request_error", "cannot_remove_last_member"
        )


def test_sign_out_needs_the_beta_header(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    user_id = _user(sandbox.state, "developer")
    with unchanged(sandbox.state):
        message = assert_error(http.post(f"{USERS}/{user_id}/sign_out"), 400, "invalid_request_error")
        assert "admin-user-sign-out-2026-10-08" in message
        response = http.post(f"{USERS}/{user_id}/sign_out", headers={"anthropic-beta": "some-other-beta"})
        assert_error(response, 400, "invalid_request_error")
    # Several betas in one header, or the header repeated, both count.
    response = http.post(
        f"{USERS}/{user_id}/sign_out", headers={"anthropic-beta": "x-beta, admin-user-sign-out-2026-10-08"}
    )
    assert response.status_code == 200 and response.json()["id"] == user_id
    assert sandbox.state.users[user_id].signed_out_at is not None
    assert sandbox.state.activities[-1].type == "user_signed_out"


def test_sign_out_refusals(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    with unchanged(state):
        response = http.post(f"{USERS}/{state.primary_owner_id}/sign_out", headers=SIGN_OUT_BETA)
        assert_error(response, 400, "invalid_request_error", "cannot_sign_out_primary_owner")
        response = http.post(f"{USERS}/{state.admin_key_user_id}/sign_out", headers=SIGN_OUT_BETA)
        assert_error(response, 400, "invalid_request_error", "cannot_sign_out_self")
        response = http.post(f"{USERS}/user_01WCz1FkmYMm4gnmykNKUu3Q/sign_out", headers=SIGN_OUT_BETA)
        assert_error(response, 404, "not_found_error")
    owner = _user(state, "developer")
    state.users[owner].role = "owner"  # an Enterprise-style owner, to reach the 403 refusal
    with unchanged(state):
        response = http.post(f"{USERS}/{owner}/sign_out", headers=SIGN_OUT_BETA)
        assert_error(response, 403, "permission_error", "cannot_sign_out_owner")


# -- invites ------------------------------------------------------------------------------------


def test_invite_lifecycle_and_expiry(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    created = http.post(INVITES, json={"email": "Pat.Doe@Example.com", "role": "claude_code_user"}).json()
    assert created["status"] == "pending" and created["email"] == "pat.doe@example.com"
    assert http.get(INVITES, params={"limit": 1}).json()["data"][0]["id"] == created["id"]
    # +tag and case variants find it; the duplicate is refused while it is pending.
    found = http.get(INVITES, params={"email": "PAT.DOE+hr@example.com"}).json()["data"]
    assert [i["id"] for i in found] == [created["id"]]
    with unchanged(state):
        response = http.post(INVITES, json={"email": "pat.doe@example.com", "role": "user"})
        assert_error(response, 400, "invalid_request_error", "invite_already_exists")

    real_clock = state.clock
    state.clock = lambda: real_clock() + timedelta(days=21, seconds=1)
    assert http.get(f"{INVITES}/{created['id']}").json()["status"] == "expired"
    with unchanged(state):
        assert_error(http.delete(f"{INVITES}/{created['id']}"), 400, "invalid_request_error")
    again = http.post(INVITES, json={"email": "pat.doe@example.com", "role": "user"})
    assert again.status_code == 200, "an expired invite does not block a new one"


def test_only_pending_invites_can_be_deleted(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    now = state.now_ts()
    for status in ("accepted", "expired"):
        invite = next(i for i in state.invites.values() if i.status(now) == status)
        with unchanged(state):
            message = assert_error(http.delete(f"{INVITES}/{invite.id}"), 400, "invalid_request_error")
            assert status in message
    pending = next(i for i in state.invites.values() if i.status(now) == "pending")
    assert http.delete(f"{INVITES}/{pending.id}").json() == {"id": pending.id, "type": "invite_deleted"}
    assert http.get(f"{INVITES}/{pending.id}").json()["status"] == "deleted"
    assert pending.id not in {i["id"] for i in http.get(INVITES, params={"limit": 1000}).json()["data"]}
    with unchanged(state):
        assert_error(http.delete(f"{INVITES}/{pending.id}"), 400, "invalid_request_error")


def test_inviting_a_member_is_refused(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    member = sandbox.state.users[_user(sandbox.state, "developer")]
    with unchanged(sandbox.state):
        response = http.post(INVITES, json={"email": member.email.upper(), "role": "user"})
        message = assert_error(response, 400, "invalid_request_error", "already_member")
        assert member.id in message
        response = http.post(INVITES, json={"email": "new@example.com", "role": "admin"})
        assert_error(response, 400, "invalid_request_error")


def test_invite_creation_rate_limit(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    now = state.now_ts()
    state.invite_creations.extend([now - 60] * 1200)
    with unchanged(state):
        response = http.post(INVITES, json={"email": "late@example.com", "role": "user"})
        assert_error(response, 429, "rate_limit_error")
        assert 1 <= int(response.headers["retry-after"]) <= 3600


# -- workspaces ---------------------------------------------------------------------------------


def test_workspace_create_update_archive(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    created = http.post(WORKSPACES, json={"name": "  Applied AI  ", "tags": {"team": "ai"}}).json()
    assert created["name"] == "Applied AI"
    assert created["data_residency"] == {
        "workspace_geo": "us",
        "allowed_inference_geos": "unrestricted",
        "default_inference_geo": "global",
    }
    assert created["archived_at"] is None and created["display_color"].startswith("#")
    workspace_id = created["id"]
    assert http.get(WORKSPACES, params={"limit": 1}).json()["data"][0]["id"] == workspace_id

    patch = {"name": "Applied ML", "tags": {"team": None, "cost_center": "cc-1"}, "display_color": "#abcdef"}
    updated = http.post(f"{WORKSPACES}/{workspace_id}", json=patch).json()
    assert (updated["name"], updated["tags"], updated["display_color"]) == (
        "Applied ML",
        {"cost_center": "cc-1"},
        "#ABCDEF",
    )
    residency = {"allowed_inference_geos": ["us"], "default_inference_geo": "us"}
    updated = http.post(f"{WORKSPACES}/{workspace_id}", json={"data_residency": residency}).json()
    assert updated["data_residency"]["allowed_inference_geos"] == ["us"]
    with unchanged(state):
        response = http.post(f"{WORKSPACES}/{workspace_id}", json={"data_residency": {"workspace_geo": "us"}})
        assert_error(response, 400, "invalid_request_error")

    archived = http.post(f"{WORKSPACES}/{workspace_id}/archive").json()
    assert archived["archived_at"] is not None
    assert workspace_id not in {w["id"] for w in http.get(WORKSPACES, params={"limit": 1000}).json()["data"]}
    assert [a.type for a in state.activities] == [
        "workspace_created",
        "workspace_updated",
        "workspace_updated",
        "workspace_archived",
    ]


def test_archived_workspace_refuses_writes(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    workspace_id = _archived_workspace(state)
    stranger = next(u for u in state.users if u not in state.members[workspace_id])
    path = f"{WORKSPACES}/{workspace_id}"
    with unchanged(state):
        assert_error(http.post(path, json={"name": "revived"}), 400, "invalid_request_error")
        assert_error(http.post(f"{path}/archive"), 400, "invalid_request_error")
        body = {"user_id": stranger, "workspace_role": "workspace_user"}
        assert_error(http.post(f"{path}/members", json=body), 400, "invalid_request_error")
        member = next(iter(state.members[workspace_id]), None)
        if member is not None:
            response = http.post(f"{path}/members/{member}", json={"workspace_role": "workspace_admin"})
            assert_error(response, 400, "invalid_request_error")
            assert_error(http.delete(f"{path}/members/{member}"), 400, "invalid_request_error")
        key = next((k for k in state.api_keys.values() if k.workspace_id == workspace_id), None)
        if key is not None:
            assert_error(http.post(f"{API_KEYS}/{key.id}", json={"name": "x"}), 400, "invalid_request_error")
    # Reads still work.
    assert http.get(path).json()["archived_at"] is not None
    assert http.get(f"{path}/members").status_code == 200


def test_archiving_deactivates_the_workspace_keys(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    now = state.now_ts()
    workspace_id = next(
        w.id
        for w in state.workspaces.values()
        if w.archived_at is None
        and not w.is_default
        and any(k.workspace_id == w.id and k.status(now) == "active" for k in state.api_keys.values())
    )
    before = {k.id: k.status(now) for k in state.api_keys.values() if k.workspace_id == workspace_id}
    http.post(f"{WORKSPACES}/{workspace_id}/archive").raise_for_status()
    after = {
        k["id"]: k["status"]
        for k in http.get(API_KEYS, params={"workspace_id": workspace_id, "limit": 1000}).json()["data"]
    }
    assert after == {key: ("inactive" if status == "active" else status) for key, status in before.items()}
    others = [k for k in state.api_keys.values() if k.workspace_id != workspace_id]
    assert any(k.status(now) == "active" for k in others), "keys elsewhere are untouched"


def test_default_workspace_cannot_change(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    path = f"{WORKSPACES}/{state.default_workspace_id}"
    assert http.get(path).json()["name"] == "Default"
    with unchanged(state):
        assert_error(http.post(path, json={"name": "Mine"}), 400, "invalid_request_error")
        assert_error(http.post(f"{path}/archive"), 400, "invalid_request_error")
        body = {"user_id": _user(state, "developer"), "workspace_role": "workspace_user"}
        assert_error(http.post(f"{path}/members", json=body), 400, "invalid_request_error")
    assert http.get(f"{path}/members").json()["data"] == []


def test_the_101st_active_workspace_is_refused(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    while state.active_workspace_count() < 100:
        http.post(WORKSPACES, json={"name": f"Team {state.active_workspace_count()}"}).raise_for_status()
    with unchanged(state):
        message = assert_error(
            http.post(WORKSPACES, json={"name": "One too many"}), 400, "invalid_request_error"
        )
        assert "100" in message
    # Archived workspaces do not count: archiving one makes room.
    newest = http.get(WORKSPACES, params={"limit": 1}).json()["data"][0]["id"]
    http.post(f"{WORKSPACES}/{newest}/archive").raise_for_status()
    assert http.post(WORKSPACES, json={"name": "Now it fits"}).status_code == 200


# -- members ------------------------------------------------------------------------------------


def test_member_refusals(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    workspace_id = next(
        w.id
        for w in state.workspaces.values()
        if w.archived_at is None and not w.is_default and len(state.members[w.id])
    )
    existing = next(iter(state.members[workspace_id]))
    stranger = next(u for u in state.users if u not in state.members[workspace_id])
    path = f"{WORKSPACES}/{workspace_id}/members"
    with unchanged(state):
        body = {"user_id": existing, "workspace_role": "workspace_user"}
        message = assert_error(http.post(path, json=body), 400, "invalid_request_error")
        assert "already a member" in message
        body = {"user_id": stranger, "workspace_role": "workspace_billing"}
        assert_error(http.post(path, json=body), 400, "invalid_request_error")
        assert_error(
            http.post(f"{path}/{stranger}", json={"workspace_role": "workspace_user"}), 404, "not_found_error"
        )
        assert_error(http.delete(f"{path}/{stranger}"), 404, "not_found_error")
    # workspace_billing is fine on update.
    response = http.post(f"{path}/{existing}", json={"workspace_role": "workspace_billing"})
    assert response.json()["workspace_role"] == "workspace_billing"


# -- API keys -----------------------------------------------------------------------------------


def test_api_key_updates(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    now = state.now_ts()
    key = next(
        k
        for k in state.api_keys.values()
        if k.status(now) == "active" and state.workspaces[k.workspace_id].archived_at is None
    )
    path = f"{API_KEYS}/{key.id}"
    assert http.post(path, json={"name": " ci-renamed "}).json()["name"] == "ci-renamed"
    assert http.post(path, json={"status": "inactive"}).json()["status"] == "inactive"
    assert http.post(path, json={"status": "active"}).json()["status"] == "active"
    assert http.get(path).json()["status"] == "active"
    assert http.post(path, json={"status": "archived"}).json()["status"] == "archived"
    with unchanged(state):
        for body in ({"status": "active"}, {"status": "inactive"}, {"name": "back"}):
            message = assert_error(http.post(path, json=body), 400, "invalid_request_error")
            assert "archived" in message
    assert [a.type for a in state.activities] == ["api_key_updated"] * 4


def test_expired_key_cannot_be_reactivated(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    now = state.now_ts()
    key = next(
        k
        for k in state.api_keys.values()
        if k.status(now) == "expired" and state.workspaces[k.workspace_id].archived_at is None
    )
    with unchanged(state):
        assert_error(
            http.post(f"{API_KEYS}/{key.id}", json={"status": "active"}), 400, "invalid_request_error"
        )
    assert http.post(f"{API_KEYS}/{key.id}", json={"status": "archived"}).json()["status"] == "archived"


def test_reads_do_not_write(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    workspace_id = _active_workspace(state)
    with unchanged(state):
        for path in (
            "/v1/organizations/me",
            USERS,
            INVITES,
            WORKSPACES,
            f"{WORKSPACES}/{workspace_id}",
            f"{WORKSPACES}/{workspace_id}/members",
            API_KEYS,
        ):
            assert http.get(path).status_code == 200
