"""Spend limits, the effective-limit report and increase requests (state: `governance.py`).

* `GET /v1/organizations/spend_limits` needs `anthropic-beta: spend-limit-reads-2026-09-26` (400
  without it); `scope_type[]`, `workspace_id`, `limit` (1-1000, default 20), `page`; newest first.
* `POST /v1/organizations/spend_limits` upserts on (scope, period): `amount` (required; a
  non-negative integer string of cents, or null for "no limit"), `scope` (`organization`,
  `workspace` or `user`; any other type is 400), `period` (default `monthly`). Organization and
  workspace limits are monthly and carry an amount (400 otherwise); a workspace limit needs a live
  named workspace (the default one and archived ones: 400), a user limit a member (404 otherwise).
* `GET`/`DELETE /v1/organizations/spend_limits/{id}`: 404 if unknown; usage-tier, seat-tier and
  group limits cannot be deleted here (400).
* Those three answer 403 `spend_limits_admin_api_writes_not_enabled` while the organization may
  not read, set or delete spend limits with an Admin API credential.
* `GET /v1/organizations/spend_limits/effective`: one row per (member, period) that resolves a
  limit, oldest member first, paged by member (`limit` members, default 20: a member's rows never
  split); `period[]`, `user_ids[]` (at most 100).
* `GET /v1/organizations/spend_limit_increase_requests` (newest first; `status[]`, `actor_ids[]`;
  requests of people who left are left out) and `/{id}`; a pending one carries the requester's
  live spend summary.
* `POST .../{id}/approve` (`amount` required, `period` defaults to the request's,
  `suppress_notification`): writes the requester's `user` limit and answers the request with
  `spend_limit` and the new `spend_summary`; only a pending request (400 otherwise).
  `POST .../{id}/deny` (`suppress_notification`): idempotent on `denied`, 400 once approved.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import Final, cast

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request, permission_denied
from ..governance import (
    PERIODS,
    SCOPE_TYPES,
    SETTABLE_SCOPES,
    IncreaseRequest,
    Period,
    SpendLimit,
    SpendScope,
    user_actor,
)
from ..pagination import Window, encode_page
from ..params import Body, Query, check_id, read_json
from ..store import SandboxState
from ._common import betas, caller, ok, record, sandbox
from .workspaces import writable_workspace

READS_BETA: Final = "spend-limit-reads-2026-09-26"
MAX_LIMIT: Final = 1000
MAX_USER_IDS: Final = 100
_AMOUNT: Final = re.compile(r"^[0-9]{1,15}$")
_UNDELETABLE: Final = ("usage_tier", "seat_tier", "rbac_group", "organization_service")


def _admin_writes(state: SandboxState) -> None:
    if not state.governance.admin_writes_enabled:
        raise permission_denied(
            "This organization cannot retrieve, set or delete spend limits with an Admin API credential",
            error_code="spend_limits_admin_api_writes_not_enabled",
        )


def _amount(body: Body, *, nullable: bool) -> str | None:
    raw = body.raw("amount")
    if raw is None:
        if not nullable:
            raise invalid_request("amount: Field required")
        return None
    if not isinstance(raw, str) or not _AMOUNT.fullmatch(raw):
        raise invalid_request(
            'amount: must be a non-negative integer decimal string in minor units (cents), e.g. "50000"'
        )
    return str(int(raw))


def _period(body: Body, name: str = "period") -> Period | None:
    return cast(Period | None, body.enum(name, PERIODS))


# -- spend limits --------------------------------------------------------------------------------


async def list_spend_limits(request: Request) -> JSONResponse:
    if READS_BETA not in betas(request):
        raise invalid_request(
            f"This endpoint is in beta: send the header 'anthropic-beta: {READS_BETA}' to use it"
        )
    state = sandbox(request)
    query = Query(request.query_params)
    types = set(query.enum_array("scope_type", SCOPE_TYPES))
    workspace_id = query.optional_id("workspace_id", ids.WORKSPACE, "workspace")
    window = query.page_window(ids.SPEND_LIMIT, MAX_LIMIT)

    def match(limit: SpendLimit) -> bool:
        if types and limit.scope.type not in types:
            return False
        in_workspace = limit.scope.type == "workspace" and limit.scope.target == workspace_id
        return workspace_id is None or in_workspace

    limits = state.governance.spend_limits
    currency = state.governance.currency
    return ok(limits.cursor_page(window, lambda limit: limit.to_api(currency), match))


async def retrieve_spend_limit(request: Request) -> JSONResponse:
    state = sandbox(request)
    _admin_writes(state)
    limit = state.governance.spend_limits.find(request.path_params["spend_limit_id"])
    return ok(limit.to_api(state.governance.currency))


def _scope(state: SandboxState, body: Body) -> SpendScope:
    raw = body.required("scope")
    if not isinstance(raw, dict):
        raise invalid_request("scope: Input should be an object")
    scope_type = raw.get("type")
    if scope_type not in SETTABLE_SCOPES:
        raise invalid_request(
            f"scope.type: spend limits can be set for 'organization', 'workspace' or 'user' scopes, "
            f"not {scope_type!r}"[:200]
        )
    fields = {"type"} | ({"user_id"} if scope_type == "user" else set())
    fields |= {"workspace_id"} if scope_type == "workspace" else set()
    inner = Body(raw, fields, prefix="scope.")
    if scope_type == "user":
        user_id = inner.id("user_id", ids.USER, "user")
        return SpendScope("user", state.users.find(user_id).id)
    if scope_type == "workspace":
        workspace_id = inner.id("workspace_id", ids.WORKSPACE, "workspace")
        return SpendScope("workspace", writable_workspace(state, workspace_id, "have a spend limit").id)
    return SpendScope("organization")


async def set_spend_limit(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(await read_json(request, required=True), ("amount", "scope", "period"))
    if not body.present("amount"):
        raise invalid_request("amount: Field required")
    scope = _scope(state, body)
    period = _period(body) or "monthly"
    console = scope.type in ("organization", "workspace")
    amount = _amount(body, nullable=not console)
    if console and period != "monthly":
        raise invalid_request(f"period: {scope.type} spend limits are monthly")
    _admin_writes(state)
    governance = state.governance
    now = state.now_ts()
    limit = governance.limit_for(scope, period)
    previous = None if limit is None else limit.amount
    if limit is None:
        limit = SpendLimit(state.new_id(ids.SPEND_LIMIT, now), scope, period, amount, now, now)
        governance.put_limit(limit)
    elif limit.amount != amount:
        limit.amount, limit.updated_at = amount, now
    record(
        request,
        "spend_limit_set",
        spend_limit_id=limit.id,
        scope=scope.to_api(),
        period=period,
        previous_amount=previous,
        amount=amount,
    )
    return ok(limit.to_api(governance.currency))


async def delete_spend_limit(request: Request) -> JSONResponse:
    state = sandbox(request)
    _admin_writes(state)
    governance = state.governance
    limit = governance.spend_limits.find(request.path_params["spend_limit_id"])
    if limit.scope.type in _UNDELETABLE:
        raise invalid_request(
            f"A {limit.scope.type} spend limit cannot be deleted through the API: it is configured in "
            "claude.ai (group and seat-tier defaults) or set by Anthropic (usage tier)"
        )
    governance.remove_limit(limit.id)
    record(request, "spend_limit_deleted", spend_limit_id=limit.id, scope=limit.scope.to_api())
    return ok({"id": limit.id, "type": "spend_limit_deleted"})


# -- the effective-limit report ------------------------------------------------------------------


async def list_effective(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    periods = set(query.enum_array("period", PERIODS)) or set(PERIODS)
    wanted = query.array("user_ids")
    if len(wanted) > MAX_USER_IDS:
        raise invalid_request(f"user_ids[]: at most {MAX_USER_IDS} entries")
    for user_id in wanted:
        check_id("user_ids[]", user_id, ids.USER, "user")
    window = query.page_window(ids.USER, MAX_LIMIT)
    users = state.users
    keys = [key for key in sorted(set(wanted)) if key in users] if wanted else users.sorted_keys
    start = 0 if window.after is None else _position_after(keys, window.after)
    rows: list[dict[str, object]] = []
    members = 0
    index = start
    last: str | None = None
    while index < len(keys) and members < window.limit:
        user = users[keys[index]]
        found = [
            row
            for period in PERIODS
            if period in periods and (row := state.governance.summary(user, period, users)) is not None
        ]
        if found:
            rows.extend(found)
            members += 1
            last = user.id
        index += 1
    more = last is not None and any(
        state.governance.effective(users[key], period) is not None
        for key in keys[index:]
        for period in PERIODS
        if period in periods
    )
    return ok({"data": rows, "next_page": encode_page(last) if more and last else None})


def _position_after(keys: Sequence[str], after: str) -> int:
    """The index just past `after` in ascending `keys` (a member who left still marks a place)."""
    return bisect_right(keys, after)


# -- increase requests ---------------------------------------------------------------------------


def _actor(state: SandboxState, who: str) -> dict[str, object]:
    if who.startswith(ids.USER):
        return user_actor(who, state.users)
    return {"type": "scoped_api_key_actor", "scoped_api_key_id": who}


def _request_api(state: SandboxState, item: IncreaseRequest) -> dict[str, object]:
    return state.governance.request_api(item, state.users, lambda who: _actor(state, who))


def _find_request(state: SandboxState, request: Request) -> IncreaseRequest:
    return state.governance.increase_requests.find(request.path_params["spend_limit_increase_request_id"])


async def list_increase_requests(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    statuses = set(query.enum_array("status", ("approved", "denied", "pending")))
    actors = set(query.array("actor_ids"))
    for actor_id in actors:
        check_id("actor_ids[]", actor_id, ids.USER, "user")
    window: Window = query.page_window(ids.INCREASE_REQUEST, MAX_LIMIT)

    def match(item: IncreaseRequest) -> bool:
        return (
            item.user_id in state.users
            and (not statuses or item.status in statuses)
            and (not actors or item.user_id in actors)
        )

    requests = state.governance.increase_requests
    return ok(requests.cursor_page(window, lambda item: _request_api(state, item), match))


async def retrieve_increase_request(request: Request) -> JSONResponse:
    state = sandbox(request)
    return ok(_request_api(state, _find_request(state, request)))


async def approve_increase_request(request: Request) -> JSONResponse:
    state = sandbox(request)
    item = _find_request(state, request)
    body = Body(await read_json(request, required=True), ("amount", "period", "suppress_notification"))
    amount = _amount(body, nullable=False)
    period = _period(body) or item.period
    body.boolean("suppress_notification")
    if item.status != "pending":
        raise invalid_request(f"Only a pending increase request can be approved; this one is {item.status}")
    requester = state.users.find(item.user_id)
    governance = state.governance
    now = state.now_ts()
    scope = SpendScope("user", requester.id)
    limit = governance.limit_for(scope, period)
    if limit is None:
        limit = SpendLimit(state.new_id(ids.SPEND_LIMIT, now), scope, period, amount, now, now)
        governance.put_limit(limit)
    else:
        limit.amount, limit.updated_at = amount, now
    item.status, item.resolved_at, item.resolved_by = "approved", now, caller(request).user_id
    record(
        request,
        "spend_limit_increase_request_approved",
        spend_limit_increase_request_id=item.id,
        user_id=requester.id,
        period=period,
        amount=amount,
    )
    answer = _request_api(state, item)
    answer["spend_limit"] = limit.to_api(governance.currency)
    answer["spend_summary"] = governance.summary(requester, period, state.users)
    return ok(answer)


async def deny_increase_request(request: Request) -> JSONResponse:
    state = sandbox(request)
    item = _find_request(state, request)
    Body(await read_json(request, required=False), ("suppress_notification",)).boolean(
        "suppress_notification"
    )
    if item.status == "approved":
        raise invalid_request("This increase request was already approved: it cannot be denied")
    if item.status == "pending":
        item.status, item.resolved_at, item.resolved_by = "denied", state.now_ts(), caller(request).user_id
        record(
            request,
            "spend_limit_increase_request_denied",
            spend_limit_increase_request_id=item.id,
            user_id=item.user_id,
        )
    return ok(_request_api(state, item))


_LIMITS: Final = "/v1/organizations/spend_limits"
_REQUESTS: Final = "/v1/organizations/spend_limit_increase_requests"
_REQUEST: Final = _REQUESTS + "/{spend_limit_increase_request_id}"
ROUTES = [
    Route(_LIMITS, list_spend_limits, methods=["GET"]),
    Route(_LIMITS, set_spend_limit, methods=["POST"]),
    # Before `{spend_limit_id}`, which would match `effective` too.
    Route(_LIMITS + "/effective", list_effective, methods=["GET"]),
    Route(_LIMITS + "/{spend_limit_id}", retrieve_spend_limit, methods=["GET"]),
    Route(_LIMITS + "/{spend_limit_id}", delete_spend_limit, methods=["DELETE"]),
    Route(_REQUESTS, list_increase_requests, methods=["GET"]),
    Route(_REQUEST, retrieve_increase_request, methods=["GET"]),
    Route(_REQUEST + "/approve", approve_increase_request, methods=["POST"]),
    Route(_REQUEST + "/deny", deny_increase_request, methods=["POST"]),
]
