"""Invites: list, create, retrieve, delete.

* An invite expires 21 days after it is sent (not configurable); a pending invite past that reads
  as `expired` at once, computed from the state's clock.
* Creating one for a member's address is refused (400 `already_member`), and so is a second
  pending invite to one address (400 `invite_already_exists`); an expired one does not block.
* Only a pending invite can be deleted; a deleted invite still reads back, with status `deleted`,
  and no list shows it (the `statuses[]` filter offers only pending, accepted and expired).
* Invite creation has the documented limit of 1,200 per hour (429 `rate_limit_error`).
"""

from __future__ import annotations

import re
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request, rate_limited
from ..models import INVITE_LIFETIME_SECONDS, Invite
from ..params import Body, Query, read_json
from ..store import normalize_email
from ._common import ok, record, sandbox
from .users import ALL_ROLES, writable_role

LISTED_STATUSES: Final = ("pending", "accepted", "expired")
INVITES_PER_HOUR: Final = 1200
_EMAIL: Final = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}\.[^@\s.]{2,63}$")


async def list_invites(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    window = query.window(ids.INVITE, "invite")
    email = query.string("email")
    roles = set(query.enum_array("roles", ALL_ROLES))
    statuses = set(query.enum_array("statuses", LISTED_STATUSES)) or set(LISTED_STATUSES)
    now = state.now_ts()

    def match(invite: Invite) -> bool:
        return invite.status(now) in statuses and (not roles or invite.role in roles)

    keys = None if email is None else state.invites.matching(normalize_email(email))
    return ok(state.invites.page(window, lambda invite: invite.to_api(now), keys=keys, match=match))


async def create_invite(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(await read_json(request, required=True), {"email", "role", "rbac_group_ids"})
    email = body.string("email", required=True, max_length=320)
    assert email is not None
    email = email.strip()
    if not _EMAIL.fullmatch(email):
        raise invalid_request(f"email: {email[:80]!r} is not a valid email address")
    role = writable_role(body)
    if body.string_list("rbac_group_ids"):
        raise invalid_request(
            "rbac_group_ids: RBAC groups are only available in Claude Enterprise organizations"
        )
    member = state.user_with_exact_email(email)
    if member is not None:
        raise invalid_request(
            f"{email} already belongs to {member.name} ({member.id}), a member of this organization",
            error_code="already_member",
        )
    existing = state.pending_invite_for(email)
    if existing is not None:
        raise invalid_request(
            f"A pending invite for {email} already exists ({existing.id})", error_code="invite_already_exists"
        )
    now = state.now_ts()
    window = state.invite_creations
    while window and window[0] <= now - 3600:
        window.popleft()
    if len(window) >= INVITES_PER_HOUR:
        raise rate_limited(
            f"Invite creation is limited to {INVITES_PER_HOUR} per hour",
            retry_after_seconds=window[0] + 3600 - now,
        )
    window.append(now)
    invite = Invite(state.new_id(ids.INVITE, now), email.lower(), role, now, now + INVITE_LIFETIME_SECONDS)
    state.invites.put(invite)
    record(request, "invite_created", invite_id=invite.id, email=invite.email, role=role)
    return ok(invite.to_api(now))


async def retrieve_invite(request: Request) -> JSONResponse:
    state = sandbox(request)
    return ok(state.invites.find(request.path_params["invite_id"]).to_api(state.now_ts()))


async def delete_invite(request: Request) -> JSONResponse:
    state = sandbox(request)
    invite = state.invites.find(request.path_params["invite_id"])
    status = invite.status(state.now_ts())
    if status != "pending":
        raise invalid_request(f"Only pending invites can be deleted; invite {invite.id} is {status}")
    invite.stored_status = "deleted"
    record(request, "invite_deleted", invite_id=invite.id, email=invite.email)
    return ok({"id": invite.id, "type": "invite_deleted"})


ROUTES = [
    Route("/v1/organizations/invites", list_invites, methods=["GET"]),
    Route("/v1/organizations/invites", create_invite, methods=["POST"]),
    Route("/v1/organizations/invites/{invite_id}", retrieve_invite, methods=["GET"]),
    Route("/v1/organizations/invites/{invite_id}", delete_invite, methods=["DELETE"]),
]
