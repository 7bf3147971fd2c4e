"""The bundle's entry point: the `claude-admin-mcp` command, serving MCP over stdio."""

from claude_admin_mcp.server.cli import main

raise SystemExit(main())
