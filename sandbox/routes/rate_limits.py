"""The Rate Limits API: the organization's limits, a workspace's overrides, and setting them.

* `GET /v1/organizations/rate_limits` — `group_type`, `model` (an id or alias: only the entry whose
  group contains it, 404 if none does), `limit` (1-1000; omitted: every entry in one page and
  `next_page: null`), `page`.
* `GET /v1/organizations/workspaces/{workspace_id}/rate_limits` — `group_type`, `limit`, `page`,
  `include_inherited` (default false: only groups with a workspace override, and in them only the
  overridden limiter types; true: every group and limiter type, each value marked by `source`).
* `POST /v1/organizations/workspaces/{workspace_id}/rate_limits/{rate_limit_id}` — body `limits`:
  1-16 `{type, value}` with a settable limiter type; `value` 0..2^53-1 sets, `null` clears. Other
  limiter types are unchanged. Returns the workspace's entry for the group (overridden values
  only; `limits: []` once all are cleared).

Choices where the docs are silent: entries (and the workspace view's entries) keep the table's
order (model groups first); page tokens are `page_` + base64 of the offset and the listing they
belong to; a limiter type may be named only once per request; the default workspace and archived
workspaces refuse changes (400) but can be read; a change that changes nothing is accepted and
logs nothing. Every entry carries both the deprecated `group_type` and the `group` object.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import invalid_request, not_found
from ..params import Body, Query, read_json
from ..rate_limit_table import GROUP_TYPES, MAX_VALUE, SETTABLE_TYPES, Entry, RateLimitTable
from ..report_params import offset_of, offset_token
from ._common import ok, record, sandbox
from .workspaces import writable_workspace

MAX_LIMITS_PER_UPDATE: Final = 16
T = TypeVar("T")


def _page(query: Query, items: Sequence[T], listing: str) -> tuple[list[T], str | None]:
    """A page of the listing; without `limit`, everything from the offset on."""
    limit = None if query.string("limit") is None else query.limit(default=20, maximum=1000)
    offset = offset_of(query, listing, len(items))
    end = len(items) if limit is None else min(len(items), offset + limit)
    return list(items[offset:end]), offset_token(listing, end) if end < len(items) else None


def _group(entry: Entry) -> dict[str, object]:
    group = entry.group
    models = None if group.models is None else list(group.models)
    return {"group_type": group.group_type, "group": group.group_object(), "models": models}


def _org_entry(entry: Entry) -> dict[str, object]:
    limits = [{"type": limiter, "value": value} for limiter, value in entry.group.limits]
    return {"type": "rate_limit", "id": entry.id, **_group(entry), "limits": limits}


def _workspace_entry(
    table: RateLimitTable, workspace_id: str, entry: Entry, *, inherited: bool
) -> dict[str, object]:
    overrides = table.workspace_overrides(workspace_id, entry)
    limits: list[dict[str, object]] = []
    org_types = [limiter for limiter, _ in entry.group.limits]
    for limiter, org_value in entry.group.limits:
        if limiter in overrides:
            limits.append(_value(limiter, overrides[limiter], org_value, "workspace"))
        elif inherited:
            limits.append(_value(limiter, org_value, org_value, "organization"))
    for limiter in SETTABLE_TYPES:  # overrides of types the organization has no limit for
        if limiter in overrides and limiter not in org_types:
            limits.append(_value(limiter, overrides[limiter], None, "workspace"))
    ids = {"rate_limit_id": entry.id, "workspace_id": workspace_id}
    return {"type": "workspace_rate_limit", **ids, **_group(entry), "limits": limits}


def _value(limiter: str, value: int, org_limit: int | None, source: str) -> dict[str, object]:
    return {"type": limiter, "value": value, "org_limit": org_limit, "source": {"type": source}}


async def list_rate_limits(request: Request) -> JSONResponse:
    table = sandbox(request).monitoring.rate_limits
    query = Query(request.query_params)
    group_type = query.enum("group_type", GROUP_TYPES)
    model = query.string("model")
    entries = [entry for entry in table.entries if group_type is None or entry.group.group_type == group_type]
    if model is not None:
        entries = [entry for entry in entries if model.strip() in (entry.group.models or ())]
        if not entries:
            raise not_found(f"model: no rate-limit group of this organization contains model {model[:80]!r}")
    page, following = _page(query, entries, "organization")
    return ok({"data": [_org_entry(entry) for entry in page], "next_page": following})


async def list_workspace_rate_limits(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    table = state.monitoring.rate_limits
    query = Query(request.query_params)
    group_type = query.enum("group_type", GROUP_TYPES)
    inherited = query.boolean("include_inherited", False)
    entries = [
        entry
        for entry in table.entries
        if (group_type is None or entry.group.group_type == group_type)
        and (inherited or table.workspace_overrides(workspace.id, entry))
    ]
    page, following = _page(query, entries, f"workspace:{workspace.id}")
    data = [_workspace_entry(table, workspace.id, entry, inherited=inherited) for entry in page]
    return ok({"data": data, "next_page": following})


def _changes(data: dict[str, Any]) -> list[tuple[str, int | None]]:
    limits = Body(data, ("limits",)).required("limits")
    if not isinstance(limits, list):
        raise invalid_request("limits: Input should be a list")
    if not 1 <= len(limits) <= MAX_LIMITS_PER_UPDATE:
        raise invalid_request(
            f"limits: must hold between 1 and {MAX_LIMITS_PER_UPDATE} items, got {len(limits)}"
        )
    changes: list[tuple[str, int | None]] = []
    for position, item in enumerate(limits):
        where = f"limits[{position}]"
        if not isinstance(item, dict):
            raise invalid_request(f"{where}: Input should be an object")
        limiter = Body(item, ("type", "value"), prefix=f"{where}.").required("type")
        if limiter not in SETTABLE_TYPES:
            allowed = ", ".join(f"'{name}'" for name in SETTABLE_TYPES)
            raise invalid_request(f"{where}.type: {str(limiter)[:60]!r} is not one of {allowed}")
        if "value" not in item:
            raise invalid_request(
                f"{where}.value: Field required (an integer, or null to clear the override)"
            )
        value = item["value"]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise invalid_request(f"{where}.value: Input should be a valid integer or null")
        if value is not None and not 0 <= value <= MAX_VALUE:
            raise invalid_request(f"{where}.value: must be between 0 and {MAX_VALUE}")
        if any(limiter == known for known, _ in changes):
            raise invalid_request(f"{where}.type: '{limiter}' is given more than once")
        changes.append((limiter, value))
    return changes


async def update_workspace_rate_limits(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    table = state.monitoring.rate_limits
    rate_limit_id = request.path_params["rate_limit_id"]
    entry = table.entry(rate_limit_id)
    if entry is None:
        raise not_found(f"rate_limit_id: no rate-limit entry {rate_limit_id[:80]!r} in this organization")
    changes = _changes(await read_json(request, required=True))
    writable_workspace(state, workspace.id, "have its rate limits changed")
    before = dict(table.workspace_overrides(workspace.id, entry))
    table.apply(workspace.id, entry, changes)
    group_name = entry.group.display_name or entry.group.group_type
    common = {"workspace_id": workspace.id, "rate_limit_id": entry.id, "model_group": group_name}
    for limiter, value in changes:
        if value is not None and before.get(limiter) != value:
            kind, fields = "workspace_rate_limit_updated", {"limiter_type": limiter, "value": value}
        elif value is None and limiter in before:
            kind, fields = "workspace_rate_limit_deleted", {"limiter_type": limiter}
        else:
            continue
        record(request, kind, **common, **fields, previous_value=before.get(limiter))
    return ok(_workspace_entry(table, workspace.id, entry, inherited=False))


_IN_WORKSPACE: Final = "/v1/organizations/workspaces/{workspace_id}/rate_limits"
ROUTES = [
    Route("/v1/organizations/rate_limits", list_rate_limits, methods=["GET"]),
    Route(_IN_WORKSPACE, list_workspace_rate_limits, methods=["GET"]),
    Route(_IN_WORKSPACE + "/{rate_limit_id}", update_workspace_rate_limits, methods=["POST"]),
]
