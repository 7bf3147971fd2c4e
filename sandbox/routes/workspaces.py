"""Workspaces: list, create, retrieve, update, archive.

* The default workspace is never listed (unless `include_default=true`, an SDK 2.10.0 parameter)
  but can be retrieved by id; it is named "Default" and cannot be changed or archived.
* At most 100 non-archived workspaces besides the default one: creating another is refused.
* Archiving is irreversible: an archived workspace refuses every later write (400), and archiving
  deactivates the workspace's active API keys (their status becomes `inactive`; the docs say
  archiving "deactivates the workspace's API keys").
* `tags` keys may not begin with `anthropic`. On update, `tags` is merged into the existing tags
  and a tag given as null is removed (the SDK types update tags as `Dict[str, Optional[str]]`).
* `data_residency.workspace_geo` is `us` and immutable; `default_inference_geo` must be one of
  `allowed_inference_geos` (or anything when they are `"unrestricted"`).
* `external_key_id` (CMEK) and `user_profile_id` are refused: the sandbox organization has neither
  CMEK nor user profiles.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, Final, Literal, cast

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request
from ..models import COLORS, DataResidency, InferenceGeo, Workspace
from ..params import Body, Query, check_id, read_json
from ..store import SandboxState
from ._common import ok, record, sandbox

NAME_MAX: Final = 255
TAGS_MAX: Final = 50
_COLOR: Final = re.compile(r"^#[0-9A-Fa-f]{6}$")
_GEOS: Final = ("global", "us")
_FIELDS: Final = ("name", "data_residency", "display_color", "external_key_id", "tags", "user_profile_id")


def writable_workspace(state: SandboxState, workspace_id: str, doing: str) -> Workspace:
    """The workspace, if the API lets anyone change it (`doing` completes the refusal message)."""
    workspace = state.workspaces.find(workspace_id)
    if workspace.is_default:
        raise invalid_request(f"The default workspace cannot {doing}")
    if workspace.archived_at is not None:
        raise invalid_request(f"Workspace {workspace.id} is archived: it cannot {doing}")
    return workspace


async def _fields(
    request: Request, current: Workspace | None
) -> tuple[str | None, DataResidency | None, str | None, dict[str, str | None] | None]:
    """The name, data residency, colour and tags a create (`current` None) or an update asks for.
    A create without a colour draws one at once, from the state's seeded stream."""
    body = Body(await read_json(request, required=True), _FIELDS)
    name = body.string("name", required=current is None, max_length=NAME_MAX)
    residency = _residency(body.object("data_residency"), None if current is None else current.data_residency)
    color = body.raw("display_color")
    if color is not None and (not isinstance(color, str) or not _COLOR.fullmatch(color)):
        raise invalid_request("display_color: must be a hex colour like '#6C5BB9'")
    color = None if color is None else color.upper()
    if current is None:
        color = color or sandbox(request).rng.choice(COLORS)
    tags = _tags(body.raw("tags"), nullable_values=current is not None)
    if body.has("external_key_id"):
        raise invalid_request(
            "external_key_id: customer-managed encryption keys (CMEK) are not enabled for this organization"
        )
    if body.has("user_profile_id"):
        raise invalid_request(
            f"user_profile_id: no user profile {str(body.raw('user_profile_id'))[:80]!r}",
            error_code="user_profile_not_found",
        )
    return None if name is None else name.strip(), residency, color, tags


def _geo_list(field: str, value: Any) -> list[InferenceGeo] | Literal["unrestricted"]:
    if value == "unrestricted":
        return "unrestricted"
    if not isinstance(value, list) or not value:
        raise invalid_request(f"{field}: must be 'unrestricted' or a non-empty list of 'global', 'us'")
    geos: list[InferenceGeo] = []
    for geo in value:
        if geo not in _GEOS:
            raise invalid_request(f"{field}: {geo!r} is not one of 'global', 'us'")
        if geo not in geos:
            geos.append(cast(InferenceGeo, geo))
    return geos


def _residency(raw: Mapping[str, Any] | None, current: DataResidency | None) -> DataResidency | None:
    """The data residency a create (current None) or an update asks for, checked."""
    if raw is None:
        return None
    prefix = "data_residency."
    if current is not None and "workspace_geo" in raw:
        raise invalid_request(f"{prefix}workspace_geo: cannot be changed after the workspace is created")
    body = Body(raw, ("workspace_geo", "allowed_inference_geos", "default_inference_geo"), prefix=prefix)
    body.enum("workspace_geo", ("us",))
    base = current or DataResidency()
    allowed = (
        _geo_list(prefix + "allowed_inference_geos", raw["allowed_inference_geos"])
        if body.has("allowed_inference_geos")
        else base.allowed_inference_geos
    )
    default = (
        cast(InferenceGeo | None, body.enum("default_inference_geo", _GEOS)) or base.default_inference_geo
    )
    if allowed != "unrestricted" and default not in allowed:
        raise invalid_request(
            f"{prefix}default_inference_geo: {default!r} must be one of allowed_inference_geos {allowed}"
        )
    return DataResidency(list(allowed) if allowed != "unrestricted" else "unrestricted", default)


def _tags(raw: Any, *, nullable_values: bool) -> dict[str, str | None] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise invalid_request("tags: Input should be an object of string keys and string values")
    if len(raw) > TAGS_MAX:
        raise invalid_request(f"tags: at most {TAGS_MAX} tags")
    tags: dict[str, str | None] = {}
    for key, value in raw.items():
        if not key or len(key) > 128:
            raise invalid_request("tags: keys must be 1 to 128 characters")
        if key.lower().startswith("anthropic"):
            raise invalid_request(f"tags: key {key!r} is reserved: keys may not begin with 'anthropic'")
        if value is None and nullable_values:
            tags[key] = None
        elif not isinstance(value, str) or len(value) > 256:
            raise invalid_request(f"tags.{key}: Input should be a string of at most 256 characters")
        else:
            tags[key] = value
    return tags


async def list_workspaces(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    window = query.window(ids.WORKSPACE, "workspace")
    include_archived = query.boolean("include_archived", False)
    include_default = query.boolean("include_default", False)
    wanted = query.array("ids")
    if len(wanted) > 100:
        raise invalid_request("ids[]: at most 100 ids")
    for workspace_id in wanted:
        check_id("ids[]", workspace_id, ids.WORKSPACE, "workspace")
    keys = (
        sorted({workspace_id for workspace_id in wanted if workspace_id in state.workspaces})
        if wanted
        else None
    )

    def match(workspace: Workspace) -> bool:
        if workspace.is_default:
            return include_default
        return include_archived or workspace.archived_at is None

    everything = include_archived and include_default
    return ok(state.workspaces.page(window, Workspace.to_api, keys=keys, match=None if everything else match))


async def create_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    name, residency, color, tags = await _fields(request, None)
    assert name is not None and color is not None
    if state.active_workspace_count() >= state.max_active_workspaces:
        raise invalid_request(
            f"This organization already has {state.max_active_workspaces} active workspaces, "
            "the most allowed; archive one first or ask your account team to raise the limit"
        )
    now = state.now_ts()
    workspace_id, compartment = (
        state.new_id(ids.WORKSPACE, now),
        str(uuid.UUID(int=state.rng.getrandbits(128), version=4)),
    )
    kept = {key: value for key, value in (tags or {}).items() if value is not None}
    workspace = Workspace(workspace_id, name, now, color, compartment, residency or DataResidency(), kept)
    state.add_workspace(workspace)
    record(request, "workspace_created", workspace_id=workspace.id, name=name)
    return ok(workspace.to_api())


async def retrieve_workspace(request: Request) -> JSONResponse:
    return ok(sandbox(request).workspaces.find(request.path_params["workspace_id"]).to_api())


async def update_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    name, residency, color, tags = await _fields(request, workspace)
    writable_workspace(state, workspace.id, "be changed")
    previous = _audited(workspace)
    changes = {"name": name, "data_residency": residency, "display_color": color}
    changed = [
        field for field, value in changes.items() if value is not None and value != getattr(workspace, field)
    ]
    for field in changed:
        setattr(workspace, field, changes[field])
    if tags:
        merged = dict(workspace.tags)
        for key, value in tags.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        if merged != workspace.tags:
            workspace.tags = merged
            changed.append("tags")
    # The old and new values go to the compliance feed's `updates[]`.
    current = _audited(workspace)
    record(
        request,
        "workspace_updated",
        workspace_id=workspace.id,
        changed=changed,
        previous={key: value for key, value in previous.items() if current[key] != value},
        current={key: value for key, value in current.items() if previous[key] != value},
    )
    return ok(workspace.to_api())


def _audited(workspace: Workspace) -> dict[str, object]:
    residency = workspace.data_residency
    allowed = residency.allowed_inference_geos
    return {
        "name": workspace.name,
        "display_color": workspace.display_color,
        "allowed_inference_geos": allowed if isinstance(allowed, str) else list(allowed),
        "default_inference_geo": residency.default_inference_geo,
        "tags": dict(workspace.tags),
    }


async def archive_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = writable_workspace(state, request.path_params["workspace_id"], "be archived")
    now = state.now_ts()
    workspace.archived_at = now
    deactivated: list[str] = []
    for key in state.api_keys.values():
        if key.workspace_id == workspace.id and key.stored_status == "active":
            key.stored_status = "inactive"
            deactivated.append(key.id)
    record(request, "workspace_archived", workspace_id=workspace.id, deactivated_api_key_ids=deactivated)
    return ok(workspace.to_api())


ROUTES = [
    Route("/v1/organizations/workspaces", list_workspaces, methods=["GET"]),
    Route("/v1/organizations/workspaces", create_workspace, methods=["POST"]),
    Route("/v1/organizations/workspaces/{workspace_id}", retrieve_workspace, methods=["GET"]),
    Route("/v1/organizations/workspaces/{workspace_id}", update_workspace, methods=["POST"]),
    Route("/v1/organizations/workspaces/{workspace_id}/archive", archive_workspace, methods=["POST"]),
]
