"""Dynamic toolsets: every area one call away, no restart, and the client told its tool list changed
(a 2025-era notification; a 2026-07-28 `subscriptions/listen` event)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp.types import ToolListChangedNotification

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import INVENTORY

from .conftest import connect, make_server, text_of


async def _names(client: Any) -> set[str]:
    return {tool.name for tool in (await client.list_tools()).tools}


@pytest.mark.anyio
async def test_the_areas_are_listed_and_an_off_tool_says_how_to_turn_it_on(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox)) as client:
        names = await _names(client)
        assert "toolsets" in names and "get_cost_report" not in names
        listed = await client.call_tool("toolsets", {})
        refused = await client.call_tool("get_cost_report", {"range": "last week"})
    text = text_of(listed)
    assert "on  users: " in text and "off reports: token usage, spend in USD" in text
    states = {state["name"]: state for state in (listed.structured_content or {})["toolsets"]}
    assert states["reports"]["enabled"] is False and "get_cost_report" in states["reports"]["tools"]
    assert states["federation"]["tools"] == [] and "OAuth" in states["federation"]["unusable"]
    assert refused.is_error and 'toolsets tool (enable ["reports"])' in text_of(refused)


@pytest.mark.anyio
async def test_turning_an_area_on_in_the_2025_era_notifies_the_session(sandbox: RunningSandbox) -> None:
    changed = anyio.Event()

    async def on_message(message: Any) -> None:
        if isinstance(message, ToolListChangedNotification):
            changed.set()

    async with connect(make_server(sandbox), "legacy", message_handler=on_message) as client:
        tools_capability = client.server_capabilities.tools
        assert tools_capability is not None and tools_capability.list_changed is True
        before = await _names(client)
        turned = await client.call_tool("toolsets", {"enable": ["reports"]})
        with anyio.fail_after(5):
            await changed.wait()
        after = await _names(client)
        cost = await client.call_tool(
            "get_cost_report", {"range": "2026-11-10..2026-11-16", "group_by": ["workspace_id"]}
        )
    added = (turned.structured_content or {})["enabled_now"]
    assert set(added) == after - before == {"get_usage_report", "get_cost_report", "get_claude_code_usage"}
    assert not cost.is_error and "Cost report" in text_of(cost)


@pytest.mark.anyio
async def test_turning_an_area_on_in_the_2026_era_reaches_a_listener(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox), "auto") as client:
        async with client.listen(tools_list_changed=True) as subscription:
            await client.call_tool("toolsets", {"enable": ["tasks", "exports"]})
            with anyio.fail_after(5):
                event = await subscription.__anext__()
        assert type(event).__name__ == "ToolsListChanged"
        names = await _names(client)
    assert {"apply_changes", "offboard_user", "export_list"} <= names


@pytest.mark.anyio
async def test_what_cannot_be_turned_on_is_said_and_changes_nothing(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, tier="read-only")) as client:
        before = await _names(client)
        unknown = await client.call_tool("toolsets", {"enable": ["reportz"]})
        assert unknown.is_error and "unknown toolset(s) reportz" in text_of(unknown)
        assert await _names(client) == before
        oauth_only = await client.call_tool("toolsets", {"enable": ["federation"]})
        assert (oauth_only.structured_content or {})["enabled_now"] == []
        tasks = await client.call_tool("toolsets", {"enable": ["rate_limits", "tasks"]})
        added = set((tasks.structured_content or {})["enabled_now"])
    assert added == {"list_rate_limits", "list_workspace_rate_limits"}, "the read-only tier adds reads only"


@pytest.mark.anyio
async def test_without_dynamic_toolsets_the_list_is_fixed(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, dynamic_toolsets=False)) as client:
        names = await _names(client)
        refused = await client.call_tool("get_cost_report", {"range": "last week"})
    assert "toolsets" not in names
    assert refused.is_error and "--toolsets default,reports" in text_of(refused)


def test_every_area_says_what_it_is_for() -> None:
    assert set(INVENTORY.descriptions) == set(INVENTORY.toolsets)
    assert all(5 < len(text) <= 80 for text in INVENTORY.descriptions.values())
