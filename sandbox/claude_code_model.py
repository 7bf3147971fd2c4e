"""Claude Code analytics records, derived from the usage model.

The organization is a Console organization, so its Claude Code users are the members who log in
with their Console account: in the usage model, the `oauth` streams (usage with `account_id` set,
in the default workspace). Each such user with usage on a day gets a `user_actor` record; each API
key named `claude-code-...` with usage gets an `api_actor` record (`api_key_name` = the key's name
at seed time, so pages never change under a reader). The `model_breakdown` tokens are exactly the
usage model's tokens for that actor and day (`input` = uncached input, `cache_creation` = 5m + 1h
writes), and `estimated_cost` prices them with the cost report's table, rounded to the cent.

About a fifth of user-days also have Claude Code on the web: the day's tokens are then split
between a local row and a remote row (`is_remote: true`, `terminal_type: "web"`). Sessions, lines
of code, commits, pull requests and tool decisions are drawn from a hash of (seed, actor, day),
scaled by the day's output. Every record of a Console organization has `customer_type: "api"` and
`subscription_type: null`.

A day's records exist once the whole day is at least one hour old (the docs delay data by up to an
hour for stable pagination); before that the day has no records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from .model_catalog import token_prices
from .models import SeedSnapshot, format_ts
from .usage_model import CACHE_1H, CACHE_5M, CACHE_READ, DAY, OUTPUT, UNCACHED, UsageModel

DELAY_SECONDS: Final = 3600
TERMINALS: Final = (
    "vscode",
    "iTerm.app",
    "tmux",
    "Apple_Terminal",
    "ghostty",
    "cursor",
    "WezTerm",
    "jetbrains",
)


def day_available(now: int, day_start: int) -> bool:
    return day_start + DAY + DELAY_SECONDS <= now


def _hash(*parts: object) -> int:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=64).digest()
    return int.from_bytes(digest, "big")


class _Dice:
    """Deterministic draws, 16 bits each, from one 512-bit hash (enough for two rows of a day)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def draw(self, low: float, high: float) -> float:
        self.value, part = divmod(self.value, 1 << 16)
        return low + (high - low) * part / 65535

    def below(self, chance: float) -> bool:
        return self.draw(0.0, 1.0) < chance


def _breakdown(
    model: UsageModel, streams: list[int], day: int, portion: Callable[[int], int]
) -> tuple[list[dict[str, object]], int]:
    """Per model: tokens (`portion` of each of the day's counts) and their estimated cost; and the
    output tokens."""
    by_model: dict[str, tuple[list[int], Decimal]] = {}
    for index in streams:
        stream = model.streams[index]
        totals = model.stream_day_totals(index, day)
        tokens = [portion(totals[value]) for value in (UNCACHED, CACHE_5M, CACHE_1H, CACHE_READ, OUTPUT)]
        if any(tokens):
            prices = token_prices(stream.price_class)
            cost = sum((count * price for count, price in zip(tokens, prices, strict=True)), Decimal(0))
            known, spent = by_model.get(stream.model, ([0, 0, 0, 0, 0], Decimal(0)))
            by_model[stream.model] = ([a + b for a, b in zip(known, tokens, strict=True)], spent + cost)
    out: list[dict[str, object]] = []
    for name in sorted(by_model):
        (uncached, cache_5m, cache_1h, cache_read, output), cost = by_model[name]
        tokens_out = {"input": uncached, "output": output, "cache_read": cache_read}
        amount = float(cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))
        out.append(
            {
                "model": name,
                "tokens": {**tokens_out, "cache_creation": cache_5m + cache_1h},
                "estimated_cost": {"amount": amount, "currency": "USD"},
            }
        )
    return out, sum(by_model[name][0][4] for name in by_model)


def _metrics(dice: _Dice, output_tokens: int) -> tuple[dict[str, object], dict[str, object]]:
    sessions = max(1, min(40, round(output_tokens / dice.draw(12_000, 35_000))))
    added = round(output_tokens / dice.draw(15, 45))
    removed = round(added * dice.draw(0.1, 0.6))
    commits = round(added / dice.draw(80, 300))
    pull_requests = round(commits / dice.draw(2, 6))

    def decisions(per_session: float, reject: float) -> dict[str, int]:
        accepted = round(sessions * dice.draw(0, per_session))
        return {"accepted": accepted, "rejected": round(accepted * dice.draw(0, reject))}

    core = {
        "num_sessions": sessions,
        "lines_of_code": {"added": added, "removed": removed},
        "commits_by_claude_code": commits,
        "pull_requests_by_claude_code": pull_requests,
    }
    tools: dict[str, object] = {
        "edit_tool": decisions(14, 0.15),
        "multi_edit_tool": decisions(5, 0.12),
        "write_tool": decisions(3, 0.1),
        "notebook_edit_tool": decisions(0.6 if dice.below(0.2) else 0, 0.2),
    }
    return core, tools


def day_records(
    model: UsageModel, snapshot: SeedSnapshot, day: date, day_start: int
) -> list[dict[str, object]]:
    """Every record of the day, in the report's order."""
    emails = {user.id: user.email for user in snapshot.users}
    key_names = {key.id: key.name for key in snapshot.keys}
    users: dict[str, list[int]] = {}
    keys: dict[str, list[int]] = {}
    for index, stream in enumerate(model.streams):
        if stream.source == "oauth":
            users.setdefault(stream.owner, []).append(index)
        elif stream.api_key_id is not None and key_names.get(stream.api_key_id, "").startswith("claude-code"):
            keys.setdefault(stream.api_key_id, []).append(index)
    day_index = day_start // DAY
    actors: list[tuple[tuple[int, str], dict[str, object], list[int], str]] = []
    for user_id, streams in users.items():
        person: dict[str, object] = {"type": "user_actor", "email_address": emails[user_id]}
        actors.append(((0, emails[user_id]), person, streams, user_id))
    for key_id, streams in keys.items():
        key_actor: dict[str, object] = {"type": "api_actor", "api_key_name": key_names[key_id]}
        actors.append(((1, key_names[key_id] + key_id), key_actor, streams, key_id))
    actors.sort(key=lambda item: item[0])
    records: list[dict[str, object]] = []
    for _, actor, streams, owner in actors:
        dice = _Dice(_hash(snapshot.seed, owner, day.isoformat()))
        terminal = TERMINALS[_hash(snapshot.seed, owner) % len(TERMINALS)]
        percent = round(dice.draw(20, 60)) if actor["type"] == "user_actor" and dice.below(0.2) else 0

        # Remote rows get `percent` of each count (rounded down), local rows the rest, so the
        # rows of a day add up to the usage report's tokens exactly.
        def remote(count: int, percent: int = percent) -> int:
            return count * percent // 100

        def local(count: int, percent: int = percent) -> int:
            return count - count * percent // 100

        for is_remote, portion in ((False, local), (True, remote)):
            if is_remote and not percent:
                continue
            breakdown, output = _breakdown(model, streams, day_index, portion)
            if not breakdown:
                continue
            core, tools = _metrics(dice, output)
            records.append(
                {
                    "date": format_ts(day_start),
                    "actor": actor,
                    "organization_id": snapshot.organization_uuid,
                    "customer_type": "api",
                    "subscription_type": None,
                    "terminal_type": "web" if is_remote else terminal,
                    "is_remote": is_remote,
                    "core_metrics": core,
                    "tool_actions": tools,
                    "model_breakdown": breakdown,
                }
            )
    return records
