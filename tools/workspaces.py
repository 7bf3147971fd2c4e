"""Workspaces and their members: `/v1/organizations/workspaces`."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from claude_admin_mcp.server.registry import Operation

from .common import ApiObject, Arguments, UserId, WorkspaceId


class DataResidency(ApiObject):
    workspace_geo: str
    allowed_inference_geos: list[str] | str
    default_inference_geo: str


class Workspace(ApiObject):
    id: str
    type: str = "workspace"
    name: str
    created_at: str
    archived_at: str | None = None
    display_color: str | None = None
    data_residency: DataResidency | None = None
    tags: dict[str, Any] = Field(default_factory=dict)


class WorkspaceMember(ApiObject):
    type: str = "workspace_member"
    user_id: str
    workspace_id: str
    workspace_role: str


class ListWorkspaces(Arguments):
    include_archived: bool = Field(False, description="Also list archived workspaces.")


class GetWorkspace(Arguments):
    workspace_id: WorkspaceId


class GetWorkspaceMember(Arguments):
    workspace_id: WorkspaceId
    user_id: UserId


_WORKSPACE_404 = "No workspace has that id; list_workspaces (include_archived=true) finds them."

OPERATIONS = [
    Operation(
        name="list_workspaces",
        title="List workspaces",
        description="Workspaces (wrkspc_…), newest first. The default workspace is never listed; "
        "archived ones only with include_archived.",
        toolset="workspaces",
        method="GET",
        path="/v1/organizations/workspaces",
        input=ListWorkspaces,
        output=Workspace,
        pagination="id_cursor",
        columns=("id", "name", "created_at", "archived_at"),
    ),
    Operation(
        name="get_workspace",
        title="Get workspace",
        description="One workspace by id (wrkspc_…): name, archive state, data residency, tags.",
        toolset="workspaces",
        method="GET",
        path="/v1/organizations/workspaces/{workspace_id}",
        input=GetWorkspace,
        output=Workspace,
        columns=("id", "name", "created_at", "archived_at", "display_color", "data_residency", "tags"),
        not_found_hint=_WORKSPACE_404,
    ),
    Operation(
        name="list_workspace_members",
        title="List workspace members",
        description="Explicit members of one workspace with their workspace role. Org admins are "
        "implicitly workspace_admin everywhere and may not be listed.",
        toolset="workspaces",
        method="GET",
        path="/v1/organizations/workspaces/{workspace_id}/members",
        input=GetWorkspace,
        output=WorkspaceMember,
        pagination="id_cursor",
        item_id="user_id",
        columns=("user_id", "workspace_role"),
        not_found_hint=_WORKSPACE_404,
    ),
    Operation(
        name="get_workspace_member",
        title="Get workspace member",
        description="One user's role in one workspace (404 if not a member).",
        toolset="workspaces",
        method="GET",
        path="/v1/organizations/workspaces/{workspace_id}/members/{user_id}",
        input=GetWorkspaceMember,
        output=WorkspaceMember,
        columns=("user_id", "workspace_id", "workspace_role"),
        not_found_hint="That user is not a member of that workspace (or either id is unknown); "
        "list_workspace_members shows who is.",
    ),
]
