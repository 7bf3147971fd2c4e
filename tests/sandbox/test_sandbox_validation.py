"""Authentication, validation and the error body: each class of bad input, and its exact shape."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox

from ._sandbox_helpers import OAUTH_TOKEN, assert_error

ME = "/v1/organizations/me"
USERS = "/v1/organizations/users"

# -- authentication -----------------------------------------------------------------------------


def test_missing_credential(shared_sandbox: RunningSandbox) -> None:
    response = httpx2.get(shared_sandbox.base_url + ME)
    assert assert_error(response, 401, "authentication_error") == "x-api-key header is required"


@pytest.mark.parametrize(
    "headers",
    [
        {"x-api-key": "sk-ant-admin01-not-the-key"},
        {"authorization": "Bearer sk-ant-admin01-not-the-key"},
        {"x-api-key": OAUTH_TOKEN},  # an OAuth token is a bearer token, not an API key
    ],
)
def test_wrong_credential_is_refused_and_never_echoed(
    shared_sandbox: RunningSandbox, headers: dict[str, str]
) -> None:
    response = httpx2.get(shared_sandbox.base_url + ME, headers=headers)
    assert assert_error(response, 401, "authentication_error") == "invalid x-api-key"
    for value in headers.values():
        secret = value.removeprefix("Bearer ")
        assert secret not in response.text
        assert secret not in str(response.headers)


def test_malformed_authorization_header(shared_sandbox: RunningSandbox) -> None:
    key = shared_sandbox.config.admin_key
    response = httpx2.get(shared_sandbox.base_url + ME, headers={"authorization": f"Basic {key}"})
    assert_error(response, 401, "authentication_error")
    assert key not in response.text


@pytest.mark.parametrize("form", ["x-api-key", "bearer-admin-key", "bearer-oauth"])
def test_accepted_credentials(shared_sandbox: RunningSandbox, form: str) -> None:
    key = shared_sandbox.config.admin_key
    headers = {
        "x-api-key": {"x-api-key": key},
        "bearer-admin-key": {"authorization": f"Bearer {key}"},
        "bearer-oauth": {"authorization": f"Bearer {OAUTH_TOKEN}"},
    }[form]
    response = httpx2.get(shared_sandbox.base_url + ME, headers=headers)
    assert response.status_code == 200
    assert response.json()["type"] == "organization"
    assert response.headers["request-id"].startswith("req_")


def test_oauth_token_refused_when_none_configured(sandbox: RunningSandbox) -> None:
    sandbox.state.oauth_token = None
    response = httpx2.get(sandbox.base_url + ME, headers={"authorization": f"Bearer {OAUTH_TOKEN}"})
    assert_error(response, 401, "authentication_error")


# -- query parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["0", "1001", "abc", "1.5", "", "-3"])
def test_bad_limit(shared_http: httpx2.Client, limit: str) -> None:
    for path in (
        USERS,
        "/v1/organizations/invites",
        "/v1/organizations/workspaces",
        "/v1/organizations/api_keys",
    ):
        message = assert_error(shared_http.get(path, params={"limit": limit}), 400, "invalid_request_error")
        assert message.startswith("limit:")


def test_limit_bounds_are_inclusive(shared_http: httpx2.Client) -> None:
    assert len(shared_http.get(USERS, params={"limit": 1}).json()["data"]) == 1
    assert shared_http.get(USERS, params={"limit": 1000}).status_code == 200


def test_before_and_after_together(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    some = next(iter(shared_sandbox.state.users))
    response = shared_http.get(USERS, params={"before_id": some, "after_id": some})
    assert "before_id" in assert_error(response, 400, "invalid_request_error")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (USERS, {"after_id": "nope"}, "after_id"),
        (USERS, {"before_id": "invite_015gWxCN9Hfg2QhZwTK7Mdeu"}, "before_id"),
        (USERS, {"roles[]": "superuser"}, "roles[]"),
        ("/v1/organizations/invites", {"statuses[]": "deleted"}, "statuses[]"),
        ("/v1/organizations/invites", {"after_id": "user_01WCz1FkmYMm4gnmykNKUu3Q"}, "after_id"),
        ("/v1/organizations/workspaces", {"include_archived": "maybe"}, "include_archived"),
        ("/v1/organizations/workspaces", {"ids[]": "user_01WCz1FkmYMm4gnmykNKUu3Q"}, "ids[]"),
        ("/v1/organizations/api_keys", {"status": "revoked"}, "status"),
        ("/v1/organizations/api_keys", {"workspace_id": "default"}, "workspace_id"),
        (
            "/v1/organizations/api_keys",
            {"created_by_user_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ"},
            "created_by_user_id",
        ),
        (USERS, {"email": ""}, "email"),
    ],
)
def test_bad_query_values_name_the_parameter(
    shared_http: httpx2.Client, path: str, params: dict[str, str], field: str
) -> None:
    message = assert_error(shared_http.get(path, params=params), 400, "invalid_request_error")
    assert message.startswith(f"{field}:"), message


def test_member_cursor_must_be_a_member(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    state = shared_sandbox.state
    workspace_id = next(w.id for w in state.workspaces.values() if not w.is_default)
    stranger = next(u for u in state.users if u not in state.members[workspace_id])
    response = shared_http.get(
        f"/v1/organizations/workspaces/{workspace_id}/members", params={"after_id": stranger}
    )
    assert assert_error(response, 400, "invalid_request_error").startswith("after_id:")


def test_unknown_query_parameters_are_ignored(shared_http: httpx2.Client) -> None:
    assert shared_http.get(USERS, params={"colour": "blue"}).status_code == 200


# -- paths and methods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/organizations/users/user_01AAAAAAAAAAAAAAAAAAAAAAAA",  # well-formed, unknown
        "/v1/organizations/users/not-an-id",
        "/v1/organizations/users/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",  # another kind's id
        "/v1/organizations/invites/invite_015gWxCN9Hfg2QhZwTK7Mdeu",
        "/v1/organizations/workspaces/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
        "/v1/organizations/workspaces/wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ/members",
        "/v1/organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT",
        "/v1/organizations/nothing",
        "/v1/organizations/users/",  # a trailing slash is another path, not a redirect
        "/",
    ],
)
def test_unknown_things_are_404(shared_http: httpx2.Client, path: str) -> None:
    assert_error(shared_http.get(path), 404, "not_found_error")


def test_member_of_unknown_pairing_is_404(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    state = shared_sandbox.state
    workspace_id = next(w.id for w in state.workspaces.values() if not w.is_default)
    stranger = next(u for u in state.users if u not in state.members[workspace_id])
    assert_error(
        shared_http.get(f"/v1/organizations/workspaces/{workspace_id}/members/{stranger}"),
        404,
        "not_found_error",
    )


def test_wrong_method_is_405_with_allow(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    user_id = next(iter(shared_sandbox.state.users))
    response = shared_http.put(f"{USERS}/{user_id}", json={"role": "user"})
    assert_error(response, 405, "invalid_request_error")
    assert response.headers["allow"] == "DELETE, GET, HEAD, POST"
    assert_error(shared_http.delete(ME), 405, "invalid_request_error")
    assert_error(shared_http.post("/v1/organizations/api_keys", json={}), 405, "invalid_request_error")


def test_bad_anthropic_version(shared_sandbox: RunningSandbox) -> None:
    headers = {"x-api-key": shared_sandbox.config.admin_key, "anthropic-version": "latest"}
    response = httpx2.get(shared_sandbox.base_url + ME, headers=headers)
    assert assert_error(response, 400, "invalid_request_error").startswith("anthropic-version:")
    headers["anthropic-version"] = "2026-10-21"
    assert httpx2.get(shared_sandbox.base_url + ME, headers=headers).status_code == 200


# -- bodies -------------------------------------------------------------------------------------


def _user(sandbox: RunningSandbox, role: str = "developer") -> str:
    return next(u.id for u in sandbox.state.users.values() if u.role == role)


def test_body_must_be_a_json_object(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    before = sandbox.state.snapshot()
    path = f"{USERS}/{_user(sandbox)}"
    for content in (b"{not json", b"[1, 2]", b'"user"', b"", b"\xff\xfe"):
        response = http.post(path, content=content, headers={"content-type": "application/json"})
        assert assert_error(response, 400, "invalid_request_error").startswith("request body:")
    assert sandbox.state.snapshot() == before


@pytest.mark.parametrize(
    ("path_kind", "body", "field"),
    [
        ("user", {}, "role"),
        ("user", {"role": None}, "role"),
        ("user", {"role": 3}, "role"),
        ("user", {"role": "superuser"}, "role"),
        ("user", {"role": "user", "extra": 1}, "extra"),
        ("invites", {"role": "user"}, "email"),
        ("invites", {"email": "someone@example.com"}, "role"),
        ("invites", {"email": "not-an-email", "role": "user"}, "email"),
        ("invites", {"email": 7, "role": "user"}, "email"),
        ("invites", {"email": "a@example.com", "role": "user", "rbac_group_ids": "x"}, "rbac_group_ids"),
        ("workspaces", {}, "name"),
        ("workspaces", {"name": "   "}, "name"),
        ("workspaces", {"name": "x" * 300}, "name"),
        ("workspaces", {"name": "ok", "tags": {"anthropic_team": "x"}}, "tags"),
        ("workspaces", {"name": "ok", "tags": ["a"]}, "tags"),
        ("workspaces", {"name": "ok", "tags": {"team": 5}}, "tags.team"),
        ("workspaces", {"name": "ok", "display_color": "red"}, "display_color"),
        (
            "workspaces",
            {"name": "ok", "data_residency": {"workspace_geo": "eu"}},
            "data_residency.workspace_geo",
        ),
        (
            "workspaces",
            {
                "name": "ok",
                "data_residency": {"allowed_inference_geos": ["us"], "default_inference_geo": "global"},
            },
            "data_residency.default_inference_geo",
        ),
        (
            "workspaces",
            {"name": "ok", "data_residency": {"allowed_inference_geos": []}},
            "data_residency.allowed_inference_geos",
        ),
        ("workspaces", {"name": "ok", "external_key_id": "extkey_1"}, "external_key_id"),
        ("members", {"workspace_role": "workspace_user"}, "user_id"),
        ("members", {"user_id": "bob", "workspace_role": "workspace_user"}, "user_id"),
        ("members", {"user_id": "USER", "workspace_role": "workspace_boss"}, "workspace_role"),
        ("api_key", {"status": "expired"}, "status"),
        ("api_key", {"status": "gone"}, "status"),
        ("api_key", {"name": ""}, "name"),
        ("api_key", {"name": 12}, "name"),
    ],
)
def test_bad_bodies_name_the_field(
    http: httpx2.Client, sandbox: RunningSandbox, path_kind: str, body: dict[str, Any], field: str
) -> None:
    state = sandbox.state
    workspace_id = next(w.id for w in state.workspaces.values() if not w.is_default and w.archived_at is None)
    active_key = next(k.id for k in state.api_keys.values() if k.status(state.now_ts()) == "active")
    body = {key: (_user(sandbox) if value == "USER" else value) for key, value in body.items()}
    path = {
        "user": f"{USERS}/{_user(sandbox)}",
        "invites": "/v1/organizations/invites",
        "workspaces": "/v1/organizations/workspaces",
        "members": f"/v1/organizations/workspaces/{workspace_id}/members",
        "api_key": f"/v1/organizations/api_keys/{active_key}",
    }[path_kind]
    before = state.snapshot()
    message = assert_error(http.post(path, json=body), 400, "invalid_request_error")
    assert message.startswith(f"{field}:"), message
    assert state.snapshot() == before


def test_oversized_body_is_413(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    response = http.post(f"{USERS}/{_user(sandbox)}", json={"role": "user", "pad": "x" * 1_100_000})
    assert_error(response, 413, "request_too_large")


def test_unknown_user_in_body_is_404(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    workspace_id = next(w.id for w in sandbox.state.workspaces.values() if not w.is_default)
    response = http.post(
        f"/v1/organizations/workspaces/{workspace_id}/members",
        json={"user_id": "user_01AAAAAAAAAAAAAAAAAAAAAAAA", "workspace_role": "workspace_user"},
    )
    assert_error(response, 404, "not_found_error")


def test_unexpected_failure_is_a_bare_500(
    http: httpx2.Client, sandbox: RunningSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.state.users = None  # type: ignore[assignment]  # break the state on purpose
    with caplog.at_level(logging.ERROR, logger="claude_admin_mcp.sandbox"):
        response = http.get(USERS)
    message = assert_error(response, 500, "api_error")
    assert message == "Internal server error"
    assert "Traceback" not in response.text
    assert any("sandbox bug" in record.message for record in caplog.records)
