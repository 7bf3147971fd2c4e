"""What the monitoring endpoints (usage and cost reports, Claude Code analytics, rate limits, the
compliance activity feed) keep on the state: `state.monitoring`, a `MonitoringState`.

* `seed` — a `SeedSnapshot`: the seeded organization as it was when seeded (users with their
  roles, API keys with their statuses, workspaces, invites). The generated usage and the seeded
  activity history derive from it, not from the live collections, so removing a user or archiving
  a workspace later does not rewrite the past: it only stops usage from then on.
* `rate_limits` — the organization's rate-limit table and its workspace overrides (writable).
* `cache` — lazily built, derived data (the usage model, the activity history); never part of
  `state.snapshot()`, rebuilt on demand from the fields above and the activity log.

The snapshot is plain tuples: taking it for 100,000 users costs a few milliseconds of seeding.
This module imports nothing from `store` (the state imports it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from .models import ApiKey, Invite, User, Workspace
from .rate_limit_table import RateLimitTable

if TYPE_CHECKING:
    from .store import SandboxState


class SeededUser(NamedTuple):
    id: str
    email: str
    role: str
    added_at: int


class SeededKey(NamedTuple):
    id: str
    name: str
    workspace_id: str
    created_at: int
    created_by_user_id: str | None
    stored_status: str
    expires_at: int | None


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


def _user(user: User) -> SeededUser:
    return SeededUser(user.id, user.email, user.role, user.added_at)


def _key(key: ApiKey) -> SeededKey:
    return SeededKey(
        key.id,
        key.name,
        key.workspace_id,
        key.created_at,
        key.created_by_user_id,
        key.stored_status,
        key.expires_at,
    )


def _workspace(workspace: Workspace) -> SeededWorkspace:
    residency = workspace.data_residency
    allowed = residency.allowed_inference_geos
    return SeededWorkspace(
        workspace.id,
        workspace.name,
        workspace.created_at,
        workspace.archived_at,
        workspace.is_default,
        residency.default_inference_geo,
        None if isinstance(allowed, str) else tuple(allowed),
    )


def _invite(invite: Invite) -> SeededInvite:
    return SeededInvite(
        invite.id, invite.email, invite.role, invite.invited_at, invite.stored_status, invite.accepted_at
    )


def take_seed_snapshot(state: SandboxState, anchor: int) -> SeedSnapshot:
    return SeedSnapshot(
        seed=state.seed,
        anchor=anchor,
        organization_uuid=state.organization.id,
        organization_created_at=state.organization.created_at,
        default_workspace_id=state.default_workspace_id,
        admin_key_user_id=state.admin_key_user_id,
        users=tuple(map(_user, state.users.values())),
        keys=tuple(map(_key, state.api_keys.values())),
        workspaces=tuple(map(_workspace, state.workspaces.values())),
        invites=tuple(map(_invite, state.invites.values())),
    )


@dataclass(slots=True)
class MonitoringState:
    seed: SeedSnapshot | None = None
    rate_limits: RateLimitTable = field(default_factory=RateLimitTable)
    cache: dict[str, object] = field(default_factory=dict)
    """Derived data, keyed by its builder's name (see `usage_model.usage_model_for`)."""
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Activity id -> (client IP address, user agent) of the request that made it."""


def seed_monitoring(state: SandboxState, anchor: int) -> None:
    """Called once by the seeder, last: snapshots the organization and seeds the rate limits."""
    snapshot = take_seed_snapshot(state, anchor)
    state.monitoring.seed = snapshot
    state.monitoring.rate_limits.seed(snapshot)


def seed_of(state: SandboxState) -> SeedSnapshot:
    """The seed snapshot; a state built by hand (not by the seeder) gets one taken now."""
    snapshot = state.monitoring.seed
    if snapshot is None:
        snapshot = take_seed_snapshot(state, state.now_ts())
        state.monitoring.seed = snapshot
    return snapshot
