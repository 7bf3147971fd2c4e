"""Query parameters shared by the bucketed reports (usage, cost) and the day-based ones.

Choices where the docs are silent (each refusal is a 400 `invalid_request_error` naming the
parameter):

* `starting_at` / `ending_at` are RFC 3339 date-times with a time and an offset (`Z` or `+hh:mm`);
  a bare date, a missing offset or an impossible time is refused. `starting_at` may not be in the
  future; `ending_at` must be after `starting_at`.
* Buckets are snapped to the width in UTC: the first bucket is the one containing `starting_at`
  (its start is `starting_at` rounded down), and a bucket is returned when it starts before
  `ending_at`; buckets are never cut short. Without `ending_at` (or with one in the future) the
  range ends now: the last bucket is the one in progress, filled up to the data-freshness cutoff.
* The widest range one request may span: 366 days of `1d` buckets, 31 days of `1h` buckets,
  24 hours of `1m` buckets (`MAX_RANGE`); pages within it are `limit` buckets each.
* A page token is `page_` + base64 of the next bucket's start (as in the docs' example); one that
  does not decode to a bucket of the requested range is refused as an invalid page token.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final

from .errors import invalid_request
from .models import format_ts
from .params import Query

WIDTHS: Final = {"1d": 86_400, "1h": 3_600, "1m": 60}
LIMITS: Final = {"1d": (7, 31), "1h": (24, 168), "1m": (60, 1440)}
"""(default, maximum) buckets per page, per width, as documented."""
MAX_RANGE: Final = {"1d": 366 * 86_400, "1h": 31 * 86_400, "1m": 86_400}
MAX_RANGE_TEXT: Final = {"1d": "366 days", "1h": "31 days", "1m": "24 hours"}

_RFC3339: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _shown(value: str) -> str:
    return repr(value if len(value) <= 60 else value[:57] + "...")


def parse_timestamp(name: str, raw: str) -> int:
    """An RFC 3339 date-time as whole epoch seconds (fractions dropped)."""
    match = _RFC3339.match(raw.strip())
    if match is None:
        raise invalid_request(
            f"{name}: {_shown(raw)} is not an RFC 3339 date-time (expected e.g. '2026-08-01T00:00:00Z')"
        )
    offset = match.group(8)
    text = raw.strip()[: match.start(7) if match.group(7) else match.start(8)]
    try:
        moment = datetime.fromisoformat(text + ("+00:00" if offset in ("Z", "z") else offset))
    except ValueError:
        raise invalid_request(f"{name}: {_shown(raw)} is not a valid date-time") from None
    return int(moment.timestamp())


def parse_date(name: str, raw: str) -> date:
    if not _DATE.match(raw):
        raise invalid_request(f"{name}: {_shown(raw)} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise invalid_request(f"{name}: {_shown(raw)} is not a valid date") from None


def day_start(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def bucket_limit(query: Query, width_name: str, *, default: int, maximum: int) -> int:
    raw = query.string("limit")
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise invalid_request(f"limit: Input should be a valid integer, got {_shown(raw)}") from None
    if not 1 <= value <= maximum:
        raise invalid_request(
            f"limit: must be between 1 and {maximum} for bucket_width '{width_name}', got {value}"
        )
    return value


@dataclass(frozen=True, slots=True)
class BucketPage:
    width: int
    buckets: list[tuple[int, int]]
    """This page's buckets, oldest first."""
    next_start: int | None
    """The start of the first bucket of the next page, or None on the last page."""


def encode_page(start: int) -> str:
    return "page_" + base64.b64encode(format_ts(start).encode()).decode()


def _decode_page(token: str) -> int | None:
    if not token.startswith("page_"):
        return None
    try:
        text = base64.b64decode(token[5:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    try:
        return parse_timestamp("page", text)
    except Exception:
        return None


def bucket_page(query: Query, now: int, *, widths: tuple[str, ...] = ("1d", "1h", "1m")) -> BucketPage:
    """Validates `starting_at`, `ending_at`, `bucket_width`, `limit`, `page` and returns the page."""
    width_name = query.enum("bucket_width", widths) or "1d"
    width = WIDTHS[width_name]
    default, maximum = LIMITS[width_name]
    raw_start = query.string("starting_at")
    if raw_start is None:
        raise invalid_request("starting_at: Field required")
    starting_at = parse_timestamp("starting_at", raw_start)
    raw_end = query.string("ending_at")
    ending_at = None if raw_end is None else parse_timestamp("ending_at", raw_end)
    limit = bucket_limit(query, width_name, default=default, maximum=maximum)
    if starting_at > now:
        raise invalid_request(f"starting_at: {format_ts(starting_at)} is in the future")
    if ending_at is not None and ending_at <= starting_at:
        raise invalid_request("ending_at: must be after starting_at")
    first = starting_at - starting_at % width
    end = now if ending_at is None else min(ending_at, now)
    if end - first > MAX_RANGE[width_name]:
        blame = "ending_at" if ending_at is not None and ending_at < now else "starting_at"
        raise invalid_request(
            f"{blame}: with bucket_width '{width_name}' a request may span at most "
            f"{MAX_RANGE_TEXT[width_name]}; narrow the range"
        )
    past_last = end if end % width == 0 else end - end % width + width
    token = query.string("page")
    start = first
    if token is not None:
        decoded = _decode_page(token)
        if decoded is None or decoded % width or not first <= decoded < past_last:
            raise invalid_request("page: invalid page token; pass the next_page of a previous response")
        start = decoded
    stop = min(past_last, start + limit * width)
    buckets = [(moment, moment + width) for moment in range(start, stop, width)]
    return BucketPage(width, buckets, stop if stop < past_last else None)


def offset_token(scope: str, offset: int) -> str:
    """A `next_page` that is an offset into one listing: `page_` + base64 of `scope:offset`."""
    return "page_" + base64.b64encode(f"{scope}:{offset}".encode()).decode()


def offset_of(query: Query, scope: str, total: int, hint: str = "") -> int:
    """The offset `page` stands for (0 without one); 400 if it is not a token of this listing."""
    token = query.string("page")
    if token is None:
        return 0
    try:
        text = base64.b64decode(token.removeprefix("page_"), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    seen, _, offset = text.rpartition(":")
    if not token.startswith("page_") or seen != scope or not offset.isdecimal() or int(offset) > total:
        raise invalid_request(f"page: invalid page token; pass the next_page of a previous response{hint}")
    return int(offset)
