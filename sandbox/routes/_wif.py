"""What the workload identity endpoints (service accounts, federation issuers and rules) share:
the OAuth-only gate, the caller's powers, the `page`/`next_page` cursor, slugs and lookups.

* OAuth only: these endpoints refuse an Admin API key with 403 `permission_error`, for reads and
  writes alike; the configured OAuth token, the Console-session token and minted `org:admin`
  tokens pass (a minted token of any other scope never gets this far: see `exchange.py`).
* Interactive credentials (the OAuth token of a signed-in admin, a Console session) may make
  `admin` service accounts; a workload's minted token may not. Only a Console session may manage
  rules whose scope goes beyond `workspace:developer`/`workspace:inference`.
* Lists page with an opaque `page` cursor and answer `{"data": [...], "next_page": str | null}`
  (no `has_more`): `limit` is 1-100, default 20. The cursor encodes the last item's key; a cursor
  naming something since archived still marks its place.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from typing import Any, Final, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import ApiError, invalid_request, not_found, permission_denied
from ..federation import (
    OAUTH_MANAGEABLE_SCOPES,
    FederationIssuer,
    FederationRule,
    ServiceAccount,
)
from ..pagination import SortedIndex, paginate
from ..params import Body, Query
from ..store import SandboxState
from ._common import caller, ok

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


# -- lists ---------------------------------------------------------------------------------------


def encode_page(key: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_VERSION + key).encode("utf-8")).decode("ascii").rstrip("=")


def decode_page(query: Query) -> str | None:
    """The key a `page` cursor stands for (400 if it is not one of ours)."""
    raw = query.string("page")
    if raw is None:
        return None
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        text = ""
    if not text.startswith(_CURSOR_VERSION) or len(text) > 200:
        raise invalid_request("page: not a cursor from a previous response's next_page")
    return text[len(_CURSOR_VERSION) :]


def list_limit(query: Query) -> int:
    return query.limit(LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX)


def cursor_list(data: list[dict[str, object]], next_key: str | None) -> JSONResponse:
    return ok({"data": data, "next_page": None if next_key is None else encode_page(next_key)})


def list_index(
    request: Request,
    index: SortedIndex[str, T],
    render: Callable[[T], dict[str, object]],
    key_of: Callable[[T], str],
    match: Callable[[T], bool] | None,
    prefix: str,
) -> JSONResponse:
    """A page of an id-keyed collection, newest first."""
    query = Query(request.query_params)
    limit = list_limit(query)
    after = decode_page(query)
    if after is not None and not after.startswith(prefix):
        raise invalid_request("page: not a cursor from a previous response's next_page")
    page = paginate(index.sorted_keys, index.__getitem__, limit=limit, after=after, match=match)
    next_key = key_of(page.items[-1]) if page.has_more and page.items else None
    return cursor_list([render(item) for item in page.items], next_key)


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


# -- lookups -------------------------------------------------------------------------------------


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def find_service_account(state: SandboxState, service_account_id: str) -> ServiceAccount:
    account = state.federation.service_accounts.get(service_account_id)
    if account is None:
        raise not_found(f"service_account_id: no service account {_shown(service_account_id)}")
    return account


def find_issuer(state: SandboxState, issuer_id: str) -> FederationIssuer:
    issuer = state.federation.issuers.get(issuer_id)
    if issuer is None:
        raise not_found(f"federation_issuer_id: no federation issuer {_shown(issuer_id)}")
    return issuer


def find_rule(state: SandboxState, rule_id: str) -> FederationRule:
    rule = state.federation.rules.get(rule_id)
    if rule is None:
        raise not_found(f"federation_rule_id: no federation rule {_shown(rule_id)}")
    return rule
