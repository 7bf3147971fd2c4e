"""The baseline for start-up time: a bare `mcp` server with one tool, over stdio."""

from __future__ import annotations

from mcp.server import MCPServer

server = MCPServer("bare")


@server.tool()
def ping(text: str) -> str:
    """Echo the text."""
    return text


if __name__ == "__main__":
    server.run()
