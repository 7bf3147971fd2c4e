"""The deterministic demo organization: "Acme Corp (Sandbox)".

Everything comes from one `random.Random` seeded by `seed`, and every time falls in the year
before the anchor `now` (default: today 00:00 UTC), so the same `seed` and `now` always give the
same organization, byte for byte. What it holds, for `users=N`:

* N users with realistic names; e-mails mostly `@acme.com`, some at two contractor domains. The
  first user created the organization (an `admin`, the primary owner); the second is the `admin`
  the sandbox admin key and OAuth token act for. Roles otherwise: ~2% `admin`, ~5% `billing`,
  ~38% `developer`, ~30% `user`, ~25% `claude_code_user` (a Console organization: no owners).
* The default workspace ("Default", never listed, retrievable by id), `max(3, N // 8)` named
  workspaces capped at 100 (or exactly `workspaces`), plus one or two archived ones.
* Each non-admin user in 1–3 named workspaces with a role fitting their organization role.
* About 0.6 API keys per developer, made by developers and admins: ~70% active, ~12% inactive,
  ~10% archived, ~8% expired, ~20% in the default workspace, ~25% personal keys bound to their
  creator; keys in archived workspaces are inactive or archived.
* About N / 15 invites (at least 4): pending (sent in the last 20 days), expired (sent over 21
  days ago) and accepted (to members who joined through them).
* Small organizations still show every API-key and invite status (see `_Draw.spread`).
* Service accounts and federation (`federation_seed.py`); spend limits, increase requests, RBAC
  groups and roles (`governance_seed.py`); external keys, telemetry destinations and webhook
  endpoints (`hooks_seed.py`); plugin marketplaces and plugins (`plugins_seed.py`); Claude Tag's
  Slack workspaces, channels and Bundles (`claude_tag_seed.py`).

Seeding 100,000 users (with ~23,000 keys, ~175,000 memberships and ~6,600 invites) takes 1–2 s
on a modest machine: each collection is generated in time order and appended in bulk, never
sorted or searched, with cheap draws from `random()` and the cyclic garbage collector paused.
"""

from __future__ import annotations

import gc
import random
import uuid
from bisect import bisect
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final, TypeVar

from . import ids
from .claude_tag_seed import seed_claude_tag
from .federation_seed import seed_federation
from .governance_seed import seed_governance
from .hooks_seed import seed_hooks
from .models import (
    COLORS,
    INVITE_LIFETIME_SECONDS,
    ApiKey,
    ApiKeyStoredStatus,
    DataResidency,
    Invite,
    Member,
    Organization,
    OrgRole,
    SeededInvite,
    SeededKey,
    SeededUser,
    SeededWorkspace,
    SeedSnapshot,
    User,
    Workspace,
    WorkspaceRole,
    to_ts,
)
from .plugins_seed import seed_plugins
from .store import SandboxState, anchored_clock

ORGANIZATION_NAME: Final = "Acme Corp (Sandbox)"
DAY: Final = 86_400
HOUR: Final = 3_600

# fmt: off
FIRST_NAMES: Final = (
    "Aaliyah", "Aaron", "Abigail", "Adrian", "Aisha", "Alejandro", "Alex", "Alice", "Amara", "Amir",
    "Ana", "Andre", "Anika", "Arjun", "Ava", "Benjamin", "Bianca", "Bruno", "Caleb", "Camila", "Carlos",
    "Chen", "Chloe", "Daniel", "Diego", "Dmitri", "Elena", "Eli", "Emma", "Ethan", "Fatima", "Felix",
    "Freya", "Gabriel", "Grace", "Hannah", "Hiro", "Ines", "Isaac", "Isabel", "Jack", "Jamal", "Jane",
    "Javier", "Jin", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leila", "Leo", "Liam", "Lina", "Lucas",
    "Maya", "Mateo", "Mei", "Mia", "Mohammed", "Nadia", "Naomi", "Nina", "Noah", "Olivia", "Omar",
    "Priya", "Rafael", "Ravi", "Rosa", "Ryan", "Sara", "Sofia", "Tariq", "Theo", "Uma", "Victor",
    "Yara", "Yusuf", "Zoe",
)
LAST_NAMES: Final = (
    "Abbott", "Adeyemi", "Alvarez", "Andersen", "Bauer", "Becker", "Brooks", "Campbell", "Castillo",
    "Chen", "Cohen", "Costa", "Diaz", "Dubois", "Edwards", "Evans", "Fischer", "Flores", "Garcia",
    "Gomez", "Gupta", "Haddad", "Hansen", "Hernandez", "Hoffmann", "Ibrahim", "Ito", "Jensen",
    "Johnson", "Kaur", "Kim", "Kowalski", "Kumar", "Larsen", "Lee", "Lopez", "Martin", "Mendes",
    "Meyer", "Miller", "Morales", "Moreau", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen",
    "Ortiz", "Park", "Patel", "Petrov", "Quinn", "Reyes", "Rossi", "Santos", "Sato", "Schmidt", "Silva",
    "Singh", "Smith", "Suzuki", "Tanaka", "Taylor", "Torres", "Tran", "Wagner", "Walker", "Wang",
    "Weber", "Williams", "Wilson", "Wong", "Yamamoto", "Young", "Zhang",
)
# fmt: on
DOMAINS: Final = (("acme.com", 0.86), ("northwind-consulting.com", 0.94), ("globex-contractors.io", 1.0))
"""(domain, cumulative share): most staff at acme.com, contractors at two agencies."""

# fmt: off
WORKSPACE_NAMES: Final = (
    "Research", "Production", "Data Science", "Staging", "Customer Support", "Platform", "Marketing",
    "ML Ops", "Security", "Finance Analytics", "Mobile", "Search", "Growth", "Internal Tools", "Evaluation",
    "Legal Review", "Developer Experience", "Sales Engineering", "Knowledge Base", "Content Studio",
    "Fraud Detection", "Recommendations", "Localization", "Partner Integrations", "Quality Assurance",
    "Infrastructure", "Onboarding", "Documentation", "Billing Automation", "Prototyping",
)
ARCHIVED_WORKSPACE_NAMES: Final = ("Hackathon 2025", "Legacy Prototype")
TEAM_TAGS: Final = ("research", "platform", "data", "support", "growth", "security", "finance", "mobile")
KEY_PURPOSES: Final = (
    "prod-backend", "ci-pipeline", "notebook", "eval-harness", "support-bot", "batch-jobs", "staging",
    "claude-code", "data-labeling", "search-indexer", "prototype", "slack-bot",
)
# fmt: on
_HINT_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
T = TypeVar("T")

WRITABLE_ROLES: Final[tuple[OrgRole, ...]] = ("user", "developer", "billing", "claude_code_user")
_ROLES: Final[tuple[OrgRole, ...]] = ("admin", "billing", "developer", "user", "claude_code_user")
_ROLE_SHARES: Final = (0.02, 0.07, 0.45, 0.75)
"""Cumulative shares of `_ROLES` but the last (a Console organization: no owners)."""


class _Draw:
    """Fast seeded draws. `random()` is one C call; `choice`/`randrange` cost several Python
    frames each, which is most of the seeding time at 100,000 users. Built only on `random()`,
    whose stream Python keeps stable across versions, so a seed means the same data everywhere."""

    __slots__ = ("random",)

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self.random() * len(options))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high); `low` when the range is empty."""
        if high <= low:
            return low
        return low + int(self.random() * (high - low))

    def spread(self, count: int, shares: Sequence[tuple[str, float]]) -> list[str]:
        """`count` labels in these proportions, each at least once when `count` allows, shuffled.

        Small demo organizations still show every status (a 60-user org has only ~14 keys)."""
        labels = [label for label, _ in shares]
        counts = [int(count * share) for _, share in shares]
        if count >= len(labels):
            counts = [max(1, n) for n in counts]
        while sum(counts) > count:
            counts[counts.index(max(counts))] -= 1
        index = 0
        while sum(counts) < count:
            counts[index % len(counts)] += 1
            index += 1
        return self.shuffle([label for label, n in zip(labels, counts, strict=True) for _ in range(n)])

    def shuffle(self, items: list[T]) -> list[T]:
        """Fisher-Yates in place, one `random()` per swap (returns `items`)."""
        for i in range(len(items) - 1, 0, -1):
            j = int(self.random() * (i + 1))
            items[i], items[j] = items[j], items[i]
        return items


def default_anchor() -> datetime:
    """Today 00:00 UTC: the seed stays the same all day, whatever time the sandbox starts."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def partial_key_hint(draw: _Draw) -> str:
    """A redacted key hint in the API's form, e.g. `sk-ant-api03-R2D...igAA`."""
    # Seven 6-bit characters from one 53-bit draw (22,000 keys at 100,000 users).
    bits = int(draw.random() * (1 << 42))
    chars = [_HINT_CHARS[(bits >> shift) & 63] for shift in range(0, 42, 6)]
    return f"sk-ant-api03-{chars[0]}{chars[1]}{chars[2]}...{chars[3]}{chars[4]}{chars[5]}{chars[6]}"


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_demo_state(
    *,
    users: int = 60,
    workspaces: int | None = None,
    seed: int = 1,
    now: datetime | None = None,
    admin_key: str,
    oauth_token: str | None = None,
) -> SandboxState:
    """The seeded organization. `now` anchors the data and the state's clock (None: real time)."""
    if users < 1:
        raise ValueError("the demo organization needs at least one user")
    if workspaces is not None and workspaces < 0:
        raise ValueError("workspaces must be 0 or more")
    anchor = to_ts(now if now is not None else default_anchor())
    start = anchor - 365 * DAY
    rng = random.Random(f"claude-admin-mcp-sandbox-seed:{seed}")
    draw = _Draw(rng)
    organization = Organization(new_uuid(rng), ORGANIZATION_NAME, start)
    state = SandboxState(
        organization=organization,
        seed=seed,
        admin_key=admin_key,
        oauth_token=oauth_token,
        clock=anchored_clock(now),
    )
    # The seed allocates a few hundred thousand long-lived objects and no cycles: the cyclic
    # collector would rescan the growing heap again and again for nothing (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        seeded_users = _seed_users(state, draw, users, start, anchor)
        named = _seed_workspaces(state, draw, rng, users, workspaces, start, anchor)
        _seed_members(state, draw, seeded_users, named)
        _seed_api_keys(state, draw, seeded_users, named, anchor)
        _seed_invites(state, draw, seeded_users, users, start, anchor)
        seed_federation(state, seed, anchor, named)
        seed_governance(state, anchor, named)
        seed_plugins(state, anchor)
        seed_claude_tag(state, anchor)
        state.monitoring.seed(_snapshot(state, anchor))
        seed_hooks(state, anchor, named)
    finally:
        if collecting:
            gc.enable()
    return state


def _snapshot(state: SandboxState, anchor: int) -> SeedSnapshot:
    def workspace(ws: Workspace) -> SeededWorkspace:
        geo, allowed = ws.data_residency.default_inference_geo, ws.data_residency.allowed_inference_geos
        geos = None if isinstance(allowed, str) else tuple(allowed)
        return SeededWorkspace(ws.id, ws.name, ws.created_at, ws.archived_at, ws.is_default, geo, geos)

    def key(k: ApiKey) -> SeededKey:
        return SeededKey(
            k.id,
            k.name,
            k.workspace_id,
            k.created_at,
            k.created_by_user_id,
            k.stored_status,
            k.expires_at,
            k.principal_user_id,
        )

    def invite(i: Invite) -> SeededInvite:
        return SeededInvite(i.id, i.email, i.role, i.invited_at, i.stored_status, i.accepted_at)

    organization = state.organization
    return SeedSnapshot(
        state.seed, anchor, organization.id, organization.created_at, state.default_workspace_id,
        state.admin_key_user_id,
        tuple(SeededUser(u.id, u.email, u.role, u.added_at, u.name) for u in state.users.values()),
        tuple(map(key, state.api_keys.values())),
        tuple(map(workspace, state.workspaces.values())),
        tuple(map(invite, state.invites.values())),
    )  # fmt: skip


def _seed_users(state: SandboxState, draw: _Draw, count: int, start: int, anchor: int) -> list[User]:
    # Join times first, sorted, so ids are generated in time order and simply appended.
    between = draw.between
    times = [start + HOUR]
    times.extend(sorted(between(start + DAY, anchor - HOUR) for _ in range(count - 1)))
    taken: dict[str, int] = {}
    rand = draw.random
    user_ids = state.ids.new_many(ids.USER, [added_at * 1000 for added_at in times])
    seeded: list[User] = []
    append = seeded.append
    domains, domain_shares = [domain for domain, _ in DOMAINS], [share for _, share in DOMAINS[:-1]]
    firsts, lasts = FIRST_NAMES, LAST_NAMES
    n_firsts, n_lasts = len(firsts), len(lasts)
    for index, added_at in enumerate(times):
        first = firsts[int(rand() * n_firsts)]
        last = lasts[int(rand() * n_lasts)]
        domain = domains[bisect(domain_shares, rand())]
        address = f"{first}.{last}@{domain}".lower()
        seen = taken.get(address, 0)
        taken[address] = seen + 1
        email = address if seen == 0 else f"{first}.{last}{seen + 1}@{domain}".lower()
        role = "admin" if index < 2 else _ROLES[bisect(_ROLE_SHARES, rand())]
        append(User(user_ids[index], email, f"{first} {last}", role, added_at))
    state.users.load(seeded)
    state.primary_owner_id = seeded[0].id
    state.admin_key_user_id = seeded[1].id if len(seeded) > 1 else seeded[0].id
    return seeded


def _seed_workspaces(
    state: SandboxState,
    draw: _Draw,
    rng: random.Random,
    users: int,
    requested: int | None,
    start: int,
    anchor: int,
) -> list[Workspace]:
    """The default workspace plus the named ones (archived included), oldest first."""
    default_id = state.new_id(ids.WORKSPACE, start)
    state.add_workspace(Workspace(default_id, "Default", start, COLORS[0], new_uuid(rng), is_default=True))
    active = requested if requested is not None else max(3, min(100, users // 8))
    archived = 0 if active == 0 else (2 if active >= 10 else 1)
    total = active + archived
    times = sorted(draw.between(start + DAY, anchor - 2 * DAY) for _ in range(total))
    # The archived ones are among the older half: they had time to be used and retired.
    archived_slots = set(draw.shuffle(list(range(max(archived, total // 2))))[:archived])
    named: list[Workspace] = []
    active_index = 0
    archived_index = 0
    for slot, created_at in enumerate(times):
        if slot in archived_slots:
            name = ARCHIVED_WORKSPACE_NAMES[archived_index % len(ARCHIVED_WORKSPACE_NAMES)]
            archived_index += 1
        else:
            round_, position = divmod(active_index, len(WORKSPACE_NAMES))
            name = WORKSPACE_NAMES[position] + (f" {round_ + 1}" if round_ else "")
            active_index += 1
        residency = DataResidency()
        share = draw.random()
        if share < 0.15:
            residency = DataResidency(["us"], "us")
        elif share < 0.25:
            residency = DataResidency(["global", "us"], "global")
        tags: dict[str, str] = {}
        if draw.random() < 0.6:
            tags["team"] = draw.pick(TEAM_TAGS)
            tags["cost_center"] = f"cc-{draw.between(100, 1000)}"
        if draw.random() < 0.3:
            tags["env"] = draw.pick(("prod", "staging", "dev"))
        workspace_id = state.new_id(ids.WORKSPACE, created_at)
        workspace = Workspace(
            workspace_id, name, created_at, draw.pick(COLORS), new_uuid(rng), residency, tags
        )
        if slot in archived_slots:
            workspace.archived_at = draw.between(created_at + DAY, anchor - HOUR)
        state.add_workspace(workspace)
        named.append(workspace)
    return named


_MEMBER_ROLES: Final[dict[str, tuple[WorkspaceRole, ...]]] = {
    # Weighted by repetition: the role a member of each organization role usually gets.
    "developer": ("workspace_developer",) * 8 + ("workspace_admin", "workspace_restricted_developer"),
    "billing": ("workspace_billing",),
    "user": ("workspace_user",) * 7 + ("workspace_restricted_developer",) * 3,
    "claude_code_user": ("workspace_user",) * 6 + ("workspace_developer",) * 4,
}
_MEMBERSHIP_COUNTS: Final = (1, 1, 2, 2, 3)


def _seed_members(state: SandboxState, draw: _Draw, seeded: list[User], named: list[Workspace]) -> None:
    if not named:
        return
    count = len(named)
    named_ids = [workspace.id for workspace in named]
    rand, pick = draw.random, draw.pick
    members: list[Member] = []
    append = members.append
    for user in seeded:
        roles = _MEMBER_ROLES.get(user.role)
        if roles is None:  # admins are implicitly workspace admins everywhere
            continue
        picks = {int(rand() * count) for _ in range(pick(_MEMBERSHIP_COUNTS))}
        for index in sorted(picks):
            append(Member(user.id, named_ids[index], pick(roles)))
    state.load_members(members)


_KEY_STATUSES: Final = (("active", 0.70), ("inactive", 0.12), ("archived", 0.10), ("expired", 0.08))


def _seed_api_keys(
    state: SandboxState, draw: _Draw, seeded: list[User], named: list[Workspace], anchor: int
) -> None:
    creators = [user for user in seeded if user.role in ("developer", "admin")]
    developers = sum(1 for user in seeded if user.role == "developer")
    count = max(1, round(0.6 * developers))
    default = state.workspaces[state.default_workspace_id]
    rand, pick, between = draw.random, draw.pick, draw.between
    drafts: list[ApiKey] = []
    own_workspaces: dict[str, list[str]] = {}
    for label in draw.spread(count, _KEY_STATUSES):
        creator = pick(creators)
        own = own_workspaces.get(creator.id)
        if own is None:
            own = own_workspaces[creator.id] = sorted(state.workspaces_of(creator.id))
        if rand() < 0.2 or not named:
            workspace = default
        elif own:
            workspace = state.workspaces[pick(own)]
        else:
            workspace = pick(named)
        earliest = max(creator.added_at, workspace.created_at) + 60
        latest = anchor - 2 * DAY if workspace.archived_at is None else workspace.archived_at - 60
        created_at = between(earliest, latest)
        status: ApiKeyStoredStatus = "active"
        expires_at: int | None = None
        if label == "active":
            if rand() < 0.15:
                expires_at = anchor + between(30, 366) * DAY
        elif label == "expired":
            # Stored as active: the status reads `expired` because `expires_at` has passed.
            expires_at = between(created_at + DAY, anchor - HOUR)
        elif label == "inactive":
            status = "inactive"
        else:
            status = "archived"
        if workspace.archived_at is not None and status == "active":
            status = "inactive"  # archiving a workspace deactivated its keys
        name = f"{pick(KEY_PURPOSES)}-{creator.name.split()[0].lower()}"
        hint = partial_key_hint(draw)
        principal = creator.id if rand() < 0.25 else None
        drafts.append(
            ApiKey("", name, created_at, workspace.id, hint, status, expires_at, creator.id, principal)
        )
    drafts.sort(key=lambda key: key.created_at)
    for key in drafts:
        key.id = state.new_id(ids.API_KEY, key.created_at)
        state.api_keys.put(key)


_INVITE_STATUSES: Final = (("pending", 0.40), ("expired", 0.25), ("accepted", 0.35))


def _seed_invites(
    state: SandboxState, draw: _Draw, seeded: list[User], users: int, start: int, anchor: int
) -> None:
    count = max(4, round(users / 15))
    joined_later = [user for user in seeded[2:] if user.added_at > start + 7 * DAY]
    used_accepted: set[str] = set()
    used_emails: set[str] = set()
    drafts: list[Invite] = []
    for label in draw.spread(count, _INVITE_STATUSES):
        if label == "accepted" and joined_later:
            user = draw.pick(joined_later)
            if user.id in used_accepted:
                continue
            used_accepted.add(user.id)
            invited_at = user.added_at - draw.between(HOUR, 5 * DAY)
            role: OrgRole = user.role if user.role in WRITABLE_ROLES else "developer"
            expires_at = invited_at + INVITE_LIFETIME_SECONDS
            drafts.append(Invite("", user.email, role, invited_at, expires_at, "accepted", user.added_at))
            continue
        if label == "pending":
            invited_at = draw.between(anchor - 20 * DAY, anchor - HOUR)
        else:
            invited_at = draw.between(start + DAY, anchor - 22 * DAY)
        email = _new_person_email(state, draw, used_emails)
        drafts.append(
            Invite("", email, draw.pick(WRITABLE_ROLES), invited_at, invited_at + INVITE_LIFETIME_SECONDS)
        )
    drafts.sort(key=lambda invite: invite.invited_at)
    for invite in drafts:
        invite.id = state.new_id(ids.INVITE, invite.invited_at)
        state.invites.put(invite)


def _new_person_email(state: SandboxState, draw: _Draw, used: set[str]) -> str:
    """An address that is neither a member's nor already invited in this seed."""
    attempt = 0
    while True:
        first = draw.pick(FIRST_NAMES).lower()
        last = draw.pick(LAST_NAMES).lower()
        domain = "acme.com" if draw.random() < 0.8 else DOMAINS[1][0]
        local = f"{first}.{last}.new" if draw.random() < 0.5 else f"{first[0]}{last}"
        # Huge seeds run out of name pairs: a number keeps the loop finite.
        attempt += 1
        email = f"{local}@{domain}" if attempt < 20 else f"{local}{attempt}@{domain}"
        if email not in used and state.user_with_exact_email(email) is None:
            used.add(email)
            return email
