"""Compliance settings: `GET`/`POST /v1/organizations/compliance_settings`, a singleton.

`state` is `{"type": "enabled"}` or `{"type": "disabled"}` (the strings "enabled" and "disabled"
are accepted too; the answer is always the object). It is `state.compliance_api_enabled`: off, the
admin key gets 403 from the activity feed and writes made meanwhile are never captured in it (see
`store.py`). Setting the current value succeeds and changes nothing. The change itself is
captured when it happens while capture is on: a disabling as its last record, an enabling as its
first.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..errors import invalid_request
from ..params import Body, read_json
from ._common import ok, record, sandbox

STATES: Final = ("enabled", "disabled")


def _settings(enabled: bool) -> dict[str, object]:
    return {"type": "compliance_settings", "state": {"type": "enabled" if enabled else "disabled"}}


async def retrieve_settings(request: Request) -> JSONResponse:
    return ok(_settings(sandbox(request).compliance_api_enabled))


async def update_settings(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(await read_json(request, required=True), ("state",))
    raw = body.required("state")
    if isinstance(raw, dict):
        Body(raw, ("type",), prefix="state.").enum("type", STATES, required=True)
        wanted = raw["type"]
    elif raw in STATES:
        wanted = raw
    else:
        raise invalid_request("state: must be 'enabled', 'disabled' or an object {\"type\": ...} of either")
    enabled = wanted == "enabled"
    if enabled != state.compliance_api_enabled:
        if enabled:
            state.compliance_api_enabled = True
        record(request, "compliance_settings_updated", state=wanted)
        state.compliance_api_enabled = enabled
    return ok(_settings(state.compliance_api_enabled))


_PATH: Final = "/v1/organizations/compliance_settings"
ROUTES = [
    Route(_PATH, retrieve_settings, methods=["GET"]),
    Route(_PATH, update_settings, methods=["POST"]),
]
