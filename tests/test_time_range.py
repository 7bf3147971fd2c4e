"""Relative and absolute ranges against a fixed clock: the exact UTC interval, or a clear refusal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from claude_admin_mcp.server.catalog.time_range import RangeError, parse_range

NOW = datetime(2026, 11, 22, 15, 30, 12, tzinfo=UTC)  # a Sunday


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("today", at(2026, 11, 22), NOW),
        ("yesterday", at(2026, 11, 21), at(2026, 11, 22)),
        ("last 7 days", at(2026, 11, 16), NOW),
        ("Last  7 Days", at(2026, 11, 16), NOW),
        ("past 1 day", at(2026, 11, 22), NOW),
        ("last 24 hours", at(2026, 11, 21, 15, 30, 12), NOW),
        ("last 2 weeks", at(2026, 11, 9), NOW),
        ("this week", at(2026, 11, 16), NOW),
        ("last week", at(2026, 11, 9), at(2026, 11, 16)),
        ("this month", at(2026, 11, 1), NOW),
        ("last month", at(2026, 10, 1), at(2026, 11, 1)),
        ("last 3 months", at(2026, 9, 1), NOW),
        ("this year", at(2026, 1, 1), NOW),
        ("2026-11-01", at(2026, 11, 1), at(2026, 11, 2)),
        ("2026-10", at(2026, 10, 1), at(2026, 11, 1)),
        ("2026-11-01..2026-11-15", at(2026, 11, 1), at(2026, 11, 16)),
        ("2026-11-01 to 2026-11-15", at(2026, 11, 1), at(2026, 11, 16)),
        ("2026-09..2026-10", at(2026, 9, 1), at(2026, 11, 1)),
        ("2026-11-20T06:00:00Z..2026-11-21T18:00:00Z", at(2026, 11, 20, 6), at(2026, 11, 21, 18)),
        ("2026-11-20T06:00:00+02:00..2026-11-20T08:00:00+02:00", at(2026, 11, 20, 4), at(2026, 11, 20, 6)),
        ("2026-11-22T12:00:00Z", at(2026, 11, 22, 12), NOW),
        ("2026-11-01..2030-01-01", at(2026, 11, 1), NOW),
        ("2025-12..2026-01", at(2025, 12, 1), at(2026, 2, 1)),
        ("last 12 months", at(2025, 12, 1), NOW),
    ],
)
def test_ranges_resolve_to_exact_utc_intervals(text: str, start: datetime, end: datetime) -> None:
    span = parse_range(text, NOW)
    assert (span.start, span.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "give a range"),
        ("next week", "accepted forms"),
        ("2026-13-01", "not a calendar date"),
        ("2026-13", "not a month"),
        ("2027-01-01", "starts in the future"),
        ("2026-11-15..2026-11-01", "ends before it starts"),
        ("last 0 days", "at least 1"),
        ("a..b..c", "accepted forms"),
    ],
)
def test_unreadable_ranges_say_what_would_be_accepted(text: str, message: str) -> None:
    with pytest.raises(RangeError, match=message):
        parse_range(text, NOW)
