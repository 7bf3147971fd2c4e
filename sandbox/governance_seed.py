"""The demo organization's spend limits, increase requests, RBAC roles and groups.

* Roles: `Owner`, `Admin` and `Member` (built in) and `Auditor` (custom); `Owner` holds the
  organization permission `permission_owner`, so a group with it grants owner access.
* Groups: `Owners` (the primary owner; grants owner access), `Admins` (the other admins),
  `Engineering` (up to eight developers), `Legal` (up to three members with the role `user`; roles
  Member and Auditor) and `Contractors` (provisioned by the identity provider, `scim`: up to five
  members at the contractor domains).
* Spend limits: the read-only usage-tier cap ($100,000 a month); the organization's cap ($25,000 a
  month); caps on the first two live named workspaces ($2,000 and $5,000 a month); seat-tier
  defaults (`standard` $50, `premium` $200 a month); Engineering's group default ($300 a month);
  and three members' own limits (one $500 a month, written when their request was approved; one
  $75 a week; one explicitly unlimited each month).
* Increase requests: one approved, one denied, and two pending from members at their monthly limit
  (an Engineering developer at $298.40 of $300, and a member at $49.91 of their seat's $50).

Everything is placed in the year before the anchor, in time order per kind of id, from the seed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

from . import ids
from .governance import (
    OWNER_PERMISSION,
    IncreaseRequest,
    Period,
    RbacGroup,
    RbacRole,
    SpendLimit,
    SpendScope,
)
from .models import User, Workspace
from .store import SandboxState

DAY: Final = 86_400
HOUR: Final = 3_600

Permission = tuple[str, tuple[tuple[str, str], ...]]


def _grant(action: str, **resource: str) -> Permission:
    return action, tuple(sorted(resource.items()))


def _roles(state: SandboxState, start: int, anchor: int) -> dict[str, RbacRole]:
    org = {"type": "organization", "organization_id": state.organization.id}
    specs: tuple[tuple[str, Literal["built_in", "custom"], int, tuple[Permission, ...]], ...] = (
        (
            "Owner",
            "built_in",
            start + DAY,
            (
                _grant(OWNER_PERMISSION, **org),
                _grant("capability_access_all", **org),
                _grant("permission_manage_billing", **org),
                _grant("interactive", type="all_connectors"),
            ),
        ),
        (
            "Admin",
            "built_in",
            start + DAY,
            (
                _grant("capability_access_all", **org),
                _grant("permission_manage_members", **org),
                _grant("permission_manage_groups", **org),
                _grant("permission_manage_spend_limits", **org),
                _grant("interactive", type="all_connectors"),
            ),
        ),
        (
            "Member",
            "built_in",
            start + DAY,
            (
                _grant("chat", **org),
                _grant("claude_code", **org),
                _grant("projects", **org),
                _grant("use", type="connector_tool", connector_id="conn_github", tool_name="create_issue"),
                _grant("grant", type="connector_scope", connector_id="conn_github", scope="repo_5f2b9c"),
                _grant("use", type="connector", connector_id="conn_google_drive"),
            ),
        ),
        (
            "Auditor",
            "custom",
            anchor - 120 * DAY,
            (_grant("chat", **org), _grant("permission_view_audit_logs", **org)),
        ),
    )
    roles: dict[str, RbacRole] = {}
    for name, source, created, permissions in specs:
        role = RbacRole(state.new_id(ids.RBAC_ROLE, created), name, source, created, permissions)
        state.governance.roles.put(role)
        roles[name] = role
    return roles


def _groups(
    state: SandboxState, roles: dict[str, RbacRole], users: list[User], anchor: int
) -> dict[str, RbacGroup]:
    admins = [u for u in users if u.role == "admin" and u.id != state.primary_owner_id]
    developers = [u for u in users if u.role == "developer"][:8]
    plain = [u for u in users if u.role == "user"][:3]
    contractors = [u for u in users if not u.email.endswith("@acme.com")][:5]
    owner = [state.users[state.primary_owner_id]] if state.primary_owner_id else []
    specs: tuple[tuple[str, Literal["direct", "scim"], list[str], list[User], int], ...] = (
        ("Owners", "direct", ["Owner"], owner, anchor - 300 * DAY),
        ("Admins", "direct", ["Admin"], admins, anchor - 290 * DAY),
        ("Engineering", "direct", ["Member"], developers, anchor - 200 * DAY),
        ("Contractors", "scim", ["Member"], contractors, anchor - 160 * DAY),
        ("Legal", "direct", ["Member", "Auditor"], plain, anchor - 100 * DAY),
    )
    groups: dict[str, RbacGroup] = {}
    for name, source, role_names, members, created in specs:
        role_ids = [roles[role].id for role in role_names]
        group = RbacGroup(state.new_id(ids.RBAC_GROUP, created), name, source, role_ids, created, created)
        for index, user in enumerate(members):
            group.members.add(user.id, max(created, user.added_at) + (index + 1) * HOUR)
        state.governance.groups.put(group)
        groups[name] = group
    return groups


def seed_governance(state: SandboxState, anchor: int, workspaces: list[Workspace]) -> None:
    governance = state.governance
    start = state.organization.created_at
    users = list(state.users.values())
    roles = _roles(state, start, anchor)
    groups = _groups(state, roles, users, anchor)
    engineering = [state.users[user_id] for user_id in groups["Engineering"].members]
    grouped = {user_id for group in groups.values() for user_id in group.members}
    loners = [u for u in users[2:] if u.id not in grouped and u.role in ("user", "developer", "billing")]

    approved = engineering[0] if engineering else None
    waiting_dev = engineering[1] if len(engineering) > 1 else None
    denied = loners[0] if loners else None
    waiting = loners[1] if len(loners) > 1 else None
    weekly = loners[2] if len(loners) > 2 else None
    unlimited = loners[3] if len(loners) > 3 else None

    live = [w for w in workspaces if w.archived_at is None]
    limits: list[tuple[int, SpendScope, Period, str | None]] = [
        (start, SpendScope("usage_tier"), "monthly", "10000000"),
        (anchor - 300 * DAY, SpendScope("seat_tier", "standard"), "monthly", "5000"),
        (anchor - 300 * DAY, SpendScope("seat_tier", "premium"), "monthly", "20000"),
        (anchor - 180 * DAY, SpendScope("organization"), "monthly", "2500000"),
        (anchor - 150 * DAY, SpendScope("rbac_group", groups["Engineering"].id), "monthly", "30000"),
    ]
    for workspace, cap in zip(live[:2], ("200000", "500000"), strict=False):
        created = max(anchor - 90 * DAY, workspace.created_at + DAY)
        limits.append((created, SpendScope("workspace", workspace.id), "monthly", cap))
    if weekly is not None:
        limits.append((anchor - 40 * DAY, SpendScope("user", weekly.id), "weekly", "7500"))
    if unlimited is not None:
        limits.append((anchor - 30 * DAY, SpendScope("user", unlimited.id), "monthly", None))
    if approved is not None:
        limits.append((anchor - 10 * DAY, SpendScope("user", approved.id), "monthly", "50000"))
    for created, scope, period, amount in sorted(limits, key=lambda entry: entry[0]):
        limit_id = state.new_id(ids.SPEND_LIMIT, created)
        governance.put_limit(SpendLimit(limit_id, scope, period, amount, created, created))

    admin = state.admin_key_user_id
    requests: list[IncreaseRequest] = []
    if approved is not None:
        asked, decided = anchor - 11 * DAY, anchor - 10 * DAY
        requests.append(IncreaseRequest("", approved.id, "monthly", asked, "approved", decided, admin))
    if denied is not None:
        asked, decided = anchor - 5 * DAY, anchor - 3 * DAY
        requests.append(IncreaseRequest("", denied.id, "monthly", asked, "denied", decided, admin))
    if waiting_dev is not None:
        requests.append(IncreaseRequest("", waiting_dev.id, "monthly", anchor - 2 * DAY))
        governance.spend[(waiting_dev.id, "monthly")] = Decimal("29840")
    if waiting is not None:
        requests.append(IncreaseRequest("", waiting.id, "monthly", anchor - 6 * HOUR))
        governance.spend[(waiting.id, "monthly")] = Decimal("4991.25")
    for request in requests:
        request.id = state.new_id(ids.INCREASE_REQUEST, request.created_at)
        governance.increase_requests.put(request)
