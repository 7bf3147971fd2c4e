"""The compliance activity feed's records: the seeded history plus every write made at run time.

**Run-time writes.** Every accepted write is in `state.activities` with an internal kind; the feed
shows it under the Compliance API's activity type (`feed_type`: `_RENAMED`, else `platform_` +
kind) with the documented type-specific fields (`_FIELDS` for the plain ones; role, workspace,
member and API-key updates carry `updates[] {type, previous_value, current_value}`; a kind the
docs do not describe, e.g. `service_account_created`, shows the write's own fields).

The actor follows the credential: the admin key -> `admin_api_key_actor` (a per-sandbox
`admin_api_key_id`), the OAuth or Console token -> `user_actor` (the user it acts for), a workload
token -> `service_account_actor`; `ip_address` and `user_agent` are the request's (recorded by
`ActivityOriginMiddleware`). Reads are not logged (no `*_viewed`, no `compliance_api_accessed`),
so the newest record is always the last write.

**Seeded history.** The Compliance API was enabled 180 days before the seed's anchor (the feed is
not retroactive); from then on the seed's own events appear, by real users (`user_actor`,
documentation IP ranges, browser user agents): members joining (`claude_user_role_updated` from
null), invites sent, workspaces created and archived, API keys created and switched off (at the
moment their usage stops in the usage model), a few role changes, usage and cost report views, and
sign-ins (`sso_login_succeeded`, `user_logged_out`: no organization, as the docs say of login
events). A few hundred records for a small organization, a few thousand at most for a large one.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from .ids import encode_base58
from .models import Activity, SeedSnapshot, format_ts

EmailOf = Callable[[str], str | None]
"""A user's e-mail address by id (live or seeded), None if unknown."""

HISTORY_DAYS: Final = 180
DAY: Final = 86_400
_PREFIX: Final = "activity_01"
_WEBKIT: Final = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
BROWSERS: Final = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605",
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_WEBKIT}",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_WEBKIT}",
)
_NETWORKS: Final = ("192.0.2", "198.51.100", "203.0.113")


def _hash(*parts: object) -> int:
    return int.from_bytes(hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest(), "big")


def organization_tagged_id(snapshot: SeedSnapshot) -> str:
    """The organization's `org_...` id (the sandbox's organization object has only its UUID)."""
    return "org_01" + encode_base58(int(snapshot.organization_uuid.replace("-", ""), 16))


def admin_api_key_id(snapshot: SeedSnapshot) -> str:
    """The tagged id of the sandbox's admin key, as the feed names it (stable per seed)."""
    return "apikey_01" + encode_base58(_hash("admin-api-key", snapshot.seed, snapshot.organization_uuid))


@dataclass(frozen=True, slots=True)
class FeedItem:
    id: str
    created_at: int
    type: str
    actor_user_id: str | None
    """The user behind a `user_actor` (what `actor_ids[]` matches); None for other actors."""
    organization: bool
    """False for records not tied to the organization (sign-ins): `organization_id` is null."""
    render: Callable[[], dict[str, object]]


def _record(
    snapshot: SeedSnapshot,
    item_id: str,
    created_at: int,
    type_: str,
    actor: dict[str, object],
    organization: bool,
    fields: dict[str, object],
) -> dict[str, object]:
    return {
        "id": item_id,
        "created_at": format_ts(created_at),
        "organization_id": organization_tagged_id(snapshot) if organization else None,
        "organization_uuid": snapshot.organization_uuid if organization else None,
        "type": type_,
        "actor": actor,
        **fields,
    }


# -- run-time writes ---------------------------------------------------------------------------

_RENAMED: Final = {
    "invite_created": "org_user_invite_sent",
    "invite_deleted": "org_user_invite_deleted",
    "user_removed": "org_user_deleted",
    "user_role_updated": "claude_user_role_updated",
    "user_signed_out": "user_logged_out",
}
_FIELDS: Final = {
    "workspace_created": ("workspace_id",),
    "workspace_archived": ("workspace_id",),
    "workspace_member_added": ("user_id", "workspace_id"),
    "workspace_member_removed": ("user_id", "workspace_id"),
    "invite_created": ("invite_id", "email", "role"),
    "invite_deleted": ("invite_id", "email"),
    "user_removed": ("user_id", "email"),
    "workspace_rate_limit_updated": ("workspace_id", "model_group", "limiter_type", "value"),
    "workspace_rate_limit_deleted": ("workspace_id", "model_group", "limiter_type"),
}
_KNOWN_PREFIXES: Final = ("platform_", "org_", "claude_", "user_", "admin_", "compliance_")


def feed_type(kind: str) -> str:
    if kind in _RENAMED:
        return _RENAMED[kind]
    return kind if kind.startswith(_KNOWN_PREFIXES) else "platform_" + kind


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return "" if value is None else str(value)


def _json_safe(value: object) -> object:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return str(value)


def _updates(pairs: list[tuple[str, object, object]]) -> list[dict[str, object]]:
    return [
        {"type": name, "previous_value": _text(before), "current_value": _text(after)}
        for name, before, after in pairs
        if before != after
    ]


def _specific(activity: Activity, email_of: EmailOf) -> dict[str, object]:
    kind, fields = activity.type, activity.fields
    if kind in _FIELDS:
        names = _FIELDS[kind]
        return {("email_address" if name == "email" else name): fields.get(name) for name in names}
    if kind in ("user_role_updated", "user_signed_out"):
        user_id = str(fields.get("user_id"))
        out: dict[str, object] = {"user_id": user_id, "email_address": email_of(user_id)}
        if kind == "user_role_updated":
            out["previous_role"] = fields.get("previous_role")
            out["current_role"] = fields.get("role")
        return out
    if kind == "workspace_updated":
        previous = fields.get("previous")
        current = fields.get("current")
        pairs: list[tuple[str, object, object]] = []
        if isinstance(previous, dict) and isinstance(current, dict):
            pairs = [(name, previous.get(name), current.get(name)) for name in current if name != "tags"]
        return {"workspace_id": fields.get("workspace_id"), "updates": _updates(pairs)}
    if kind == "workspace_member_updated":
        pair = ("workspace_role", fields.get("previous_workspace_role"), fields.get("workspace_role"))
        return {
            "user_id": fields.get("user_id"),
            "workspace_id": fields.get("workspace_id"),
            "updates": _updates([pair]),
        }
    if kind == "api_key_updated":
        pairs = []
        if "name" in fields:
            pairs.append(("name", fields.get("previous_name"), fields["name"]))
        if "status" in fields:
            pairs.append(("status", fields.get("previous_status"), fields["status"]))
        return {"api_key_id": fields.get("api_key_id"), "updates": _updates(pairs)}
    return {name: _json_safe(value) for name, value in fields.items() if name != "credential"}


def runtime_item(
    activity: Activity, snapshot: SeedSnapshot, email_of: EmailOf, origins: Mapping[str, tuple[str, str]]
) -> FeedItem:
    """A run-time write as a feed record (`origins`: where each write came from, filled in after
    the write's response, hence read when the record is rendered)."""
    credential = activity.fields.get("credential")
    actor_user: str | None = None
    if credential == "admin_api_key":
        actor: dict[str, object] = {
            "type": "admin_api_key_actor",
            "admin_api_key_id": admin_api_key_id(snapshot),
        }
    elif credential == "service_account":
        actor = {"type": "service_account_actor", "service_account_id": activity.actor}
    else:
        actor_user = activity.actor
        actor = {"type": "user_actor", "email_address": email_of(activity.actor), "user_id": activity.actor}
    kind = feed_type(activity.type)

    def render() -> dict[str, object]:
        ip_address, user_agent = origins.get(activity.id, ("127.0.0.1", "unknown"))
        full = {**actor, "ip_address": ip_address, "user_agent": user_agent}
        return _record(
            snapshot, activity.id, activity.created_at, kind, full, True, _specific(activity, email_of)
        )

    return FeedItem(activity.id, activity.created_at, kind, actor_user, True, render)


# -- seeded history ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    at: int
    type: str
    actor: str
    organization: bool
    fields: dict[str, object]


def history(snapshot: SeedSnapshot, key_stops: Mapping[str, int]) -> list[FeedItem]:
    """The seeded history, oldest first (`key_stops`: when seeded keys were switched off, as the
    usage model has them)."""
    rng = random.Random(f"claude-admin-mcp-sandbox-activity-history:{snapshot.seed}")
    anchor = snapshot.anchor
    since = max(anchor - HISTORY_DAYS * DAY, snapshot.organization_created_at + DAY)
    users = {user.id: user for user in snapshot.users}
    admins = [user.id for user in snapshot.users if user.role == "admin"] or [snapshot.admin_key_user_id]
    drafts: list[_Draft] = []

    def add(at: int, type_: str, actor: str, fields: dict[str, object], organization: bool = True) -> None:
        drafts.append(_Draft(at, type_, actor, organization, fields))

    joined = [user for user in snapshot.users if since <= user.added_at < anchor and user.id != admins[0]]
    for user in joined if len(joined) <= 1500 else rng.sample(joined, 1500):
        added: dict[str, object] = {
            "user_id": user.id,
            "email_address": user.email,
            "previous_role": None,
            "current_role": user.role,
        }
        add(user.added_at, "claude_user_role_updated", rng.choice(admins), added)
    invites = [invite for invite in snapshot.invites if since <= invite.invited_at < anchor]
    for invite in invites if len(invites) <= 800 else rng.sample(invites, 800):
        sent: dict[str, object] = {"invite_id": invite.id, "email_address": invite.email, "role": invite.role}
        add(invite.invited_at, "org_user_invite_sent", rng.choice(admins), sent)
    for workspace in snapshot.workspaces:
        if since <= workspace.created_at < anchor and not workspace.is_default:
            add(
                workspace.created_at,
                "platform_workspace_created",
                rng.choice(admins),
                {"workspace_id": workspace.id},
            )
        if workspace.archived_at is not None and since <= workspace.archived_at < anchor:
            add(
                workspace.archived_at,
                "platform_workspace_archived",
                rng.choice(admins),
                {"workspace_id": workspace.id},
            )
    keys = [key for key in snapshot.keys if since <= key.created_at < anchor or key.id in key_stops]
    for key in keys if len(keys) <= 1500 else rng.sample(keys, 1500):
        creator = key.created_by_user_id or rng.choice(admins)
        if since <= key.created_at < anchor:
            add(key.created_at, "platform_api_key_created", creator, {"api_key_id": key.id})
        stop = key_stops.get(key.id)
        if stop is not None and since <= stop < anchor:
            status = {"type": "status", "previous_value": "active", "current_value": key.stored_status}
            add(stop, "platform_api_key_updated", creator, {"api_key_id": key.id, "updates": [status]})
    changeable = [u for u in snapshot.users if u.role in ("developer", "user", "billing", "claude_code_user")]
    for user in rng.sample(changeable, min(len(changeable), max(2, len(snapshot.users) // 30), 200)):
        earliest = max(since, user.added_at + DAY)
        if earliest >= anchor:
            continue
        previous = rng.choice(
            [role for role in ("user", "developer", "claude_code_user") if role != user.role]
        )
        change: dict[str, object] = {
            "user_id": user.id,
            "email_address": user.email,
            "previous_role": previous,
        }
        change["current_role"] = user.role
        add(rng.randrange(earliest, anchor), "claude_user_role_updated", rng.choice(admins), change)
    for _ in range(min(60, 10 + len(snapshot.users) // 5)):
        kind = rng.choice(("platform_usage_report_messages_viewed", "platform_cost_report_viewed"))
        add(rng.randrange(since, anchor), kind, rng.choice(admins), {})
    people = [user for user in snapshot.users if user.added_at < anchor - DAY]
    for _ in range(min(2000, 3 * len(people))):
        person = rng.choice(people)
        start = max(since, person.added_at)
        if start >= anchor:
            continue
        at = rng.randrange(start, anchor)
        add(at, "sso_login_succeeded", person.id, {}, organization=False)
        if rng.random() < 0.15:
            add(min(anchor - 1, at + rng.randrange(600, 9 * 3600)), "user_logged_out", person.id, {}, False)
    drafts.sort(key=lambda draft: (draft.at, draft.type, draft.actor))
    items: list[FeedItem] = []
    for counter, draft in enumerate(drafts, start=1):
        item_id = _PREFIX + encode_base58((draft.at * 1000 << 80) | (counter << 48) | rng.getrandbits(48))
        acting = users.get(draft.actor)
        slot = _hash(snapshot.seed, draft.actor)
        actor: dict[str, object] = {
            "type": "user_actor",
            "email_address": acting.email if acting else None,
            "user_id": draft.actor,
            "ip_address": f"{_NETWORKS[slot % 3]}.{1 + slot % 250}",
            "user_agent": BROWSERS[slot % len(BROWSERS)],
        }
        rendered = _record(snapshot, item_id, draft.at, draft.type, actor, draft.organization, draft.fields)
        items.append(
            FeedItem(item_id, draft.at, draft.type, draft.actor, draft.organization, _constant(rendered))
        )
    return items


def _constant(rendered: dict[str, object]) -> Callable[[], dict[str, object]]:
    return lambda: rendered
