"""Invitations to join the organization: `/v1/organizations/invites`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    MEMBERS_READ,
    MEMBERS_WRITE,
    Arguments,
    Deleted,
    Email,
    GrantableRole,
    InviteId,
    OrgRole,
    organization_wide,
)
from .models import INVITES, USERS, Invite, User


class ListInvites(Arguments):
    email: str | None = Field(None, description="Exact email, any case.")
    roles: list[OrgRole] | None = Field(None, description="Any of these roles.")
    statuses: list[Literal["pending", "accepted", "expired"]] | None = None


class GetInvite(Arguments):
    invite_id: InviteId


OPERATIONS = [
    Operation(
        name="list_invites",
        title="List invites",
        description="Invitations, newest first: id (invite_…), email, role, status "
        "(they expire after 21 days).",
        toolset="invites",
        access=MEMBERS_READ,
        method="GET",
        path=INVITES,
        input=ListInvites,
        output=Invite,
        pagination="id_cursor",
        columns=("id", "email", "role", "status", "invited_at", "expires_at"),
    ),
    Operation(
        name="get_invite",
        title="Get invite",
        description="One invitation by id (invite_…): email, role, status, expiry.",
        toolset="invites",
        access=MEMBERS_READ,
        method="GET",
        path=INVITES + "/{invite_id}",
        input=GetInvite,
        output=Invite,
        columns=("id", "email", "role", "status", "invited_at", "expires_at", "accepted_at"),
        not_found_hint="No invite has that id; list_invites finds invites by email or status.",
    ),
]


class CreateInvite(Arguments):
    email: Email
    role: GrantableRole


async def _preview_invite(api: Reader, args: CreateInvite) -> Preview:
    action = f"Invite {args.email} to the organization as {args.role}"
    members = await api.all(User, USERS, email=args.email)
    if members:
        member = members[0]
        return Preview(action, refusal=f"{member.email} is already a member ({member.id}, {member.role})")
    pending = await api.all(Invite, INVITES, email=args.email, statuses=["pending"])
    if pending:
        invite = pending[0]
        return Preview(
            action,
            refusal=f"a pending invite to {invite.email} exists ({invite.id}, {invite.role}, "
            f"expires {invite.expires_at[:10]}); delete_invite it first to send a new one",
        )
    return Preview(action, details=("The invite expires after 21 days; on some plans it takes a seat.",))


async def _preview_delete_invite(api: Reader, args: GetInvite) -> Preview:
    invite = await api.get(Invite, f"{INVITES}/{args.invite_id}")
    action = f"Withdraw the invite to {invite.email} ({invite.role}, sent {invite.invited_at[:10]})"
    if invite.status != "pending":
        return Preview(action, refusal=f"only pending invites can be withdrawn; this one is {invite.status}")
    return Preview(
        action,
        details=(f"It would have expired on {invite.expires_at[:10]}; the link stops working at once.",),
        confirm_text=invite.email,
    )


OPERATIONS += [
    Operation(
        name="create_invite",
        title="Invite to organization",
        description="Invite an email address to the organization with an org role; expires in 21 days.",
        toolset="invites",
        access=MEMBERS_WRITE,
        method="POST",
        path=INVITES,
        input=CreateInvite,
        output=Invite,
        idempotent=False,
        preview=organization_wide(_preview_invite),
        columns=("id", "email", "role", "status", "expires_at"),
    ),
    Operation(
        name="delete_invite",
        title="Withdraw invite",
        description="Withdraw a pending invite (invite_…). The user must type the invitee's email.",
        toolset="invites",
        access=MEMBERS_WRITE,
        method="DELETE",
        path=INVITES + "/{invite_id}",
        input=GetInvite,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete_invite),
        columns=("id", "type"),
        not_found_hint="No invite has that id; list_invites finds invites by email or status.",
    ),
]
