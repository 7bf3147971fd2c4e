"""Start-up registers every reachable tool but builds none of their argument models: tools/list is
answered from the committed schemas, and a tool is built on its first call, which then behaves as
if it had been built all along (validation, its sentences, a write's approval)."""

from __future__ import annotations

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import INVENTORY, reachable_for
from claude_admin_mcp.server.catalog.inventory import LocalTool
from claude_admin_mcp.server.runtime.tools import DeferredTool

from .conftest import connect, make_server, text_of


def _deferred(server: object) -> dict[str, DeferredTool]:
    manager = server._tool_manager  # type: ignore[attr-defined]
    return {tool.name: tool for tool in manager.list_tools() if isinstance(tool, DeferredTool)}


@pytest.mark.anyio
async def test_every_reachable_tool_is_registered_and_listing_builds_none(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox, oauth=True, toolsets=["all"])
    deferred = _deferred(server)
    reachable = reachable_for(server.admin_settings, server.credential).names
    local = {entry.name for entry in INVENTORY.entries if isinstance(entry, LocalTool)}
    assert len(reachable) > 100 and reachable - local == set(deferred)
    async with connect(server) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(deferred) <= set(listed)
    assert all(tool.build is not None for tool in deferred.values()), "listing built a tool"
    assert listed["list_users"].input_schema["properties"]["limit"]["maximum"] == 1000


@pytest.mark.anyio
async def test_a_tool_is_built_on_its_first_call_and_validates_as_ever(sandbox: RunningSandbox) -> None:
    server = make_server(sandbox)
    deferred = _deferred(server)
    async with connect(server) as client:
        # The first call is an invalid one: the argument model is built, then refuses it in words.
        refused = await client.call_tool("list_users", {"limit": 0, "colour": "red"})
        assert refused.is_error
        text = text_of(refused)
        assert "Invalid arguments for list_users" in text and "colour: unknown argument" in text
        assert "limit:" in text
        assert deferred["list_users"].build is None
        answered = await client.call_tool("list_users", {"limit": 2})
        assert not answered.is_error and len(answered.structured_content["items"]) == 2
        # A write, first called with a malformed id, is refused before any question.
        write = await client.call_tool("remove_user", {"user_id": "not-an-id"})
        assert write.is_error and "user_id" in text_of(write)
    assert deferred["get_user"].build is not None, "a tool never called stays unbuilt"
