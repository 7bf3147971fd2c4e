"""Date ranges as agents say them, resolved to an exact UTC interval [start, end).

Accepted forms (case-insensitive, UTC throughout):
- relative: "today", "yesterday", "this week" / "last week" (weeks start on Monday), "this month" /
  "last month", "this year", "last N days" (N calendar days, today included), "last N hours",
  "last N weeks", "last N months" (calendar months, this one included);
- a day "2026-11-01", a month "2026-11", a timestamp "2026-11-01T09:30:00Z";
- a span of any two of those: "2026-11-01..2026-11-15" or "2026-11-01 to 2026-11-15" (days and
  months are inclusive: "..2026-11-15" ends at the end of that day).

A range never ends after `now`; the result always states the interval actually used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

FORMS = (
    '"last 7 days", "yesterday", "this month", "last month", "last 24 hours", "2026-11-01", '
    '"2026-11", "2026-11-01..2026-11-15", "2026-11-01T00:00:00Z..2026-11-02T12:00:00Z"'
)


class RangeError(ValueError):
    """A range that cannot be read; the message lists what would be accepted."""


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second (the APIs' own precision)."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _month_start(year: int, month: int) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=UTC)


_RELATIVE = re.compile(r"^(?:last|past)\s+(\d{1,4})\s+(hour|day|week|month)s?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def _point(text: str, now: datetime) -> tuple[datetime, datetime]:
    """One endpoint expression as the interval it names (a day, a month, or an instant)."""
    if _DAY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise RangeError(f"{text!r} is not a calendar date") from None
        return _midnight(day), _midnight(day) + timedelta(days=1)
    if _MONTH.match(text):
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12:
            raise RangeError(f"{text!r} is not a month")
        return _month_start(year, month), _month_start(year, month + 1)
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise RangeError(f"cannot read {text!r} as a date or time; accepted forms: {FORMS}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC), moment.astimezone(UTC)


def _named(text: str, now: datetime) -> tuple[datetime, datetime] | None:
    today = _midnight(now.date())
    if text in ("today",):
        return today, now
    if text == "yesterday":
        return today - timedelta(days=1), today
    week = today - timedelta(days=today.weekday())
    if text == "this week":
        return week, now
    if text == "last week":
        return week - timedelta(days=7), week
    month = _month_start(now.year, now.month)
    if text == "this month":
        return month, now
    if text == "last month":
        return _month_start(now.year, now.month - 1), month
    if text == "this year":
        return datetime(now.year, 1, 1, tzinfo=UTC), now
    match = _RELATIVE.match(text)
    if match:
        count, unit = int(match.group(1)), match.group(2)
        if count < 1:
            raise RangeError("the count in 'last N …' must be at least 1")
        if unit == "hour":
            return now - timedelta(hours=count), now
        if unit == "day":
            return today - timedelta(days=count - 1), now
        if unit == "week":
            return today - timedelta(days=7 * count - 1), now
        return _month_start(now.year, now.month - (count - 1)), now
    return None


def parse_range(text: str, now: datetime) -> TimeRange:
    """The UTC interval `text` names, clipped to `now`. Raises RangeError with the accepted forms."""
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise RangeError(f"give a range; accepted forms: {FORMS}")
    named = _named(cleaned, now)
    if named is not None:
        start, end = named
    else:
        parts = re.split(r"\s*\.\.\s*|\s+to\s+", cleaned)
        if len(parts) == 1:
            start, end = _point(parts[0], now)
            if start == end:  # a bare instant: from then until now
                end = now
        elif len(parts) == 2 and all(parts):
            start = _point(parts[0], now)[0]
            end = _point(parts[1], now)[1]
        else:
            raise RangeError(f"cannot read {text!r}; accepted forms: {FORMS}")
    end = min(end, now)
    if start >= end:
        if start >= now:
            raise RangeError(f"{text!r} starts in the future ({iso(start)}); the data ends now ({iso(now)})")
        raise RangeError(f"{text!r} ends before it starts ({iso(start)} to {iso(end)})")
    return TimeRange(start, end)


def whole_days(text: str, now: datetime) -> tuple[date, date]:
    """The complete UTC days `text` covers: [first, end), today left out (it is not over). Raises
    RangeError when no complete day is left."""
    span = parse_range(text, now)
    first = span.start.date()
    end = min((span.end - timedelta(microseconds=1)).date() + timedelta(days=1), now.date())
    if first >= end:
        raise RangeError(
            f"{text!r} holds no complete UTC day yet: this data comes per whole UTC day, about a day "
            "later. Ask for yesterday or earlier days"
        )
    return first, end
