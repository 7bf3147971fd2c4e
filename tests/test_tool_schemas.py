"""Every tool's tools/list entry, pinned in a reviewed snapshot (one file per tool, as
github-mcp-server's toolsnaps): a changed name, description, schema or annotation fails here
until `pytest tests/test_tool_schemas.py --snapshot-update` is run and the diff reviewed."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.app import INVENTORY

from .conftest import connect, make_server

ALL_TOOLS = sorted(entry.name for entry in INVENTORY.entries)
"""Every tool the server knows. A tool added without its snapshot fails (missing snapshot); one
removed leaves its snapshot unused, which fails the run too."""


@pytest.fixture
def snapshot_json(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.fixture(scope="module")
def listed(sandbox: RunningSandbox) -> dict[str, dict[str, Any]]:
    """tools/list with an OAuth credential and every toolset: every tool is offered."""

    async def list_tools() -> dict[str, dict[str, Any]]:
        async with connect(make_server(sandbox, oauth=True, toolsets=("all",))) as client:
            tools = (await client.list_tools()).tools
        return {t.name: t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools}

    return anyio.run(list_tools)


def test_every_tool_is_listed_with_every_toolset_and_an_oauth_token(
    listed: dict[str, dict[str, Any]],
) -> None:
    assert sorted(listed) == ALL_TOOLS


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_tool_entry(name: str, listed: dict[str, dict[str, Any]], snapshot_json: SnapshotAssertion) -> None:
    assert listed[name] == snapshot_json
