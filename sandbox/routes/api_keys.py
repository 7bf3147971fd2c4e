"""API keys: list, retrieve, update (name and status). Keys are made in the Console only.

* Every key shows both `workspace_id` (null for the default workspace, as the Aug-2026 docs show)
  and `scope` (`{"type": "workspace", "workspace_id": ...}` with the real id even for the default
  workspace, as SDK 2.10.0 requires).
* `status` can be set to `active`, `inactive` or `archived`; `expired` can be read and filtered
  on but not set. An archived key can no longer be changed (it cannot be reactivated); an expired
  key cannot be made active again; a key in an archived workspace cannot be changed.
* The secret is never returned: only `partial_key_hint`.
"""

from __future__ import annotations

from typing import Final, cast

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request
from ..models import ApiKey, ApiKeyStoredStatus
from ..params import Body, Query, read_json
from ._common import ok, record, sandbox

READABLE_STATUSES: Final = ("active", "inactive", "archived", "expired")
SETTABLE_STATUSES: Final = ("active", "inactive", "archived")
NAME_MAX: Final = 500


async def list_api_keys(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    window = query.window(ids.API_KEY, "API key")
    status = query.enum("status", READABLE_STATUSES)
    workspace_id = query.optional_id("workspace_id", ids.WORKSPACE, "workspace")
    created_by = query.optional_id("created_by_user_id", ids.USER, "user")
    now = state.now_ts()

    def match(key: ApiKey) -> bool:
        return (
            (status is None or key.status(now) == status)
            and (workspace_id is None or key.workspace_id == workspace_id)
            and (created_by is None or key.created_by_user_id == created_by)
        )

    filtered = status is not None or workspace_id is not None or created_by is not None
    default_id = state.default_workspace_id
    page = state.api_keys.page(
        window, lambda key: key.to_api(now, default_id), match=match if filtered else None
    )
    return ok(page)


async def retrieve_api_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    key = state.api_keys.find(request.path_params["api_key_id"])
    return ok(key.to_api(state.now_ts(), state.default_workspace_id))


async def update_api_key(request: Request) -> JSONResponse:
    state = sandbox(request)
    key = state.api_keys.find(request.path_params["api_key_id"])
    body = Body(await read_json(request, required=True), ("name", "status"))
    if body.raw("status") == "expired":
        raise invalid_request("status: 'expired' cannot be set; keys expire at their expires_at")
    name = body.string("name", max_length=NAME_MAX)
    status = cast(ApiKeyStoredStatus | None, body.enum("status", SETTABLE_STATUSES))
    now = state.now_ts()
    workspace = state.workspaces[key.workspace_id]
    if workspace.archived_at is not None:
        raise invalid_request(
            f"API key {key.id} belongs to archived workspace {workspace.id} and cannot be changed"
        )
    current = key.status(now)
    if key.stored_status == "archived":
        raise invalid_request(f"API key {key.id} is archived: archived keys cannot be changed or reactivated")
    if current == "expired" and status == "active":
        raise invalid_request(f"API key {key.id} has expired and cannot be made active again")
    changed: dict[str, object] = {}
    if name is not None and name.strip() != key.name:
        changed["previous_name"] = key.name  # for the compliance feed's `updates[]`
        changed["name"] = name.strip()
        key.name = name.strip()
    if status is not None and status != key.stored_status:
        changed["status"] = status
        key.stored_status = status
    record(request, "api_key_updated", api_key_id=key.id, previous_status=current, **changed)
    return ok(key.to_api(now, state.default_workspace_id))


ROUTES = [
    Route("/v1/organizations/api_keys", list_api_keys, methods=["GET"]),
    Route("/v1/organizations/api_keys/{api_key_id}", retrieve_api_key, methods=["GET"]),
    Route("/v1/organizations/api_keys/{api_key_id}", update_api_key, methods=["POST"]),
]
