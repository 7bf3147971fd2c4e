"""What the monitoring endpoints (usage and cost reports, Claude Code analytics, the analytics
endpoints, rate limits, the compliance activity feed) keep on the state: `state.monitoring`, a
`MonitoringState`.

* `snapshot` — the `SeedSnapshot`: the organization as it was when seeded. The generated usage and
  the seeded activity history derive from it, not from the live collections, so removing a user or
  archiving a workspace later does not rewrite the past: it only stops usage from then on.
* `rate_limits` — the organization's rate-limit table and its workspace overrides (writable).
* `origins` — activity id -> (client IP address, user agent) of the request that made it.
* `uncaptured` — the ids of writes made while the Compliance API was off: the feed never shows them.
* derived data, built lazily and never part of `state.snapshot()`: the usage model (rebuilt when
  a write changed some source's lifetime), Claude Code records per day, the activity history, and
  the members' engagement per day (`engagement.py`: who was active in what, and what they did).
  Each accessor takes the live data it depends on (the activity log, the users), so this module
  needs nothing from `store`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypeVar

from . import activity_feed, claude_code_model, engagement
from .activity_feed import FeedItem
from .engagement import PRODUCT_SOURCES, Catalog, MemberDay
from .models import Activity, SeedSnapshot, User
from .rate_limit_table import RateLimitTable
from .usage_model import DAY, Catalogue, Events, UsageModel, build_catalogue, runtime_events

CLAUDE_CODE_CACHE_DAYS = 64
ENGAGEMENT_CACHE_DAYS = 64
ACTIVE_CACHE_DAYS = 800
"""Who was active in what, per day: enough for a year of summaries with their 30-day windows."""


class MonitoringState:
    def __init__(self) -> None:
        self._snapshot: SeedSnapshot | None = None
        self.rate_limits = RateLimitTable()
        self.origins: dict[str, tuple[str, str]] = {}
        self.uncaptured: set[str] = set()
        self._catalogue: Catalogue | None = None
        self._model: tuple[int, Events, UsageModel] | None = None
        self._claude_code: OrderedDict[date, list[dict[str, object]]] = OrderedDict()
        self._history: list[FeedItem] | None = None
        self._engagement_catalog: Catalog | None = None
        self._engagement: OrderedDict[int, dict[str, MemberDay]] = OrderedDict()
        self._active: OrderedDict[int, dict[str, frozenset[str]]] = OrderedDict()

    def seed(self, snapshot: SeedSnapshot) -> None:
        """Called once by the seeder, last: keeps the snapshot and seeds the rate limits."""
        self._snapshot = snapshot
        self.rate_limits.seed(snapshot)

    @property
    def snapshot(self) -> SeedSnapshot:
        if self._snapshot is None:
            raise RuntimeError("the sandbox state was not seeded")
        return self._snapshot

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = build_catalogue(self.snapshot)
        return self._catalogue

    def usage_model(self, activities: Sequence[Activity]) -> UsageModel:
        """The usage model, rebuilt only when a write changed some source's lifetime."""
        cached = self._model
        if cached is not None and cached[0] == len(activities):
            return cached[2]
        events = runtime_events(activities)
        if cached is not None and cached[1] == events:
            model = cached[2]
        else:
            model = UsageModel(self.catalogue, events)
        self._model = (len(activities), events, model)
        return model

    def claude_code_records(
        self, activities: Sequence[Activity], now: int, day: date, day_start: int
    ) -> list[dict[str, object]]:
        """Every record of the day (empty until the day is an hour old). A served day never
        changes: writes only affect usage from their moment on."""
        if not claude_code_model.day_available(now, day_start):
            return []
        records = self._claude_code.get(day)
        if records is None:
            model = self.usage_model(activities)
            records = claude_code_model.day_records(model, self.snapshot, day, day_start)
            self._claude_code[day] = records
            if len(self._claude_code) > CLAUDE_CODE_CACHE_DAYS:
                self._claude_code.popitem(last=False)
        return list(records)

    @property
    def engagement_catalog(self) -> Catalog:
        """The chat projects and each seat holder's connectors, skills and plugins."""
        if self._engagement_catalog is None:
            holders = sorted({s.owner for s in self.catalogue.streams if s.source in PRODUCT_SOURCES})
            self._engagement_catalog = Catalog(self.snapshot, holders)
        return self._engagement_catalog

    def active(self, activities: Sequence[Activity], day: int) -> dict[str, frozenset[str]]:
        """Members active on a (complete) day -> the products they used: the cheap path of the
        summaries, which agrees with `engagement` by construction (both read the day's tokens)."""
        found = self._active.get(day)
        if found is None:
            tokens = engagement.day_tokens(self.usage_model(activities), day)
            products: dict[str, set[str]] = {}
            for (owner, source), values in tokens.items():
                if any(values[:5]):
                    products.setdefault(owner, set()).add(PRODUCT_SOURCES[source])
            found = {owner: frozenset(used) for owner, used in products.items()}
            _remember(self._active, day, found, ACTIVE_CACHE_DAYS)
        return found

    def engagement(self, activities: Sequence[Activity], now: int, day: int) -> dict[str, MemberDay]:
        """Every active member's activity on a complete day (see `engagement.py`). Callers must not
        change what they get: a served day never changes."""
        found = self._engagement.get(day)
        if found is None:
            model = self.usage_model(activities)
            moment = date.fromordinal(date(1970, 1, 1).toordinal() + day)
            emails = {user.email: user.id for user in self.snapshot.users}
            records: dict[str, list[dict[str, object]]] = {}
            for record in self.claude_code_records(activities, now, moment, day * DAY):
                actor = record["actor"]
                if isinstance(actor, dict) and actor.get("type") == "user_actor":
                    records.setdefault(emails[str(actor["email_address"])], []).append(record)
            tokens = engagement.day_tokens(model, day)
            found = engagement.member_days(self.engagement_catalog, self.snapshot.seed, day, tokens, records)
            _remember(self._engagement, day, found, ENGAGEMENT_CACHE_DAYS)
        return found

    def feed(self, activities: Sequence[Activity], users: Mapping[str, User]) -> list[FeedItem]:
        """Every compliance feed record, oldest first: the seeded history, then the writes."""
        snapshot = self.snapshot
        if self._history is None:
            self._history = activity_feed.history(snapshot, self.catalogue.key_stops)

        def email_of(user_id: str) -> str | None:
            user = users.get(user_id)
            if user is not None:
                return user.email
            return next((seeded.email for seeded in snapshot.users if seeded.id == user_id), None)

        runtime = [
            activity_feed.runtime_item(activity, snapshot, email_of, self.origins)
            for activity in activities
            if activity.id not in self.uncaptured
        ]
        items = [*self._history, *runtime]
        if self._history and runtime and runtime[0].id <= self._history[-1].id:
            items.sort(key=lambda item: item.id)  # a clock pinned before the anchor
        return items


V = TypeVar("V")


def _remember(cache: OrderedDict[int, V], key: int, value: V, size: int) -> None:
    cache[key] = value
    if len(cache) > size:
        cache.popitem(last=False)
