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
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any, Final, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import ApiError, invalid_request, permission_denied
from ..federation import (
    OAUTH_MANAGEABLE_SCOPES,
)
from ..params import Body
from ._common import caller

T = TypeVar("T")
Handler = Callable[[Request], Awaitable[JSONResponse]]

OAUTH_ONLY_MESSAGE: Final = (
    "This endpoint requires an OAuth access token with the org:admin scope (from "
    "`ant auth login --scope org:admin` or a workload identity federation rule), sent as "
    "'Authorization: Bearer'; Admin API keys are not accepted"
)
LIST_LIMIT_DEFAULT: Final = 20
LIST_LIMIT_MAX: Final = 100
NAME_MAX: Final = 255
DESCRIPTION_MAX: Final = 1000
_SLUG: Final = re.compile(r"^[a-z0-9-]+$")
_CURSOR_VERSION: Final = "v1:"


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


# -- bodies --------------------------------------------------------------------------------------


def slug(body: Body, name: str = "name", *, required: bool) -> str | None:
    value = body.raw(name)
    if value is None:
        if required:
            raise invalid_request(f"{body.field(name)}: Field required")
        return None
    if not isinstance(value, str):
        raise invalid_request(f"{body.field(name)}: Input should be a valid string")
    if not 1 <= len(value) <= NAME_MAX or not _SLUG.fullmatch(value):
        raise invalid_request(
            f"{body.field(name)}: must be 1 to {NAME_MAX} lowercase letters, digits and hyphens "
            "(^[a-z0-9-]+$)"
        )
    return value


def description(data: Mapping[str, Any], *, on_update: bool) -> tuple[bool, str | None]:
    """(given, value). On update an explicit null clears the description (stored as "", as the
    SDK documents); leaving the field out leaves it unchanged."""
    if "description" not in data:
        return False, None
    value = data["description"]
    if value is None:
        return on_update, "" if on_update else None
    if not isinstance(value, str):
        raise invalid_request("description: Input should be a valid string")
    if len(value) > DESCRIPTION_MAX:
        raise invalid_request(f"description: must be at most {DESCRIPTION_MAX} characters")
    return True, value


def boolean(body: Body, name: str) -> bool | None:
    value = body.raw(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise invalid_request(f"{body.field(name)}: Input should be a valid boolean")
    return value


def integer(body: Body, name: str, low: int, high: int) -> int | None:
    value = body.raw(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_request(f"{body.field(name)}: Input should be a valid integer")
    if not low <= value <= high:
        raise invalid_request(f"{body.field(name)}: must be between {low} and {high}, got {value}")
    return value


def name_taken(items: Iterable[Any], name: str, kind: str, except_id: str | None = None) -> None:
    """409 if a live object of this kind already has the name (archived names are free again)."""
    for item in items:
        if item.name == name and item.audit.live and item.id != except_id:
            raise ApiError(409, f"name: a {kind} named {name!r} already exists ({item.id})")


def refuse_fields(data: Mapping[str, Any], fields: Collection[str], why: str) -> None:
    for name in fields:
        if name in data:
            raise invalid_request(f"{name}: {why}")
