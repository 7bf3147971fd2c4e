"""The generative usage model behind the usage report, the cost report and Claude Code analytics.

Nothing is stored per minute. Usage comes from *streams*: one stream is one source (an API key, a
workspace's Console Workbench, a user's OAuth login, i.e. Claude Code, or a member's claude.ai chat
or Cowork) using one model at one service tier, context window, inference geo and speed. For
stream `i` on UTC day `day`:

    d_i(day)  = units_i x multiplier(seed, stream, day) >> 10      (7 integers, see `VALUES`)
    usage of minute m of that day = weight_p[m] x d_i(day)          (p = the stream's profile)

`multiplier` is a hash of (stream key, day) shaped by the stream's weekly pattern, activity rate
and growth; `weight_p` is one of a few fixed daily profiles (Americas, EMEA and APAC working hours,
flat) at minute resolution, with separate sparse profiles for web searches and code-execution
container time. Usage over any minute-aligned interval inside a day is therefore
`(cum_p[b] - cum_p[a]) x d_i(day)`: exact integers, linear in `d`, so a bucket of any width is the
sum of the buckets of a finer width, a grouped report sums to the ungrouped one, and a whole
group's usage is `weight x (sum of its streams' d)` — one pass over the streams per day, whatever
the bucket width. Per-day vectors are cached (LRU), so walking pages is cheap.

Streams are active only inside their intervals: from a little after the key (or user, or
workspace) was created until it stopped being used. Keys that are inactive, archived or expired
at seed time stopped before the seed's anchor (the expired ones at `expires_at`); about 15% of
active keys (at least one) have not been used for 30 days or more, some never; at most 1,000 keys
and 400 Claude Code users carry usage, whatever the organization's size. Runtime writes cut
intervals from the moment they happen: deactivating or archiving a key, archiving a workspace
(its keys and its Workbench), removing a user (their OAuth usage). Nothing is served for minutes
less than 5 minutes old (`FRESHNESS_SECONDS`), and nothing in the future.

The catalogue of streams is built from the seed snapshot (`models.SeedSnapshot`) with its own
seeded random stream, so it is the same for a seed whatever happened since.
"""

from __future__ import annotations

import functools
import math
import random
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import itemgetter
from typing import Any, Final, NamedTuple

from .model_catalog import MODELS_BY_ID, TOKEN_TYPES, PriceClass
from .models import Activity, SeedSnapshot

DAY: Final = 86_400
HOUR: Final = 3600
MINUTE: Final = 60
MINUTES_PER_DAY: Final = 1440
INF: Final = 1 << 62
FRESHNESS_SECONDS: Final = 300
"""Usage shows up 5 minutes after the minute it happened in (the docs: "within ~5 minutes")."""

VALUES: Final = (*TOKEN_TYPES, "web_search_requests", "code_execution_centihours")
"""What a stream produces, in this order. Code execution (container time in hundredths of an hour)
appears only in the cost report, as on the API."""
UNCACHED, CACHE_5M, CACHE_1H, CACHE_READ, OUTPUT, WEB_SEARCH, CODE_EXEC = range(7)
Units = tuple[int, ...]
N_TOKEN_VALUES: Final = 5

_M64: Final = (1 << 64) - 1
_GOLDEN: Final = 0x9E3779B97F4A7C15
_MIX1: Final = 0xBF58476D1CE4E5B9
_MIX2: Final = 0x94D049BB133111EB

# -- daily profiles ----------------------------------------------------------------------------


def _cumulative(weights: Iterable[int]) -> tuple[int, ...]:
    return tuple(accumulate(weights, initial=0))


def _working_hours(center_hour: float, seed: int) -> tuple[int, ...]:
    """Minute weights of a working day centred on `center_hour` UTC, with per-minute texture."""
    state = seed
    weights = []
    for minute in range(MINUTES_PER_DAY):
        hour = minute / 60
        distance = min(abs(hour - center_hour), 24 - abs(hour - center_hour))
        level = 1.0 + 12.0 * math.exp(-((distance / 3.5) ** 2))
        state = (state * 6364136223846793005 + 1442695040888963407) & _M64
        jitter = 0.75 + 0.5 * ((state >> 33) / (1 << 31))
        weights.append(round(level * jitter))
    return _cumulative(weights)


def _flat(seed: int) -> tuple[int, ...]:
    state = seed
    weights = []
    for _ in range(MINUTES_PER_DAY):
        state = (state * 6364136223846793005 + 1442695040888963407) & _M64
        weights.append(3 + ((state >> 33) % 5))
    return _cumulative(weights)


PROFILES: Final = (
    _working_hours(17.0, 11),  # Americas: 9:00-18:00 Pacific/Eastern
    _working_hours(11.5, 12),  # EMEA
    _working_hours(4.0, 13),  # APAC
    _flat(14),  # automation, batch jobs, bots
)
"""Cumulative minute weights (1,441 entries) of each token profile."""
AMERICAS, EMEA, APAC, FLAT = range(4)
WEB_SEARCH_PROFILE: Final = _cumulative([1 if m % 60 == 7 and 9 <= m // 60 <= 20 else 0 for m in range(1440)])
"""Web searches land at minute 7 of the hours 09-20 UTC: a day's count is a multiple of 12."""
CODE_EXEC_PROFILE: Final = _cumulative([1 if m % 60 == 0 else 0 for m in range(1440)])
"""Container time is billed at the top of each hour."""

WEEK_FACTORS: Final = (
    (1024, 1024, 1024, 1024, 1024, 180, 140),  # business: quiet weekends
    (1024, 1024, 1024, 1024, 1024, 900, 880),  # steady: production traffic
    (1024, 1024, 1024, 1024, 1024, 1024, 1024),  # flat: automation
)
BUSINESS, STEADY, FLATWEEK = range(3)


def weekday(day: int) -> int:
    """Monday = 0 (1970-01-01, day 0, was a Thursday)."""
    return (day + 3) % 7


# -- streams -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stream:
    source: str
    """`api_key`, `workbench`, `oauth` (Claude Code with a Console login), or a member's claude.ai
    usage: `chat`, `cowork` (not part of the Admin API's usage and cost reports)."""
    owner: str
    """The key id, workspace id (Workbench) or user id whose lifetime bounds the stream."""
    api_key_id: str | None
    account_id: str | None
    service_account_id: str | None
    workspace_id: str | None
    """As reported: None for the default workspace."""
    workspace: str
    """The real workspace id, the default one included."""
    model: str
    service_tier: str
    context_window: str
    inference_geo: str
    speed: str
    profile: int
    week: int
    activity: int
    """Chance of any use on a given day, out of 65,536."""
    growth: int
    key: int
    units: tuple[int, ...]
    """`d` before the day's multiplier, one per `VALUES`."""
    start: int
    end: int
    """Seeded active interval [start, end), minute-aligned; `end` is INF while in use."""

    @property
    def price_class(self) -> PriceClass:
        return (self.model, self.service_tier, self.context_window, self.inference_geo, self.speed)


@dataclass(frozen=True, slots=True)
class _Archetype:
    """How an API key of one purpose (its name's prefix) is used."""

    daily_input: int
    models: dict[str, int]
    """Model -> weight of the draw of its main model (the others may get a minor stream)."""
    week: int
    activity: float
    web_search: float
    code_exec: float
    profile: int | None = None
    """None: the working hours of a region drawn per key."""
    tier: str = "standard"
    batch: float = 0.0
    """Shares of the keys on the Batch and Priority tiers, and in fast mode."""
    priority: float = 0.0
    fast: float = 0.0


_S46, _S45, _O46, _O41, _H45 = (
    "claude-sonnet-4-6",
    "claude-sonnet-4-5-20250929",
    "claude-opus-4-6",
    "claude-opus-4-1-20250805",
    "claude-haiku-4-5-20251001",
)
_A = _Archetype
# fmt: off
_ARCHETYPES: Final = {
    "prod-backend": _A(25_000_000, {_S46: 5, _O46: 3, _S45: 2, _H45: 1}, STEADY, 1.0, 0.3, 0.15,
                       priority=0.35),
    "ci-pipeline": _A(3_000_000, {_H45: 3, _S46: 2}, BUSINESS, 0.9, 0.0, 0.3),
    "notebook": _A(600_000, {_S46: 2, _O46: 1}, BUSINESS, 0.35, 0.2, 0.2),
    "eval-harness": _A(6_000_000, {_O46: 2, _S46: 2, _H45: 1, _O41: 1}, BUSINESS, 0.45, 0.0, 0.1, batch=0.4),
    "support-bot": _A(8_000_000, {_H45: 3, _S46: 2}, STEADY, 1.0, 0.5, 0.0, FLAT),
    "batch-jobs": _A(15_000_000, {_S46: 2, _H45: 1}, FLATWEEK, 0.7, 0.0, 0.0, FLAT, "batch"),
    "staging": _A(1_000_000, {_S46: 3, _O46: 1}, BUSINESS, 0.8, 0.1, 0.1),
    "claude-code": _A(1_500_000, {_O46: 3, _S46: 1}, BUSINESS, 0.8, 0.05, 0.0, fast=0.3),
    "data-labeling": _A(5_000_000, {_H45: 2, _S45: 1}, FLATWEEK, 0.6, 0.0, 0.0, FLAT, batch=0.6),
    "search-indexer": _A(4_000_000, {_H45: 1}, FLATWEEK, 0.9, 0.9, 0.0, FLAT, batch=0.5),
    "prototype": _A(300_000, {_O46: 1, _S46: 1}, BUSINESS, 0.3, 0.2, 0.3),
    "slack-bot": _A(2_000_000, {_H45: 2, _S46: 1}, STEADY, 1.0, 0.4, 0.0, FLAT),
}
# fmt: on
_DEFAULT_ARCHETYPE: Final = _ARCHETYPES["prototype"]
MAX_KEYS_WITH_USAGE: Final = 1000
MAX_OAUTH_USERS: Final = 400
API_SOURCES: Final = frozenset({"api_key", "workbench", "oauth"})
"""The streams the Admin API's usage and cost reports see (claude.ai usage is not in them)."""
MAX_SEAT_USERS: Final = 2000
"""Members with claude.ai usage (chat, Cowork), whatever the organization's size."""
CLAUDE_CODE_ROLES: Final = ("admin", "developer", "claude_code_user", "owner", "primary_owner")
"""Organization roles whose members can use Claude Code with their Console login."""


class _Source(NamedTuple):
    source: str
    owner: str
    api_key_id: str | None
    account_id: str | None
    workspace: str


def _minute(ts: int) -> int:
    return ts - ts % MINUTE


class _Builder:
    """Builds the stream catalogue from the seed snapshot, with its own seeded random stream."""

    def __init__(self, snapshot: SeedSnapshot) -> None:
        self.snapshot = snapshot
        self.rng = random.Random(f"claude-admin-mcp-sandbox-usage:{snapshot.seed}")
        self.streams: list[Stream] = []
        self.workspaces = {w.id: w for w in snapshot.workspaces}
        self.key_stops: dict[str, int] = {}

    def _pick(self, options: dict[str, int]) -> str:
        roll = self.rng.random() * sum(options.values())
        for name, weight in options.items():
            roll -= weight
            if roll < 0:
                return name
        return list(options)[-1]

    def _units(self, daily_input: float, profile: int, web_searches: int = 0, centihours: int = 0) -> Units:
        rng = self.rng
        ratios = (
            1.0,
            rng.uniform(0.03, 0.3),
            rng.uniform(0.01, 0.08) if rng.random() < 0.3 else 0.0,
            rng.uniform(0.5, 6.0),
            rng.uniform(0.08, 0.35),
        )
        return self._tokens(daily_input, profile, ratios, web_searches, centihours)

    def _cached_units(self, daily_input: float, profile: int) -> Units:
        """Claude Code's: most input comes from the prompt cache."""
        rng = self.rng
        ratios = (1.0, rng.uniform(2, 4), 0.0, rng.uniform(25, 60), rng.uniform(0.3, 0.6))
        return self._tokens(daily_input, profile, ratios, 0, 0)

    @staticmethod
    def _tokens(
        daily_input: float, profile: int, ratios: Sequence[float], searches: int, hours: int
    ) -> Units:
        total = PROFILES[profile][-1]
        tokens = [round(daily_input * ratio / total) for ratio in ratios]
        tokens[UNCACHED] = max(1, tokens[UNCACHED])
        return (*tokens, round(searches / WEB_SEARCH_PROFILE[-1]), round(hours / CODE_EXEC_PROFILE[-1]))

    def _add(
        self,
        origin: _Source,
        *,
        model: str,
        tier: str,
        context_window: str = "0-200k",
        speed: str = "standard",
        profile: int,
        week: int,
        activity: float,
        units: Units,
        start: int,
        end: int,
    ) -> None:
        if end <= start:
            return
        source, owner, api_key_id, account_id, workspace = origin
        reported = None if workspace == self.snapshot.default_workspace_id else workspace
        if MODELS_BY_ID[model].inference_geo:
            geo = self.workspaces[workspace].default_inference_geo
        else:
            geo = "not_available"
        chance = min(65536, round(activity * 65536))
        growth, key = self.rng.randrange(0, 3), self.rng.getrandbits(64)
        # fmt: off
        self.streams.append(Stream(
            source, owner, api_key_id, account_id, None, reported, workspace, model, tier, context_window,
            geo, speed, profile, week, chance, growth, key, units, start, end,
        ))
        # fmt: on

    def _region(self) -> int:
        roll = self.rng.random()
        return AMERICAS if roll < 0.55 else EMEA if roll < 0.85 else APAC

    def _scale(self) -> float:
        return min(5.0, max(0.05, math.exp(self.rng.gauss(0.0, 0.8))))

    def key_streams(self) -> None:
        snapshot, rng = self.snapshot, self.rng
        anchor = snapshot.anchor
        active = [k for k in snapshot.keys if k.stored_status == "active" and (k.expires_at or INF) > anchor]
        dormant_count = 0 if len(active) < 2 else max(1, round(0.15 * len(active)))
        dormant = {k.id for k in rng.sample(active, dormant_count)}  # no usage for 30 days or more
        with_usage = 0
        for key in snapshot.keys:
            workspace = self.workspaces[key.workspace_id]
            start = _minute(key.created_at + rng.randrange(600, 3 * DAY))
            limit = min(anchor - 3 * DAY, workspace.archived_at or INF)
            if key.stored_status in ("inactive", "archived"):
                end = _minute(start + int(rng.random() * max(0, limit - start)))
                self.key_stops[key.id] = max(end, key.created_at + MINUTE)
            elif key.expires_at is not None and key.expires_at <= anchor:
                end = _minute(key.expires_at)
            elif key.id in dormant:
                recent = anchor - 31 * DAY
                end = _minute(start + int(rng.random() * (recent - start))) if rng.random() < 0.5 else start
            else:
                end = INF if key.expires_at is None else _minute(key.expires_at)
            if end <= start or with_usage >= MAX_KEYS_WITH_USAGE:
                continue
            with_usage += 1
            self._key(key.id, key.name, key.workspace_id, start, end)

    def _key(self, key_id: str, name: str, workspace: str, start: int, end: int) -> None:
        rng = self.rng
        kind = _ARCHETYPES.get(name.rsplit("-", 1)[0], _DEFAULT_ARCHETYPE)
        profile = kind.profile if kind.profile is not None else self._region()
        scale = self._scale()
        model = self._pick(kind.models)
        tier = kind.tier
        if rng.random() < kind.batch:
            tier = "batch"
        elif rng.random() < kind.priority:
            tier = "priority"
        searches = round(rng.uniform(40, 600) * scale) if rng.random() < kind.web_search else 0
        centihours = round(rng.uniform(200, 2400)) if rng.random() < kind.code_exec else 0
        daily, activity = kind.daily_input * scale, kind.activity
        # Every stream of this key shares its origin, tier, profile, weekly shape and period.
        origin = _Source("api_key", key_id, key_id, None, workspace)
        add = functools.partial(
            self._add, origin, tier=tier, profile=profile, week=kind.week, start=start, end=end
        )
        add(model=model, activity=activity, units=self._units(daily, profile, searches, centihours))
        others = [name for name in kind.models if name != model]
        if others and rng.random() < 0.5:
            second = rng.choice(others)
            add(model=second, activity=activity * 0.8, units=self._units(daily * 0.3, profile))
        if MODELS_BY_ID[model].long_context and rng.random() < 0.15:
            units = self._units(daily * 0.2, profile)
            add(model=model, context_window="200k-1M", activity=activity * 0.6, units=units)
        if MODELS_BY_ID[model].fast_mode and tier == "standard" and rng.random() < kind.fast:
            add(model=model, speed="fast", activity=activity * 0.5, units=self._units(daily * 0.15, profile))

    def workbench_streams(self) -> None:
        rng = self.rng
        for workspace in self.snapshot.workspaces:
            if rng.random() >= 0.35:
                continue
            start = _minute(workspace.created_at + rng.randrange(HOUR, 5 * DAY))
            end = INF if workspace.archived_at is None else _minute(workspace.archived_at)
            profile = self._region()
            model = rng.choice((_S46, _O46))
            units = self._units(200_000 * self._scale(), profile)
            origin = _Source("workbench", workspace.id, None, None, workspace.id)
            add = functools.partial(self._add, origin, tier="standard", profile=profile, week=BUSINESS)
            add(model=model, activity=0.3, units=units, start=start, end=end)

    def member_streams(self) -> None:
        """claude.ai usage of the members who hold a seat: chat for each, Cowork for some. Drawn
        after every other stream, so adding them left the API usage of a seed unchanged."""
        rng, snapshot = self.rng, self.snapshot
        count = min(MAX_SEAT_USERS, round(0.8 * len(snapshot.users)))
        for user in sorted(rng.sample(snapshot.users, count), key=lambda user: user.id):
            start = _minute(user.added_at + rng.randrange(HOUR, 10 * DAY))
            profile = self._region()
            scale = self._scale()
            origin = _Source("chat", user.id, None, user.id, snapshot.default_workspace_id)
            add = functools.partial(
                self._add, origin, tier="standard", profile=profile, week=BUSINESS, start=start, end=INF
            )
            searches = round(rng.uniform(12, 120) * scale) if rng.random() < 0.6 else 0
            model = _O46 if rng.random() < 0.3 else _S46
            add(model=model, activity=0.75, units=self._units(80_000 * scale, profile, searches))
            if rng.random() < 0.3:
                cowork = origin._replace(source="cowork")
                self._add(
                    cowork, model=_O46, tier="standard", profile=profile, week=BUSINESS, activity=0.4,
                    units=self._units(150_000 * scale, profile), start=start, end=INF,
                )  # fmt: skip

    def oauth_streams(self) -> None:
        rng, snapshot = self.rng, self.snapshot
        eligible = [user for user in snapshot.users if user.role in CLAUDE_CODE_ROLES]
        count = min(MAX_OAUTH_USERS, round(0.7 * len(eligible)))
        for user in sorted(rng.sample(eligible, count), key=lambda user: user.id):
            start = _minute(user.added_at + rng.randrange(HOUR, 20 * DAY))
            profile = self._region()
            scale = self._scale()
            main = _O46 if rng.random() < 0.6 else _S46
            origin = _Source("oauth", user.id, None, user.id, snapshot.default_workspace_id)
            add = functools.partial(
                self._add, origin, tier="standard", profile=profile, week=BUSINESS, start=start, end=INF
            )
            add(model=main, activity=0.8, units=self._cached_units(250_000 * scale, profile))
            add(model=_H45, activity=0.8, units=self._units(150_000 * scale, profile))
            if main == _O46 and rng.random() < 0.15:
                add(model=main, speed="fast", activity=0.4, units=self._cached_units(40_000 * scale, profile))


@dataclass(frozen=True, slots=True)
class Catalogue:
    anchor: int
    streams: tuple[Stream, ...]
    key_stops: dict[str, int]
    """Seeded keys that are inactive or archived -> when they stopped being used (and were switched off)."""


def build_catalogue(snapshot: SeedSnapshot) -> Catalogue:
    builder = _Builder(snapshot)
    builder.key_streams()
    builder.workbench_streams()
    builder.oauth_streams()
    builder.member_streams()
    return Catalogue(snapshot.anchor, tuple(builder.streams), builder.key_stops)


# -- runtime cut-offs --------------------------------------------------------------------------

Events = tuple[tuple[str, int, bool], ...]
"""(owner id, time, on?) in log order: what runtime writes did to the sources' lifetimes."""


def runtime_events(activities: Iterable[Activity]) -> Events:
    events: list[tuple[str, int, bool]] = []
    for activity in activities:
        fields, at = activity.fields, activity.created_at
        if activity.type == "api_key_updated" and "status" in fields:
            events.append((str(fields["api_key_id"]), at, fields["status"] == "active"))
        elif activity.type == "workspace_archived":
            events.append((str(fields["workspace_id"]), at, False))
            deactivated = fields.get("deactivated_api_key_ids")
            if isinstance(deactivated, list):
                events.extend((str(key_id), at, False) for key_id in deactivated)
        elif activity.type == "user_removed":
            events.append((str(fields["user_id"]), at, False))
    return tuple(events)


def _on_periods(events: Iterable[tuple[int, bool]]) -> list[tuple[int, int]]:
    periods: list[tuple[int, int]] = []
    since: int | None = -INF
    for at, on in events:
        if on and since is None:
            since = _minute(at)
        elif not on and since is not None:
            periods.append((since, _minute(at)))
            since = None
    if since is not None:
        periods.append((since, INF))
    return periods


def _intersect(start: int, end: int, periods: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple((max(start, a), min(end, b)) for a, b in periods if max(start, a) < min(end, b))


# -- the model ---------------------------------------------------------------------------------

Totals = list[int]
"""The 7 `VALUES` of one group in one bucket."""


class UsageModel:
    """The catalogue plus the runtime cut-offs: answers 'how much, in these buckets, by group'."""

    DAY_CACHE_SIZE: Final = 120

    def __init__(self, catalogue: Catalogue, events: Events) -> None:
        self.catalogue = catalogue
        self.streams = catalogue.streams
        self.anchor_day = catalogue.anchor // DAY
        by_owner: dict[str, list[tuple[int, bool]]] = {}
        for owner, at, on in events:
            by_owner.setdefault(owner, []).append((at, on))
        # Effective intervals; a stream with one interval goes through the fast per-day vector,
        # others (cut and resumed at run time) through the per-stream path on every day they span.
        self.intervals: list[tuple[tuple[int, int], ...]] = []
        self.complex: list[int] = []
        partial: dict[int, list[int]] = {}
        for index, stream in enumerate(self.streams):
            owner_events = by_owner.get(stream.owner, [])
            if stream.source == "workbench":
                owner_events = owner_events[:1]  # a workspace archived is archived for good
            periods = _on_periods(owner_events) if owner_events else [(-INF, INF)]
            spans = _intersect(stream.start, stream.end, periods)
            self.intervals.append(spans)
            if len(spans) == 1:
                (start, end) = spans[0]
                for moment in (start, end):
                    if moment % DAY and moment < INF:
                        partial.setdefault(moment // DAY, []).append(index)
            elif spans:
                self.complex.append(index)
        self.partial_days = {day: sorted(set(indexes)) for day, indexes in partial.items()}
        self._first_start = min((spans[0][0] for spans in self.intervals if spans), default=INF)
        self._starts = [spans[0][0] if len(spans) == 1 else INF for spans in self.intervals]
        self._ends = [spans[0][1] if len(spans) == 1 else -INF for spans in self.intervals]
        self._columns = [[stream.units[value] for stream in self.streams] for value in range(len(VALUES))]
        self._sparse: list[list[int] | None] = []
        for column in self._columns:
            nonzero = [index for index, unit in enumerate(column) if unit]
            self._sparse.append(nonzero if len(nonzero) * 3 < len(column) else None)
        self._keys = [stream.key for stream in self.streams]
        self._activity = [stream.activity for stream in self.streams]
        self._shape = [stream.week * 3 + stream.growth for stream in self.streams]
        self._days: OrderedDict[int, tuple[list[int], ...]] = OrderedDict()

    # -- per stream, per day ------------------------------------------------------------------

    def multiplier(self, stream: Stream, day: int) -> int:
        """The day's size of a stream, out of 1,024 (0 on days it is not used at all)."""
        x = ((stream.key ^ ((day * _GOLDEN) & _M64)) * _MIX1) & _M64
        x ^= x >> 29
        x = (x * _MIX2) & _M64
        x ^= x >> 32
        if (x & 0xFFFF) >= stream.activity:
            return 0
        noise = 512 + ((x >> 16) & 1023)
        trend = max(256, 1024 + stream.growth * (day - self.anchor_day) // 4)
        return ((noise * WEEK_FACTORS[stream.week][weekday(day)]) >> 10) * trend >> 10

    def stream_units(self, index: int, day: int) -> list[int]:
        """The stream's `d` for the day, ignoring its active interval."""
        stream = self.streams[index]
        multiplier = self.multiplier(stream, day)
        return [(unit * multiplier) >> 10 for unit in stream.units]

    def day_vector(self, day: int) -> tuple[list[int], ...]:
        """`d` of every stream used all day long (0 for the others), one list per value."""
        cached = self._days.get(day)
        if cached is not None:
            self._days.move_to_end(day)
            return cached
        multipliers = self._day_multipliers(day)
        vector: list[list[int]] = []
        for column, sparse in zip(self._columns, self._sparse, strict=True):
            if sparse is None:
                vector.append(
                    [(unit * m) >> 10 if m else 0 for unit, m in zip(column, multipliers, strict=True)]
                )
            else:  # mostly zeros (web search, code execution, 1h cache writes): touch only the others
                values = [0] * len(column)
                for index in sparse:
                    values[index] = (column[index] * multipliers[index]) >> 10
                vector.append(values)
        result = tuple(vector)
        self._days[day] = result
        if len(self._days) > self.DAY_CACHE_SIZE:
            self._days.popitem(last=False)
        return result

    def _day_multipliers(self, day: int) -> list[int]:
        """`multiplier` for every stream active all day (0 for the others), inlined: this loop is
        most of the cost of an uncached day."""
        day_start, day_end = day * DAY, (day + 1) * DAY
        day_key = (day * _GOLDEN) & _M64
        dow = weekday(day)
        factors = [
            (WEEK_FACTORS[week][dow], max(256, 1024 + growth * (day - self.anchor_day) // 4))
            for week in range(len(WEEK_FACTORS))
            for growth in range(3)
        ]
        out: list[int] = []
        append = out.append
        for key, activity, shape, start, end in zip(
            self._keys, self._activity, self._shape, self._starts, self._ends, strict=True
        ):
            if start > day_start or end < day_end:
                append(0)
                continue
            x = ((key ^ day_key) * _MIX1) & _M64
            x ^= x >> 29
            x = (x * _MIX2) & _M64
            x ^= x >> 32
            if (x & 0xFFFF) >= activity:
                append(0)
                continue
            week_factor, trend = factors[shape]
            append((((512 + ((x >> 16) & 1023)) * week_factor) >> 10) * trend >> 10)
        return out

    def coverage(self, index: int, day: int) -> list[tuple[int, int]]:
        """The minutes [a, b) of the day in which the stream is active."""
        day_start = day * DAY
        out = []
        for start, end in self.intervals[index]:
            a = max(start, day_start) - day_start
            b = min(end, day_start + DAY) - day_start
            if a < b:
                out.append((a // MINUTE, b // MINUTE))
        return out

    def stream_day_totals(self, index: int, day: int) -> Totals:
        """The stream's usage over the whole day (respecting its intervals)."""
        d, cum = self.stream_units(index, day), PROFILES[self.streams[index].profile]
        totals = [0] * len(VALUES)
        for a, b in self.coverage(index, day):
            _add_span(totals, cum, d, a, b)
        return totals

    # -- reports ------------------------------------------------------------------------------

    def aggregate(
        self,
        selected: Sequence[int],
        group_of: Callable[[Stream], Hashable],
        buckets: Sequence[tuple[int, int]],
        cutoff: int,
    ) -> list[dict[Hashable, Totals]]:
        """Per bucket, the 7 totals of each group with any usage, over the streams `selected`.

        Buckets must be minute-aligned and lie within one UTC day each; nothing at or after
        `cutoff` counts."""
        keys = {index: group_of(self.streams[index]) for index in selected}
        segments = _segments(self.streams, selected, keys)
        selected_set = set(selected)
        by_day: dict[int, list[int]] = {}
        for position, (start, _) in enumerate(buckets):
            by_day.setdefault(start // DAY, []).append(position)
        results: list[dict[Hashable, Totals]] = [{} for _ in buckets]
        for day, positions in by_day.items():
            day_start = day * DAY
            spans = []
            for position in positions:
                start, end = buckets[position]
                low = (start - day_start) // MINUTE
                high = min((min(end, cutoff) - day_start) // MINUTE, MINUTES_PER_DAY)
                if high > low:
                    spans.append((position, low, high))
            if not spans or (day + 1) * DAY <= self._first_start:
                continue
            self._add_full_day(day, segments, spans, results)
            for index in (*self.partial_days.get(day, ()), *self.complex):
                if index in selected_set:
                    self._add_partial(index, day, keys[index], spans, results)
        return results

    def _add_full_day(
        self,
        day: int,
        segments: list[_Segment],
        spans: list[tuple[int, int, int]],
        results: list[dict[Hashable, Totals]],
    ) -> None:
        vector = self.day_vector(day)
        sums = []
        for segment in segments:
            getter = segment.getter
            if segment.single:
                row = [getter(column) for column in vector]
            else:
                row = [sum(getter(column)) for column in vector]
            if any(row):
                sums.append((segment, row))
        for position, low, high in spans:
            out = results[position]
            ws_weight = WEB_SEARCH_PROFILE[high] - WEB_SEARCH_PROFILE[low]
            ce_weight = CODE_EXEC_PROFILE[high] - CODE_EXEC_PROFILE[low]
            for segment, row in sums:
                cum = PROFILES[segment.profile]
                weight = cum[high] - cum[low]
                totals = out.get(segment.group)
                if totals is None:
                    totals = out[segment.group] = [0] * len(VALUES)
                totals[0] += weight * row[0]
                totals[1] += weight * row[1]
                totals[2] += weight * row[2]
                totals[3] += weight * row[3]
                totals[4] += weight * row[4]
                totals[5] += ws_weight * row[5]
                totals[6] += ce_weight * row[6]

    def _add_partial(
        self,
        index: int,
        day: int,
        group: Hashable,
        spans: list[tuple[int, int, int]],
        results: list[dict[Hashable, Totals]],
    ) -> None:
        d = self.stream_units(index, day)
        if not any(d):
            return
        cum = PROFILES[self.streams[index].profile]
        covered = self.coverage(index, day)
        for position, low, high in spans:
            for a, b in covered:
                lo, hi = max(low, a), min(high, b)
                if hi > lo:
                    _add_span(results[position].setdefault(group, [0] * len(VALUES)), cum, d, lo, hi)


def _add_span(totals: Totals, cum: Sequence[int], d: Sequence[int], low: int, high: int) -> None:
    """Adds a stream's usage over the minutes [low, high) of a day (`d`: its day's units)."""
    token = cum[high] - cum[low]
    web, code = (
        WEB_SEARCH_PROFILE[high] - WEB_SEARCH_PROFILE[low],
        CODE_EXEC_PROFILE[high] - CODE_EXEC_PROFILE[low],
    )
    for value, weight in enumerate((token, token, token, token, token, web, code)):
        totals[value] += weight * d[value]


@dataclass(slots=True)
class _Segment:
    group: Hashable
    profile: int
    getter: Callable[[Sequence[int]], Any]
    single: bool


def _segments(
    streams: Sequence[Stream], selected: Sequence[int], keys: dict[int, Hashable]
) -> list[_Segment]:
    """The selected streams split by (group, profile): each segment's `d` is summed in one C call."""
    members: dict[tuple[Hashable, int], list[int]] = {}
    for index in selected:
        members.setdefault((keys[index], streams[index].profile), []).append(index)
    return [
        _Segment(group, profile, itemgetter(*indexes), len(indexes) == 1)
        for (group, profile), indexes in members.items()
    ]


def data_cutoff(now: int) -> int:
    """The end (exclusive, minute-aligned) of the usage that can be served at `now`."""
    return _minute(now - FRESHNESS_SECONDS)
