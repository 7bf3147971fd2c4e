"""What every area's routes share: the state, the caller, the activity log, JSON answers."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..store import Caller, SandboxState


def sandbox(request: Request) -> SandboxState:
    return cast(SandboxState, request.app.state.sandbox)


def caller(request: Request) -> Caller:
    """Who the request acts as (set by the app's authentication step)."""
    return cast(Caller, request.state.caller)


def record(request: Request, kind: str, **fields: object) -> None:
    """Logs a successful write: the actor is the user the credential acts for, and the credential
    kind (`admin_api_key` or `oauth`) goes along, for the compliance feed's actor shapes."""
    who = caller(request)
    sandbox(request).record_activity(kind, who.user_id, credential=who.kind, **fields)


def ok(data: dict[str, object], status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


def betas(request: Request) -> set[str]:
    """`anthropic-beta` values: a comma-separated list, possibly in several headers."""
    return {
        value.strip() for header in request.headers.getlist("anthropic-beta") for value in header.split(",")
    }
