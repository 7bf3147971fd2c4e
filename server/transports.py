"""Streamable HTTP serving (stdio needs nothing beyond the SDK)."""

from __future__ import annotations

import logging
from typing import Any

import uvicorn
from mcp.server import MCPServer

from .config import Settings

log = logging.getLogger(__name__)


async def serve_http(server: MCPServer[Any], settings: Settings) -> None:
    """Serve MCP at http://HOST:PORT/mcp until interrupted."""
    app = server.streamable_http_app(streamable_http_path="/mcp", host=settings.host)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", access_log=False
    )
    log.info("serving MCP at http://%s:%d/mcp", settings.host, settings.port)
    await uvicorn.Server(config).serve()
