"""Spend limits, spend-limit increase requests, RBAC groups and roles: `state.governance`.

The real API serves a Claude Console organization its `organization` and `workspace` limits (caps
on total spend, monthly, always with an amount) and a read-only `usage_tier` cap; a Claude
Enterprise organization its per-member limits (`user` overrides, `rbac_group` and `seat_tier`
defaults), the effective-limit report, increase requests, RBAC groups and roles; each answers the
other half with 400 `organization_type_not_supported`. The sandbox's organization has both
halves, so every endpoint can be tried on one organization.

* `spend_limits` (`spl_...`), one per (scope, period): `limit_for(scope, period)`.
* A member's effective limit for a period (`effective`): their own `user` limit if they have
  one (an explicit `amount: null` is "no limit"), else the most generous limit of their RBAC groups,
  else their seat tier's (`premium` for `claude_code_user` members, `standard` otherwise).
  Organization and workspace limits cap total spend, not members, so they are no member's source.
* Period-to-date spend per (member, period) is derived from the seed (`spend_of`), with the
  values the seed sets for the members who asked for more (they are at their limit).
* `increase_requests` (`splreq_...`): pending, approved or denied; approving one writes a `user`
  limit for the requester.
* `roles` (`rbac_role_...`, three built-in and one custom) with their permissions, and `groups`
  (`rbac_group_...`) with their members; a group one of whose roles has the organization permission
  `permission_owner` grants owner access, and the API neither changes its members nor deletes it.
* `admin_writes_enabled`: False emulates an organization that may not read, set or delete spend
  limits with an Admin API credential (403 `spend_limits_admin_api_writes_not_enabled`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal

from .models import User, format_ts
from .pagination import SortedIndex
from .resources import Resources

Period = Literal["daily", "weekly", "monthly"]
PERIODS: Final[tuple[Period, ...]] = ("daily", "weekly", "monthly")
ScopeType = Literal[
    "organization", "organization_service", "rbac_group", "seat_tier", "usage_tier", "user", "workspace"
]
SCOPE_TYPES: Final[tuple[ScopeType, ...]] = (
    "organization",
    "organization_service",
    "rbac_group",
    "seat_tier",
    "usage_tier",
    "user",
    "workspace",
)
SETTABLE_SCOPES: Final = ("organization", "user", "workspace")
"""What `POST /spend_limits` takes; the other scopes are configured elsewhere (claude.ai, Anthropic)."""
_TARGET_FIELD: Final[Mapping[str, str]] = {
    "user": "user_id",
    "workspace": "workspace_id",
    "rbac_group": "rbac_group_id",
    "seat_tier": "seat_tier",
    "organization_service": "service",
}
RequestStatus = Literal["approved", "denied", "pending"]
OWNER_PERMISSION: Final = "permission_owner"
"""The organization permission that makes a role (and every group holding it) grant owner access."""
SEAT_TIERS: Final = ("standard", "premium")


@dataclass(frozen=True, slots=True)
class SpendScope:
    type: ScopeType
    target: str | None = None
    """The user, workspace, group, seat tier or service id; None for organization and usage tier."""

    def to_api(self) -> dict[str, object]:
        name = _TARGET_FIELD.get(self.type)
        return {"type": self.type} if name is None else {"type": self.type, name: self.target}


@dataclass(slots=True)
class SpendLimit:
    id: str
    scope: SpendScope
    period: Period
    amount: str | None
    """Whole minor units (cents) as a decimal string; None: explicitly no limit."""
    created_at: int
    updated_at: int
    is_enabled: bool = True

    def to_api(self, currency: str) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "spend_limit",
            "amount": self.amount,
            "currency": currency,
            "is_enabled": self.is_enabled,
            "period": self.period,
            "scope": self.scope.to_api(),
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        }


@dataclass(slots=True)
class IncreaseRequest:
    id: str
    user_id: str
    period: Period
    created_at: int
    status: RequestStatus = "pending"
    resolved_at: int | None = None
    resolved_by: str | None = None
    """The id of the user (or credential) that approved or denied it."""


@dataclass(frozen=True, slots=True)
class RbacRole:
    id: str
    display_name: str
    source: Literal["built_in", "custom"]
    created_at: int
    permissions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    """(action, resource as sorted pairs, `type` included), in the order the API lists them."""

    @property
    def grants_owner(self) -> bool:
        return any(
            action == OWNER_PERMISSION and dict(resource).get("type") == "organization"
            for action, resource in self.permissions
        )

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "rbac_role",
            "display_name": self.display_name,
            "source": {"type": self.source},
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.created_at),
        }

    def permission_api(self, index: int) -> dict[str, object]:
        action, resource = self.permissions[index]
        return {"type": "rbac_role_permission", "action": action, "resource": dict(resource)}


@dataclass(slots=True)
class RbacGroup:
    id: str
    name: str
    source_type: Literal["direct", "scim"]
    role_ids: list[str]
    created_at: int
    updated_at: int
    members: SortedIndex[str, int] = field(default_factory=SortedIndex)
    """user id -> when they were added; listed newest user id first, as the other lists."""

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "rbac_group",
            "name": self.name,
            "role_ids": list(self.role_ids),
            "source_type": self.source_type,
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        }

    def member_api(self, user: User) -> dict[str, object]:
        return {
            "type": "rbac_group_member",
            "rbac_group_id": self.id,
            "user_id": user.id,
            "email": user.email,
            "created_at": format_ts(self.members[user.id]),
        }


def user_actor(user_id: str, users: Mapping[str, User]) -> dict[str, object]:
    """A member as the spend-limit objects show one (email and name null once they left)."""
    user = users.get(user_id)
    return {
        "type": "user_actor",
        "user_id": user_id,
        "email_address": None if user is None else user.email,
        "name": None if user is None else user.name,
        "deleted": False,
    }


def minor_units(value: Decimal) -> str:
    """A spend amount in minor units: at most three decimals, no trailing zeros ("12050.5")."""
    text = format(value.quantize(Decimal("0.001")), "f").rstrip("0").rstrip(".")
    return text or "0"


class GovernanceState:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.currency = "USD"
        self.admin_writes_enabled = True
        self.spend_limits: Resources[SpendLimit] = Resources("spend limit", "spend_limit_id")
        self.increase_requests: Resources[IncreaseRequest] = Resources(
            "spend limit increase request", "spend_limit_increase_request_id"
        )
        self.groups: Resources[RbacGroup] = Resources("RBAC group", "rbac_group_id")
        self.roles: Resources[RbacRole] = Resources("RBAC role", "rbac_role_id")
        self.spend: dict[tuple[str, Period], Decimal] = {}
        """Period-to-date spend the seed sets (cents); everyone else's comes from `spend_of`."""
        self._by_scope: dict[tuple[SpendScope, Period], str] = {}

    # -- spend limits -----------------------------------------------------------------------------

    def put_limit(self, limit: SpendLimit) -> None:
        self.spend_limits.put(limit)
        self._by_scope[(limit.scope, limit.period)] = limit.id

    def remove_limit(self, limit_id: str) -> SpendLimit:
        limit = self.spend_limits.remove(limit_id)
        del self._by_scope[(limit.scope, limit.period)]
        return limit

    def limit_for(self, scope: SpendScope, period: Period) -> SpendLimit | None:
        limit_id = self._by_scope.get((scope, period))
        return None if limit_id is None else self.spend_limits[limit_id]

    def user_limits(self, user_id: str) -> list[SpendLimit]:
        """A member's own limits, daily to monthly."""
        scope = SpendScope("user", user_id)
        return [limit for period in PERIODS if (limit := self.limit_for(scope, period)) is not None]

    def groups_of(self, user_id: str) -> Iterator[RbacGroup]:
        return (group for group in self.groups.values() if user_id in group.members)

    def effective(self, user: User, period: Period) -> SpendLimit | None:
        """The limit a member resolves for `period` (see the module docstring), or None."""
        own = self.limit_for(SpendScope("user", user.id), period)
        if own is not None:
            return own
        inherited = [
            limit
            for group in self.groups_of(user.id)
            if (limit := self.limit_for(SpendScope("rbac_group", group.id), period)) is not None
        ]
        if inherited:
            # The most generous applies; a group with no cap at all beats every amount.
            uncapped = next((limit for limit in inherited if limit.amount is None), None)
            return uncapped or max(inherited, key=lambda limit: int(limit.amount or 0))
        tier = "premium" if user.role == "claude_code_user" else "standard"
        return self.limit_for(SpendScope("seat_tier", tier), period)

    def spend_of(self, user_id: str, period: Period) -> Decimal:
        """The member's spend so far in the current period, in cents (fractional)."""
        seeded = self.spend.get((user_id, period))
        if seeded is not None:
            return seeded
        digest = hashlib.sha256(f"sandbox-spend:{self.seed}:{user_id}".encode()).digest()
        monthly = Decimal(int.from_bytes(digest[:4], "big") % 4_500_000) / 1000  # under $45
        share = {"daily": Decimal("0.05"), "weekly": Decimal("0.27"), "monthly": Decimal(1)}[period]
        return monthly * share

    def summary(self, user: User, period: Period, users: Mapping[str, User]) -> dict[str, object] | None:
        """The effective-limit report row (`BetaSpendSummary`) for a member and period, or None."""
        limit = self.effective(user, period)
        if limit is None:
            return None
        return {
            "actor": user_actor(user.id, users),
            "amount": limit.amount,
            "currency": self.currency,
            "period": period,
            "period_to_date_spend": minor_units(self.spend_of(user.id, period)),
            "scope": {"type": "user", "user_id": user.id},
            "source": limit.scope.to_api(),
            "spend_limit_id": limit.id,
        }

    # -- increase requests ------------------------------------------------------------------------

    def request_api(
        self,
        request: IncreaseRequest,
        users: Mapping[str, User],
        resolver: Callable[[str], dict[str, object]],
    ) -> dict[str, object]:
        requester = users.get(request.user_id)
        # Only a pending request carries the requester's live spend summary.
        live = None
        if requester is not None and request.status == "pending":
            live = self.summary(requester, request.period, users)
        return {
            "id": request.id,
            "type": "spend_limit_increase_request",
            "actor": user_actor(request.user_id, users),
            "created_at": format_ts(request.created_at),
            "period": request.period,
            "status": request.status,
            "resolved_at": None if request.resolved_at is None else format_ts(request.resolved_at),
            "resolved_by": None if request.resolved_by is None else resolver(request.resolved_by),
            "spend_summary": live,
        }

    # -- RBAC -------------------------------------------------------------------------------------

    def grants_owner(self, group: RbacGroup) -> bool:
        return any(self.roles[role_id].grants_owner for role_id in group.role_ids if role_id in self.roles)

    def forget_user(self, user_id: str) -> None:
        """A member left the organization: their group memberships end with them."""
        for group in self.groups.values():
            if user_id in group.members:
                group.members.remove(user_id)

    # -- whole state ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, object]:
        return {
            "spend_limits": [limit.to_api(self.currency) for limit in self.spend_limits.values()],
            "increase_requests": [
                {
                    "id": r.id,
                    "user_id": r.user_id,
                    "period": r.period,
                    "status": r.status,
                    "resolved_at": r.resolved_at,
                    "resolved_by": r.resolved_by,
                }
                for r in self.increase_requests.values()
            ],
            "rbac_groups": [
                {**group.to_api(), "members": dict(group.members.items())} for group in self.groups.values()
            ],
            "rbac_roles": [role.to_api() for role in self.roles.values()],
            "spend_limit_admin_writes": self.admin_writes_enabled,
        }
