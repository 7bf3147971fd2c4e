"""ID-cursor pagination: every item exactly once, newest first, both directions, with filters."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claude_admin_mcp.sandbox.pagination import paginate
from claude_admin_mcp.sandbox.runner import RunningSandbox

# -- the pure algorithm, against a reference model --------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.integers(0, 60), unique=True).map(sorted),
    limit=st.integers(1, 12),
    modulus=st.integers(1, 4),
    cursor=st.integers(-1, 61),
    direction=st.sampled_from(["none", "after", "before"]),
)
def test_paginate_matches_reference(
    keys: list[int], limit: int, modulus: int, cursor: int, direction: str
) -> None:
    def match(value: int) -> bool:
        return value % modulus == 0

    matching = [k for k in keys if match(k)]
    newest_first = matching[::-1]
    if direction == "after":
        older = [k for k in newest_first if k < cursor]
        expected, more = older[:limit], len(older) > limit
    elif direction == "before":
        newer = [k for k in matching if k > cursor]  # oldest first
        expected, more = newer[:limit][::-1], len(newer) > limit
    else:
        expected, more = newest_first[:limit], len(newest_first) > limit
    for filtered in (True, False):
        if not filtered and modulus != 1:
            continue
        page = paginate(
            keys,
            lambda k: k,
            limit=limit,
            after=cursor if direction == "after" else None,
            before=cursor if direction == "before" else None,
            match=match if filtered else None,
        )
        assert page.items == expected
        assert page.has_more == more


# -- over HTTP ----------------------------------------------------------------------------------


def _page(client: httpx2.Client, path: str, params: dict[str, Any], id_field: str) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"data", "has_more", "first_id", "last_id"}
    ids = [item[id_field] for item in body["data"]]
    assert body["first_id"] == (ids[0] if ids else None)
    assert body["last_id"] == (ids[-1] if ids else None)
    assert len(ids) <= params["limit"]
    return body


def walk_forward(
    client: httpx2.Client, path: str, limit: int, params: dict[str, Any] | None = None, id_field: str = "id"
) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        query = {**(params or {}), "limit": limit}
        if cursor is not None:
            query["after_id"] = cursor
        body = _page(client, path, query, id_field)
        seen.extend(item[id_field] for item in body["data"])
        if not body["has_more"]:
            return seen
        assert len(body["data"]) == limit, "a page before the end is full"
        cursor = body["last_id"]


def walk_backward(
    client: httpx2.Client,
    path: str,
    limit: int,
    start: str,
    params: dict[str, Any] | None = None,
    id_field: str = "id",
) -> list[str]:
    """From `start` towards newer items, as the SDK does after a `before_id` request."""
    seen: list[str] = []
    cursor = start
    while True:
        body = _page(client, path, {**(params or {}), "limit": limit, "before_id": cursor}, id_field)
        seen[:0] = [item[id_field] for item in body["data"]]
        if not body["has_more"]:
            return seen
        cursor = body["first_id"]


USERS = "/v1/organizations/users"


@pytest.mark.parametrize("limit", [1, 3, 7, 13, 149, 150, 1000])
def test_users_walk_forward_and_back(
    shared_http: httpx2.Client, shared_sandbox: RunningSandbox, limit: int
) -> None:
    expected = [user.id for user in shared_sandbox.state.users.newest_first()]
    forward = walk_forward(shared_http, USERS, limit)
    assert forward == expected
    # From the oldest item back to the newest: everything but the oldest, newest first.
    assert walk_backward(shared_http, USERS, limit, expected[-1]) == expected[:-1]


def test_both_ends_and_empty(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    expected = [user.id for user in shared_sandbox.state.users.newest_first()]
    first = _page(shared_http, USERS, {"limit": 5}, "id")
    assert [u["id"] for u in first["data"]] == expected[:5] and first["has_more"] is True
    last = _page(shared_http, USERS, {"limit": 5, "after_id": expected[-6]}, "id")
    assert [u["id"] for u in last["data"]] == expected[-5:] and last["has_more"] is False
    past_end = _page(shared_http, USERS, {"limit": 5, "after_id": expected[-1]}, "id")
    assert past_end == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    before_newest = _page(shared_http, USERS, {"limit": 5, "before_id": expected[0]}, "id")
    assert before_newest == {"data": [], "has_more": False, "first_id": None, "last_id": None}
    newest_page = _page(shared_http, USERS, {"limit": 5, "before_id": expected[5]}, "id")
    assert [u["id"] for u in newest_page["data"]] == expected[:5] and newest_page["has_more"] is False
    nobody = _page(shared_http, USERS, {"limit": 5, "email": "nobody@nowhere.example"}, "id")
    assert nobody == {"data": [], "has_more": False, "first_id": None, "last_id": None}


def test_filters_combine_with_cursors(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    state = shared_sandbox.state
    wanted = {"developer", "billing"}
    expected = [u.id for u in state.users.newest_first() if u.role in wanted]
    params = {"roles[]": sorted(wanted)}
    assert walk_forward(shared_http, USERS, 4, params) == expected
    assert walk_backward(shared_http, USERS, 4, expected[-1], params) == expected[:-1]
    # A cursor need not match the filter: it only marks a place.
    everyone = [u.id for u in state.users.newest_first()]
    middle = everyone[len(everyone) // 2]
    page = _page(shared_http, USERS, {"limit": 1000, "after_id": middle, **params}, "id")
    older = everyone[everyone.index(middle) + 1 :]
    assert [u["id"] for u in page["data"]] == [i for i in older if state.users[i].role in wanted]


def test_invites_and_api_keys_walks(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    state = shared_sandbox.state
    now = state.now_ts()
    invites = [i.id for i in state.invites.newest_first()]
    assert walk_forward(shared_http, "/v1/organizations/invites", 2) == invites
    pending = [i.id for i in state.invites.newest_first() if i.status(now) == "pending"]
    assert walk_forward(shared_http, "/v1/organizations/invites", 1, {"statuses[]": "pending"}) == pending

    keys = [k.id for k in state.api_keys.newest_first()]
    assert walk_forward(shared_http, "/v1/organizations/api_keys", 6) == keys
    for status in ("active", "inactive", "archived", "expired"):
        expected = [k.id for k in state.api_keys.newest_first() if k.status(now) == status]
        assert walk_forward(shared_http, "/v1/organizations/api_keys", 3, {"status": status}) == expected
    default = state.default_workspace_id
    in_default = [k.id for k in state.api_keys.newest_first() if k.workspace_id == default]
    assert walk_forward(shared_http, "/v1/organizations/api_keys", 2, {"workspace_id": default}) == in_default


def test_workspaces_walks(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    state = shared_sandbox.state
    path = "/v1/organizations/workspaces"
    active = [w.id for w in state.workspaces.newest_first() if not w.is_default and w.archived_at is None]
    named = [w.id for w in state.workspaces.newest_first() if not w.is_default]
    assert walk_forward(shared_http, path, 4) == active
    assert walk_forward(shared_http, path, 4, {"include_archived": "true"}) == named
    everything = [w.id for w in state.workspaces.newest_first()]
    both = {"include_archived": "true", "include_default": "true"}
    assert walk_forward(shared_http, path, 5, both) == everything
    assert walk_backward(shared_http, path, 5, everything[-1], both) == everything[:-1]
    picked = sorted(active[:3])
    page = _page(shared_http, path, {"limit": 20, "ids[]": picked}, "id")
    assert [w["id"] for w in page["data"]] == picked[::-1]


def test_members_walk_by_user_id(shared_http: httpx2.Client, shared_sandbox: RunningSandbox) -> None:
    state = shared_sandbox.state
    workspace_id = max(
        (w.id for w in state.workspaces.values() if not w.is_default), key=lambda i: len(state.members[i])
    )
    path = f"/v1/organizations/workspaces/{workspace_id}/members"
    expected = [m.user_id for m in reversed(list(state.members[workspace_id].ordered.values()))]
    assert len(expected) > 10
    assert walk_forward(shared_http, path, 3, id_field="user_id") == expected
    assert walk_backward(shared_http, path, 4, expected[-1], id_field="user_id") == expected[:-1]


def test_walk_survives_deleting_the_cursor(http: httpx2.Client, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    expected = [u.id for u in state.users.newest_first()]
    # End the first page on a removable (non-admin) user.
    size = next(i + 1 for i in range(5, len(expected)) if state.users[expected[i]].role != "admin")
    first = _page(http, USERS, {"limit": size}, "id")
    cursor = first["last_id"]
    assert http.delete(f"{USERS}/{cursor}").status_code == 200
    assert cursor not in walk_forward(http, USERS, 10, {})
    second = _page(http, USERS, {"limit": 10, "after_id": cursor}, "id")
    assert [u["id"] for u in second["data"]] == expected[size : size + 10]
