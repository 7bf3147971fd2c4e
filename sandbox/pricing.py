"""Exact money for the cost reports: prices as integers of 1e-10 cent, amounts printed as cents.

Every price in the table (`model_catalog`) is a whole number of 1e-10 cents, so a cost is added
up in integers, with no rounding, and printed once."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Final

from .model_catalog import (
    CODE_EXECUTION_CENTS_PER_HOUR,
    TOKEN_TYPES,
    WEB_SEARCH_CENTS,
    PriceClass,
    token_prices,
)

UNITS_PER_CENT: Final = 10**10
WEB_SEARCH_UNITS: Final = int(WEB_SEARCH_CENTS * UNITS_PER_CENT)
CODE_EXEC_UNITS: Final = int(CODE_EXECUTION_CENTS_PER_HOUR / 100 * UNITS_PER_CENT)
"""Per hundredth of a container-hour."""


@cache
def unit_prices(price_class: PriceClass) -> tuple[int, ...]:
    """Price of one token of each type, in 1e-10 cents (exact: the table's prices allow it)."""
    prices = []
    for token_type, cents in zip(TOKEN_TYPES, token_prices(price_class), strict=True):
        units = cents * UNITS_PER_CENT
        if units != units.to_integral_value():
            raise AssertionError(f"price of {price_class} {token_type} is not a multiple of 1e-10 cent")
        prices.append(int(units))
    return tuple(prices)


def format_cents(units: int) -> str:
    """An exact amount of 1e-10 cents as a decimal string of cents with at least two decimals."""
    text = format(Decimal(units).scaleb(-10), "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction.ljust(2, '0')}"
