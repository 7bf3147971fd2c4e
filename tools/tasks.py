"""Tasks: what administrators ask in one sentence, as plans of the write tools' changes.

Each task reads the organization, builds the list of changes (a `Draft`), and the server previews
and applies it as one plan, approved once. `apply_changes` takes the list as given.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from claude_admin_mcp.server.catalog.plan import PLAN_MAX, Change, Draft, PlanArguments, Task
from claude_admin_mcp.server.catalog.preview import Reader

from .common import (
    PROTECTED_ROLES,
    AddableWorkspaceRole,
    Email,
    GrantableRole,
    OrgRole,
    UserId,
    WorkspaceId,
    listing,
    who,
)
from .models import (
    API_KEYS,
    INVITES,
    USERS,
    WORKSPACES,
    ApiKey,
    Invite,
    User,
    Workspace,
    keys_in_use,
    workspace_roles_of,
)

TOOLSET = "tasks"


class ChangeArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tool: str = Field(description="A write tool's name, e.g. update_user_role.")
    arguments: dict[str, Any] = Field(description="That tool's arguments.")


class ApplyChanges(PlanArguments):
    changes: list[ChangeArguments] = Field(min_length=1, max_length=PLAN_MAX)


async def _as_given(api: Reader, args: ApplyChanges) -> Draft:
    changes = tuple(Change(change.tool, change.arguments) for change in args.changes)
    return Draft("Plan", changes)


async def _member(api: Reader, user_id: str | None, email: str | None) -> User:
    if user_id is not None:
        return await api.get(User, f"{USERS}/{user_id}")
    found = await api.all(User, USERS, email=email)
    if not found:
        raise LookupError(f"no member has the email {email}")
    return found[0]


class Offboard(PlanArguments):
    user_id: UserId | None = None
    email: Email | None = Field(None, description="Instead of user_id.")
    deactivate_keys: bool = Field(False, description="Also deactivate the active API keys they created.")

    @model_validator(mode="after")
    def _one(self) -> Offboard:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("give user_id or email")
        return self


async def _offboard(api: Reader, args: Offboard) -> Draft:
    user = await _member(api, args.user_id, args.email)
    changes = [Change("sign_out_user", {"user_id": user.id})]
    for workspace, _role in await workspace_roles_of(api, user.id):
        changes.append(Change("remove_workspace_member", {"workspace_id": workspace.id, "user_id": user.id}))
    keys = await api.all(ApiKey, API_KEYS, created_by_user_id=user.id, status="active")
    notes: tuple[str, ...] = ()
    if args.deactivate_keys:
        changes += [Change("update_api_key", {"api_key_id": key.id, "status": "inactive"}) for key in keys]
    elif keys:
        notes = (
            f"Active API keys they created stay active (keys belong to the organization): "
            f"{listing([key.name for key in keys])}; deactivate_keys=true deactivates them.",
        )
    changes.append(Change("remove_user", {"user_id": user.id}))
    return Draft(f"Offboard {who(user)}", tuple(changes), confirm_text=user.email, notes=notes)


class ChangeRoles(PlanArguments):
    role: GrantableRole = Field(description="The org role they get.")
    email_domain: str | None = Field(
        None, description="Members whose email is at this domain, e.g. contractor.io."
    )
    roles: list[OrgRole] | None = Field(None, description="Members who now have any of these roles.")
    user_ids: list[UserId] | None = Field(None, max_length=PLAN_MAX)

    @model_validator(mode="after")
    def _someone(self) -> ChangeRoles:
        if self.email_domain is None and self.roles is None and self.user_ids is None:
            raise ValueError("say whose role changes: email_domain, roles or user_ids")
        return self


def _at(email: str, domain: str) -> bool:
    return email.lower().rsplit("@", 1)[-1] == domain.lower().lstrip("@").strip()


async def _change_roles(api: Reader, args: ChangeRoles) -> Draft:
    chosen = [
        user
        for user in await api.all(User, USERS)
        if (args.email_domain is None or _at(user.email, args.email_domain))
        and (args.roles is None or user.role in args.roles)
        and (args.user_ids is None or user.id in args.user_ids)
    ]
    keep = [user for user in chosen if user.role == args.role]
    admins = [user for user in chosen if user.role in PROTECTED_ROLES]
    changes = tuple(
        Change("update_user_role", {"user_id": user.id, "role": args.role})
        for user in chosen
        if user.role != args.role and user.role not in PROTECTED_ROLES
    )
    notes = []
    if keep:
        notes.append(f"{len(keep)} of them already have the role {args.role}.")
    if admins:
        notes.append(f"Left alone (the Admin API cannot change them): {listing([who(u) for u in admins])}.")
    if not chosen:
        notes.append("No member matches.")
    whom = f"the members at {args.email_domain}" if args.email_domain else "the members chosen"
    return Draft(f"Give {whom} the org role {args.role}", changes, notes=tuple(notes))


class UnusedKeys(PlanArguments):
    unused_days: int = Field(
        ge=1, le=366, description="No token usage in the last N UTC days (today included)."
    )
    archive: bool = Field(False, description="Archive (permanent) instead of deactivate (reversible).")
    workspace_id: WorkspaceId | None = None


async def _unused_keys(api: Reader, args: UnusedKeys) -> Draft:
    used = await keys_in_use(api, args.unused_days)
    query: dict[str, Any] = {"status": "active"}
    if args.workspace_id is not None:
        query["workspace_id"] = args.workspace_id
    keys = [key for key in await api.all(ApiKey, API_KEYS, **query) if key.id not in used]
    status = "archived" if args.archive else "inactive"
    verb = "Archive" if args.archive else "Deactivate"
    changes = tuple(Change("update_api_key", {"api_key_id": key.id, "status": status}) for key in keys)
    notes = (f"Checked the usage report for the last {args.unused_days} UTC days; only active keys count.",)
    return Draft(f"{verb} API keys unused for {args.unused_days} days", changes, notes=notes)


class OldInvites(PlanArguments):
    older_than_days: int = Field(ge=0, le=30, description="Pending invites sent more than N days ago.")


async def _old_invites(api: Reader, args: OldInvites) -> Draft:
    cutoff = api.now() - timedelta(days=args.older_than_days)
    old = [
        invite
        for invite in await api.all(Invite, INVITES, statuses=["pending"])
        if datetime.fromisoformat(invite.invited_at.replace("Z", "+00:00")).astimezone(UTC) < cutoff
    ]
    changes = tuple(Change("delete_invite", {"invite_id": invite.id}) for invite in old)
    return Draft(f"Withdraw pending invites older than {args.older_than_days} days", changes)


class AddMembers(PlanArguments):
    workspace_id: WorkspaceId
    workspace_role: AddableWorkspaceRole
    user_ids: list[UserId] | None = Field(None, max_length=PLAN_MAX)
    emails: list[Email] | None = Field(None, max_length=PLAN_MAX, description="Instead of user_ids.")

    @model_validator(mode="after")
    def _someone(self) -> AddMembers:
        if not self.user_ids and not self.emails:
            raise ValueError("give user_ids or emails")
        return self


async def _add_members(api: Reader, args: AddMembers) -> Draft:
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    ids = list(args.user_ids or [])
    notes = []
    if args.emails:
        by_email = {user.email.lower(): user.id for user in await api.all(User, USERS)}
        missing = [email for email in args.emails if email.lower() not in by_email]
        ids += [by_email[email.lower()] for email in args.emails if email.lower() in by_email]
        if missing:
            notes.append(f"Not members of the organization (invite them first): {listing(missing)}.")
    changes = tuple(
        Change(
            "add_workspace_member",
            {"workspace_id": args.workspace_id, "user_id": user_id, "workspace_role": args.workspace_role},
        )
        for user_id in dict.fromkeys(ids)
    )
    return Draft(f"Add members to workspace {workspace.name}", changes, notes=tuple(notes))


TASKS = [
    Task(
        name="apply_changes",
        title="Apply many changes at once",
        description="Preview and apply a list of changes with ONE approval: each {tool, arguments} as that "
        f"write tool takes them (at most {PLAN_MAX}). Already-so and refused changes are listed, not sent; "
        "the same plan applied again applies only what is left.",
        toolset=TOOLSET,
        input=ApplyChanges,
        build=_as_given,
    ),
    Task(
        name="offboard_user",
        title="Offboard member",
        description="Offboard someone who left the company (user_id or email): sign them out everywhere, end "
        "every workspace membership, optionally deactivate the API keys they made, remove them "
        "from the org. One approval.",
        toolset=TOOLSET,
        input=Offboard,
        build=_offboard,
        uses=(
            "get_user",
            "list_users",
            "list_workspaces",
            "get_workspace_member",
            "list_api_keys",
            "sign_out_user",
            "remove_workspace_member",
            "update_api_key",
            "remove_user",
        ),
    ),
    Task(
        name="change_member_roles",
        title="Change many members' org role",
        description="Give one org role to every member matching email_domain, roles and/or user_ids "
        "(e.g. make everyone at contractor.io a user). One approval. Admins are left alone.",
        toolset=TOOLSET,
        input=ChangeRoles,
        build=_change_roles,
        uses=("list_users", "update_user_role"),
        destructive=False,
    ),
    Task(
        name="deactivate_unused_keys",
        title="Deactivate unused API keys",
        description="Deactivate (or archive) every active API key with no usage in the last unused_days, "
        "optionally in one workspace. One approval.",
        toolset=TOOLSET,
        input=UnusedKeys,
        build=_unused_keys,
        uses=("get_usage_report", "list_api_keys", "update_api_key"),
    ),
    Task(
        name="withdraw_old_invites",
        title="Withdraw old invites",
        description="Withdraw every pending invite sent more than older_than_days ago. One approval.",
        toolset=TOOLSET,
        input=OldInvites,
        build=_old_invites,
        uses=("list_invites", "delete_invite"),
    ),
    Task(
        name="add_workspace_members",
        title="Add members to a workspace",
        description="Add members (user_ids or emails) to a workspace (wrkspc_…) with one workspace role. "
        "One approval; those already in it are listed as already so.",
        toolset=TOOLSET,
        input=AddMembers,
        build=_add_members,
        uses=("get_workspace", "list_users", "add_workspace_member"),
        destructive=False,
    ),
]
