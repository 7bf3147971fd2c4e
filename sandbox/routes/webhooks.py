"""Organization webhook endpoints: `/v1/organizations/webhooks` (state: `hooks.py`).

* Every request needs `anthropic-beta: webhooks-2026-10-07`; without it the answer is the 404 of a
  path that does not exist, as the API documents.
* create: `url` (https, required), `enabled_events` (at least one of the five event types),
  `name`, `description`; at most 32 endpoints. The answer alone carries `signing_secret`
  (`whsec_...`, from the sandbox's seeded stream).
* update: only the fields sent change; `enabled_events` replaces the set (an empty list leaves it);
  `state` `disabled` stops deliveries (`disabled_reason` stays empty: a caller did it), `enabled`
  resumes them and clears `disabled_reason`.
* regenerate_signing_secret: a new secret, returned only then; the old one stops at once.
* list: ID cursor (`after_id`, `before_id`, `has_more`, `first_id`, `last_id`), `limit` 0-100 (0
  means 20), `order` desc (newest first, the default) or asc.
"""

from __future__ import annotations

import base64
from bisect import bisect_left, bisect_right
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import ApiError, invalid_request
from ..hooks import WEBHOOK_EVENTS, Webhook
from ..pagination import envelope
from ..params import Body, Query, check_id, read_json
from ..store import SandboxState
from ._common import betas, ok, record, sandbox

BETA: Final = "webhooks-2026-10-07"
MAX_ENDPOINTS: Final = 32
_FIELDS: Final = ("url", "enabled_events", "name", "description")


def _beta(request: Request) -> SandboxState:
    """The state, once the beta header is there (else the API's 404 for an unknown path)."""
    if BETA not in betas(request):
        raise ApiError(404, f"Not found: no endpoint {request.method} {request.url.path[:200]}")
    return sandbox(request)


def new_secret(state: SandboxState) -> str:
    return "whsec_" + base64.urlsafe_b64encode(state.rng.randbytes(32)).decode("ascii").rstrip("=")


def _url(body: Body, *, required: bool) -> str | None:
    value = body.string("url", required=required, max_length=2048)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise invalid_request("url: must be an https:// URL")
    return value


def _events(body: Body, *, required: bool) -> list[str] | None:
    events = body.string_list("enabled_events")
    if events is None:
        if required:
            raise invalid_request("enabled_events: Field required")
        return None
    for event in events:
        if event not in WEBHOOK_EVENTS:
            raise invalid_request(
                f"enabled_events: {event[:80]!r} is not one of {', '.join(repr(e) for e in WEBHOOK_EVENTS)}"
            )
    if required and not events:
        raise invalid_request("enabled_events: must list at least one event type")
    return list(dict.fromkeys(events))


def _text(body: Body, name: str) -> str | None:
    value = body.raw(name)
    if value is not None and not isinstance(value, str):
        raise invalid_request(f"{name}: Input should be a valid string")
    return value


async def list_webhooks(request: Request) -> JSONResponse:
    state = _beta(request)
    query = Query(request.query_params)
    raw = query.string("limit") or "0"
    try:
        limit = int(raw) or 20  # "the default, 0, means 20"
    except ValueError:
        raise invalid_request(f"limit: Input should be a valid integer, got {raw[:40]!r}") from None
    if not 1 <= limit <= 100:
        raise invalid_request(f"limit: must be between 0 and 100, got {limit}")
    order = query.enum("order", ("asc", "desc")) or "desc"
    after, before = query.string("after_id"), query.string("before_id")
    if after is not None and before is not None:
        raise invalid_request("before_id, after_id: only one of before_id and after_id may be given")
    for name, value in (("after_id", after), ("before_id", before)):
        if value is not None:
            check_id(name, value, ids.WEBHOOK, "webhook endpoint")
    ascending = list(state.hooks.webhooks.sorted_keys)  # ids sort in creation order
    older = ascending[: bisect_left(ascending, after or before or "")]
    newer = ascending[bisect_right(ascending, after or before or "") :]
    if after is not None:  # the page right after the cursor, in list order
        rest = newer if order == "asc" else older[::-1]
    elif before is not None:  # "the first `limit` endpoints that come before it in list order"
        rest = older if order == "asc" else newer[::-1]
    else:
        rest = ascending if order == "asc" else ascending[::-1]
    page, more = rest[:limit], len(rest) > limit
    webhooks = state.hooks.webhooks
    return ok(envelope([webhooks[key].to_api() for key in page], more))


async def create_webhook(request: Request) -> JSONResponse:
    state = _beta(request)
    body = Body(await read_json(request, required=True), _FIELDS)
    url = _url(body, required=True)
    events = _events(body, required=True)
    assert url is not None and events is not None
    name, description = _text(body, "name") or "", _text(body, "description") or ""
    if len(state.hooks.webhooks) >= MAX_ENDPOINTS:
        raise invalid_request(
            f"the organization has {MAX_ENDPOINTS} organization webhook endpoints, the most it may have "
            "(disabled ones count)"
        )
    now = state.now_ts()
    webhook = Webhook(
        state.new_id(ids.WEBHOOK, now),
        url,
        events,
        new_secret(state),
        now,
        now,
        name=name,
        description=description,
    )
    state.hooks.webhooks.put(webhook)
    record(request, "webhook_endpoint_created", webhook_endpoint_id=webhook.id, url=url)
    return ok({**webhook.to_api(), "signing_secret": webhook.signing_secret})


def _webhook(state: SandboxState, request: Request) -> Webhook:
    return state.hooks.webhooks.find(request.path_params["webhook_endpoint_id"])


async def retrieve_webhook(request: Request) -> JSONResponse:
    return ok(_webhook(_beta(request), request).to_api())


async def update_webhook(request: Request) -> JSONResponse:
    state = _beta(request)
    webhook = _webhook(state, request)
    body = Body(await read_json(request, required=True), (*_FIELDS, "state"))
    url = _url(body, required=False)
    events = _events(body, required=False)
    name, description = _text(body, "name"), _text(body, "description")
    wanted = body.enum("state", ("enabled", "disabled"))
    before = webhook.to_api()
    if url is not None:
        webhook.url = url
    if events:  # an empty list leaves the set as it is
        webhook.enabled_events = events
    if name is not None:
        webhook.name = name
    if description is not None:
        webhook.description = description
    if wanted == "disabled" and webhook.state == "enabled":
        webhook.state = "disabled"  # by a caller: no reason of Anthropic's
    elif wanted == "enabled":
        webhook.state, webhook.disabled_reason = "enabled", ""
    if webhook.to_api() != before:
        webhook.updated_at = state.now_ts()
        record(request, "webhook_endpoint_updated", webhook_endpoint_id=webhook.id, state=webhook.state)
    return ok(webhook.to_api())


async def delete_webhook(request: Request) -> JSONResponse:
    state = _beta(request)
    webhook = _webhook(state, request)
    state.hooks.webhooks.remove(webhook.id)
    record(request, "webhook_endpoint_deleted", webhook_endpoint_id=webhook.id)
    return ok({"id": webhook.id, "type": "webhook_endpoint_deleted"})


async def regenerate_secret(request: Request) -> JSONResponse:
    state = _beta(request)
    webhook = _webhook(state, request)
    webhook.signing_secret = new_secret(state)
    webhook.updated_at = state.now_ts()
    record(request, "webhook_endpoint_signing_secret_regenerated", webhook_endpoint_id=webhook.id)
    return ok({"signing_secret": webhook.signing_secret})


_PATH: Final = "/v1/organizations/webhooks"
_ONE: Final = _PATH + "/{webhook_endpoint_id}"
ROUTES = [
    Route(_PATH, list_webhooks, methods=["GET"]),
    Route(_PATH, create_webhook, methods=["POST"]),
    Route(_ONE, retrieve_webhook, methods=["GET"]),
    Route(_ONE, update_webhook, methods=["POST"]),
    Route(_ONE, delete_webhook, methods=["DELETE"]),
    Route(_ONE + "/regenerate_signing_secret", regenerate_secret, methods=["POST"]),
]
