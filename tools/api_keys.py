"""API keys (created in the Console; the API reads and updates them): `/v1/organizations/api_keys`."""

from __future__ import annotations

from pydantic import Field

from claude_admin_mcp.server.registry import Operation

from .common import ApiKeyId, ApiKeyStatus, ApiObject, Arguments, UserId, WorkspaceId


class Actor(ApiObject):
    id: str
    type: str


class ApiKey(ApiObject):
    id: str
    type: str = "api_key"
    name: str
    status: str
    created_at: str
    expires_at: str | None = None
    partial_key_hint: str | None = None
    workspace_id: str | None = None
    created_by: Actor | None = None


class ListApiKeys(Arguments):
    status: ApiKeyStatus | None = Field(None, description="Only keys with this status.")
    workspace_id: WorkspaceId | None = Field(None, description="Only keys of this workspace.")
    created_by_user_id: UserId | None = Field(None, description="Only keys this user created.")


class GetApiKey(Arguments):
    api_key_id: ApiKeyId


OPERATIONS = [
    Operation(
        name="list_api_keys",
        title="List API keys",
        description="API keys (apikey_…), newest first: name, status, workspace (null = default "
        "workspace), creator. Never returns the secret.",
        toolset="api_keys",
        method="GET",
        path="/v1/organizations/api_keys",
        input=ListApiKeys,
        output=ApiKey,
        pagination="id_cursor",
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
