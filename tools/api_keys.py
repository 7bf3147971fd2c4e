"""API keys (created in the Console; the API reads and updates them): `/v1/organizations/api_keys`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import Field, model_validator

from claude_admin_mcp.server.registry import Operation, Preview, Reader
from claude_admin_mcp.server.time_range import iso

from .common import ApiKeyId, ApiKeyStatus, ApiObject, Arguments, UserId, WorkspaceId, contains


class ApiKey(ApiObject):
    id: str
    name: str
    status: str
    created_at: str
    expires_at: str | None = None
    partial_key_hint: str | None = None
    workspace_id: str | None = None
    created_by: dict[str, Any] | None = None


class ListApiKeys(Arguments):
    status: ApiKeyStatus | None = None
    workspace_id: WorkspaceId | None = None
    created_by_user_id: UserId | None = None
    name_contains: str | None = None
    unused_days: int | None = Field(
        None, ge=1, le=366, description="Only keys with no usage in the last N days."
    )


async def _keys_in_use(api: Reader, days: int) -> frozenset[str]:
    """Keys with any token usage in the last `days` UTC days (today included), from the usage report."""
    now = api.now()
    start = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=days - 1)
    used: set[str] = set()
    while start < now:
        end = min(start + timedelta(days=31), now)  # the report's longest span per request
        page = None
        while True:
            body = await api.get(
                "/v1/organizations/usage_report/messages",
                starting_at=iso(start),
                ending_at=iso(end),
                bucket_width="1d",
                limit=31,
                group_by=["api_key_id"],
                **({"page": page} if page else {}),
            )
            for bucket in body.get("data", []):
                used.update(r["api_key_id"] for r in bucket.get("results", []) if r.get("api_key_id"))
            page = body.get("next_page")
            if not page or body.get("has_more") is False:
                break
        start = end
    return frozenset(used)


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
        path="/v1/organizations/api_keys",
        input=ListApiKeys,
        output=ApiKey,
        pagination="id_cursor",
        filters={"name_contains": contains("name"), "unused_days": _not_in},
        filter_setups={"unused_days": _keys_in_use},
        columns=("id", "name", "status", "workspace_id", "created_by.id", "created_at"),
    ),
    Operation(
        name="get_api_key",
        title="Get API key",
        description="One API key by id (apikey_…): name, status, workspace, creator, expiry, hint.",
        toolset="api_keys",
        method="GET",
        path="/v1/organizations/api_keys/{api_key_id}",
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


def key_workspace(key: dict[str, Any]) -> str:
    """The key's workspace id, or "default" for the default workspace."""
    scope = key.get("scope") or {}
    return str(key.get("workspace_id") or scope.get("workspace_id") or "default")


async def _preview_update_key(api: Reader, args: UpdateApiKey) -> Preview:
    key = await api.get(f"/v1/organizations/api_keys/{args.api_key_id}")
    workspace_id = key_workspace(key)
    workspace_name = "the default workspace"
    if key.get("workspace_id"):
        workspace = await api.find(f"/v1/organizations/workspaces/{key['workspace_id']}")
        workspace_name = f"workspace {workspace['name']}" if workspace else str(key["workspace_id"])
    creator = "an unrecorded creator"
    if (key.get("created_by") or {}).get("type") == "user":
        user = await api.find(f"/v1/organizations/users/{key['created_by']['id']}")
        creator = user["email"] if user else key["created_by"]["id"]
    changes = []
    if args.name is not None and args.name != key["name"]:
        changes.append(f"name: {key['name']} → {args.name}")
    if args.status is not None and args.status != key["status"]:
        changes.append(f"status: {key['status']} → {args.status}")
    action = f"Update API key '{key['name']}' ({key['id']}) in {workspace_name}, created by {creator}"
    scope = frozenset({workspace_id})
    if key["status"] == "archived":
        return Preview(action, refusal="the key is archived; archived keys cannot change", workspaces=scope)
    if not changes:
        return Preview(action, nothing_to_do="every value given is already set", workspaces=scope)
    stops = args.status in ("inactive", "archived") and key["status"] == "active"
    details = list(changes)
    if stops:
        details.append("Requests using this key start failing at once.")
    if args.status == "archived":
        details.append("Archiving is permanent: the key can never be used again.")
    return Preview(
        action, details=tuple(details), confirm_text=key["name"] if stops else None, workspaces=scope
    )


OPERATIONS += [
    Operation(
        name="update_api_key",
        title="Rename or deactivate API key",
        description="Rename an API key (apikey_…) or set its status: inactive (reversible), archived "
        "(permanent) or active. Deactivating: the user must type the key's name.",
        toolset="api_keys",
        method="POST",
        path="/v1/organizations/api_keys/{api_key_id}",
        input=UpdateApiKey,
        output=ApiKey,
        destructive=True,
        idempotent=True,
        preview=_preview_update_key,
        columns=("id", "name", "status", "workspace_id"),
        not_found_hint="No API key has that id; list_api_keys finds keys by workspace, status or creator.",
    ),
]
