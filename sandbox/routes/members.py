"""Workspace members: list, add, retrieve, change role, remove.

* Members are listed newest first by when they were added; the list cursor (`first_id`,
  `last_id`, `before_id`, `after_id`) is the member's `user_id`.
* Adding takes `workspace_role` without `workspace_billing` (a billing role is granted by an
  update); adding someone who is already a member is refused with 400 `invalid_request_error`
  (the API's duplicate refusals for members and invites are 400s; a 409 would also be retried by
  the SDK, which a duplicate never deserves); an unknown user is 404.
* An archived workspace refuses member changes (400). The default workspace has no explicit
  members (every organization member can use it): its list is empty and changes are refused.
"""

from __future__ import annotations

from typing import Final, cast

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request, not_found
from ..models import Member, WorkspaceRole
from ..pagination import envelope, paginate
from ..params import Body, Query, read_json
from ..store import SandboxState
from ._common import ok, record, sandbox
from .workspaces import writable_workspace

ALL_WORKSPACE_ROLES: Final = (
    "workspace_user",
    "workspace_developer",
    "workspace_restricted_developer",
    "workspace_admin",
    "workspace_billing",
)
ADDABLE_WORKSPACE_ROLES: Final = tuple(role for role in ALL_WORKSPACE_ROLES if role != "workspace_billing")
_MANAGE: Final = "have its members changed"


def _find_member(state: SandboxState, workspace_id: str, user_id: str) -> Member:
    member = state.member(workspace_id, user_id)
    if member is None:
        raise not_found(f"user_id: user {user_id[:80]!r} is not a member of workspace {workspace_id}")
    return member


async def list_members(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    window = Query(request.query_params).window(ids.USER, "user")
    members = state.members[workspace.id]
    positions: dict[str, int] = {}
    for name, cursor in (("before_id", window.before), ("after_id", window.after)):
        if cursor is not None:
            seq = members.cursor_seq(cursor)
            if seq is None:
                raise invalid_request(f"{name}: user {cursor} is not a member of workspace {workspace.id}")
            positions[name] = seq
    ordered = members.ordered
    page = paginate(
        ordered.sorted_keys,
        ordered.__getitem__,
        limit=window.limit,
        after=positions.get("after_id"),
        before=positions.get("before_id"),
    )
    return ok(envelope([member.to_api() for member in page.items], page.has_more, "user_id"))


async def add_member(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    body = Body(await read_json(request, required=True), ("user_id", "workspace_role"))
    user_id = body.id("user_id", ids.USER, "user")
    if body.raw("workspace_role") == "workspace_billing":
        raise invalid_request(
            "workspace_role: 'workspace_billing' cannot be given when adding a member; "
            "add them with another role, then update it"
        )
    role = cast(WorkspaceRole, body.enum("workspace_role", ADDABLE_WORKSPACE_ROLES, required=True))
    writable_workspace(state, workspace.id, _MANAGE)
    user = state.users.find(user_id)
    existing = state.member(workspace.id, user.id)
    if existing is not None:
        raise invalid_request(
            f"User {user.id} is already a member of workspace {workspace.id} "
            f"(as {existing.workspace_role}); update the member to change their role"
        )
    member = Member(user.id, workspace.id, role)
    state.add_member(member)
    record(request, "workspace_member_added", workspace_id=workspace.id, user_id=user.id, workspace_role=role)
    return ok(member.to_api())


async def retrieve_member(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    return ok(_find_member(state, workspace.id, request.path_params["user_id"]).to_api())


async def update_member(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    member = _find_member(state, workspace.id, request.path_params["user_id"])
    body = Body(await read_json(request, required=True), ("workspace_role",))
    role = cast(WorkspaceRole, body.enum("workspace_role", ALL_WORKSPACE_ROLES, required=True))
    writable_workspace(state, workspace.id, _MANAGE)
    previous = member.workspace_role
    member.workspace_role = role
    record(
        request,
        "workspace_member_updated",
        workspace_id=workspace.id,
        user_id=member.user_id,
        previous_workspace_role=previous,
        workspace_role=role,
    )
    return ok(member.to_api())


async def remove_member(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    member = _find_member(state, workspace.id, request.path_params["user_id"])
    writable_workspace(state, workspace.id, _MANAGE)
    state.remove_member(workspace.id, member.user_id)
    record(request, "workspace_member_removed", workspace_id=workspace.id, user_id=member.user_id)
    return ok({"type": "workspace_member_deleted", "user_id": member.user_id, "workspace_id": workspace.id})


_MEMBERS = "/v1/organizations/workspaces/{workspace_id}/members"
ROUTES = [
    Route(_MEMBERS, list_members, methods=["GET"]),
    Route(_MEMBERS, add_member, methods=["POST"]),
    Route(_MEMBERS + "/{user_id}", retrieve_member, methods=["GET"]),
    Route(_MEMBERS + "/{user_id}", update_member, methods=["POST"]),
    Route(_MEMBERS + "/{user_id}", remove_member, methods=["DELETE"]),
]
