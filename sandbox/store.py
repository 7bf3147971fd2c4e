"""The sandbox organization's in-memory state, `SandboxState`. Tests read it directly (e.g. to
prove that a refused write changed nothing):

* `organization`; `users`, `invites`, `workspaces` (the default one included: `default_workspace_id`)
  and `api_keys`, each a `Resources` (`resources.py`): a read-only mapping id -> record, oldest
  first, `newest_first()` the other way (deleted invites stay, with status `deleted`);
* `members` — workspace id -> `WorkspaceMembers`; `member(workspace_id, user_id)`,
  `workspaces_of(user_id)` (explicit memberships);
* `activities` — one `Activity` per successful write, oldest first (`record_activity`; the routes
  add the credential kind and the write's ids and values);
* `primary_owner_id` (cannot be signed out), `admin_key_user_id` (who the admin key and the OAuth
  token act for); `clock` (replace it to pin time), `now_ts()`;
* `max_active_workspaces` (100) and `invite_creations` (for the 1,200 invites per hour) — tests
  may lower or fill them; `faults` (`faults.py`);
* `federation` (`federation.py`), `tokens` (minted by the exchange, digests only: `tokens.py`),
  `console_token` (the bearer token treated as a Console session, or None);
* `monitoring` (`monitoring.py`) and `compliance_api_enabled` (the Compliance API, which
  `compliance_settings` turns on and off: may the admin key read the feed, and are writes captured
  in it; a write made while it is off never appears there);
* `governance` (`governance.py`): spend limits, increase requests, RBAC groups and roles;
* `hooks` (`hooks.py`): external keys, telemetry destinations, webhook endpoints;
* `plugins` (`plugins.py`): plugin marketplaces, plugins, their versions, settings and shares;
  `claude_tag` (`claude_tag.py`): Slack workspaces and channels set up for Claude Tag, Bundles;
* `request_limit` — the per-organization request limit (`request_limit.py`), None when off;
* `snapshot()` — everything above as plain data, for equality checks.

The mutators here keep the data consistent (collections sorted by id, the e-mail indexes, a removed
user's memberships gone); the routes decide what the API allows. Every request runs on one
event-loop thread with no `await` between reading and writing the state: no lock is needed.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal

from . import ids
from .claude_tag import ClaudeTagState
from .faults import FaultPlan
from .federation import FederationState
from .governance import GovernanceState
from .hooks import HooksState
from .ids import IdGenerator
from .models import Activity, ApiKey, Invite, Member, Organization, User, Workspace
from .monitoring import MonitoringState
from .pagination import SortedIndex
from .plugins import PluginState
from .request_limit import RequestLimit
from .resources import Resources
from .tokens import TokenStore

CredentialKind = Literal["admin_api_key", "scoped_key", "oauth", "console", "service_account"]
"""`oauth`: the configured interactive `org:admin` token; `console`: the configured Console-session
token; `service_account`: an `org:admin` token minted by the workload identity exchange."""


class Caller:
    """Who a request acts as: the credential kind and the principal behind it (`user_id` is the
    acting user's id, or the service account's `svac_` id for kind `service_account`)."""

    __slots__ = ("kind", "scopes", "user_id")

    def __init__(self, kind: CredentialKind, user_id: str, scopes: frozenset[str] = frozenset()) -> None:
        self.kind: CredentialKind = kind
        self.user_id = user_id
        self.scopes = scopes
        """A scoped key's scopes (`scoped_keys.py`); empty for every other kind."""


def normalize_email(email: str) -> str:
    """The e-mail filter's matching key: case-insensitive, `+tag` variants of one mailbox equal."""
    if email.islower() and "+" not in email and email == email.strip():
        return email  # already a key (every seeded address): seeding 100,000 users calls this
    email = email.strip().lower()
    local, at, domain = email.partition("@")
    if not at:
        return email
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def _email_key(record: User | Invite) -> str:
    return normalize_email(record.email)


class WorkspaceMembers(Mapping[str, Member]):
    """One workspace's members, ordered by when they were added (the API lists newest first).

    Members carry no id of their own; the list cursor is the member's `user_id`, mapped here to the
    membership's sequence number. A removed member's number is kept, so a cursor naming someone
    removed mid-walk still marks its place.
    """

    __slots__ = ("_by_seq", "_live", "_seq_of_user")

    def __init__(self) -> None:
        self._by_seq: SortedIndex[int, Member] = SortedIndex()
        self._seq_of_user: dict[str, int] = {}
        self._live: dict[str, Member] = {}

    def add(self, member: Member, seq: int) -> None:
        self._by_seq.add(seq, member)
        self._seq_of_user[member.user_id] = seq
        self._live[member.user_id] = member

    def load(self, pairs: Sequence[tuple[int, Member]]) -> None:
        """Bulk `add`: (sequence number, member) pairs in ascending order, none present yet."""
        self._by_seq.extend_sorted(pairs)
        self._seq_of_user.update((member.user_id, seq) for seq, member in pairs)
        self._live.update((member.user_id, member) for _, member in pairs)

    def remove(self, user_id: str) -> Member:
        member = self._live.pop(user_id)
        self._by_seq.remove(self._seq_of_user[user_id])
        return member

    def cursor_seq(self, user_id: str) -> int | None:
        """The position a user-id cursor stands for, or None if they were never a member."""
        return self._seq_of_user.get(user_id)

    @property
    def ordered(self) -> SortedIndex[int, Member]:
        return self._by_seq

    def __getitem__(self, user_id: str) -> Member:
        return self._live[user_id]

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._live

    def __iter__(self) -> Iterator[str]:
        return (member.user_id for member in self._by_seq.values())

    def __len__(self) -> int:
        return len(self._live)


def anchored_clock(anchor: datetime | None) -> Callable[[], datetime]:
    """Real time, or time running on from `anchor` at the real pace when one is given."""
    if anchor is None:
        return lambda: datetime.now(UTC)
    if anchor.tzinfo is None:
        anchor = anchor.replace(tzinfo=UTC)
    started = datetime.now(UTC)
    fixed_anchor = anchor
    return lambda: fixed_anchor + (datetime.now(UTC) - started)


class SandboxState:
    """Everything the emulated organization holds. See the module docstring for the accessors."""

    def __init__(
        self,
        *,
        organization: Organization,
        seed: int,
        admin_key: str,
        oauth_token: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.organization = organization
        self.seed = seed
        self.admin_key = admin_key
        self.oauth_token = oauth_token
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.ids = IdGenerator(seed)
        # Runtime choices (colours, key hints) come from a seeded stream too, so two sandboxes
        # given the same seed and the same requests end in the same state.
        self.rng = random.Random(f"claude-admin-mcp-sandbox-runtime:{seed}")

        self.users: Resources[User] = Resources("user", "user_id", index_key=_email_key)
        self.invites: Resources[Invite] = Resources("invite", "invite_id", index_key=_email_key)
        self.workspaces: Resources[Workspace] = Resources("workspace", "workspace_id")
        self.members: dict[str, WorkspaceMembers] = {}
        self.api_keys: Resources[ApiKey] = Resources("API key", "api_key_id")
        self.activities: list[Activity] = []

        self.default_workspace_id = ""
        self.primary_owner_id = ""
        self.admin_key_user_id = ""
        self.max_active_workspaces = 100
        """The documented limit on non-archived workspaces (the default one not counted)."""
        self.invite_creations: deque[int] = deque()
        """Times of recent invite creations, for the documented 1,200 per hour limit."""
        self.faults = FaultPlan()
        """Injected misbehaviour (see `faults.py`); empty unless a test or `--fault` adds some."""
        self.console_token: str | None = None
        self.scoped_keys: dict[str, frozenset[str]] = {}
        """Claude Enterprise scoped keys it accepts (as `x-api-key`), with their scopes."""
        self.federation = FederationState()
        self.tokens = TokenStore()
        self.monitoring = MonitoringState()
        self.governance = GovernanceState(seed)
        self.hooks = HooksState()
        self.plugins = PluginState()
        self.claude_tag = ClaudeTagState()
        self.compliance_api_enabled = True
        """Whether the Compliance API was enabled for the organization (gates the activity feed)."""
        self.request_limit: RequestLimit | None = None
        """The emulated per-organization request limit (`request_limit.py`); None = no limit."""

        self._user_workspaces: dict[str, set[str]] = {}
        self._member_seq = 0

    # -- time ---------------------------------------------------------------------------------

    def now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def now_ts(self) -> int:
        return int(self.now().timestamp())

    def new_id(self, prefix: str, at_ts: int | None = None) -> str:
        """A fresh id; ids made at run time are greater than every seeded one."""
        seconds = self.now().timestamp() if at_ts is None else at_ts
        return self.ids.new(prefix, int(seconds * 1000))

    # -- users and invites ---------------------------------------------------------------------

    def remove_user(self, user_id: str) -> User:
        """Removes the user and their workspace memberships (their API keys stay: they are org-owned)."""
        for workspace_id in sorted(self._user_workspaces.pop(user_id, set())):
            self.members[workspace_id].remove(user_id)
        self.governance.forget_user(user_id)
        return self.users.remove(user_id)

    def user_with_exact_email(self, email: str) -> User | None:
        wanted = email.strip().lower()
        for user_id in self.users.matching(normalize_email(email)):
            user = self.users[user_id]
            if user.email.lower() == wanted:
                return user
        return None

    def pending_invite_for(self, email: str) -> Invite | None:
        """A still-pending (not expired, deleted or accepted) invite to exactly this address."""
        wanted = email.strip().lower()
        now = self.now_ts()
        for invite_id in self.invites.matching(normalize_email(email)):
            invite = self.invites[invite_id]
            if invite.email.lower() == wanted and invite.status(now) == "pending":
                return invite
        return None

    def workspaces_of(self, user_id: str) -> set[str]:
        """The workspaces a user is an explicit member of."""
        return set(self._user_workspaces.get(user_id, set()))

    # -- workspaces and members ---------------------------------------------------------------

    def add_workspace(self, workspace: Workspace) -> None:
        self.workspaces.put(workspace)
        self.members.setdefault(workspace.id, WorkspaceMembers())
        if workspace.is_default:
            self.default_workspace_id = workspace.id

    def active_workspace_count(self) -> int:
        """Non-archived workspaces other than the default one: what the 100-workspace limit counts."""
        return sum(1 for ws in self.workspaces.values() if ws.archived_at is None and not ws.is_default)

    def member(self, workspace_id: str, user_id: str) -> Member | None:
        members = self.members.get(workspace_id)
        return None if members is None else members.get(user_id)

    def add_member(self, member: Member) -> None:
        self._member_seq += 1
        self.members[member.workspace_id].add(member, self._member_seq)
        self._user_workspaces.setdefault(member.user_id, set()).add(member.workspace_id)

    def load_members(self, members: Sequence[Member]) -> None:
        """Bulk `add_member` for seeding (same result, grouped per workspace for speed)."""
        grouped: dict[str, list[tuple[int, Member]]] = {}
        user_workspaces = self._user_workspaces
        seq = self._member_seq
        for member in members:
            seq += 1
            user_id, workspace_id = member.user_id, member.workspace_id
            pairs = grouped.get(workspace_id)
            if pairs is None:
                grouped[workspace_id] = [(seq, member)]
            else:
                pairs.append((seq, member))
            joined = user_workspaces.get(user_id)
            if joined is None:
                user_workspaces[user_id] = {workspace_id}
            else:
                joined.add(workspace_id)
        self._member_seq = seq
        for workspace_id, pairs in grouped.items():
            self.members[workspace_id].load(pairs)

    def remove_member(self, workspace_id: str, user_id: str) -> Member:
        member = self.members[workspace_id].remove(user_id)
        self._user_workspaces.get(user_id, set()).discard(workspace_id)
        return member

    # -- activity -----------------------------------------------------------------------------

    def record_activity(self, kind: str, actor: str, **fields: object) -> Activity:
        """Called by every successful write; a later area serves these as the compliance feed."""
        now = self.now_ts()
        activity = Activity(self.new_id(ids.ACTIVITY, now), now, kind, actor, dict(fields))
        self.activities.append(activity)
        if not self.compliance_api_enabled:
            self.monitoring.uncaptured.add(activity.id)
        return activity

    # -- whole-state views --------------------------------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """The whole state as plain data (times as epoch seconds), for equality checks in tests."""
        now = self.now_ts()
        return {
            "organization": self.organization.to_api(),
            "users": [user.to_api() for user in self.users.values()],
            "signed_out": {user.id: user.signed_out_at for user in self.users.values() if user.signed_out_at},
            "invites": [
                {**invite.to_api(now), "stored_status": invite.stored_status}
                for invite in self.invites.values()
            ],
            "workspaces": [ws.to_api() for ws in self.workspaces.values()],
            "members": {
                ws_id: [member.to_api() for member in members.ordered.values()]
                for ws_id, members in self.members.items()
            },
            "api_keys": [
                {**key.to_api(now, self.default_workspace_id), "stored_status": key.stored_status}
                for key in self.api_keys.values()
            ],
            "activities": [activity.to_dict() for activity in self.activities],
            "federation": self.federation.snapshot(),
            "rate_limit_overrides": self.monitoring.rate_limits.snapshot(),
            "governance": self.governance.snapshot(),
            "compliance_api_enabled": self.compliance_api_enabled,
            "hooks": self.hooks.snapshot(),
            "plugins": self.plugins.snapshot(),
            "claude_tag": self.claude_tag.snapshot(),
        }
