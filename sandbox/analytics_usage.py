"""Usage and cost by the analytics dimensions (actor, product, key, workspace, model…), from the
one usage model, for `/v1/organizations/analytics/usage`, `/cost` and the legacy `*_report`s.

Every stream of the usage model is attributed once:

* its **product**: an API key's usage is `messages_api` (`message_batches_api` on the Batch tier,
  `claude_code` for keys named `claude-code-…`), a Workbench's `claude_console`, a Console login's
  `claude_code`, a member's claude.ai usage `chat` or `cowork`;
* its **actor**: the member for a Console login, chat and Cowork, and for a personal key (usage on
  it is its user's); the key itself (`api_actor`) for any other key; none for the Workbench.

So the new endpoints see everything the Admin API's usage and cost reports see, plus the members'
claude.ai usage; restricted to the API products they equal those reports exactly (tokens, and cost
to the last fraction of a cent: the same streams priced by the same table). The legacy Claude
Enterprise reports see the members' usage only (chat, Cowork and Claude Code: `MEMBER_SOURCES`).
Cost covers the `standard` and `batch` tiers, as the Admin API's cost report does; Priority Tier
usage is under a commitment and not priced. `requests` is not counted (null), which the models
allow. Dimensions the organization has nothing for (Managed Agents, Claude Tag, RBAC groups, child
organizations) are null, and a filter on them matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .model_catalog import ALIASES, TOKEN_TYPES, PriceClass
from .models import SeedSnapshot
from .pricing import CODE_EXEC_UNITS, WEB_SEARCH_UNITS, unit_prices
from .usage_model import CODE_EXEC, N_TOKEN_VALUES, WEB_SEARCH, Stream, UsageModel

MEMBER_SOURCES: Final = frozenset({"chat", "cowork", "oauth"})
COSTED_TIERS: Final = frozenset({"standard", "batch"})
MODELED: Final = frozenset(
    {
        "actor",
        "actor_type",
        "api_key_id",
        "workspace_id",
        "model",
        "product",
        "service_tier",
        "context_window",
        "inference_geo",
        "speed",
    }
)
"""The dimensions the sandbox's usage has values for; the others are always null."""


@dataclass(frozen=True, slots=True)
class Attribution:
    product: str
    actor: str | None
    """A tagged id: `user_…` or `apikey_…`; None for usage no identity made (the Workbench)."""
    actor_type: str | None


def attribute(model: UsageModel, snapshot: SeedSnapshot) -> list[Attribution]:
    """Each stream's product and actor, in stream order."""
    keys = {key.id: key for key in snapshot.keys}
    out: list[Attribution] = []
    for stream in model.streams:
        if stream.source == "api_key":
            key = keys.get(stream.api_key_id or "")
            named = key is not None and key.name.startswith("claude-code")
            product = "message_batches_api" if stream.service_tier == "batch" else "messages_api"
            principal = key.principal_user_id if key is not None else None
            if principal is not None:
                out.append(Attribution("claude_code" if named else product, principal, "user_actor"))
            else:
                out.append(Attribution("claude_code" if named else product, stream.api_key_id, "api_actor"))
        elif stream.source == "workbench":
            out.append(Attribution("claude_console", None, None))
        elif stream.source == "oauth":
            out.append(Attribution("claude_code", stream.owner, "user_actor"))
        else:
            out.append(Attribution(stream.source, stream.owner, "user_actor"))
    return out


def value_of(stream: Stream, attribution: Attribution, dimension: str) -> str | None:
    """A stream's value for one grouping dimension, as the reports print it."""
    if dimension == "actor":
        return attribution.actor
    if dimension == "actor_type":
        return attribution.actor_type
    if dimension == "product":
        return attribution.product
    if dimension == "workspace_id":
        return None if stream.source in ("chat", "cowork") else stream.workspace_id
    if dimension == "inference_geo":
        return None if stream.inference_geo == "not_available" else stream.inference_geo
    if dimension in ("api_key_id", "model", "service_tier", "context_window", "speed"):
        value = getattr(stream, dimension)
        return None if value is None else str(value)
    return None


Keep = Callable[[Stream, Attribution], bool]


@dataclass
class Selection:
    """Which streams a request covers, built from its filters."""

    checks: list[Keep]

    def add(self, check: Keep) -> None:
        self.checks.append(check)

    def matching(self, model: UsageModel, attributions: Sequence[Attribution]) -> list[int]:
        return [
            index
            for index, (stream, attribution) in enumerate(zip(model.streams, attributions, strict=True))
            if all(check(stream, attribution) for check in self.checks)
        ]


def by_models(names: Sequence[str]) -> Keep:
    wanted = {ALIASES.get(name, name) for name in names}
    return lambda stream, _: stream.model in wanted


def by_dimension(dimension: str, values: Sequence[str], *, unset: str | None = None) -> Keep:
    """Keep streams whose `dimension` is one of `values`; `unset` names the value that matches a
    null (`not_available` for inference geos)."""
    wanted = set(values)

    def keep(stream: Stream, attribution: Attribution) -> bool:
        value = value_of(stream, attribution, dimension)
        return (value is None and unset in wanted) or (value is not None and value in wanted)

    return keep


def nothing(_stream: Stream, _attribution: Attribution) -> bool:
    return False


# -- aggregation -----------------------------------------------------------------------------------

Group = tuple[str | None, ...]


def usage_by_group(
    model: UsageModel,
    attributions: Sequence[Attribution],
    selected: Sequence[int],
    dimensions: Sequence[str],
    buckets: Sequence[tuple[int, int]],
    cutoff: int,
) -> list[dict[Group, list[int]]]:
    """Per bucket, each group's 7 usage values (`usage_model.VALUES`), groups with none left out."""
    keys = _keys(model, attributions, selected, dimensions)
    totals = model.aggregate(selected, lambda stream: keys[id(stream)], _by_day(buckets), cutoff)
    out: list[dict[Group, list[int]]] = []
    for bucket in _merge(buckets, totals):
        out.append({_group(group): values for group, values in bucket.items() if any(values)})
    return out


CostLine = tuple[str, str | None]
"""(cost_type, token_type): `("tokens", "output_tokens")`, `("web_search", None)`…"""


def cost_by_group(
    model: UsageModel,
    attributions: Sequence[Attribution],
    selected: Sequence[int],
    dimensions: Sequence[str],
    buckets: Sequence[tuple[int, int]],
    cutoff: int,
) -> list[dict[Group, dict[CostLine, int]]]:
    """Per bucket, each group's cost lines in 1e-10 cents (only the costed tiers are priced)."""
    priced = [index for index in selected if model.streams[index].service_tier in COSTED_TIERS]
    keys = _keys(model, attributions, priced, dimensions)

    def group_of(stream: Stream) -> Hashable:
        return (keys[id(stream)], stream.price_class)

    totals = model.aggregate(priced, group_of, _by_day(buckets), cutoff)
    out: list[dict[Group, dict[CostLine, int]]] = []
    for bucket in _merge(buckets, totals):
        lines: dict[Group, dict[CostLine, int]] = {}
        for key, values in bucket.items():
            assert isinstance(key, tuple)
            group, price_class = key
            into = lines.setdefault(_group(group), {})
            prices = unit_prices(_price_class(price_class))
            for token in range(N_TOKEN_VALUES):
                if values[token]:
                    line: CostLine = ("tokens", TOKEN_TYPES[token])
                    into[line] = into.get(line, 0) + values[token] * prices[token]
            for value, kind, price in (
                (WEB_SEARCH, "web_search", WEB_SEARCH_UNITS),
                (CODE_EXEC, "code_execution", CODE_EXEC_UNITS),
            ):
                if values[value]:
                    line = (kind, None)
                    into[line] = into.get(line, 0) + values[value] * price
        out.append({group: found for group, found in lines.items() if any(found.values())})
    return out


def _price_class(value: object) -> PriceClass:
    assert isinstance(value, tuple)
    model, tier, window, geo, speed = (str(part) for part in value)
    return (model, tier, window, geo, speed)


def _group(value: object) -> Group:
    assert isinstance(value, tuple)
    return tuple(None if part is None else str(part) for part in value)


def _keys(
    model: UsageModel, attributions: Sequence[Attribution], selected: Sequence[int], dimensions: Sequence[str]
) -> dict[int, Group]:
    streams = model.streams
    return {
        id(streams[index]): tuple(value_of(streams[index], attributions[index], name) for name in dimensions)
        for index in selected
    }


def _by_day(buckets: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The buckets cut at UTC midnights (the model aggregates within one day at a time)."""
    pieces: list[tuple[int, int]] = []
    for start, end in buckets:
        moment = start
        while moment < end:
            stop = min(end, moment - moment % 86_400 + 86_400)
            pieces.append((moment, stop))
            moment = stop
    return pieces


def _merge(
    buckets: Sequence[tuple[int, int]], pieces: Sequence[Mapping[Hashable, list[int]]]
) -> list[dict[Hashable, list[int]]]:
    """The per-day pieces of `_by_day` summed back into their buckets."""
    out: list[dict[Hashable, list[int]]] = []
    position = 0
    for start, end in buckets:
        merged: dict[Hashable, list[int]] = {}
        moment = start
        while moment < end:
            for group, values in pieces[position].items():
                known = merged.get(group)
                if known is None:
                    merged[group] = list(values)
                else:
                    for index, value in enumerate(values):
                        known[index] += value
            moment = min(end, moment - moment % 86_400 + 86_400)
            position += 1
        out.append(merged)
    return out
