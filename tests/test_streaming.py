"""Streaming lists through a real MCP client: progress, the output budget, resumable cursors,
server-side filters over a large organization, field selection, cancellation, and toolsets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.app import INVENTORY
from claude_admin_mcp.server.config import Settings
from claude_admin_mcp.server.runtime.lists import CHARS_PER_TOKEN
from claude_admin_mcp.tools import TOOLSETS

from .api import raw_all
from .conftest import MODES, connect, make_server, sandbox_config, text_of

LARGE = 20_000


@pytest.fixture(scope="module")
def large_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(sandbox_config(users=LARGE)) as running:
        yield running


def result_size(result: CallToolResult) -> int:
    """What a client passes on: the text and the structured content, both counted."""
    return len(text_of(result)) + len(json.dumps(result.structured_content or {}, separators=(",", ":")))


async def walk_all(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    calls = 0
    while True:
        result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
        assert not result.is_error, text_of(result)
        items.extend(result.structured_content["items"])
        calls += 1
        cursor = result.structured_content["next_cursor"]
        if cursor is None:
            return items, calls
        assert calls < 500


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_progress_is_reported_per_page_to_a_client_that_asked(
    large_sandbox: RunningSandbox, mode: str
) -> None:
    events: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        events.append((progress, total, message))

    async with connect(make_server(large_sandbox), mode) as client:
        result = await client.call_tool(
            "list_users",
            {"email_domain": "no-such-domain.example", "limit": 10},
            progress_callback=on_progress,
        )
    assert result.structured_content["items"] == []
    assert len(events) == LARGE // 1000, "one event per 1,000-item page"
    progress = [p for p, _, _ in events]
    assert progress == sorted(progress) and progress[-1] == LARGE
    assert events[-1][2] == f"0 found, {LARGE} examined"


@pytest.mark.anyio
async def test_the_budget_holds_and_cursors_resume_without_loss_or_repeat(
    large_sandbox: RunningSandbox,
) -> None:
    budget = 2_000
    expected = raw_all(large_sandbox, "/v1/organizations/users")[:3000]
    server = make_server(large_sandbox, output_budget_tokens=budget)
    seen: list[dict[str, Any]] = []
    cursor = None
    async with connect(server) as client:
        while len(seen) < 3000:
            arguments: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            result = await client.call_tool("list_users", arguments)
            content = result.structured_content
            assert content is not None and 0 < content["count"] < 1000
            assert result_size(result) <= budget * CHARS_PER_TOKEN, "never over the budget"
            assert "output budget" in content["note"] and f"{content['count']} items" in text_of(result)
            seen.extend(content["items"])
            cursor = content["next_cursor"]
    assert [u["id"] for u in seen[:3000]] == [u["id"] for u in expected]


@pytest.mark.anyio
async def test_default_budget_with_the_largest_page_stays_under_claude_codes_cut(
    large_sandbox: RunningSandbox,
) -> None:
    async with connect(make_server(large_sandbox)) as client:
        result = await client.call_tool("list_users", {"limit": 1000})
    assert result_size(result) <= Settings().output_budget_tokens * CHARS_PER_TOKEN
    assert result_size(result) / CHARS_PER_TOKEN < 25_000


@pytest.mark.anyio
async def test_a_server_side_filter_over_a_large_org_matches_brute_force(
    large_sandbox: RunningSandbox,
) -> None:
    everyone = raw_all(large_sandbox, "/v1/organizations/users", roles=["developer"])
    domain = "contractors.acme.io"
    domains = {u["email"].rpartition("@")[2] for u in everyone}
    if domain not in domains:
        domain = sorted(domains - {"acme.com"})[0]
    expected = [u["id"] for u in everyone if u["email"].endswith("@" + domain)]
    assert 50 < len(expected) < len(everyone)
    async with connect(make_server(large_sandbox)) as client:
        found, calls = await walk_all(
            client, "list_users", {"roles": ["developer"], "email_domain": domain, "limit": 40}
        )
        by_name, _ = await walk_all(client, "list_users", {"name_contains": "ann", "limit": 1000})
    assert [u["id"] for u in found] == expected and calls == -(-len(expected) // 40)
    names = raw_all(large_sandbox, "/v1/organizations/users")
    assert [u["id"] for u in by_name] == [u["id"] for u in names if "ann" in u["name"].lower()]


@pytest.mark.anyio
async def test_a_filter_that_matches_nothing_stops_at_the_page_cap_with_a_cursor() -> None:
    with start_sandbox(sandbox_config(users=60_000)) as sandbox:
        async with connect(make_server(sandbox)) as client:
            first = await client.call_tool("list_users", {"email_contains": "nobody-has-this", "limit": 5})
            content = first.structured_content
            assert content is not None and content["items"] == [] and content["next_cursor"]
            assert "Examined 50000 items over 50 pages" in content["note"]
            rest = await client.call_tool(
                "list_users",
                {"email_contains": "nobody-has-this", "limit": 5, "cursor": content["next_cursor"]},
            )
    assert rest.structured_content["next_cursor"] is None and rest.structured_content["items"] == []


@pytest.mark.anyio
async def test_fields_trim_items_and_unknown_fields_are_refused(sandbox: RunningSandbox) -> None:
    counter = Fault("latency", seconds=0, times=None)
    async with connect(make_server(sandbox)) as client:
        result = await client.call_tool("list_users", {"fields": ["email"], "limit": 5})
        items = result.structured_content["items"]
        assert items and all(set(item) == {"id", "email"} for item in items)
        assert text_of(result).splitlines()[1] == "id | email"
        sandbox.state.faults.add(counter)
        bad = await client.call_tool("list_users", {"fields": ["email", "password"]})
        sandbox.state.faults.clear()
    assert (
        bad.is_error
        and "unknown field(s) password; items have: id, email, name, role, added_at" in text_of(bad)
    )
    assert counter.fired == 0


@pytest.mark.anyio
async def test_fields_let_more_items_fit_the_budget(large_sandbox: RunningSandbox) -> None:
    server = make_server(large_sandbox, output_budget_tokens=2_000)
    async with connect(server) as client:
        full = await client.call_tool("list_users", {"limit": 1000})
        thin = await client.call_tool("list_users", {"limit": 1000, "fields": ["email"]})
    assert thin.structured_content["count"] > 1.5 * full.structured_content["count"]


@pytest.mark.anyio
async def test_cancelling_a_call_stops_the_walk(fresh_sandbox: RunningSandbox) -> None:
    slow = fresh_sandbox.state.faults.add(Fault("latency", path="/users$", seconds=0.2, times=None))
    async with connect(make_server(fresh_sandbox)) as client:
        with anyio.move_on_after(0.5):
            await client.call_tool("list_users", {"email_contains": "zzz-none", "limit": 5})
        fired = slow.fired
        await anyio.sleep(0.8)
    assert fired <= 4 and slow.fired <= fired + 1, "no more pages are fetched once cancelled"


@pytest.mark.anyio
async def test_default_tool_list_fits_its_budget_and_every_operation_has_a_toolset(
    sandbox: RunningSandbox,
) -> None:
    async with connect(make_server(sandbox)) as client:
        default = [
            t.model_dump(by_alias=True, exclude_none=True, mode="json")
            for t in (await client.list_tools()).tools
        ]
    size = len(json.dumps({"tools": default}, separators=(",", ":"), ensure_ascii=False).encode())
    assert size <= 24_000, size
    # An OAuth token: with an admin key the OAuth-only tools are not offered (test_workload_identity).
    async with connect(make_server(sandbox, toolsets=["all"], oauth=True)) as client:
        everything = {t.name for t in (await client.list_tools()).tools}
    # Every tool but the activity feed and Enterprise analytics, which no org:admin token may read
    # (an admin key may).
    analytics = {entry.name for entry in INVENTORY.entries if entry.toolset == "analytics"}
    assert analytics and everything == {entry.name for entry in INVENTORY.entries} - {
        "list_activities",
        *analytics,
    }
    assert {entry.toolset for entry in INVENTORY.entries} == {*TOOLSETS, "exports", "approvals", "toolsets"}


@pytest.mark.anyio
async def test_toolsets_and_single_tools_choose_what_is_listed(sandbox: RunningSandbox) -> None:
    async with connect(make_server(sandbox, toolsets=["api_keys"], tools=["get_organization"])) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        outside = await client.call_tool("list_users", {})
    # get_approval comes with any write: the outcome of a write left to the approval page; `toolsets`
    # turns the other areas on.
    assert names == {
        "list_api_keys",
        "get_api_key",
        "update_api_key",
        "get_organization",
        "get_approval",
        "toolsets",
    }
    assert (
        outside.is_error
        and "users toolset" in text_of(outside)
        and 'toolsets tool (enable ["users"])' in text_of(outside)
    )
