"""Report tools through a real MCP client: the server's totals equal a brute-force sum over the
sandbox's raw pages (to the cent, across page and bucket boundaries, for every group_by), ranges are
stated exactly, the budget holds, and refusals happen before any request."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from mcp.server import MCPServer

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.app import create_server
from claude_admin_mcp.server.catalog.operation import Report
from claude_admin_mcp.server.runtime.lists import CHARS_PER_TOKEN
from claude_admin_mcp.server.runtime.reports import Aggregate, Bucket
from claude_admin_mcp.tools.reports import USAGE_METRICS

from .conftest import connect, make_settings, sandbox_config, text_of

USAGE_DIMENSIONS = [
    "workspace_id",
    "api_key_id",
    "model",
    "account_id",
    "service_account_id",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
]
FAST = {"anthropic-beta": "fast-mode-2026-02-01"}


@pytest.fixture(scope="module")
def reports_sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(sandbox_config(users=150)) as running:
        yield running


def report_server(sandbox: RunningSandbox, **overrides: Any) -> MCPServer[Any]:
    settings = make_settings(sandbox, toolsets=["all"], **overrides)
    credential = admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key)
    return create_server(settings, credential, clock=sandbox.state.clock)


def raw_pages(
    sandbox: RunningSandbox, path: str, params: dict[str, Any], headers: dict[str, str] | None = None
) -> list[Any]:
    """Every `data` entry of a page/next_page report, walked by hand with small pages."""
    out: list[Any] = []
    page = None
    with httpx2.Client(
        base_url=sandbox.base_url, headers={"x-api-key": sandbox.config.admin_key, **(headers or {})}
    ) as http:
        while True:
            query = [(k, v) for k, v in params.items() if not isinstance(v, list)]
            query += [(f"{k}[]", item) for k, v in params.items() if isinstance(v, list) for item in v]
            if page:
                query.append(("page", page))
            body = http.get(path, params=query).raise_for_status().json()
            out.extend(body["data"])
            page = body.get("next_page")
            if not body.get("has_more", bool(page)) or not page:
                return out


def brute_usage(
    sandbox: RunningSandbox, start: str, end: str, group_by: list[str]
) -> dict[tuple[Any, ...], dict[str, int]]:
    params = {"starting_at": start, "ending_at": end, "bucket_width": "1d", "limit": 4, "group_by": group_by}
    sums: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(USAGE_METRICS, 0))
    for bucket in raw_pages(
        sandbox, "/v1/organizations/usage_report/messages", params, FAST if "speed" in group_by else None
    ):
        for r in bucket["results"]:
            row = sums[tuple(r.get(d) for d in group_by)]
            cache = r["cache_creation"]
            row["input_tokens"] += r["uncached_input_tokens"]
            row["cache_write_tokens"] += (
                cache["ephemeral_5m_input_tokens"] + cache["ephemeral_1h_input_tokens"]
            )
            row["cache_read_tokens"] += r["cache_read_input_tokens"]
            row["output_tokens"] += r["output_tokens"]
            row["web_searches"] += r["server_tool_use"]["web_search_requests"]
            row["total_tokens"] += (
                r["uncached_input_tokens"]
                + cache["ephemeral_5m_input_tokens"]
                + cache["ephemeral_1h_input_tokens"]
                + r["cache_read_input_tokens"]
                + r["output_tokens"]
            )
    return dict(sums)


@pytest.mark.anyio
@pytest.mark.parametrize("group_by", [[], *([d] for d in USAGE_DIMENSIONS), ["workspace_id", "model"]])
async def test_usage_totals_equal_a_brute_force_sum_for_every_group_by(
    reports_sandbox: RunningSandbox, group_by: list[str]
) -> None:
    # 41 days: two 31-day requests at 1d, and pages of 4 buckets on the brute-force side.
    arguments = {"range": "2026-10-01..2026-11-10", "group_by": group_by, "top": 1000}
    async with connect(report_server(reports_sandbox)) as client:
        result = await client.call_tool("get_usage_report", arguments)
    assert not result.is_error, text_of(result)
    content = result.structured_content
    assert content is not None and content["range"]["start"] == "2026-10-01T00:00:00Z"
    assert content["range"]["end"] == "2026-11-11T00:00:00Z"
    expected = brute_usage(reports_sandbox, content["range"]["start"], content["range"]["end"], group_by)
    got = {tuple(row.get(d) for d in group_by): {m: row[m] for m in USAGE_METRICS} for row in content["rows"]}
    assert got == expected
    assert content["groups"] == len(expected)
    for metric in USAGE_METRICS:
        assert content["totals"][metric] == sum(row[metric] for row in expected.values())


def brute_cost(
    sandbox: RunningSandbox, start: str, end: str, group_by: list[str]
) -> dict[tuple[Any, ...], Decimal]:
    params = {"starting_at": start, "ending_at": end, "limit": 3, "group_by": group_by}
    sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for bucket in raw_pages(sandbox, "/v1/organizations/cost_report", params):
        for r in bucket["results"]:
            sums[tuple(r.get(d) for d in group_by)] += Decimal(r["amount"])
    return dict(sums)


@pytest.mark.anyio
@pytest.mark.parametrize("group_by", [[], ["workspace_id"], ["description"], ["workspace_id", "description"]])
async def test_cost_totals_are_exact_to_the_fraction_of_a_cent(
    reports_sandbox: RunningSandbox, group_by: list[str]
) -> None:
    arguments = {"range": "2026-09-15..2026-11-19", "group_by": group_by, "top": 1000}
    async with connect(report_server(reports_sandbox)) as client:
        result = await client.call_tool("get_cost_report", arguments)
    content = result.structured_content
    assert content is not None, text_of(result)
    expected = brute_cost(reports_sandbox, content["range"]["start"], content["range"]["end"], group_by)
    got = {tuple(row.get(d) for d in group_by): Decimal(row["cost_cents"]) for row in content["rows"]}
    assert got == expected
    total = sum(expected.values(), Decimal(0))
    assert Decimal(content["totals"]["cost_cents"]) == total
    assert content["totals"]["cost_usd"] == str((total / 100).quantize(Decimal("0.01")))
    assert content["totals"]["currency"] == "USD"
    assert f"${(total / 100).quantize(Decimal('0.01')):,} USD" in text_of(result)


def test_money_is_summed_as_decimals_never_floats() -> None:
    spec = Report(
        metrics=("cost",),
        rows=lambda result, _: [{"cost": Decimal(result["amount"])}],
        sort_by="cost",
        money="cost",
    )
    amounts = ["0.1"] * 10 + ["0.0000001"]
    assert sum(float(a) for a in amounts) != 1.0000001, "floats get this sum wrong"
    aggregate = Aggregate(spec, (), by_day=False)
    aggregate.add(Bucket("2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", [{"amount": a} for a in amounts]))
    (row,) = aggregate.rows()
    assert row["cost"] == Decimal("1.0000001")


@pytest.mark.anyio
async def test_claude_code_totals_per_member_match_the_raw_records(reports_sandbox: RunningSandbox) -> None:
    async with connect(report_server(reports_sandbox)) as client:
        result = await client.call_tool(
            "get_claude_code_usage", {"range": "2026-11-10..2026-11-16", "top": 1000}
        )
        by_model = await client.call_tool(
            "get_claude_code_usage", {"range": "2026-11-10..2026-11-16", "group_by": ["model"]}
        )
    content = result.structured_content
    assert content is not None, text_of(result)
    sessions: dict[str, int] = defaultdict(int)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    model_cost: dict[str, Decimal] = defaultdict(Decimal)
    days = ["2026-11-1" + str(d) for d in range(0, 7)]
    for day in days:
        for record in raw_pages(
            reports_sandbox, "/v1/organizations/usage_report/claude_code", {"starting_at": day, "limit": 7}
        ):
            actor = record["actor"].get("email_address") or record["actor"].get("api_key_name")
            sessions[actor] += record["core_metrics"]["num_sessions"]
            for entry in record["model_breakdown"]:
                cost[actor] += Decimal(str(entry["estimated_cost"]["amount"]))
                model_cost[entry["model"]] += Decimal(str(entry["estimated_cost"]["amount"]))
    assert {row["actor"]: row["sessions"] for row in content["rows"]} == dict(sessions)
    assert {row["actor"]: Decimal(row["cost_cents"]) for row in content["rows"]} == dict(cost)
    assert all(
        0 <= row["acceptance_rate"] <= 1 for row in content["rows"] if row["acceptance_rate"] is not None
    )
    emails = {user.email for user in reports_sandbox.state.users.values()}
    assert {row["actor"] for row in content["rows"] if "@" in row["actor"]} <= emails, "real members only"
    models = by_model.structured_content
    assert models is not None
    assert {row["model"]: Decimal(row["cost_cents"]) for row in models["rows"]} == dict(model_cost)


@pytest.mark.anyio
async def test_daily_view_and_hourly_buckets_add_up_to_the_daily_totals(
    reports_sandbox: RunningSandbox,
) -> None:
    async with connect(report_server(reports_sandbox)) as client:
        daily = await client.call_tool(
            "get_usage_report", {"range": "2026-11-01..2026-11-07", "view": "daily"}
        )
        hourly = await client.call_tool(
            "get_usage_report",
            {"range": "2026-11-01..2026-11-07", "bucket_width": "1h", "group_by": ["model"]},
        )
        by_day = await client.call_tool(
            "get_usage_report", {"range": "2026-11-01..2026-11-07", "group_by": ["model"]}
        )
    days = daily.structured_content["rows"]
    assert [row["day"] for row in days] == [f"2026-11-0{d}" for d in range(1, 8)]
    assert sum(row["total_tokens"] for row in days) == by_day.structured_content["totals"]["total_tokens"]
    assert hourly.structured_content["rows"] == by_day.structured_content["rows"]


@pytest.mark.anyio
async def test_a_year_of_hourly_buckets_stays_within_the_budget_and_pages_without_gaps(
    reports_sandbox: RunningSandbox,
) -> None:
    budget = 4_000
    arguments = {"range": "last 365 days", "bucket_width": "1h", "view": "buckets", "group_by": ["model"]}
    starts: list[str] = []
    async with connect(report_server(reports_sandbox, output_budget_tokens=budget)) as client:
        totals = await client.call_tool("get_usage_report", {**arguments, "view": "totals"})
        daily_totals = await client.call_tool(
            "get_usage_report", {"range": "last 365 days", "group_by": ["model"]}
        )
        cursor = None
        for _ in range(3):
            result = await client.call_tool(
                "get_usage_report", {**arguments, **({"cursor": cursor} if cursor else {})}
            )
            content = result.structured_content
            assert content is not None, text_of(result)
            size = len(text_of(result)) + len(json.dumps(content, separators=(",", ":")))
            assert size <= budget * CHARS_PER_TOKEN
            starts += [bucket["starting_at"] for bucket in content["rows"]]
            cursor = content["next_cursor"]
            assert cursor and "output budget" in content["note"]
    moments = [datetime.fromisoformat(start.replace("Z", "+00:00")) for start in starts]
    assert len(moments) > 3
    assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(moments)), "no gap, no repeat"
    # A year of hourly totals equals the daily totals over the same range: nothing lost between pieces.
    assert totals.structured_content["totals"] == daily_totals.structured_content["totals"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("get_usage_report", {"range": "this year", "bucket_width": "1m"}, "use bucket_width 1d or 1h"),
        ("get_usage_report", {"range": "2027-01-01"}, "starts in the future"),
        ("get_usage_report", {"range": "next tuesday"}, "accepted forms"),
        ("get_usage_report", {"sort_by": "happiness"}, "sort_by must be one of"),
        ("get_usage_report", {"cursor": "abc"}, "cursor goes with view='buckets'"),
        ("get_cost_report", {"range": "2025-01-01..2026-11-01"}, "at most 366 days"),
        ("get_claude_code_usage", {"range": "last 6 months"}, "at most 92 days"),
    ],
)
async def test_ranges_the_api_will_not_serve_are_refused_before_any_request(
    fresh_sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], message: str
) -> None:
    counter = fresh_sandbox.state.faults.add(Fault("latency", seconds=0, times=None))
    async with connect(report_server(fresh_sandbox)) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error and message in text_of(result), text_of(result)
    assert counter.fired == 0


@pytest.mark.anyio
async def test_relative_ranges_follow_the_servers_clock(reports_sandbox: RunningSandbox) -> None:
    now = reports_sandbox.state.clock()
    async with connect(report_server(reports_sandbox)) as client:
        result = await client.call_tool("get_cost_report", {"range": "yesterday"})
    content = result.structured_content
    assert content is not None
    day = date.fromordinal(now.date().toordinal() - 1).isoformat()
    assert content["range"] == {
        "start": f"{day}T00:00:00Z",
        "end": f"{now.date().isoformat()}T00:00:00Z",
        "asked": "yesterday",
    }
    assert f"from {day}T00:00:00Z" in text_of(result)


@pytest.mark.anyio
async def test_each_workspace_spend_last_week_is_one_small_answer_with_names(
    reports_sandbox: RunningSandbox,
) -> None:
    async with connect(report_server(reports_sandbox)) as client:
        result = await client.call_tool(
            "get_cost_report", {"range": "last week", "group_by": ["workspace_id"]}
        )
    text = text_of(result)
    names = {ws.name for ws in reports_sandbox.state.workspaces.values()}
    rows = result.structured_content["rows"]
    assert all(row["workspace_name"] in names | {"Default workspace"} for row in rows)
    assert "Largest by cost" in text and "USD" in text and len(text) < 4_000
