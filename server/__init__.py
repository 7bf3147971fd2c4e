"""The MCP runtime: configuration, credentials, the Admin API client, tools, confirmation, transports."""

__version__ = "0.1.0"
