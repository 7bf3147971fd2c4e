"""Streamable HTTP serving (stdio needs nothing beyond the SDK)."""

from __future__ import annotations

import logging
from typing import Any

import uvicorn
from mcp.server import MCPServer
from starlette.types import ASGIApp

from ..config import Settings
from .event_store import RETRY_MILLISECONDS, BoundedEventStore, scope_per_session
from .http_security import BearerGate, HttpPolicy

log = logging.getLogger(__name__)


def http_app(server: MCPServer[Any], policy: HttpPolicy) -> ASGIApp:
    """The ASGI app for `/mcp`: the SDK's streamable HTTP app behind our gates."""
    events = BoundedEventStore()
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path="/mcp",
        transport_security=policy.transport_security(),
        max_request_body_size=policy.max_request_bytes,
        event_store=events.for_session(""),  # replaced per session just below
        retry_interval=RETRY_MILLISECONDS,
    )
    scope_per_session(server.session_manager, events)
    return BearerGate(app, policy.token) if policy.token is not None else app


async def serve_http(server: MCPServer[Any], settings: Settings, policy: HttpPolicy) -> None:
    """Serve MCP at http://HOST:PORT/mcp until interrupted, as `policy` (see `http_policy`) allows."""
    config = uvicorn.Config(
        http_app(server, policy),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
    )
    auth = "bearer token required" if policy.token else "no token: loopback only"
    log.info("serving MCP at http://%s:%d/mcp (%s)", settings.host, settings.port, auth)
    await uvicorn.Server(config).serve()
