"""Claude Code analytics: `GET /v1/organizations/usage_report/claude_code`.

`starting_at` is one UTC day (`YYYY-MM-DD`, anything else is 400); the report lists that day's
records (see `claude_code_model.py`), `limit` (1-1000, default 20) per page. The page token is
`page_` + base64 of `<day>:<offset>`: it is only valid for the day it was issued for, and since a
served day never changes, walking the pages returns every record exactly once. A day that is not
yet an hour old (today, or a future day) has no records: `data: []`, not an error.
"""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import invalid_request
from ..params import Query
from ..report_params import day_start, parse_date
from ._common import ok, sandbox


def _encode(day: str, offset: int) -> str:
    return "page_" + base64.b64encode(f"{day}:{offset}".encode()).decode()


def _decode(token: str, day: str, total: int) -> int:
    refusal = invalid_request(
        "page: invalid page token; pass the next_page of a previous response for this day"
    )
    if not token.startswith("page_"):
        raise refusal
    try:
        text = base64.b64decode(token[5:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise refusal from None
    token_day, _, raw_offset = text.partition(":")
    if token_day != day or not raw_offset.isdigit() or int(raw_offset) > total:
        raise refusal
    return int(raw_offset)


async def claude_code_report(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    raw = query.string("starting_at")
    if raw is None:
        raise invalid_request("starting_at: Field required")
    day = parse_date("starting_at", raw)
    limit = query.limit(default=20, maximum=1000)
    records = state.monitoring.claude_code_records(state.activities, state.now_ts(), day, day_start(day))
    token = query.string("page")
    offset = 0 if token is None else _decode(token, day.isoformat(), len(records))
    end = min(len(records), offset + limit)
    has_more = end < len(records)
    return ok(
        {
            "data": records[offset:end],
            "has_more": has_more,
            "next_page": _encode(day.isoformat(), end) if has_more else None,
        }
    )


ROUTES = [Route("/v1/organizations/usage_report/claude_code", claude_code_report, methods=["GET"])]
