"""The activity feed, rate limits and unused keys, through a real MCP client against the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox

from .api import raw_all, raw_get
from .conftest import connect, sandbox_config, text_of
from .test_reports import raw_pages, report_server
from .writes import ScriptedHuman


@pytest.mark.anyio
async def test_a_write_made_through_the_server_shows_at_the_top_of_the_activity_feed(
    fresh_sandbox: RunningSandbox,
) -> None:
    user = raw_all(fresh_sandbox, "/v1/organizations/users", roles=["developer"])[0]
    async with connect(report_server(fresh_sandbox), elicitation_callback=ScriptedHuman("accept")) as client:
        changed = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
        assert changed.structured_content["outcome"] == "applied"
        newest = await client.call_tool("list_activities", {"limit": 1})
        roles = await client.call_tool(
            "list_activities", {"activity_types": ["claude_user_role_updated"], "limit": 50}
        )
    top = newest.structured_content["items"][0]
    assert top["type"] == "claude_user_role_updated" and top["actor"]["type"] == "admin_api_key_actor"
    assert "claude_user_role_updated" in text_of(newest)
    assert all(item["type"] == "claude_user_role_updated" for item in roles.structured_content["items"])


@pytest.mark.anyio
async def test_activity_feed_time_filters_and_pages(sandbox: RunningSandbox) -> None:
    now = sandbox.state.clock()
    after = (now - timedelta(days=30)).replace(microsecond=0).isoformat()
    async with connect(report_server(sandbox)) as client:
        first = await client.call_tool(
            "list_activities", {"created_after": after, "limit": 7, "order": "asc"}
        )
        second = await client.call_tool(
            "list_activities",
            {
                "created_after": after,
                "limit": 7,
                "order": "asc",
                "cursor": first.structured_content["next_cursor"],
            },
        )
    items = first.structured_content["items"] + second.structured_content["items"]
    times = [item["created_at"] for item in items]
    assert times == sorted(times) and len({item["id"] for item in items}) == 14
    assert all(t >= after.replace("+00:00", "Z") for t in times)


@pytest.mark.anyio
async def test_an_admin_key_without_compliance_access_gets_an_explanation() -> None:
    with start_sandbox(sandbox_config(compliance_api=False)) as sandbox:
        async with connect(report_server(sandbox)) as client:
            result = await client.call_tool("list_activities", {})
    text = text_of(result)
    assert result.is_error and "permission_error (HTTP 403)" in text
    assert "Compliance API was enabled" in text and "Compliance Access Key" in text


@pytest.mark.anyio
async def test_rate_limits_for_a_model_and_a_workspace_with_the_org_limit_beside(
    sandbox: RunningSandbox,
) -> None:
    workspace = raw_get(sandbox, "/v1/organizations/workspaces", limit=1)["data"][0]
    async with connect(report_server(sandbox)) as client:
        sonnet = await client.call_tool("list_rate_limits", {"model": "claude-sonnet-4-6"})
        unknown = await client.call_tool("list_rate_limits", {"model": "claude-nonexistent-9"})
        inherited = await client.call_tool(
            "list_workspace_rate_limits", {"workspace_id": workspace["id"], "include_inherited": True}
        )
    (group,) = sonnet.structured_content["items"]
    assert "claude-sonnet-4-6" in group["models"] and "requests_per_minute" in text_of(sonnet)
    assert unknown.is_error and "No rate-limit group holds that model" in text_of(unknown)
    items = inherited.structured_content["items"]
    assert items and all("org_limit" in limit for item in items for limit in item["limits"])


@pytest.mark.anyio
async def test_setting_workspace_rate_limits_previews_and_guards(fresh_sandbox: RunningSandbox) -> None:
    workspace = raw_get(fresh_sandbox, "/v1/organizations/workspaces", limit=1)["data"][0]
    group = raw_get(fresh_sandbox, "/v1/organizations/rate_limits")["data"][0]
    path = f"/v1/organizations/workspaces/{workspace['id']}/rate_limits"
    org_rpm = next(limit["value"] for limit in group["limits"] if limit["type"] == "requests_per_minute")
    arguments = {"workspace_id": workspace["id"], "rate_limit_id": group["id"]}
    lower = ScriptedHuman("accept", typed=workspace["name"])
    async with connect(report_server(fresh_sandbox), elicitation_callback=lower) as client:
        result = await client.call_tool(
            "update_workspace_rate_limit",
            {**arguments, "limits": [{"type": "requests_per_minute", "value": 10}]},
        )
    assert result.structured_content["outcome"] == "applied", text_of(result)
    message = lower.messages[0]
    assert f"requests_per_minute: {org_rpm:,} (inherited) → 10" in message and "429" in message
    assert lower.schemas[0]["properties"]["confirm"]["description"] == f"Type {workspace['name']} to confirm"
    entry = next(e for e in raw_get(fresh_sandbox, path)["data"] if e["rate_limit_id"] == group["id"])
    assert {"type": "requests_per_minute", "value": 10} in [
        {k: v[k] for k in ("type", "value")} for v in entry["limits"]
    ]

    clear = ScriptedHuman("accept")
    async with connect(report_server(fresh_sandbox), elicitation_callback=clear) as client:
        cleared = await client.call_tool(
            "update_workspace_rate_limit",
            {**arguments, "limits": [{"type": "requests_per_minute", "value": None}]},
        )
    assert cleared.structured_content["outcome"] == "applied" and "→ org limit" in clear.messages[0]
    assert "confirm" not in clear.schemas[0]["properties"], "raising back to the org limit is a yes/no"
    overrides = raw_get(fresh_sandbox, path)["data"]
    assert all(e["rate_limit_id"] != group["id"] for e in overrides) or all(
        limit["type"] != "requests_per_minute"
        for e in overrides
        if e["rate_limit_id"] == group["id"]
        for limit in e["limits"]
    )

    other = raw_get(fresh_sandbox, "/v1/organizations/workspaces", limit=2)["data"][1]
    async with connect(
        report_server(fresh_sandbox, allow_workspaces=[other["id"]]),
        elicitation_callback=ScriptedHuman("accept"),
    ) as client:
        refused = await client.call_tool(
            "update_workspace_rate_limit",
            {**arguments, "limits": [{"type": "requests_per_minute", "value": 5}]},
        )
    assert refused.structured_content["outcome"] == "refused" and "may only change" in text_of(refused)


@pytest.mark.anyio
async def test_unused_keys_are_the_ones_the_usage_report_never_mentions(sandbox: RunningSandbox) -> None:
    now = sandbox.state.clock()
    start = (now - timedelta(days=29)).strftime("%Y-%m-%dT00:00:00Z")
    end = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    used = {
        row["api_key_id"]
        for bucket in raw_pages(
            sandbox,
            "/v1/organizations/usage_report/messages",
            {"starting_at": start, "ending_at": end, "limit": 7, "group_by": ["api_key_id"]},
        )
        for row in bucket["results"]
        if row["api_key_id"]
    }
    active = raw_all(sandbox, "/v1/organizations/api_keys", status="active")
    expected = [key["id"] for key in active if key["id"] not in used]
    assert expected and len(expected) < len(active)
    async with connect(report_server(sandbox)) as client:
        result = await client.call_tool(
            "list_api_keys", {"status": "active", "unused_days": 30, "limit": 1000}
        )
    assert [key["id"] for key in result.structured_content["items"]] == expected
