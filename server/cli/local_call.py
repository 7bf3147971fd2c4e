"""`claude-admin-mcp call`: one tool call through a real in-process MCP client, so the shell sees
exactly what an agent would (validation, confirmation, errors).

At an interactive terminal the client can ask the human: a write shows its preview and asks on the
terminal. Otherwise it declares no elicitation: a write goes to the approval page, whose link is
printed, and the command waits for the decision (or, with `--confirm-via token`, returns a preview
and a confirmation token to pass back with `--json`).
"""

from __future__ import annotations

import sys
from typing import Any

from mcp import Client
from mcp.client import ClientRequestContext
from mcp.server import MCPServer
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult


async def ask_on_terminal(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    """Show the server's question on stderr and read the answer from the terminal."""
    print(f"\n{params.message}\n", file=sys.stderr)
    schema = getattr(params, "requested_schema", None) or {}
    properties: dict[str, Any] = schema.get("properties", {})
    content: dict[str, str | int | float | bool | list[str] | None] = {}
    for name, spec in properties.items():
        prompt = spec.get("description") or name
        if spec.get("type") == "boolean":
            answer = input(f"{prompt} [y/N] ").strip().lower()
            content[name] = answer in ("y", "yes")
        else:
            answer = input(f"{prompt}: ")
            if not answer:
                return ElicitResult(action="decline")
            content[name] = answer
    return ElicitResult(action="accept", content=content)


async def call_tool(
    server: MCPServer[Any], name: str, arguments: dict[str, Any], interactive: bool
) -> CallToolResult:
    callback = ask_on_terminal if interactive else None
    async with Client(server, elicitation_callback=callback) as client:
        return await client.call_tool(name, arguments)
