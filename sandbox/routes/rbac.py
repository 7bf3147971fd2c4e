"""RBAC groups and their members, RBAC roles and their permissions (state: `governance.py`).

* Groups (`rbac_group_...`): list (newest first), create (`name`, 1-200 characters, not unique),
  retrieve, rename (`name`), delete. `role_ids` are read-only here (attached in claude.ai).
* Members: list (newest member first), add (`user_id`, a member of the organization: 404
  otherwise; adding someone already in the group answers their membership), remove (404 if they
  are not in it).
* A group one of whose roles grants owner access keeps its members and cannot be deleted: 400
  `rbac_group_grants_owner_access`. A group provisioned by the identity provider (`scim`) cannot be
  renamed, deleted or have its members changed while SCIM provisioning is on (400).
* Roles (`rbac_role_...`): list, retrieve (404 `rbac_role_not_found`), and permissions (paged by
  position; the list of a role never changes).
* Lists take `limit` (1-1000, default 20) and `page`.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import ApiError, invalid_request
from ..governance import RbacGroup, RbacRole
from ..pagination import decode_page, encode_page, paginate
from ..params import Body, Query, read_json
from ..store import SandboxState
from ._common import ok, record, sandbox

MAX_LIMIT: Final = 1000
NAME_MAX: Final = 200


def _group(state: SandboxState, request: Request) -> RbacGroup:
    return state.governance.groups.find(request.path_params["rbac_group_id"])


def _changeable(state: SandboxState, group: RbacGroup, doing: str, *, owner_check: bool) -> RbacGroup:
    if group.source_type == "scim":
        raise invalid_request(
            f"RBAC group {group.id} is provisioned by your identity provider (SCIM): it cannot {doing} "
            "through the API while SCIM provisioning is in use"
        )
    if owner_check and state.governance.grants_owner(group):
        raise invalid_request(
            "A role attached to this RBAC Group grants owner access, so this API does not add members to "
            "that group, remove its members, or delete it. Make the change in the organization's admin "
            "settings in Claude.",
            error_code="rbac_group_grants_owner_access",
        )
    return group


def _name(body: Body) -> str | None:
    return body.string("name", max_length=NAME_MAX)


# -- groups --------------------------------------------------------------------------------------


async def list_groups(request: Request) -> JSONResponse:
    window = Query(request.query_params).page_window(ids.RBAC_GROUP, MAX_LIMIT)
    return ok(sandbox(request).governance.groups.cursor_page(window, RbacGroup.to_api))


async def create_group(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(await read_json(request, required=True), ("name",))
    name = body.string("name", required=True, max_length=NAME_MAX)
    assert name is not None
    now = state.now_ts()
    group = RbacGroup(state.new_id(ids.RBAC_GROUP, now), name, "direct", [], now, now)
    state.governance.groups.put(group)
    record(request, "rbac_group_created", rbac_group_id=group.id, name=name)
    return ok(group.to_api())


async def retrieve_group(request: Request) -> JSONResponse:
    return ok(_group(sandbox(request), request).to_api())


async def update_group(request: Request) -> JSONResponse:
    state = sandbox(request)
    group = _group(state, request)
    body = Body(await read_json(request, required=True), ("name",))
    name = _name(body)
    _changeable(state, group, "be renamed", owner_check=False)
    if name is not None and name != group.name:
        previous, group.name, group.updated_at = group.name, name, state.now_ts()
        record(request, "rbac_group_updated", rbac_group_id=group.id, previous_name=previous, name=name)
    return ok(group.to_api())


async def delete_group(request: Request) -> JSONResponse:
    state = sandbox(request)
    group = _changeable(state, _group(state, request), "be deleted", owner_check=True)
    governance = state.governance
    governance.groups.remove(group.id)
    for limit in [
        limit
        for limit in governance.spend_limits.values()
        if limit.scope.type == "rbac_group" and limit.scope.target == group.id
    ]:
        governance.remove_limit(limit.id)
    state.plugins.forget_group(group.id)
    record(request, "rbac_group_deleted", rbac_group_id=group.id, name=group.name)
    return ok({"id": group.id, "type": "rbac_group_deleted"})


# -- members -------------------------------------------------------------------------------------


async def list_members(request: Request) -> JSONResponse:
    state = sandbox(request)
    group = _group(state, request)
    window = Query(request.query_params).page_window(ids.USER, MAX_LIMIT)
    page = paginate(group.members.sorted_keys, lambda key: key, limit=window.limit, after=window.after)
    data = [group.member_api(state.users[user_id]) for user_id in page.items]
    following = encode_page(page.items[-1]) if page.has_more and page.items else None
    return ok({"data": data, "next_page": following})


async def add_member(request: Request) -> JSONResponse:
    state = sandbox(request)
    group = _group(state, request)
    body = Body(await read_json(request, required=True), ("user_id",))
    user = state.users.find(body.id("user_id", ids.USER, "user"))
    _changeable(state, group, "have its members changed", owner_check=True)
    if user.id not in group.members:
        group.members.add(user.id, state.now_ts())
        record(request, "rbac_group_member_added", rbac_group_id=group.id, user_id=user.id)
    return ok(group.member_api(user))


async def remove_member(request: Request) -> JSONResponse:
    state = sandbox(request)
    group = _group(state, request)
    user_id = request.path_params["user_id"]
    _changeable(state, group, "have its members changed", owner_check=True)
    if user_id not in group.members:
        raise ApiError(404, f"user_id: {user_id[:80]!r} is not a member of RBAC group {group.id}")
    group.members.remove(user_id)
    record(request, "rbac_group_member_removed", rbac_group_id=group.id, user_id=user_id)
    return ok({"type": "rbac_group_member_deleted", "rbac_group_id": group.id, "user_id": user_id})


# -- roles ---------------------------------------------------------------------------------------


def _role(state: SandboxState, request: Request) -> RbacRole:
    role_id = request.path_params["rbac_role_id"]
    role = state.governance.roles.get(role_id)
    if role is None:
        raise ApiError(404, f"rbac_role_id: no RBAC role {role_id[:80]!r}", error_code="rbac_role_not_found")
    return role


async def list_roles(request: Request) -> JSONResponse:
    window = Query(request.query_params).page_window(ids.RBAC_ROLE, MAX_LIMIT)
    return ok(sandbox(request).governance.roles.cursor_page(window, RbacRole.to_api))


async def retrieve_role(request: Request) -> JSONResponse:
    return ok(_role(sandbox(request), request).to_api())


async def list_permissions(request: Request) -> JSONResponse:
    role = _role(sandbox(request), request)
    query = Query(request.query_params)
    limit = query.limit(20, MAX_LIMIT)
    raw = query.string("page")
    start = 0
    if raw is not None:
        position = decode_page(raw)
        if not position.startswith("permission:") or not position[11:].isdigit():
            raise invalid_request("page: not a cursor from a previous response's next_page")
        start = int(position[11:])
        if start > len(role.permissions):
            raise invalid_request("page: not a cursor from a previous response's next_page")
    end = min(start + limit, len(role.permissions))
    data = [role.permission_api(index) for index in range(start, end)]
    following = encode_page(f"permission:{end}") if end < len(role.permissions) else None
    return ok({"data": data, "next_page": following})


_GROUPS: Final = "/v1/organizations/rbac_groups"
_GROUP: Final = _GROUPS + "/{rbac_group_id}"
_ROLES: Final = "/v1/organizations/rbac_roles"
ROUTES = [
    Route(_GROUPS, list_groups, methods=["GET"]),
    Route(_GROUPS, create_group, methods=["POST"]),
    Route(_GROUP, retrieve_group, methods=["GET"]),
    Route(_GROUP, update_group, methods=["POST"]),
    Route(_GROUP, delete_group, methods=["DELETE"]),
    Route(_GROUP + "/members", list_members, methods=["GET"]),
    Route(_GROUP + "/members", add_member, methods=["POST"]),
    Route(_GROUP + "/members/{user_id}", remove_member, methods=["DELETE"]),
    Route(_ROLES, list_roles, methods=["GET"]),
    Route(_ROLES + "/{rbac_role_id}", retrieve_role, methods=["GET"]),
    Route(_ROLES + "/{rbac_role_id}/permissions", list_permissions, methods=["GET"]),
]
