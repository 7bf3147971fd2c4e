"""RBAC groups (`rbac_group_…`) and their members, RBAC roles and the permissions they grant:
`/v1/organizations/rbac_groups`, `/v1/organizations/rbac_roles` (Claude Enterprise).

Roles are attached to groups in Claude's admin settings; here a group's `role_ids` are read-only.
The API leaves alone a group whose roles grant owner access (no member added or removed, no
delete), and a group provisioned by the identity provider (SCIM): previews refuse both at once.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    Arguments,
    Deleted,
    RbacGroupId,
    RbacRoleId,
    UserId,
    listing,
    organization_wide,
    scoped,
    who,
)
from .models import RBAC_GROUPS, USERS, User
from .sdk_models import RbacGroup, RbacGroupMember, RbacPermission, RbacRole

ROLES = "/v1/organizations/rbac_roles"
PAGE_MAX = 1000
OWNER_PERMISSION = "permission_owner"
"""The organization permission of a role that grants owner access. The SDK names no entitlement
for it: this is the sandbox's, and the API's own refusal (`rbac_group_grants_owner_access`)
stays the last word."""

READ = scoped("read:rbac_groups")
"""Groups and roles alike: the API's docs name no scope of the roles' own (the sandbox agrees)."""
WRITE = scoped("write:rbac_groups")
OWNER_ACCESS = (
    "its roles grant owner access ({roles}): the API neither changes its members nor deletes it; "
    "an owner does it in Claude's admin settings (Settings → Groups)"
)


def _resource_text(resource: dict[str, Any]) -> str:
    kind = str(resource.get("type"))
    detail = [str(v) for k, v in resource.items() if k not in ("type", "organization_id") and v is not None]
    return " ".join([kind, *detail])


class GetGroup(Arguments):
    rbac_group_id: RbacGroupId


class GetRole(Arguments):
    rbac_role_id: RbacRoleId


_GROUP_404 = "No RBAC group has that id; list_rbac_groups finds them."
_ROLE_404 = "No RBAC role has that id; list_rbac_roles finds them."
_GROUP_COLUMNS = ("id", "name", "source_type", "role_ids", "updated_at")

OPERATIONS = [
    Operation(
        name="list_rbac_groups",
        title="List RBAC groups",
        description="Groups (rbac_group_…) of members that share roles; source scim = from the identity "
        "provider. Enterprise.",
        toolset="rbac",
        method="GET",
        path=RBAC_GROUPS,
        input=Arguments,
        output=RbacGroup,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_GROUP_COLUMNS,
        access=READ,
    ),
    Operation(
        name="get_rbac_group",
        title="Get RBAC group",
        description="One RBAC group by id: name, source, role ids.",
        toolset="rbac",
        method="GET",
        path=RBAC_GROUPS + "/{rbac_group_id}",
        input=GetGroup,
        output=RbacGroup,
        columns=_GROUP_COLUMNS,
        not_found_hint=_GROUP_404,
        access=READ,
    ),
    Operation(
        name="list_rbac_group_members",
        title="List RBAC group members",
        description="Who is in an RBAC group: user id, email, since when.",
        toolset="rbac",
        method="GET",
        path=RBAC_GROUPS + "/{rbac_group_id}/members",
        input=GetGroup,
        output=RbacGroupMember,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="user_id",
        columns=("user_id", "email", "created_at"),
        not_found_hint=_GROUP_404,
        access=READ,
    ),
    Operation(
        name="list_rbac_roles",
        title="List RBAC roles",
        description="Roles groups can grant: built-in or custom (attached to groups in the admin settings).",
        toolset="rbac",
        method="GET",
        path=ROLES,
        input=Arguments,
        output=RbacRole,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=("id", "display_name", "source.type"),
        access=READ,
    ),
    Operation(
        name="get_rbac_role",
        title="Get RBAC role",
        description="One RBAC role by id.",
        toolset="rbac",
        method="GET",
        path=ROLES + "/{rbac_role_id}",
        input=GetRole,
        output=RbacRole,
        columns=("id", "display_name", "source.type", "updated_at"),
        not_found_hint=_ROLE_404,
        access=READ,
    ),
    Operation(
        name="list_rbac_role_permissions",
        title="List RBAC role permissions",
        description="What a role grants: actions on the organization (features, admin permissions) and "
        "on connectors.",
        toolset="rbac",
        method="GET",
        path=ROLES + "/{rbac_role_id}/permissions",
        input=GetRole,
        output=RbacPermission,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="action",
        columns=("action", "resource"),
        formats={"resource": FromItem(lambda item: _resource_text(item.get("resource") or {}))},
        not_found_hint=_ROLE_404,
        access=READ,
    ),
]


# -- writes ---------------------------------------------------------------------------------------


class CreateGroup(Arguments):
    name: str = Field(min_length=1, max_length=200)


class RenameGroup(Arguments):
    rbac_group_id: RbacGroupId
    name: str = Field(min_length=1, max_length=200)


class GroupMember(Arguments):
    rbac_group_id: RbacGroupId
    user_id: UserId


class _Group:
    """A group as previews need it: its roles by name, and why the API would refuse a change."""

    def __init__(self, group: RbacGroup, roles: dict[str, str], owners: list[str]) -> None:
        self.group, self.roles, self.owners = group, roles, owners

    @property
    def role_text(self) -> str:
        return listing(list(self.roles.values()))

    def refusal(self, *, members_or_delete: bool) -> str | None:
        if self.group.source_type == "scim":
            return (
                "it is provisioned by the identity provider (SCIM): change it there, or in Claude's admin "
                "settings once SCIM provisioning is off"
            )
        if not members_or_delete:
            return None
        if self.group.role_ids is None:
            return "the API could not say which roles it grants (role_ids is null); try again shortly"
        if self.owners:
            return OWNER_ACCESS.format(roles=listing(self.owners))
        return None


async def _group(api: Reader, group_id: str, *, owner_check: bool = True) -> _Group:
    """The group, its roles by name and, with `owner_check`, those that grant owner access (one read
    of each role's permissions: a rename needs none)."""
    group = await api.get(RbacGroup, f"{RBAC_GROUPS}/{group_id}")
    names = {role.id: role.display_name for role in await api.all(RbacRole, ROLES)}
    roles = {role_id: names.get(role_id, role_id) for role_id in group.role_ids or []}
    owners: list[str] = []
    checked = roles if owner_check else {}
    for role_id, name in checked.items():
        permissions = await api.all(RbacPermission, f"{ROLES}/{role_id}/permissions")
        if any(_grants_owner(permission) for permission in permissions):
            owners.append(name)
    return _Group(group, roles, owners)


def _grants_owner(permission: RbacPermission) -> bool:
    return permission.action == OWNER_PERMISSION and permission.resource.get("type") == "organization"


def _named(group: RbacGroup) -> str:
    return f"RBAC group {group.name} ({group.id})"


async def _preview_create(api: Reader, args: CreateGroup) -> Preview:
    same = [group.id for group in await api.all(RbacGroup, RBAC_GROUPS) if group.name == args.name]
    details = ["It starts with no members and no roles; roles are attached in Claude's admin settings."]
    if same:
        details.append(f"Groups already named '{args.name}' (names need not be unique): {listing(same)}.")
    return Preview(f"Create RBAC group '{args.name}'", details=tuple(details))


async def _preview_rename(api: Reader, args: RenameGroup) -> Preview:
    found = await _group(api, args.rbac_group_id, owner_check=False)
    group = found.group
    action = f"Rename {_named(group)}: {group.name} → {args.name}"
    if (refusal := found.refusal(members_or_delete=False)) is not None:
        return Preview(action, refusal=refusal)
    if group.name == args.name:
        return Preview(action, nothing_to_do=f"it is already named {args.name}")
    return Preview(action, details=(f"Its members and roles ({found.role_text}) stay.",))


async def _preview_delete(api: Reader, args: GetGroup) -> Preview:
    found = await _group(api, args.rbac_group_id)
    group = found.group
    action = f"Delete {_named(group)}"
    if (refusal := found.refusal(members_or_delete=True)) is not None:
        return Preview(action, refusal=refusal)
    members = await api.all(RbacGroupMember, f"{RBAC_GROUPS}/{group.id}/members")
    return Preview(
        action,
        details=(
            f"{len(members)} members lose what it grants ({found.role_text}), unless another group grants "
            f"it: {listing([member.email for member in members])}.",
            "Irreversible: a new group gets a new id; its members must be added again.",
        ),
        confirm_text=group.name,
    )


async def _membership(api: Reader, args: GroupMember) -> tuple[_Group, User, bool]:
    found = await _group(api, args.rbac_group_id)
    user = await api.get(User, f"{USERS}/{args.user_id}")
    members = await api.all(RbacGroupMember, f"{RBAC_GROUPS}/{args.rbac_group_id}/members")
    return found, user, any(member.user_id == user.id for member in members)


async def _preview_add(api: Reader, args: GroupMember) -> Preview:
    found, user, member = await _membership(api, args)
    action = f"Add {who(user)} to {_named(found.group)}"
    if (refusal := found.refusal(members_or_delete=True)) is not None:
        return Preview(action, refusal=refusal)
    if member:
        return Preview(action, nothing_to_do=f"{user.email} is already a member")
    return Preview(
        action, details=(f"They gain its roles: {found.role_text}.", f"Their org role stays {user.role}.")
    )


async def _preview_remove(api: Reader, args: GroupMember) -> Preview:
    found, user, member = await _membership(api, args)
    action = f"Remove {who(user)} from {_named(found.group)}"
    if (refusal := found.refusal(members_or_delete=True)) is not None:
        return Preview(action, refusal=refusal)
    if not member:
        return Preview(action, nothing_to_do=f"{user.email} is not a member")
    return Preview(
        action,
        details=(
            f"They lose its roles ({found.role_text}) unless another group grants them.",
            f"They stay a member of the organization ({user.role}).",
        ),
        confirm_text=user.email,
    )


OPERATIONS += [
    Operation(
        name="create_rbac_group",
        title="Create RBAC group",
        description="Create an empty RBAC group (roles are attached in the admin settings).",
        toolset="rbac",
        method="POST",
        path=RBAC_GROUPS,
        input=CreateGroup,
        output=RbacGroup,
        idempotent=False,
        preview=organization_wide(_preview_create),
        columns=_GROUP_COLUMNS,
        access=WRITE,
    ),
    Operation(
        name="rename_rbac_group",
        title="Rename RBAC group",
        description="Rename an RBAC group (not one provisioned by SCIM).",
        toolset="rbac",
        method="POST",
        path=RBAC_GROUPS + "/{rbac_group_id}",
        input=RenameGroup,
        output=RbacGroup,
        idempotent=True,
        preview=organization_wide(_preview_rename),
        columns=_GROUP_COLUMNS,
        not_found_hint=_GROUP_404,
        access=WRITE,
    ),
    Operation(
        name="delete_rbac_group",
        title="Delete RBAC group",
        description="Delete an RBAC group: its members lose its roles. Not for owner-granting or SCIM "
        "groups. The user types its name.",
        toolset="rbac",
        method="DELETE",
        path=RBAC_GROUPS + "/{rbac_group_id}",
        input=GetGroup,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete),
        columns=("id", "type"),
        not_found_hint=_GROUP_404,
        access=WRITE,
    ),
    Operation(
        name="add_rbac_group_member",
        title="Add RBAC group member",
        description="Add a member (user_…) to an RBAC group; they gain its roles.",
        toolset="rbac",
        method="POST",
        path=RBAC_GROUPS + "/{rbac_group_id}/members",
        input=GroupMember,
        output=RbacGroupMember,
        idempotent=True,
        preview=organization_wide(_preview_add),
        columns=("user_id", "email", "rbac_group_id"),
        not_found_hint="The group or the member does not exist; list_rbac_groups and list_users find them.",
        access=WRITE,
    ),
    Operation(
        name="remove_rbac_group_member",
        title="Remove RBAC group member",
        description="Take a member out of an RBAC group; they lose its roles. The user types their email.",
        toolset="rbac",
        method="DELETE",
        path=RBAC_GROUPS + "/{rbac_group_id}/members/{user_id}",
        input=GroupMember,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_remove),
        columns=("rbac_group_id", "user_id", "type"),
        not_found_hint="That member is not in that group; list_rbac_group_members shows who is.",
        access=WRITE,
    ),
]
