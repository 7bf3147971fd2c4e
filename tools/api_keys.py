"""API keys (created in the Console; the API reads and updates them): `/v1/organizations/api_keys`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import Field, model_validator

from claude_admin_mcp.server.catalog.operation import Filter, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader
from claude_admin_mcp.server.catalog.time_range import iso

from .common import ApiKeyId, ApiKeyStatus, Arguments, UserId, WorkspaceId, contains
from .models import API_KEYS, MEMBER, USERS, WORKSPACE, WORKSPACES, ApiKey, User, Workspace, keys_in_use


class ListApiKeys(Arguments):
    status: ApiKeyStatus | None = None
    workspace_id: WorkspaceId | None = None
    created_by_user_id: UserId | None = None
    name_contains: str | None = None
    unused_days: int | None = Field(
        None, ge=1, le=366, description="Only keys with no usage in the last N days."
    )


def _window(api: Reader, days: int) -> str:
    now = api.now()
    start = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=days - 1)
    return (
        f"Unused: no token usage in the usage report from {iso(start)} to {iso(now)} ({days} UTC days, today "
        "included). Any status is listed: an archived, expired or inactive key is unused by definition "
        "(status=active keeps only keys that still work)."
    )


def _not_in(item: Mapping[str, Any], used: frozenset[str]) -> bool:
    return item.get("id") not in used


class GetApiKey(Arguments):
    api_key_id: ApiKeyId


OPERATIONS = [
    Operation(
        name="list_api_keys",
        title="List API keys",
        description="API keys (apikey_…), newest first: name, status, workspace (null = default), "
        "creator. unused_days finds keys nobody used lately. Never returns the secret.",
        toolset="api_keys",
        method="GET",
        path=API_KEYS,
        input=ListApiKeys,
        output=ApiKey,
        pagination="id_cursor",
        filters={
            "name_contains": contains("name"),
            "unused_days": Filter(_not_in, prepare=keys_in_use, says=_window),
        },
        columns=("id", "name", "status", "workspace_id", "created_by.id", "created_at"),
        labels={"workspace_id": WORKSPACE, "created_by.id": MEMBER},
    ),
    Operation(
        name="get_api_key",
        title="Get API key",
        description="One API key by id (apikey_…): name, status, workspace, creator, expiry, hint.",
        toolset="api_keys",
        method="GET",
        path=API_KEYS + "/{api_key_id}",
        input=GetApiKey,
        output=ApiKey,
        columns=(
            "id",
            "name",
            "status",
            "workspace_id",
            "created_by.id",
            "created_at",
            "expires_at",
            "partial_key_hint",
        ),
        labels={"workspace_id": WORKSPACE, "created_by.id": MEMBER},
        not_found_hint="No API key has that id; list_api_keys finds keys by workspace, status or creator.",
    ),
]


class UpdateApiKey(Arguments):
    api_key_id: ApiKeyId
    name: str | None = Field(None, min_length=1, max_length=500)
    status: Literal["active", "inactive", "archived"] | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateApiKey:
        if self.name is None and self.status is None:
            raise ValueError("give name, status or both")
        return self


async def _preview_update_key(api: Reader, args: UpdateApiKey) -> Preview:
    key = await api.get(ApiKey, f"{API_KEYS}/{args.api_key_id}")
    workspace_name = "the default workspace"
    if key.workspace_id:
        workspace = await api.find(Workspace, f"{WORKSPACES}/{key.workspace_id}")
        workspace_name = f"workspace {workspace.name}" if workspace else key.workspace_id
    creator = "an unrecorded creator"
    if key.creator is not None and key.creator.type == "user":
        user = await api.find(User, f"{USERS}/{key.creator.id}")
        creator = user.email if user else key.creator.id
    changes = []
    if args.name is not None and args.name != key.name:
        changes.append(f"name: {key.name} → {args.name}")
    if args.status is not None and args.status != key.status:
        changes.append(f"status: {key.status} → {args.status}")
    action = f"Update API key '{key.name}' ({key.id}) in {workspace_name}, created by {creator}"
    scope = frozenset({key.workspace})
    if key.status == "archived":
        return Preview(action, refusal="the key is archived; archived keys cannot change", workspaces=scope)
    if not changes:
        return Preview(action, nothing_to_do="every value given is already set", workspaces=scope)
    stops = args.status in ("inactive", "archived") and key.status == "active"
    details = list(changes)
    if stops:
        details.append("Requests using this key start failing at once.")
    if args.status == "archived":
        details.append("Archiving is permanent: the key can never be used again.")
    return Preview(action, details=tuple(details), confirm_text=key.name if stops else None, workspaces=scope)


OPERATIONS += [
    Operation(
        name="update_api_key",
        title="Rename or deactivate API key",
        description="Rename an API key (apikey_…) or set its status: inactive (reversible), archived "
        "(permanent) or active. Deactivating: the user must type the key's name.",
        toolset="api_keys",
        method="POST",
        path=API_KEYS + "/{api_key_id}",
        input=UpdateApiKey,
        output=ApiKey,
        destructive=True,
        idempotent=True,
        preview=_preview_update_key,
        columns=("id", "name", "status", "workspace_id"),
        not_found_hint="No API key has that id; list_api_keys finds keys by workspace, status or creator.",
    ),
]
