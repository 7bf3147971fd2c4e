"""The sandbox as an ASGI application: `create_app(state)`.

Every request goes through, in order:
1. a request id (`req_...`), sent back in the `request-id` header of every response and in the
   `request_id` of every error body;
2. authentication: the configured admin key in `x-api-key` or as `Authorization: Bearer`, or as
   `Authorization: Bearer` the configured OAuth token (`oauth`), the configured Console-session
   token (`console`) or an access token minted by `POST /v1/oauth/token` (`service_account`; see
   `exchange.workload_caller`: expired -> 401, not `org:admin` -> 403) (missing -> 401 "x-api-key
   header is required", wrong -> 401 "invalid x-api-key"); the presented value is never echoed
   or logged. The token exchange itself (`POST /v1/oauth/token`) needs no credential: the
   assertion in its body is the credential;
3. `anthropic-version`, if sent, must look like a version date (`2023-06-01`, `2026-10-21`);
4. the per-organization request limit, when one is configured (`request_limit.py`): 429 when
   spent, `anthropic-ratelimit-requests-*` headers on every response;
5. the route. Unknown paths are 404 `not_found_error`; a known path with another method is 405
   (typed `invalid_request_error`, the API's type for 4xx statuses it has no name for) with an
   `allow` header. A trailing slash is a different (unknown) path, as on the real API, not a
   redirect.

An unexpected exception becomes 500 `api_error` with no detail in the body; the traceback goes to
the `claude_admin_mcp.sandbox` logger (stderr), never to the client.
"""

from __future__ import annotations

import hmac
import logging
import re
from typing import Final

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import scoped_keys
from .errors import ApiError, invalid_request
from .exchange import workload_caller
from .faults import FaultMiddleware
from .ids import new_request_id
from .request_limit import STATUS_PATH, RequestLimitMiddleware
from .routes import ROUTES
from .store import Caller, SandboxState

logger = logging.getLogger("claude_admin_mcp.sandbox")

_VERSION: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNAUTHENTICATED_PATHS: Final = frozenset({"/v1/oauth/token"})


def _same(presented: str, expected: str) -> bool:
    # Constant-time, so response timing does not reveal how much of a guess was right.
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def authenticate(state: SandboxState, headers: Headers) -> Caller:
    """The caller a request's credential stands for, or a 401 `ApiError`."""
    api_key = headers.get("x-api-key", "").strip()
    if api_key:
        if _same(api_key, state.admin_key):
            return Caller("admin_api_key", state.admin_key_user_id)
        for key, scopes in state.scoped_keys.items():
            if _same(api_key, key):
                return Caller("scoped_key", state.admin_key_user_id, scopes)
        raise ApiError(401, "invalid x-api-key")
    authorization = headers.get("authorization", "").strip()
    if authorization:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "invalid authorization header: expected 'Bearer <token>'")
        if _same(token, state.admin_key):
            return Caller("admin_api_key", state.admin_key_user_id)
        if state.oauth_token is not None and _same(token, state.oauth_token):
            return Caller("oauth", state.admin_key_user_id)
        if state.console_token is not None and _same(token, state.console_token):
            return Caller("console", state.admin_key_user_id)
        workload = workload_caller(state, token)
        if workload is not None:
            return workload
        raise ApiError(401, "invalid x-api-key")
    raise ApiError(401, "x-api-key header is required")


class SandboxMiddleware:
    """Request ids, authentication and the last-resort 500, around the whole application."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        request_state = scope.setdefault("state", {})
        request_state["request_id"] = request_id
        started = False

        async def send_with_request_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)["request-id"] = request_id
            await send(message)

        try:
            headers = Headers(scope=scope)
            # Read the state per request: `RunningSandbox.reset()` swaps in a fresh one.
            state: SandboxState = scope["app"].state.sandbox
            if scope["path"] not in UNAUTHENTICATED_PATHS:
                caller = request_state["caller"] = authenticate(state, headers)
                if caller.kind == "scoped_key" and scope["path"] != STATUS_PATH:
                    scoped_keys.check(scope["method"], scope["path"], caller.scopes)
            version = headers.get("anthropic-version")
            if version is not None and not _VERSION.fullmatch(version.strip()):
                raise invalid_request(f"anthropic-version: {version[:40]!r} is not a valid API version")
        except ApiError as error:
            await error.response(request_id)(scope, receive, send_with_request_id)
            return
        try:
            await self.app(scope, receive, send_with_request_id)
        except Exception:
            logger.exception("sandbox bug while serving %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await ApiError(500, "Internal server error").response(request_id)(
                    scope, receive, send_with_request_id
                )


class ActivityOriginMiddleware:
    """Remembers the client address and user agent of each write, for the compliance feed's actors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        state: SandboxState = scope["app"].state.sandbox
        before = len(state.activities)
        try:
            await self.app(scope, receive, send)
        finally:
            written = state.activities[before:]
            if written:
                client = scope.get("client")
                ip_address = str(client[0]) if client else "127.0.0.1"
                user_agent = Headers(scope=scope).get("user-agent", "")[:512] or "unknown"
                for activity in written:
                    state.monitoring.origins[activity.id] = (ip_address, user_agent)


def _allowed_methods(request: Request) -> list[str]:
    """Every method served at this path (one `Route` per method, so Starlette's own `Allow`
    header would name only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return sorted(methods)


def _request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", "")) or new_request_id()


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response(_request_id(request))


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's routing errors (no such path, wrong method) in the API's error shape."""
    assert isinstance(exc, HTTPException)
    path = request.url.path[:200]
    if exc.status_code == 405:
        allow = ", ".join(_allowed_methods(request))
        error = ApiError(
            405,
            f"Method {request.method} is not allowed on {path}; allowed: {allow}",
            headers={"allow": allow},
        )
    elif exc.status_code == 404:
        error = ApiError(404, f"Not found: no endpoint {request.method} {path}")
    else:
        error = ApiError(exc.status_code, str(exc.detail))
    return error.response(_request_id(request))


def create_app(state: SandboxState) -> Starlette:
    """The sandbox's Starlette application, serving `state`."""
    app = Starlette(
        routes=ROUTES,
        # Innermost: records where each accepted write came from, for the compliance feed.
        middleware=[
            Middleware(FaultMiddleware),
            Middleware(SandboxMiddleware),
            Middleware(RequestLimitMiddleware),
            Middleware(ActivityOriginMiddleware),
        ],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.router.redirect_slashes = False
    app.state.sandbox = state
    return app
