"""Invitations to join the organization: `/v1/organizations/invites`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from claude_admin_mcp.server.registry import Operation

from .common import ApiObject, Arguments, InviteId, OrgRole


class Invite(ApiObject):
    id: str
    type: str = "invite"
    email: str
    role: str
    status: str
    invited_at: str
    expires_at: str
    accepted_at: str | None = None


class ListInvites(Arguments):
    email: str | None = Field(None, description="Exact email, case-insensitive.")
    roles: list[OrgRole] | None = Field(None, description="Only these roles (any of).")
    statuses: list[Literal["pending", "accepted", "expired"]] | None = Field(
        None, description="Only these statuses (default: all)."
    )


class GetInvite(Arguments):
    invite_id: InviteId


OPERATIONS = [
    Operation(
        name="list_invites",
        title="List invites",
        description="Invitations, newest first: id (invite_…), email, role, status "
        "(pending, accepted, expired; invites expire 21 days after sending).",
        toolset="invites",
        method="GET",
        path="/v1/organizations/invites",
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
        method="GET",
        path="/v1/organizations/invites/{invite_id}",
        input=GetInvite,
        output=Invite,
        columns=("id", "email", "role", "status", "invited_at", "expires_at", "accepted_at"),
        not_found_hint="No invite has that id; list_invites finds invites by email or status.",
    ),
]
