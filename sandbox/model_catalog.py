"""The Claude models the sandbox knows: ids, aliases, display names, rate-limit families and prices.

Prices are list prices in USD per million tokens (`PRICES`), with the documented modifiers:
Batch API usage costs half; the 1M-token context window ("200k-1M") of Sonnet 4.x costs more
(`LONG_CONTEXT_PRICES`); US-only inference (`inference_geo: "us"`) on models that support it
costs 1.1x; fast mode (Opus 4.6, research preview) costs 6x. Server tools: web search $10 per
1,000 searches; code execution $0.05 per container-hour (the sandbox does not model the daily
free hours). Priority Tier is billed under a commitment and is not priced here (the cost report
does not show it, as the docs say).

`cents_per_token` gives the exact price of one token as a `Decimal` number of cents; the cost
report is exactly the sum of tokens times these prices.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

# Token types in the order the usage model keeps them (and the cost report's `token_type` names).
TOKEN_TYPES: Final = (
    "uncached_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens",
    "cache_read_input_tokens",
    "output_tokens",
)
TOKEN_LABELS: Final = {
    "uncached_input_tokens": "Input Tokens",
    "cache_creation.ephemeral_5m_input_tokens": "Cache Write Tokens (5m)",
    "cache_creation.ephemeral_1h_input_tokens": "Cache Write Tokens (1h)",
    "cache_read_input_tokens": "Cache Read Tokens",
    "output_tokens": "Output Tokens",
}


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    display_name: str
    family: str
    """The rate-limit model group: `opus`, `sonnet`, `haiku`, `haiku3`."""
    aliases: tuple[str, ...] = ()
    inference_geo: bool = False
    """Whether the model honours `inference_geo` (others report `not_available`)."""
    long_context: bool = False
    fast_mode: bool = False


MODELS: Final = (
    ModelInfo("claude-opus-4-6", "Claude Opus 4.6", "opus", (), inference_geo=True, fast_mode=True),
    ModelInfo("claude-opus-4-5-20251101", "Claude Opus 4.5", "opus", ("claude-opus-4-5",)),
    ModelInfo("claude-opus-4-1-20250805", "Claude Opus 4.1", "opus", ("claude-opus-4-1",)),
    ModelInfo("claude-opus-4-20250514", "Claude Opus 4", "opus", ("claude-opus-4-0",)),
    ModelInfo("claude-sonnet-4-6", "Claude Sonnet 4.6", "sonnet", (), inference_geo=True, long_context=True),
    ModelInfo(
        "claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "sonnet", ("claude-sonnet-4-5",), long_context=True
    ),
    ModelInfo(
        "claude-sonnet-4-20250514", "Claude Sonnet 4", "sonnet", ("claude-sonnet-4-0",), long_context=True
    ),
    ModelInfo("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "haiku", ("claude-haiku-4-5",)),
    ModelInfo("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "haiku3", ("claude-3-5-haiku-latest",)),
    ModelInfo("claude-3-haiku-20240307", "Claude Haiku 3", "haiku3"),
)
MODELS_BY_ID: Final = {model.id: model for model in MODELS}
ALIASES: Final = {name: model.id for model in MODELS for name in (model.id, *model.aliases)}
"""Every accepted name (id or alias) -> the model id."""

# USD per million tokens: uncached input, cache write 5m, cache write 1h, cache read, output
# (the order of TOKEN_TYPES).
_D = Decimal
PRICES: Final[dict[str, tuple[Decimal, Decimal, Decimal, Decimal, Decimal]]] = {
    "claude-opus-4-6": (_D("5"), _D("6.25"), _D("10"), _D("0.50"), _D("25")),
    "claude-opus-4-5-20251101": (_D("5"), _D("6.25"), _D("10"), _D("0.50"), _D("25")),
    "claude-opus-4-1-20250805": (_D("15"), _D("18.75"), _D("30"), _D("1.50"), _D("75")),
    "claude-opus-4-20250514": (_D("15"), _D("18.75"), _D("30"), _D("1.50"), _D("75")),
    "claude-sonnet-4-6": (_D("3"), _D("3.75"), _D("6"), _D("0.30"), _D("15")),
    "claude-sonnet-4-5-20250929": (_D("3"), _D("3.75"), _D("6"), _D("0.30"), _D("15")),
    "claude-sonnet-4-20250514": (_D("3"), _D("3.75"), _D("6"), _D("0.30"), _D("15")),
    "claude-haiku-4-5-20251001": (_D("1"), _D("1.25"), _D("2"), _D("0.10"), _D("5")),
    "claude-3-5-haiku-20241022": (_D("0.80"), _D("1"), _D("1.60"), _D("0.08"), _D("4")),
    "claude-3-haiku-20240307": (_D("0.25"), _D("0.30"), _D("0.50"), _D("0.03"), _D("1.25")),
}
LONG_CONTEXT_PRICES: Final[dict[str, tuple[Decimal, Decimal, Decimal, Decimal, Decimal]]] = {
    # Requests over 200k input tokens on Sonnet 4.x: input and cache x2, output x1.5.
    model: (_D("6"), _D("7.50"), _D("12"), _D("0.60"), _D("22.50"))
    for model in ("claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-sonnet-4-20250514")
}
BATCH_FACTOR: Final = Decimal("0.5")
US_GEO_FACTOR: Final = Decimal("1.1")
FAST_MODE_FACTOR: Final = Decimal("6")
WEB_SEARCH_CENTS: Final = Decimal("1")
"""$10 per 1,000 searches."""
CODE_EXECUTION_CENTS_PER_HOUR: Final = Decimal("5")
"""$0.05 per container-hour."""

_CENTS_PER_USD_PER_MTOK: Final = Decimal("0.0001")
"""One token at $1 per million tokens costs 100 / 1,000,000 cents."""


def cents_per_token(
    model: str, token_type: str, *, service_tier: str, context_window: str, inference_geo: str, speed: str
) -> Decimal:
    """The exact price of one token, in cents (the cost report's unit)."""
    table = LONG_CONTEXT_PRICES if context_window == "200k-1M" and model in LONG_CONTEXT_PRICES else PRICES
    price = table[model][TOKEN_TYPES.index(token_type)] * _CENTS_PER_USD_PER_MTOK
    if service_tier == "batch":
        price *= BATCH_FACTOR
    if inference_geo == "us":
        price *= US_GEO_FACTOR
    if speed == "fast":
        price *= FAST_MODE_FACTOR
    return price


PriceClass = tuple[str, str, str, str, str]
"""(model, service_tier, context_window, inference_geo, speed): what a token's price depends on."""


@functools.cache
def token_prices(price_class: PriceClass) -> tuple[Decimal, ...]:
    """`cents_per_token` of each of `TOKEN_TYPES`."""
    model, tier, window, geo, speed = price_class
    return tuple(
        cents_per_token(model, kind, service_tier=tier, context_window=window, inference_geo=geo, speed=speed)
        for kind in TOKEN_TYPES
    )


def token_description(
    model: str, token_type: str, *, service_tier: str, context_window: str, inference_geo: str, speed: str
) -> str:
    """The cost report's `description` of one priced token line, e.g.
    `Claude Sonnet 4.6 Batch Usage - Input Tokens`."""
    words = [MODELS_BY_ID[model].display_name]
    if service_tier == "batch":
        words.append("Batch")
    if context_window == "200k-1M":
        words.append("Long Context")
    if speed == "fast":
        words.append("Fast Mode")
    words.append("Usage")
    if inference_geo == "us":
        words.append("(US inference)")
    return " ".join(words) + " - " + TOKEN_LABELS[token_type]
