"""Organization members: list, retrieve, change role, remove, and the beta sign-out.

Rules the API documents and the sandbox enforces:
* roles assignable through the API are `user`, `developer`, `billing`, `claude_code_user`
  (`managed` too, but only in Claude Enterprise organizations, which the sandbox is not);
* an `admin` (or owner) can be neither changed nor removed through the API;
* removing the only member is refused (`cannot_remove_last_member`);
* removing a user removes their workspace memberships; their API keys stay (org-owned);
* sign-out needs `anthropic-beta: admin-user-sign-out-2026-10-08` and cannot target the primary
  owner or the user the credential acts for.
"""

from __future__ import annotations

from typing import Final, cast

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request, permission_denied
from ..models import OrgRole, User
from ..params import Body, Query, read_json
from ..store import normalize_email
from ._common import betas, caller, ok, record, sandbox

ALL_ROLES: Final[tuple[OrgRole, ...]] = (
    "user",
    "developer",
    "billing",
    "admin",
    "claude_code_user",
    "managed",
    "membership_admin",
    "owner",
    "primary_owner",
)
WRITABLE_ROLES: Final = ("user", "developer", "billing", "claude_code_user")
PROTECTED_ROLES: Final = ("admin", "owner", "primary_owner", "membership_admin")
"""Roles whose holders the API will neither re-role nor remove."""
SIGN_OUT_BETA: Final = "admin-user-sign-out-2026-10-08"


def writable_role(body: Body, name: str = "role") -> OrgRole:
    """The `role` of a role change or an invite, with the API's reasons for refusing one."""
    value = body.raw(name)
    if value is None:
        raise invalid_request(f"{name}: Field required")
    if value in PROTECTED_ROLES:
        raise invalid_request(
            f"{name}: '{value}' cannot be assigned through the API; "
            f"assignable roles are 'user', 'developer', 'billing', 'claude_code_user'"
        )
    if value == "managed":
        raise invalid_request(f"{name}: 'managed' is only available in Claude Enterprise organizations")
    return cast(OrgRole, body.enum(name, WRITABLE_ROLES, required=True))


async def list_users(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    window = query.window(ids.USER, "user")
    email = query.string("email")
    roles = set(query.enum_array("roles", ALL_ROLES))
    keys = None if email is None else state.users.matching(normalize_email(email))
    match = (lambda user: user.role in roles) if roles else None
    return ok(state.users.page(window, User.to_api, keys=keys, match=match))


async def retrieve_user(request: Request) -> JSONResponse:
    return ok(sandbox(request).users.find(request.path_params["user_id"]).to_api())


async def update_user(request: Request) -> JSONResponse:
    user = sandbox(request).users.find(request.path_params["user_id"])
    body = Body(await read_json(request, required=True), {"role"})
    role = writable_role(body)
    if user.role in PROTECTED_ROLES:
        raise invalid_request(
            f"The role of a user with the '{user.role}' role cannot be changed through the API"
        )
    previous = user.role
    user.role = role
    record(request, "user_role_updated", user_id=user.id, previous_role=previous, role=role)
    return ok(user.to_api())


async def remove_user(request: Request) -> JSONResponse:
    state = sandbox(request)
    user = state.users.find(request.path_params["user_id"])
    if len(state.users) == 1:
        raise invalid_request(
            "The only member of an organization cannot be removed", error_code="cannot_remove_last_member"
        )
    if user.role in PROTECTED_ROLES:
        raise invalid_request(f"A user with the '{user.role}' role cannot be removed through the API")
    workspaces = sorted(state.workspaces_of(user.id))
    state.remove_user(user.id)
    record(request, "user_removed", user_id=user.id, email=user.email, removed_from_workspaces=workspaces)
    return ok({"id": user.id, "type": "user_deleted"})


async def sign_out_user(request: Request) -> JSONResponse:
    if SIGN_OUT_BETA not in betas(request):
        raise invalid_request(
            f"This endpoint is in beta: send the header 'anthropic-beta: {SIGN_OUT_BETA}' to use it"
        )
    state = sandbox(request)
    user = state.users.find(request.path_params["user_id"])
    if user.id == state.primary_owner_id or user.role == "primary_owner":
        raise invalid_request(
            "The organization's primary owner cannot be signed out",
            error_code="cannot_sign_out_primary_owner",
        )
    if user.id == caller(request).user_id:
        raise invalid_request(
            "You cannot sign out the user your credential acts for", error_code="cannot_sign_out_self"
        )
    refusals = {
        "owner": "cannot_sign_out_owner",
        "membership_admin": "cannot_sign_out_membership_admin",
        "managed": "cannot_sign_out_managed_member",
    }
    if user.role in refusals:
        raise permission_denied(
            f"A member with the '{user.role}' role cannot be signed out through the API",
            error_code=refusals[user.role],
        )
    user.signed_out_at = state.now_ts()
    record(request, "user_signed_out", user_id=user.id, email=user.email)
    return ok(user.to_api())


ROUTES = [
    Route("/v1/organizations/users", list_users, methods=["GET"]),
    Route("/v1/organizations/users/{user_id}", retrieve_user, methods=["GET"]),
    Route("/v1/organizations/users/{user_id}", update_user, methods=["POST"]),
    Route("/v1/organizations/users/{user_id}", remove_user, methods=["DELETE"]),
    Route("/v1/organizations/users/{user_id}/sign_out", sign_out_user, methods=["POST"]),
]
