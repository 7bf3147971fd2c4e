"""`claude-admin-mcp call`: one tool call through a real in-process MCP client, so the shell sees
exactly what an agent would (validation, confirmation, errors)."""

from __future__ import annotations

from typing import Any

from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult


async def call_tool(server: MCPServer[Any], name: str, arguments: dict[str, Any]) -> CallToolResult:
    async with Client(server) as client:
        return await client.call_tool(name, arguments)
