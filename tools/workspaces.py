"""Workspaces and their members: `/v1/organizations/workspaces`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from claude_admin_mcp.server.catalog.operation import Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    AddableWorkspaceRole,
    Arguments,
    Deleted,
    UserId,
    WorkspaceId,
    WorkspaceRole,
    contains,
    listing,
    nest,
    one_of,
    who,
)
from .models import API_KEYS, MEMBER, USERS, WORKSPACE, WORKSPACES, ApiKey, User, Workspace, WorkspaceMember


class ListWorkspaces(Arguments):
    include_archived: bool = False
    name_contains: str | None = None


class ListMembers(Arguments):
    workspace_id: WorkspaceId
    workspace_roles: list[WorkspaceRole] | None = Field(None, description="Any of these roles.")


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
        description="Workspaces (wrkspc_…), newest first; never the default one, archived ones only "
        "with include_archived.",
        toolset="workspaces",
        method="GET",
        path=WORKSPACES,
        input=ListWorkspaces,
        output=Workspace,
        pagination="id_cursor",
        filters={"name_contains": contains("name")},
        columns=("id", "name", "created_at", "archived_at"),
    ),
    Operation(
        name="get_workspace",
        title="Get workspace",
        description="One workspace by id (wrkspc_…): name, archive state, data residency, tags.",
        toolset="workspaces",
        method="GET",
        path=WORKSPACES + "/{workspace_id}",
        input=GetWorkspace,
        output=Workspace,
        columns=("id", "name", "created_at", "archived_at", "display_color", "data_residency", "tags"),
        not_found_hint=_WORKSPACE_404,
    ),
    Operation(
        name="list_workspace_members",
        title="List workspace members",
        description="Who has access to one workspace, and their workspace role (org admins are implicitly "
        "workspace_admin everywhere).",
        toolset="workspaces",
        method="GET",
        path=WORKSPACES + "/{workspace_id}/members",
        input=ListMembers,
        output=WorkspaceMember,
        pagination="id_cursor",
        filters={"workspace_roles": one_of("workspace_role")},
        item_id="user_id",
        columns=("user_id", "workspace_role"),
        labels={"user_id": MEMBER},
        not_found_hint=_WORKSPACE_404,
    ),
    Operation(
        name="get_workspace_member",
        title="Get workspace member",
        description="One user's role in one workspace (404 if not a member).",
        toolset="workspaces",
        method="GET",
        path=WORKSPACES + "/{workspace_id}/members/{user_id}",
        input=GetWorkspaceMember,
        output=WorkspaceMember,
        columns=("user_id", "workspace_id", "workspace_role"),
        labels={"user_id": MEMBER, "workspace_id": WORKSPACE},
        not_found_hint="That user is not a member of that workspace (or either id is unknown); "
        "list_workspace_members shows who is.",
    ),
]


InferenceGeos = list[Literal["global", "us"]] | Literal["unrestricted"]
_RESIDENCY = nest("data_residency", "allowed_inference_geos", "default_inference_geo")


class CreateWorkspace(Arguments):
    name: str = Field(min_length=1, max_length=40)
    allowed_inference_geos: InferenceGeos | None = Field(None, description='Default "unrestricted".')
    default_inference_geo: Literal["global", "us"] | None = Field(None, description='Default "global".')
    tags: dict[str, str] | None = None


class UpdateWorkspace(Arguments):
    workspace_id: WorkspaceId
    name: str | None = Field(None, min_length=1, max_length=40)
    allowed_inference_geos: InferenceGeos | None = None
    default_inference_geo: Literal["global", "us"] | None = None
    tags: dict[str, str | None] | None = Field(None, description="A null value removes the tag.")

    @model_validator(mode="after")
    def _something(self) -> UpdateWorkspace:
        if all(
            getattr(self, name) is None
            for name in ("name", "allowed_inference_geos", "default_inference_geo", "tags")
        ):
            raise ValueError("give at least one of name, allowed_inference_geos, default_inference_geo, tags")
        return self


class AddMember(Arguments):
    workspace_id: WorkspaceId
    user_id: UserId
    workspace_role: AddableWorkspaceRole


class UpdateMemberRole(Arguments):
    workspace_id: WorkspaceId
    user_id: UserId
    workspace_role: WorkspaceRole


def _archived(workspace: Workspace) -> str | None:
    if workspace.archived_at:
        return (
            f"workspace {workspace.name} is archived (since {workspace.archived_at[:10]}) and cannot change"
        )
    return None


async def _preview_create(api: Reader, args: CreateWorkspace) -> Preview:
    active = await api.all(Workspace, WORKSPACES)
    same = [w for w in await api.all(Workspace, WORKSPACES, include_archived=True) if w.name == args.name]
    geos = (
        f"{args.allowed_inference_geos or 'unrestricted'}, default {args.default_inference_geo or 'global'}"
    )
    return Preview(
        f"Create workspace '{args.name}'",
        details=(
            f"Inference geos: {geos}; tags: {args.tags or 'none'}.",
            f"Workspaces named '{args.name}' now: {listing([w.id for w in same])}.",
            f"Active workspaces: {len(active)} (the organization limit is usually 100).",
        ),
        creates_workspace=True,
    )


async def _preview_update(api: Reader, args: UpdateWorkspace) -> Preview:
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    changes = []
    if args.name is not None and args.name != workspace.name:
        changes.append(f"name: {workspace.name} → {args.name}")
    for key, value in (args.tags or {}).items():
        before = workspace.tags.get(key)
        if before != value:
            changes.append(
                f"tag {key}: {before if before is not None else '(none)'} → {value or '(removed)'}"
            )
    current = workspace.data_residency or {}
    for key in ("allowed_inference_geos", "default_inference_geo"):
        value = getattr(args, key)
        if value is not None and current.get(key) != value:
            changes.append(f"{key}: {current.get(key)} → {value}")
    action = f"Update workspace {workspace.name} ({workspace.id})"
    scope = frozenset({workspace.id})
    if (refusal := _archived(workspace)) is not None:
        return Preview(action, refusal=refusal, workspaces=scope)
    if not changes:
        return Preview(action, nothing_to_do="every value given is already set", workspaces=scope)
    return Preview(action, details=tuple(changes), workspaces=scope)


async def _preview_archive(api: Reader, args: GetWorkspace) -> Preview:
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    action = f"Archive workspace {workspace.name} ({workspace.id})"
    scope = frozenset({workspace.id})
    if workspace.archived_at:
        return Preview(
            action, nothing_to_do=f"it was archived on {workspace.archived_at[:10]}", workspaces=scope
        )
    members = await api.all(WorkspaceMember, f"{WORKSPACES}/{args.workspace_id}/members")
    named = await api.index(USERS, {member.user_id for member in members[:10]})
    emails = [str(named.get(m.user_id, {}).get("email") or m.user_id) for m in members]
    keys = await api.all(ApiKey, API_KEYS, workspace_id=args.workspace_id, status="active")
    key_names = [f"{key.name} ({key.id})" for key in keys]
    return Preview(
        action,
        details=(
            "Irreversible: an archived workspace cannot be restored.",
            f"{len(members)} members lose access: {listing(emails)}.",
            f"{len(keys)} active API keys are deactivated: {listing(key_names)}.",
        ),
        confirm_text=workspace.name,
        workspaces=scope,
    )


async def _member_context(
    api: Reader, workspace_id: str, user_id: str
) -> tuple[Workspace, User, WorkspaceMember | None]:
    workspace = await api.get(Workspace, f"{WORKSPACES}/{workspace_id}")
    user = await api.get(User, f"{USERS}/{user_id}")
    member = await api.find(WorkspaceMember, f"{WORKSPACES}/{workspace_id}/members/{user_id}")
    return workspace, user, member


async def _preview_add_member(api: Reader, args: AddMember) -> Preview:
    workspace, user, member = await _member_context(api, args.workspace_id, args.user_id)
    action = f"Add {who(user)} to workspace {workspace.name} as {args.workspace_role}"
    scope = frozenset({workspace.id})
    if (refusal := _archived(workspace)) is not None:
        return Preview(action, refusal=refusal, workspaces=scope)
    if member is not None:
        return Preview(
            action,
            refusal=f"{user.email} is already a member as {member.workspace_role}; "
            "use update_workspace_member_role to change it",
            workspaces=scope,
        )
    details = [f"Their org role: {user.role}."]
    if user.role in ("admin", "owner", "primary_owner"):
        details.append("Org admins are already workspace_admin everywhere; this adds an explicit membership.")
    return Preview(action, details=tuple(details), workspaces=scope)


async def _preview_member_role(api: Reader, args: UpdateMemberRole) -> Preview:
    workspace, user, member = await _member_context(api, args.workspace_id, args.user_id)
    scope = frozenset({workspace.id})
    if member is None:
        action = f"Change {who(user)}'s role in workspace {workspace.name} to {args.workspace_role}"
        return Preview(
            action, refusal="they are not a member of it; use add_workspace_member", workspaces=scope
        )
    before = member.workspace_role
    action = f"Change {who(user)}'s role in workspace {workspace.name}: {before} → {args.workspace_role}"
    if (refusal := _archived(workspace)) is not None:
        return Preview(action, refusal=refusal, workspaces=scope)
    if before == args.workspace_role:
        return Preview(action, nothing_to_do=f"their role there is already {before}", workspaces=scope)
    return Preview(action, workspaces=scope)


async def _preview_remove_member(api: Reader, args: GetWorkspaceMember) -> Preview:
    workspace, user, member = await _member_context(api, args.workspace_id, args.user_id)
    scope = frozenset({workspace.id})
    action = f"Remove {who(user)} from workspace {workspace.name}"
    if member is None:
        return Preview(action, nothing_to_do="they are not a member of it", workspaces=scope)
    if (refusal := _archived(workspace)) is not None:
        return Preview(action, refusal=refusal, workspaces=scope)
    # All their active keys, then those of this workspace: the same read serves every workspace.
    made = await api.all(ApiKey, API_KEYS, created_by_user_id=args.user_id, status="active")
    keys = [key for key in made if key.workspace_id == args.workspace_id]
    return Preview(
        action,
        details=(
            f"Their role there: {member.workspace_role}; they stay a member of the organization.",
            f"Active API keys they made in it, which stay active: {listing([k.name for k in keys])}.",
        ),
        confirm_text=user.email,
        workspaces=scope,
    )


OPERATIONS += [
    Operation(
        name="create_workspace",
        title="Create workspace",
        description="Create a new workspace, optionally with data residency (inference kept in a "
        "region, e.g. US) and tags.",
        toolset="workspaces",
        method="POST",
        path=WORKSPACES,
        input=CreateWorkspace,
        output=Workspace,
        reshape=_RESIDENCY,
        idempotent=False,
        preview=_preview_create,
        columns=("id", "name", "created_at", "data_residency", "tags"),
    ),
    Operation(
        name="update_workspace",
        title="Update workspace",
        description="Rename a workspace, change its tags (null removes one) or inference geos.",
        toolset="workspaces",
        method="POST",
        path=WORKSPACES + "/{workspace_id}",
        input=UpdateWorkspace,
        output=Workspace,
        reshape=_RESIDENCY,
        idempotent=True,
        preview=_preview_update,
        columns=("id", "name", "data_residency", "tags"),
        not_found_hint=_WORKSPACE_404,
    ),
    Operation(
        name="archive_workspace",
        title="Archive workspace",
        description="Archive a workspace: irreversible; members lose access, active API keys are "
        "deactivated. The user must type the workspace name.",
        toolset="workspaces",
        method="POST",
        path=WORKSPACES + "/{workspace_id}/archive",
        input=GetWorkspace,
        output=Workspace,
        destructive=True,
        idempotent=True,
        preview=_preview_archive,
        columns=("id", "name", "archived_at"),
        not_found_hint=_WORKSPACE_404,
    ),
    Operation(
        name="add_workspace_member",
        title="Add workspace member",
        description="Give a member (user_…) access to a workspace, with a workspace role.",
        toolset="workspaces",
        method="POST",
        path=WORKSPACES + "/{workspace_id}/members",
        input=AddMember,
        output=WorkspaceMember,
        idempotent=False,
        preview=_preview_add_member,
        columns=("user_id", "workspace_id", "workspace_role"),
        not_found_hint="The workspace or the user does not exist; list_workspaces and list_users find them.",
    ),
    Operation(
        name="update_workspace_member_role",
        title="Change workspace role",
        description="Change someone's role in a workspace, e.g. make them workspace_admin (workspace_billing "
        "included).",
        toolset="workspaces",
        method="POST",
        path=WORKSPACES + "/{workspace_id}/members/{user_id}",
        input=UpdateMemberRole,
        output=WorkspaceMember,
        idempotent=True,
        preview=_preview_member_role,
        columns=("user_id", "workspace_id", "workspace_role"),
        not_found_hint="That user is not a member of that workspace; list_workspace_members shows who is.",
    ),
    Operation(
        name="remove_workspace_member",
        title="Remove workspace member",
        description="Take a member out of one workspace (they stay in the organization). "
        "The user must type the member's email.",
        toolset="workspaces",
        method="DELETE",
        path=WORKSPACES + "/{workspace_id}/members/{user_id}",
        input=GetWorkspaceMember,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=_preview_remove_member,
        columns=("user_id", "workspace_id", "type"),
        not_found_hint="That user is not a member of that workspace; list_workspace_members shows who is.",
    ),
]
