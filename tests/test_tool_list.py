"""The published tool list: names, annotations, schemas, in both protocol eras."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp.types import Tool

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.tools import OPERATIONS

from .conftest import MODES, connect, make_server

READ_TOOLS = {
    "get_organization",
    "list_users",
    "get_user",
    "list_invites",
    "get_invite",
    "list_workspaces",
    "get_workspace",
    "list_workspace_members",
    "get_workspace_member",
    "list_api_keys",
    "get_api_key",
}


def _dump(tool: Tool) -> dict[str, Any]:
    return tool.model_dump(by_alias=True, exclude_none=True, mode="json")


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_read_only_tier_lists_exactly_the_read_tools_with_true_annotations(
    sandbox: RunningSandbox, mode: str
) -> None:
    server = make_server(sandbox, tier="read-only")
    async with connect(server, mode) as client:
        listed = (await client.list_tools()).tools
    by_name = {tool.name: tool for tool in listed}
    assert set(by_name) >= READ_TOOLS
    for name, tool in by_name.items():
        wire = _dump(tool)
        hints = wire["annotations"]
        assert hints["readOnlyHint"] is True, name
        assert hints["destructiveHint"] is False, name
        assert hints["idempotentHint"] is True, name
        # The Admin API is the open world; `toolsets` answers from the server itself.
        assert hints["openWorldHint"] is (name != "toolsets"), name
        assert hints["title"] == wire["title"] and wire["title"], name
        assert wire["description"] and len(wire["description"]) < 400, name
        assert wire["inputSchema"]["type"] == "object", name
        assert "outputSchema" in wire, name


@pytest.mark.anyio
async def test_input_schemas_are_flat_and_lists_take_limit_and_cursor(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox)) as client:
        listed = {tool.name: _dump(tool) for tool in (await client.list_tools()).tools}
    for op in OPERATIONS:
        if op.name not in listed:
            continue
        schema = listed[op.name]["inputSchema"]
        properties = schema.get("properties", {})
        # Flat: every operation input field is a top-level argument, not nested under a model.
        assert set(op.input.model_fields) <= set(properties), op.name
        if op.is_list:
            assert {"limit", "cursor"} <= set(properties), op.name
            out = listed[op.name]["outputSchema"]
            assert {"items", "count", "next_cursor"} <= set(out["properties"]), op.name
        for name in op.path_params:
            assert name in schema.get("required", []), (op.name, name)
            assert "pattern" in json.dumps(properties[name]), (op.name, name)


@pytest.mark.anyio
async def test_schemas_carry_no_generated_titles(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox)) as client:
        payload = [_dump(tool) for tool in (await client.list_tools()).tools]
    for tool in payload:
        for schema in (tool["inputSchema"], tool.get("outputSchema", {})):
            assert '"title"' not in json.dumps(schema), tool["name"]
