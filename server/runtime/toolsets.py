"""`toolsets`: the server's tool areas, and turning more on while it runs (dynamic toolsets).

The default tool list is small (the context of every conversation pays for it); every other area
is one call away, with no restart. Turning an area on tells the client its tool list changed:
`notifications/tools/list_changed` to a 2025-era session, a `subscriptions/listen` event in the
2026-07-28 era. The change holds for the server (a server serves one administrator).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from ..catalog.inventory import LocalTool
from ..config import ConfigError
from .results import failure, result
from .tools import ToolArguments, local_read_tool

ENTRY = LocalTool(name="toolsets", toolset="toolsets")
TITLE = "Tool areas"
DESCRIPTION = (
    "Tool areas (reports, spend limits, RBAC, analytics, plans, exports, federation...) and which "
    "are on; enable turns more on, no restart. Use when no tool fits."
)


class ToolsetArguments(ToolArguments):
    model_config = ConfigDict(extra="forbid")

    enable: list[str] | None = Field(None, description="Areas to turn on, by name.")


class ToolsetState(BaseModel):
    name: str
    description: str
    enabled: bool
    tools: list[str]
    unusable: str | SkipJsonSchema[None] = None
    """Why this credential or tier can use none of its tools."""


class Toolsets(BaseModel):
    # Items are `ToolsetState`s; the published schema stays small (the default tool list's budget).
    toolsets: list[dict[str, Any]]
    enabled_now: list[str]
    """Tools this call added."""


@runtime_checkable
class ToolsetHost(Protocol):
    """The server, as this tool needs it (the assembly implements it)."""

    def toolset_states(self) -> list[ToolsetState]: ...

    def enable_toolsets(self, names: Sequence[str]) -> list[str]:
        """Turns areas on; the tool names added. ConfigError for a name that is no area."""
        ...


async def _toolsets(ctx: Context[Any, Any], arguments: ToolsetArguments) -> CallToolResult:
    host = ctx.mcp_server
    if not isinstance(host, ToolsetHost):
        raise RuntimeError("the toolsets tool needs a server that can turn areas on")
    added: list[str] = []
    if arguments.enable:
        try:
            added = host.enable_toolsets(arguments.enable)
        except ConfigError as exc:
            return failure(f"toolsets: {exc}. Nothing changed.")
        if added:
            # Both eras: the 2025 session gets the notification, 2026-07-28 listeners the event
            # (each call is a no-op where its era does not deliver it).
            await ctx.session.send_tool_list_changed()
            await ctx.notify_tools_changed()
    states = host.toolset_states()
    lines = []
    for state in states:
        mark = "on " if state.enabled else "off"
        why = f" ({state.unusable})" if state.unusable else ""
        lines.append(f"{mark} {state.name}: {state.description}{why}")
    lead = (
        f"Turned on: {', '.join(added)} (the tool list changed)."
        if added
        else "Nothing new turned on."
        if arguments.enable
        else "Tool areas (on/off); toolsets with enable turns more on."
    )
    answer = Toolsets(toolsets=[state.model_dump(exclude_none=True) for state in states], enabled_now=added)
    return result("\n".join([lead, *lines]), answer.model_dump(exclude_none=True))


def toolsets_tool() -> Tool:
    return local_read_tool(
        _toolsets, ENTRY.name, TITLE, DESCRIPTION, ToolsetArguments, Toolsets, open_world=False
    )
