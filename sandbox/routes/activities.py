"""The Compliance API activity feed: `GET /v1/compliance/activities` (records: `activity_feed.py`).

Parameters as documented: `activity_types[]` or `exclude_activity_types[]` (not both), `actor_ids[]`
and its alias `user_ids[]` (merged; `user_...` ids only), `organization_ids[]` (`org_...` id or
UUID), `created_at.gte|gt|lte|lt` (RFC 3339; otherwise 400 "invalid timestamp format"), `limit`
(1-5000, default 100), `order` (`desc` default, or `asc`), and one of `after_id` / `before_id`,
relative to the order: `after_id` = the page after that record in the order asked for, `before_id`
= the page before it (the records nearest it, still in that order; `has_more` then says whether
more lie further back). Cursors need not name an existing record: an id marks a place.

Access (choices where the docs are silent): the admin key may read the feed only while the
Compliance API is enabled for the organization (`SandboxConfig.compliance_api`); otherwise, and
for every other credential (the `org:admin` OAuth token, a Console session, workload tokens: none
carries `read:compliance_activities`), the answer is 403 `permission_error` "Missing required
scopes. Got: [...] Needed: ['read:compliance_activities']". Activity types are not checked
against the API's list of several hundred (an unknown one matches nothing), only for their form.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..activity_feed import FeedItem, organization_tagged_id
from ..errors import invalid_request, permission_denied
from ..ids import looks_like_id
from ..pagination import envelope, walk
from ..params import Query
from ..report_params import parse_timestamp
from ._common import caller, ok, sandbox

_TYPE: Final = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SCOPE: Final = "read:compliance_activities"


def _check_access(request: Request) -> None:
    who = caller(request)
    if who.kind == "scoped_key":
        return  # its scopes were checked with the request (`scoped_keys.py`)
    if who.kind == "admin_api_key":
        if sandbox(request).compliance_api_enabled:
            return
        granted = "[]"
    else:
        granted = "['org:admin']"
    raise permission_denied(f"Missing required scopes. Got: {granted} Needed: ['{SCOPE}']")


def _types(query: Query, name: str) -> set[str]:
    values = query.array(name)
    for value in values:
        if not _TYPE.match(value):
            raise invalid_request(f"{name}[]: {value[:60]!r} is not an activity type")
    return set(values)


def _time(query: Query, name: str) -> int | None:
    raw = query.string(name)
    if raw is None:
        return None
    try:
        return parse_timestamp(name, raw)
    except Exception:
        raise invalid_request(
            f"{name}: invalid timestamp format: {raw[:60]!r} is not an RFC 3339 date-time"
        ) from None


async def list_activities(request: Request) -> JSONResponse:
    _check_access(request)
    state = sandbox(request)
    query = Query(request.query_params)
    included = _types(query, "activity_types")
    excluded = _types(query, "exclude_activity_types")
    if included and excluded:
        raise invalid_request("activity_types[], exclude_activity_types[]: only one of the two may be given")
    actors = set(query.array("actor_ids")) | set(query.array("user_ids"))
    for actor in actors:
        if not looks_like_id(actor, "user_"):
            raise invalid_request(
                f"actor_ids[]: {actor[:60]!r} is not a user id (only user_... ids are supported)"
            )
    organizations = set(query.array("organization_ids"))
    for organization in organizations:
        if not (looks_like_id(organization, "org_") or _UUID.match(organization)):
            raise invalid_request(f"organization_ids[]: {organization[:60]!r} is not an org_... id or a UUID")
    gte, gt, lte, lt = (_time(query, f"created_at.{op}") for op in ("gte", "gt", "lte", "lt"))
    limit = query.limit(default=100, maximum=5000)
    order = query.enum("order", ("desc", "asc")) or "desc"
    before, after = query.string("before_id"), query.string("after_id")
    if before is not None and after is not None:
        raise invalid_request("before_id, after_id: only one of before_id and after_id may be given")
    for name, cursor in (("before_id", before), ("after_id", after)):
        if cursor is not None and not looks_like_id(cursor, "activity_"):
            raise invalid_request(
                f"{name}: malformed cursor; pass the first_id or last_id of a previous response"
            )

    snapshot = state.monitoring.snapshot
    ours = {organization_tagged_id(snapshot), snapshot.organization_uuid}

    def match(item: FeedItem) -> bool:
        at = item.created_at
        return (
            (not included or item.type in included)
            and (not excluded or item.type not in excluded)
            and (not actors or item.actor_user_id in actors)
            and (not organizations or (item.organization and bool(organizations & ours)))
            and (gte is None or at >= gte)
            and (gt is None or at > gt)
            and (lte is None or at <= lte)
            and (lt is None or at < lt)
        )

    items = state.monitoring.feed(state.activities, state.users)
    ids = [item.id for item in items]
    # Walk the ascending list towards older (step -1) or newer (+1) records from `index`.
    newest_first = order == "desc"
    if after is not None:
        step = -1 if newest_first else 1
        index = bisect_left(ids, after) - 1 if newest_first else bisect_right(ids, after)
    elif before is not None:
        step = 1 if newest_first else -1
        index = bisect_right(ids, before) if newest_first else bisect_left(ids, before) - 1
    else:
        step = -1 if newest_first else 1
        index = len(ids) - 1 if newest_first else 0
    page = walk(items, lambda item: item, limit, index, step, match)
    if before is not None:
        page.items.reverse()  # the records nearest the cursor, shown in the order asked for
    return ok(envelope([item.render() for item in page.items], page.has_more))


ROUTES = [Route("/v1/compliance/activities", list_activities, methods=["GET"])]
