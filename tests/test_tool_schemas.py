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

from .conftest import connect, make_server

ALL_TOOLS = sorted(
    [
        "get_organization",
        "whoami",
        "list_users",
        "get_user",
        "update_user_role",
        "remove_user",
        "sign_out_user",
        "list_invites",
        "get_invite",
        "create_invite",
        "delete_invite",
        "list_workspaces",
        "get_workspace",
        "list_workspace_members",
        "get_workspace_member",
        "create_workspace",
        "update_workspace",
        "archive_workspace",
        "add_workspace_member",
        "update_workspace_member_role",
        "remove_workspace_member",
        "list_api_keys",
        "get_api_key",
        "update_api_key",
        "get_usage_report",
        "get_cost_report",
        "get_claude_code_usage",
        "list_rate_limits",
        "list_workspace_rate_limits",
        "update_workspace_rate_limit",
        "list_activities",
        "list_service_accounts",
        "get_service_account",
        "list_service_account_workspaces",
        "create_service_account",
        "update_service_account",
        "archive_service_account",
        "add_service_account_to_workspace",
        "update_service_account_workspace_role",
        "remove_service_account_from_workspace",
        "list_federation_issuers",
        "get_federation_issuer",
        "create_federation_issuer",
        "update_federation_issuer",
        "archive_federation_issuer",
        "list_federation_rules",
        "get_federation_rule",
        "create_federation_rule",
        "update_federation_rule",
        "archive_federation_rule",
        "list_federation_rule_workspaces",
        "add_federation_rule_workspace",
        "remove_federation_rule_workspace",
    ]
)


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


def test_every_tool_is_pinned(listed: dict[str, dict[str, Any]]) -> None:
    assert sorted(listed) == ALL_TOOLS, "a tool was added or removed: add it to ALL_TOOLS and pin it"


@pytest.mark.parametrize("name", ALL_TOOLS)
def test_tool_entry(name: str, listed: dict[str, dict[str, Any]], snapshot_json: SnapshotAssertion) -> None:
    assert listed[name] == snapshot_json
