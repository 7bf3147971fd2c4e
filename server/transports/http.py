"""Streamable HTTP serving (stdio needs nothing beyond the SDK)."""

from __future__ import annotations

import logging
import socket
from typing import Any

import uvicorn
from mcp.server import MCPServer
from starlette.types import ASGIApp, Receive, Scope, Send

from ..config import Settings
from .approval_page import PATHS, ApprovalPages, approval_app
from .event_store import RETRY_MILLISECONDS, BoundedEventStore, scope_per_session
from .http_security import BearerGate, HttpPolicy, is_loopback

log = logging.getLogger(__name__)


class _Routes:
    """The approval pages under their own paths; everything else to the MCP app."""

    def __init__(self, mcp: ASGIApp, pages: ASGIApp) -> None:
        self.mcp, self.pages = mcp, pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(PATHS):
            await self.pages(scope, receive, send)
        else:
            await self.mcp(scope, receive, send)


def page_base(settings: Settings) -> str:
    """Where a browser reaches this server's approval pages."""
    if settings.public_url:
        return settings.public_url
    host = (
        settings.host
        if not is_loopback(settings.host) and settings.host not in ("", "0.0.0.0", "::")
        else "localhost"
    )
    return f"http://{host}:{settings.port}"


def http_app(server: MCPServer[Any], policy: HttpPolicy, pages: ApprovalPages | None = None) -> ASGIApp:
    """The ASGI app: `/mcp` is the SDK's streamable HTTP app behind our gates; the approval pages
    answer beside it, for browsers."""
    events = BoundedEventStore()
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path="/mcp",
        transport_security=policy.transport_security(),
        max_request_body_size=policy.max_request_bytes,
        event_store=events.for_session(""),  # replaced per session just below
        retry_interval=RETRY_MILLISECONDS,
    )
    scope_per_session(server.session_manager, events)
    if pages is not None:
        app = _Routes(app, approval_app(pages, policy.allowed_hosts))
    return BearerGate(app, policy.token, PATHS) if policy.token is not None else app


def listen(settings: Settings) -> socket.socket:
    """The listening socket, bound before anything says it serves: a port in use fails here, with
    OSError, and nothing else starts."""
    family = socket.AF_INET6 if ":" in settings.host.strip("[]") else socket.AF_INET
    return socket.create_server((settings.host.strip("[]"), settings.port), family=family, backlog=2048)


async def serve_http(
    server: MCPServer[Any],
    settings: Settings,
    policy: HttpPolicy,
    pages: ApprovalPages | None = None,
    sock: socket.socket | None = None,
) -> None:
    """Serve MCP at http://HOST:PORT/mcp until interrupted, as `policy` (see `http_policy`) allows."""
    if pages is not None:
        base = page_base(settings)

        async def url_base() -> str:
            return base

        pages.book.url_base = url_base
    config = uvicorn.Config(
        http_app(server, policy, pages),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )
    auth = "bearer token required" if policy.token else "no token: loopback only"
    sock = sock or listen(settings)
    log.info("serving MCP at http://%s:%d/mcp (%s)", settings.host, settings.port, auth)
    await uvicorn.Server(config).serve(sockets=[sock])
