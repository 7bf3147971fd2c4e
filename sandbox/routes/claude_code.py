"""Claude Code analytics: `GET /v1/organizations/usage_report/claude_code`.

`starting_at` is one UTC day (`YYYY-MM-DD`, anything else is 400); the report lists that day's
records (see `claude_code_model.py`), `limit` (1-1000, default 20) per page. The page token is
`page_` + base64 of `<day>:<offset>`: it is only valid for the day it was issued for, and since a
served day never changes, walking the pages returns every record exactly once. A day that is not
yet an hour old (today, or a future day) has no records: `data: []`, not an error.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import invalid_request
from ..params import Query
from ..report_params import day_start, offset_of, offset_token, parse_date
from ._common import ok, sandbox


async def claude_code_report(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    raw = query.string("starting_at")
    if raw is None:
        raise invalid_request("starting_at: Field required")
    day = parse_date("starting_at", raw)
    limit = query.limit(default=20, maximum=1000)
    records = state.monitoring.claude_code_records(state.activities, state.now_ts(), day, day_start(day))
    offset = offset_of(query, day.isoformat(), len(records), " for this day")
    end = min(len(records), offset + limit)
    following = offset_token(day.isoformat(), end) if end < len(records) else None
    return ok({"data": records[offset:end], "has_more": following is not None, "next_page": following})


ROUTES = [Route("/v1/organizations/usage_report/claude_code", claude_code_report, methods=["GET"])]
