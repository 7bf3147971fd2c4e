"""What the workload identity endpoints (service accounts, federation issuers and rules) share:
the OAuth-only gate, the caller's powers, and the checks of their bodies (slugs, descriptions...).

* OAuth only: these endpoints refuse an Admin API key with 403 `permission_error`, for reads and
  writes alike; the configured OAuth token, the Console-session token and minted `org:admin`
  tokens pass (a minted token of any other scope never gets this far: see `exchange.py`).
* Interactive credentials (the OAuth token of a signed-in admin, a Console session) may make
  `admin` service accounts; a workload's minted token may not. Only a Console session may manage
  rules whose scope goes beyond `workspace:developer`/`workspace:inference`.
* Lists page with an opaque `page` cursor and answer `{"data": [...], "next_page": str | null}`
  (no `has_more`): `limit` is 1-100, default 20 (`Query.page_window`). The cursor encodes the last
  item's key; a cursor naming something since archived still marks its place.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Final, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import ApiError, permission_denied
from ..federation import OAUTH_MANAGEABLE_SCOPES
from ._common import caller

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[JSONResponse]]

OAUTH_ONLY_MESSAGE: Final = (
    "This endpoint requires an OAuth access token with the org:admin scope (from "
    "`ant auth login --scope org:admin` or a workload identity federation rule), sent as "
    "'Authorization: Bearer'; Admin API keys are not accepted"
)


def oauth_only(handler: Handler) -> Handler:
    """The route, refused (403) to an Admin API key before anything else is looked at."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> JSONResponse:
        if caller(request).kind == "admin_api_key":
            raise permission_denied(OAUTH_ONLY_MESSAGE)
        return await handler(request)

    return guarded


def actor(request: Request) -> str:
    """The acting principal's id (`user_...`, or `svac_...` for a workload token)."""
    return caller(request).user_id


def is_interactive(request: Request) -> bool:
    """A signed-in person (user OAuth token or Console session), not a workload."""
    return caller(request).kind in ("oauth", "console")


def require_console_for(request: Request, scopes: Iterable[str], doing: str) -> None:
    """403 unless the caller is a Console session or every scope is OAuth-manageable."""
    outside = sorted(set(scopes) - OAUTH_MANAGEABLE_SCOPES)
    if outside and caller(request).kind != "console":
        raise permission_denied(
            f"OAuth callers may only {doing} rules whose oauth_scope is 'workspace:developer' or "
            f"'workspace:inference'; {', '.join(outside)} requires a Console session"
        )


def name_taken(items: Iterable[Any], name: str, kind: str, except_id: str | None = None) -> None:
    """409 if a live object of this kind already has the name (archived names are free again)."""
    for item in items:
        if item.name == name and item.audit.live and item.id != except_id:
            raise ApiError(409, f"name: a {kind} named {name!r} already exists ({item.id})")
