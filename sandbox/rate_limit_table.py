"""The organization's rate-limit table and its per-workspace overrides (`state.monitoring.rate_limits`).

One entry per rate-limit group: four model groups (Opus 4.x, Sonnet 4.x, Haiku 4.5, Haiku 3.x,
each listing every model id and alias it covers) and the five API surfaces (`batch`,
`token_count`, `files`, `skills`, `web_search`). A group's `id` (`rlg_...`) is the same in every
organization (derived from the group's name); an entry's `id` (`rl_...`, the `rate_limit_id` of
the workspace endpoints) is per organization (derived from the seed).

Overrides are `{(workspace_id, entry_id): {limiter type: value}}`. The seed gives a few workspaces
overrides, one of them on a limiter type the organization has no limit for (`org_limit: null`).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Final

from .ids import encode_base58
from .model_catalog import MODELS
from .models import SeedSnapshot

GROUP_TYPES: Final = ("model_group", "batch", "token_count", "files", "skills", "web_search")
# fmt: off
SETTABLE_TYPES: Final = (
    "fast_itpmca", "fast_otpm", "input_tokens_per_minute", "input_tokens_per_minute_cache_aware",
    "output_tokens_per_minute", "requests_per_minute", "tokens_per_day", "tokens_per_minute",
    "tool_uses_per_second",
)
# fmt: on
MAX_VALUE: Final = 2**53 - 1


@dataclass(frozen=True, slots=True)
class RateLimitGroup:
    key: str
    """Internal name, e.g. `opus`, `batch`."""
    group_type: str
    display_name: str | None
    models: tuple[str, ...] | None
    limits: tuple[tuple[str, int], ...]

    @property
    def group_id(self) -> str:
        digest = hashlib.sha256(f"claude-admin-mcp-rate-limit-group:{self.key}".encode()).digest()
        return "rlg_01" + encode_base58(int.from_bytes(digest[:16], "big"))

    def group_object(self) -> dict[str, object]:
        group: dict[str, object] = {"type": self.group_type, "id": self.group_id}
        if self.group_type == "model_group":
            group["display_name"] = self.display_name
        return group


def _models(family: str) -> tuple[str, ...]:
    return tuple(
        sorted(name for model in MODELS if model.family == family for name in (model.id, *model.aliases))
    )


def _model_group(key: str, name: str, rpm: int, itpm: int, otpm: int) -> RateLimitGroup:
    limits = (
        ("requests_per_minute", rpm),
        ("input_tokens_per_minute", itpm),
        ("output_tokens_per_minute", otpm),
    )
    return RateLimitGroup(key, "model_group", name, _models(key), limits)


def _surface(name: str, *limits: tuple[str, int]) -> RateLimitGroup:
    return RateLimitGroup(name, name, None, None, limits)


GROUPS: Final = (
    _model_group("opus", "Claude Opus 4.x", 4000, 2_000_000, 400_000),
    _model_group("sonnet", "Claude Sonnet 4.x", 4000, 2_000_000, 400_000),
    _model_group("haiku", "Claude Haiku 4.5", 4000, 4_000_000, 800_000),
    _model_group("haiku3", "Claude Haiku 3.x", 4000, 400_000, 80_000),
    _surface("batch", ("requests_per_minute", 4000), ("enqueued_batch_requests", 500_000)),
    _surface("token_count", ("requests_per_minute", 8000)),
    _surface("files", ("requests_per_minute", 1000)),
    _surface("skills", ("requests_per_minute", 500)),
    _surface("web_search", ("tool_uses_per_second", 30)),
)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    group: RateLimitGroup


class RateLimitTable:
    """The entries (fixed once seeded) and the workspace overrides (changed by the API)."""

    def __init__(self) -> None:
        self.entries: tuple[Entry, ...] = ()
        self.overrides: dict[tuple[str, str], dict[str, int]] = {}

    def seed(self, snapshot: SeedSnapshot) -> None:
        rng = random.Random(f"claude-admin-mcp-sandbox-rate-limits:{snapshot.seed}")
        self.entries = tuple(Entry("rl_01" + encode_base58(rng.getrandbits(128)), group) for group in GROUPS)
        candidates = [w.id for w in snapshot.workspaces if not w.is_default and w.archived_at is None]
        picks = rng.sample(candidates, min(3, len(candidates)))
        by_key = {entry.group.key: entry for entry in self.entries}
        plans: list[tuple[str, dict[str, int]]] = [
            ("opus", {"requests_per_minute": 1000, "input_tokens_per_minute": 500_000}),
            ("sonnet", {"requests_per_minute": 2000, "output_tokens_per_minute": 100_000}),
            # A limiter type the organization itself does not limit: shows `org_limit: null`.
            ("haiku", {"tokens_per_day": 50_000_000}),
        ]
        for workspace_id, (group_key, values) in zip(picks, plans, strict=False):
            self.overrides[(workspace_id, by_key[group_key].id)] = dict(values)
        if len(picks) > 2:
            self.overrides[(picks[0], by_key["batch"].id)] = {"requests_per_minute": 500}

    def entry(self, entry_id: str) -> Entry | None:
        return next((entry for entry in self.entries if entry.id == entry_id), None)

    def workspace_overrides(self, workspace_id: str, entry: Entry) -> dict[str, int]:
        return self.overrides.get((workspace_id, entry.id), {})

    def apply(self, workspace_id: str, entry: Entry, changes: list[tuple[str, int | None]]) -> None:
        """Sets (int) or clears (None) overrides; an entry left with none is dropped."""
        current = dict(self.overrides.get((workspace_id, entry.id), {}))
        for limiter, value in changes:
            if value is None:
                current.pop(limiter, None)
            else:
                current[limiter] = value
        if current:
            self.overrides[(workspace_id, entry.id)] = current
        else:
            self.overrides.pop((workspace_id, entry.id), None)

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {f"{ws}/{entry}": dict(values) for (ws, entry), values in sorted(self.overrides.items())}
