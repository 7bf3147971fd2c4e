"""The sandbox's records and how each one is shown on the wire.

Records keep times as integer seconds since the epoch (cheap to create by the hundred thousand)
and are rendered as RFC 3339 UTC strings with a `Z`, e.g. `2026-06-12T09:14:03Z`. Each `to_api`
returns exactly the shape of the official SDK's model for that object (`BetaOrganizationUser`,
`BetaOrganizationInvite`, `BetaWorkspace`, `BetaWorkspaceMember`, `BetaAPIKey`), which the tests
check with the SDK's strict response validation.

Statuses that depend on time (an invite past its expiry reads as `expired`, an API key past its
`expires_at` reads as `expired`) are computed when read, from the state's clock, not stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal, NamedTuple

OrgRole = Literal[
    "admin",
    "billing",
    "claude_code_user",
    "developer",
    "managed",
    "membership_admin",
    "owner",
    "primary_owner",
    "user",
]
WorkspaceRole = Literal[
    "workspace_admin",
    "workspace_billing",
    "workspace_developer",
    "workspace_restricted_developer",
    "workspace_user",
]
InviteStoredStatus = Literal["pending", "accepted", "deleted"]
ApiKeyStoredStatus = Literal["active", "inactive", "archived"]
InferenceGeo = Literal["global", "us"]

INVITE_LIFETIME_SECONDS = 21 * 24 * 3600
"""Invites expire 21 days after they are sent; the API does not let anyone change that."""
# fmt: off
COLORS: Final = (
    "#6C5BB9", "#D97757", "#4A90D9", "#2E9E6A", "#C2408C", "#E0A526", "#5B6B7A", "#8E5BD9", "#1F8A9E",
    "#B3473D",
)
# fmt: on
"""Workspace display colours the seed and new workspaces without one pick from."""


def format_ts(ts: int) -> str:
    """RFC 3339 UTC with a `Z` and whole seconds, as the Admin API prints times."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def to_ts(moment: datetime) -> int:
    """Whole seconds since the epoch; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@dataclass(slots=True)
class Organization:
    id: str
    name: str
    created_at: int

    def to_api(self) -> dict[str, object]:
        return {"id": self.id, "type": "organization", "name": self.name}


@dataclass(slots=True)
class User:
    id: str
    email: str
    name: str
    role: OrgRole
    added_at: int
    signed_out_at: int | None = None
    """When an admin last signed this user out (not part of the API object)."""

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "user",
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "added_at": format_ts(self.added_at),
        }


@dataclass(slots=True)
class Invite:
    id: str
    email: str
    role: OrgRole
    invited_at: int
    expires_at: int
    stored_status: InviteStoredStatus = "pending"
    accepted_at: int | None = None
    rbac_group_ids: list[str] = field(default_factory=list)

    def status(self, now: int) -> str:
        """`pending` turns into `expired` once the expiry has passed, with no write needed."""
        if self.stored_status == "pending" and now >= self.expires_at:
            return "expired"
        return self.stored_status

    def to_api(self, now: int) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "invite",
            "email": self.email,
            "role": self.role,
            "status": self.status(now),
            "invited_at": format_ts(self.invited_at),
            "expires_at": format_ts(self.expires_at),
            "accepted_at": None if self.accepted_at is None else format_ts(self.accepted_at),
            "rbac_group_ids": list(self.rbac_group_ids),
        }


@dataclass(slots=True)
class DataResidency:
    allowed_inference_geos: list[InferenceGeo] | Literal["unrestricted"] = "unrestricted"
    default_inference_geo: InferenceGeo = "global"
    workspace_geo: Literal["us"] = "us"

    def to_api(self) -> dict[str, object]:
        allowed = self.allowed_inference_geos
        return {
            "workspace_geo": self.workspace_geo,
            "allowed_inference_geos": allowed if isinstance(allowed, str) else list(allowed),
            "default_inference_geo": self.default_inference_geo,
        }


@dataclass(slots=True)
class Workspace:
    id: str
    name: str
    created_at: int
    display_color: str
    compartment_id: str
    data_residency: DataResidency = field(default_factory=DataResidency)
    tags: dict[str, str] = field(default_factory=dict)
    archived_at: int | None = None
    external_key_id: str | None = None
    user_profile_id: str | None = None
    is_default: bool = False

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "workspace",
            "name": self.name,
            "created_at": format_ts(self.created_at),
            "archived_at": None if self.archived_at is None else format_ts(self.archived_at),
            "display_color": self.display_color,
            "data_residency": self.data_residency.to_api(),
            "compartment_id": self.compartment_id,
            "external_key_id": self.external_key_id,
            "tags": dict(self.tags),
            "user_profile_id": self.user_profile_id,
        }


@dataclass(slots=True)
class Member:
    user_id: str
    workspace_id: str
    workspace_role: WorkspaceRole

    def to_api(self) -> dict[str, object]:
        return {
            "type": "workspace_member",
            "user_id": self.user_id,
            "workspace_id": self.workspace_id,
            "workspace_role": self.workspace_role,
        }


@dataclass(slots=True)
class ApiKey:
    id: str
    name: str
    created_at: int
    workspace_id: str
    """Always a real workspace id, the default workspace's included (rendered as null in `workspace_id`)."""
    partial_key_hint: str
    stored_status: ApiKeyStoredStatus = "active"
    expires_at: int | None = None
    created_by_user_id: str | None = None
    principal_user_id: str | None = None
    """Set for a personal key that acts as a user; None for a classic workspace key."""

    def status(self, now: int) -> str:
        """An active or inactive key past its `expires_at` reads as `expired`; archived stays archived."""
        if self.stored_status != "archived" and self.expires_at is not None and now >= self.expires_at:
            return "expired"
        return self.stored_status

    def to_api(self, now: int, default_workspace_id: str) -> dict[str, object]:
        # Two generations of the API coexist: the Aug-2026 docs show `workspace_id` (null for the
        # default workspace), SDK 2.10.0 requires `scope` (the real id even for the default
        # workspace). Sending both keeps older and newer clients happy.
        return {
            "id": self.id,
            "type": "api_key",
            "name": self.name,
            "created_at": format_ts(self.created_at),
            "expires_at": None if self.expires_at is None else format_ts(self.expires_at),
            "status": self.status(now),
            "partial_key_hint": self.partial_key_hint,
            "workspace_id": None if self.workspace_id == default_workspace_id else self.workspace_id,
            "scope": {"type": "workspace", "workspace_id": self.workspace_id},
            "created_by": (
                None if self.created_by_user_id is None else {"id": self.created_by_user_id, "type": "user"}
            ),
            "principal": (
                None
                if self.principal_user_id is None
                else {"type": "user_actor", "user_id": self.principal_user_id}
            ),
        }


@dataclass(slots=True)
class Activity:
    """One successful write, kept for the compliance activity feed a later area will serve."""

    id: str
    created_at: int
    type: str
    actor: str
    fields: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "created_at": format_ts(self.created_at),
            "type": self.type,
            "actor": self.actor,
            **self.fields,
        }


# -- the organization as seeded --------------------------------------------------------------------
# Plain tuples (cheap for 100,000 users): the usage, cost, Claude Code and activity-history data
# derive from these, not from the live records, so a later write never rewrites the past.


class SeededUser(NamedTuple):
    id: str
    email: str
    role: str
    added_at: int
    name: str = ""


class SeededKey(NamedTuple):
    id: str
    name: str
    workspace_id: str
    created_at: int
    created_by_user_id: str | None
    stored_status: str
    expires_at: int | None
    principal_user_id: str | None = None
    """A personal key's user: usage on it is that user's (the analytics usage report's actor)."""


class SeededWorkspace(NamedTuple):
    id: str
    name: str
    created_at: int
    archived_at: int | None
    is_default: bool
    default_inference_geo: str
    allowed_inference_geos: tuple[str, ...] | None
    """None = unrestricted."""


class SeededInvite(NamedTuple):
    id: str
    email: str
    role: str
    invited_at: int
    stored_status: str
    accepted_at: int | None


@dataclass(frozen=True, slots=True)
class SeedSnapshot:
    seed: int
    anchor: int
    """The seed's `now` (epoch seconds): every seeded time is before it."""
    organization_uuid: str
    organization_created_at: int
    default_workspace_id: str
    admin_key_user_id: str
    users: tuple[SeededUser, ...]
    keys: tuple[SeededKey, ...]
    workspaces: tuple[SeededWorkspace, ...]
    invites: tuple[SeededInvite, ...]
