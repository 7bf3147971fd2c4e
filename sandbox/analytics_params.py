"""Query parameters of the analytics endpoints (`/v1/organizations/analytics/...`).

Two families, as the SDK documents them (each refusal is a 400 `invalid_request_error` naming the
parameter):

* The usage and cost reports (`usage`, `cost` and the four legacy `*_report`) take RFC 3339
  `starting_at` (required; no earlier than 2026-01-01T00:00:00Z, within the last 365 days, not in
  the future) and `ending_at` (exclusive; after `starting_at`; default: the earlier of now and
  `starting_at` + 31 days). A request spans at most 31 days, and at most 24 hours with one-minute
  buckets; where a bucket width is optional, `ending_at` is required with one.
* The activity endpoints take UTC dates: `date` (one day) or `starting_date` with an optional
  exclusive `ending_date` (a rollup of the range, at most 366 days), never both; no earlier than
  2026-01-01. A day has data once it is over and an hour has passed (the docs: "typically a 1-day
  lag"), so the latest available day is yesterday from 01:00 UTC on; a later `date` is refused
  with the latest available day named, and `ending_date` may be at most the day after it (today).
  `filter[]` entries are `dimension:value` (at most 100): OR within a dimension, AND across them.

Page tokens are offsets into one answer, bound to the query that produced it (`scope`): a token
replayed with other filters is refused, and since a served day never changes, walking the pages
returns every row exactly once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from .errors import invalid_request
from .models import format_ts
from .params import Query
from .report_params import offset_of, offset_token, parse_date, parse_timestamp

DAY: Final = 86_400
EARLIEST: Final = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
MAX_AGE_SECONDS: Final = 365 * DAY
MAX_SPAN_SECONDS: Final = 31 * DAY
MAX_MINUTE_SPAN_SECONDS: Final = DAY
MAX_DAYS: Final = 366
DATA_DELAY_SECONDS: Final = 3600
WIDTHS: Final = {"1d": 86_400, "1h": 3_600, "1m": 60}
MAX_FILTERS: Final = 100
_RBAC_GROUP: Final = re.compile(
    r"^(rbac_group_[A-Za-z0-9]{1,64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"
)
_TAGGED: Final = re.compile(r"^([a-z]+(?:_[a-z]+)*_)[A-Za-z0-9]{1,64}$")


def tagged(value: str, prefix: str) -> bool:
    """Whether `value` is a tagged id of this kind (`user_…`, `claude_proj_…`)."""
    return value.startswith(prefix) and _TAGGED.match(value) is not None and len(value) > len(prefix)


def rbac_group(value: str) -> bool:
    """A tagged RBAC group id or a bare group UUID, as the API accepts both."""
    return _RBAC_GROUP.match(value) is not None


# -- the report endpoints --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRange:
    start: int
    end: int
    """Exclusive."""
    width: int | None
    """Bucket width in seconds, or None: one row for the whole range."""


def report_range(query: Query, now: int, *, width_param: str, default_width: str | None) -> ReportRange:
    """`starting_at`, `ending_at` and the bucket width, checked."""
    raw_start = query.string("starting_at")
    if raw_start is None:
        raise invalid_request("starting_at: Field required")
    start = parse_timestamp("starting_at", raw_start)
    width_name = query.enum(width_param, tuple(WIDTHS)) or default_width
    raw_end = query.string("ending_at")
    end = None if raw_end is None else parse_timestamp("ending_at", raw_end)
    if start < EARLIEST:
        raise invalid_request("starting_at: must be no earlier than 2026-01-01T00:00:00Z")
    if start > now:
        raise invalid_request(f"starting_at: {format_ts(start)} is in the future")
    if start < now - MAX_AGE_SECONDS:
        raise invalid_request("starting_at: must be within the last 365 days")
    if end is None and width_name is not None and default_width is None:
        raise invalid_request(f"ending_at: required when {width_param} is set")
    if end is None:
        end = min(now, start + MAX_SPAN_SECONDS)
    if end <= start:
        raise invalid_request("ending_at: must be after starting_at")
    if end - start > MAX_SPAN_SECONDS:
        raise invalid_request("ending_at: the range may span at most 31 days")
    if width_name == "1m" and end - start > MAX_MINUTE_SPAN_SECONDS:
        raise invalid_request(f"ending_at: with {width_param} '1m' the range may span at most 24 hours")
    return ReportRange(start, end, None if width_name is None else WIDTHS[width_name])


def buckets_of(span: ReportRange, now: int) -> list[tuple[int, int]]:
    """The buckets a range covers: snapped to the width in UTC, the first one holding `start`, the
    last one starting before `end` (and before now); never cut short. Without a width, the range
    itself with both ends rounded down to the hour (empty if they meet)."""
    if span.width is None:
        start, end = span.start - span.start % 3600, span.end - span.end % 3600
        return [(start, end)] if end > start else []
    width = span.width
    first = span.start - span.start % width
    stop = min(span.end, now)
    return [(moment, moment + width) for moment in range(first, stop, width)]


# -- the activity endpoints ------------------------------------------------------------------------


def day_number(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) // DAY


def day_text(number: int) -> str:
    return date.fromordinal(date(1970, 1, 1).toordinal() + number).isoformat()


def latest_day(now: int) -> int:
    """The most recent day with data (day numbers count days since 1970-01-01)."""
    return (now - DATA_DELAY_SECONDS) // DAY - 1


@dataclass(frozen=True, slots=True)
class Days:
    first: int
    end: int
    """Exclusive."""
    single: bool
    """`date` was given (one-day mode), not a range."""


def _day(query: Query, name: str) -> int | None:
    raw = query.string(name)
    if raw is None:
        return None
    number = day_number(parse_date(name, raw))
    if number < EARLIEST // DAY:
        raise invalid_request(f"{name}: must be no earlier than 2026-01-01")
    return number


def activity_days(query: Query, now: int, *, ranged: bool = True, required: str | None = None) -> Days:
    """`date`, or `starting_date` and `ending_date` (when `ranged`); `required` names the one that
    must be given (`date` where the endpoint has no range, `starting_date` for the summaries)."""
    single = _day(query, "date") if required != "starting_date" else None
    start = _day(query, "starting_date") if ranged else None
    end = _day(query, "ending_date") if ranged else None
    latest = latest_day(now)
    too_recent = (
        f"data is typically available with a 1-day lag; the latest available day is {day_text(latest)}"
    )
    if single is not None and start is not None:
        raise invalid_request("date, starting_date: use either date or starting_date, not both")
    if end is not None and start is None:
        raise invalid_request("ending_date: only valid with starting_date")
    if single is None and start is None:
        raise invalid_request(f"{required or 'date'}: Field required (or starting_date for a range)")
    if single is not None:
        if single > latest:
            raise invalid_request(f"date: {day_text(single)} has no data yet: {too_recent}")
        return Days(single, single + 1, True)
    assert start is not None
    if start > latest:
        raise invalid_request(f"starting_date: {day_text(start)} has no data yet: {too_recent}")
    if end is None:
        end = latest + 1
    if end > latest + 1:
        raise invalid_request(f"ending_date: may be at most {day_text(latest + 1)} (exclusive): {too_recent}")
    if end <= start:
        raise invalid_request("ending_date: must be after starting_date")
    if end - start > MAX_DAYS:
        raise invalid_request(f"ending_date: the range may span at most {MAX_DAYS} days")
    return Days(start, end, False)


def filters(query: Query, allowed: Mapping[str, Collection[str] | None]) -> dict[str, set[str]]:
    """`filter[]` as {dimension: values}; `allowed` maps each supported dimension to its values
    (None: checked by `check_filter_value`)."""
    entries = query.array("filter")
    if len(entries) > MAX_FILTERS:
        raise invalid_request(f"filter[]: at most {MAX_FILTERS} entries")
    out: dict[str, set[str]] = {}
    for entry in entries:
        dimension, colon, value = entry.partition(":")
        if not colon or not value:
            raise invalid_request(f"filter[]: {entry[:60]!r} is not of the form dimension:value")
        if dimension not in allowed:
            supported = ", ".join(sorted(allowed))
            raise invalid_request(
                f"filter[]: unsupported dimension {dimension[:40]!r}; supported on this endpoint: {supported}"
            )
        values = allowed[dimension]
        if values is not None and value not in values:
            options = ", ".join(sorted(values))
            raise invalid_request(f"filter[]: {dimension} {value[:60]!r} is not one of {options}")
        check_filter_value(dimension, value)
        out.setdefault(dimension, set()).add(value)
    return out


def check_filter_value(dimension: str, value: str) -> None:
    if dimension == "user_id" and not tagged(value, "user_"):
        raise invalid_request(f"filter[]: user_id {value[:60]!r} is not a tagged user id (user_...)")
    if dimension == "project_id" and not tagged(value, "claude_proj_"):
        raise invalid_request(
            f"filter[]: project_id {value[:60]!r} is not a tagged project id (claude_proj_...)"
        )
    if dimension == "rbac_group_id" and not rbac_group(value):
        raise invalid_request(
            f"filter[]: rbac_group_id {value[:60]!r} is not an RBAC group id (rbac_group_... or a UUID)"
        )
    if len(value) > 200:
        raise invalid_request(f"filter[]: the {dimension} value is too long")


def group_by(query: Query, allowed: Collection[str]) -> list[str]:
    chosen = query.enum_array("group_by", allowed)
    if len(chosen) > MAX_FILTERS:
        raise invalid_request(f"group_by[]: at most {MAX_FILTERS} entries")
    return [name for name in allowed if name in chosen]


def order(query: Query, *, sort_column: str, metrics: Collection[str]) -> tuple[str, bool]:
    """(`order_by`, descending?): the endpoint's sort column (ascending by default) or one of its
    rankable metrics (descending by default, a top-N ranking)."""
    order_by = query.string("order_by") or sort_column
    if order_by != sort_column and order_by not in metrics:
        shown = ", ".join(sorted(metrics)[:12])
        raise invalid_request(
            f"order_by: {order_by[:80]!r} is not orderable here; "
            f"use {sort_column!r} or a metric such as {shown}"
        )
    direction = query.enum("order", ("asc", "desc"))
    descending = direction == "desc" if direction is not None else order_by != sort_column
    return order_by, descending


def scope_of(query: Query, *ignored: str) -> str:
    """What a page token is bound to: the query without its paging."""
    skip = {"page", "limit", *ignored}
    items = sorted((key, value) for key, value in query.items() if key not in skip)
    return hashlib.sha256(repr(items).encode()).hexdigest()[:16]


def page_of(query: Query, rows: int, scope: str, *, default: int = 100) -> tuple[int, int, str | None]:
    """(offset, end, next_page) of this request over `rows` rows."""
    limit = query.limit(default=default, maximum=1000)
    offset = offset_of(query, scope, rows)
    end = min(rows, offset + limit)
    return offset, end, offset_token(scope, end) if end < rows else None
