"""Organization members: `/v1/organizations/users`."""

from __future__ import annotations

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    MEMBERS_READ,
    MEMBERS_WRITE,
    PROTECTED_ROLES,
    Arguments,
    Deleted,
    GrantableRole,
    OrgRole,
    UserId,
    contains,
    domain_of,
    listing,
    organization_wide,
    who,
)
from .models import API_KEYS, USERS, ApiKey, User, workspace_roles_of


class ListUsers(Arguments):
    email: str | None = Field(None, description="Exact email, any case.")
    roles: list[OrgRole] | None = Field(None, description="Any of these roles.")
    email_domain: str | None = Field(None, description="e.g. acme.com")
    email_contains: str | None = None
    name_contains: str | None = None


class GetUser(Arguments):
    user_id: UserId


OPERATIONS = [
    Operation(
        name="list_users",
        title="List members",
        description="Members, newest first: id (user_…), email, name, org role. Filters combine.",
        toolset="users",
        access=MEMBERS_READ,
        method="GET",
        path=USERS,
        input=ListUsers,
        output=User,
        pagination="id_cursor",
        filters={
            "email_domain": domain_of("email"),
            "email_contains": contains("email"),
            "name_contains": contains("name"),
        },
        columns=("id", "email", "name", "role", "added_at"),
    ),
    Operation(
        name="get_user",
        title="Get member",
        description="One member by id (user_…): email, name, org role, when added.",
        toolset="users",
        access=MEMBERS_READ,
        method="GET",
        path=USERS + "/{user_id}",
        input=GetUser,
        output=User,
        columns=("id", "email", "name", "role", "added_at"),
        not_found_hint="No member has that id; list_users finds members by email or role.",
    ),
]


class UpdateUserRole(Arguments):
    user_id: UserId
    role: GrantableRole


async def _preview_role(api: Reader, args: UpdateUserRole) -> Preview:
    user = await api.get(User, f"{USERS}/{args.user_id}")
    action = f"Change the org role of {who(user)}: {user.role} → {args.role}"
    if user.role == args.role:
        return Preview(action, nothing_to_do=f"{user.email} already has the role {args.role}")
    if user.role in PROTECTED_ROLES:
        return Preview(action, refusal=f"{user.email} is an {user.role}; the Admin API cannot change it")
    return Preview(action, details=(f"Member since {user.added_at[:10]}.",))


async def _preview_remove(api: Reader, args: GetUser) -> Preview:
    user = await api.get(User, f"{USERS}/{args.user_id}")
    action = f"Remove {who(user)} from the organization"
    if user.role in PROTECTED_ROLES:
        return Preview(action, refusal=f"{user.email} is an {user.role}; the Admin API cannot remove them")
    roles = await workspace_roles_of(api, args.user_id)
    keys = await api.all(ApiKey, API_KEYS, created_by_user_id=args.user_id, status="active")
    return Preview(
        action,
        details=(
            f"Org role: {user.role}.",
            "Workspace memberships that end: " + listing([f"{ws.name} ({role})" for ws, role in roles]) + ".",
            "Active API keys they created, which stay active (keys belong to the org): "
            + listing([key.name for key in keys])
            + ".",
            "They lose access at once; re-adding them takes a new invite.",
        ),
        confirm_text=user.email,
        workspaces=frozenset(ws.id for ws, _ in roles),
    )


async def _preview_sign_out(api: Reader, args: GetUser) -> Preview:
    user = await api.get(User, f"{USERS}/{args.user_id}")
    return Preview(
        f"Sign {who(user)} out of Claude everywhere",
        details=(
            "Ends their sessions and the OAuth tokens the organization issued them (can take up to an hour).",
            f"They stay a member, with the org role {user.role}.",
        ),
        confirm_text=user.email,
    )


OPERATIONS += [
    Operation(
        name="update_user_role",
        title="Change member's org role",
        description="Set a member's org role. The API cannot grant admin/owner, nor change an admin.",
        toolset="users",
        access=MEMBERS_WRITE,
        method="POST",
        path=USERS + "/{user_id}",
        input=UpdateUserRole,
        output=User,
        idempotent=True,
        preview=organization_wide(_preview_role),
        columns=("id", "email", "role"),
        not_found_hint="No member has that id; list_users finds members by email.",
    ),
    Operation(
        name="remove_user",
        title="Remove member",
        description="Remove someone from the org (they left the company): their workspace memberships "
        "end, their API keys stay. Re-adding needs an invite. The user types their email.",
        toolset="users",
        access=MEMBERS_WRITE,
        method="DELETE",
        path=USERS + "/{user_id}",
        input=GetUser,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_remove),
        columns=("id", "type"),
        not_found_hint="No member has that id; list_users finds members by email.",
    ),
    Operation(
        name="sign_out_user",
        title="Sign member out everywhere",
        description="End a member's Claude sessions and org-issued OAuth tokens (e.g. a lost laptop or PC) "
        "without removing them. Beta. The user types their email.",
        toolset="users",
        access=MEMBERS_WRITE,
        method="POST",
        path=USERS + "/{user_id}/sign_out",
        input=GetUser,
        output=User,
        destructive=True,
        idempotent=True,
        beta="admin-user-sign-out-2026-10-08",
        preview=organization_wide(_preview_sign_out),
        columns=("id", "email", "role"),
        not_found_hint="No member has that id; list_users finds members by email.",
    ),
]
