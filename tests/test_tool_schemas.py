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
    """tools/list with every toolset, for an OAuth token and for an admin key: between them every
    tool is offered (service accounts and federation take only the one, the activity feed the other)."""

    async def list_tools(oauth: bool) -> dict[str, dict[str, Any]]:
        async with connect(make_server(sandbox, oauth=oauth, toolsets=("all",))) as client:
            tools = (await client.list_tools()).tools
        return {t.name: t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools}

    admin_key, oauth_token = anyio.run(list_tools, False), anyio.run(list_tools, True)
    for name in admin_key.keys() & oauth_token.keys():
        assert admin_key[name] == oauth_token[name], f"{name} is listed alike for either credential"
    return {**admin_key, **oauth_token}


def test_every_tool_is_listed_with_every_toolset_for_one_credential_or_the_other(
    listed: dict[str, dict[str, Any]],
) -> None:
    assert sorted(listed) == ALL_TOOLS


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_tool_entry(name: str, listed: dict[str, dict[str, Any]], snapshot_json: SnapshotAssertion) -> None:
    assert listed[name] == snapshot_json
