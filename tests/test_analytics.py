"""The analytics endpoints, end to end: every analytics tool and every new report source through a
real MCP client against the sandbox over loopback HTTP.

- Exactness: the server's totals equal a brute-force sum over the sandbox's raw pages (walked by
  hand with small pages), for the Usage and Cost Analytics API and the four legacy reports.
- Agreement: where the endpoints overlap, the sandbox tells one story (the API products of
  `analytics/usage` are the Admin API's usage report, to the token and the fraction of a cent;
  daily active users are the members with rows and with usage; Claude Code activity is the Claude
  Code report's; connector and artifact rows add up to the members' counts).
- Choice of source: the endpoint that takes the arguments answers, and the answer names it.
- Refusals before any request, access by credential, and the sandbox's own validation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, get_args

import anthropic
import httpx2
import pytest
from mcp.server import MCPServer

from claude_admin_mcp.sandbox.faults import Fault
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.api.credentials.scoped_key import scoped_key_credential
from claude_admin_mcp.server.app import create_server
from claude_admin_mcp.tools import analytics, reports

from .conftest import FIXED_NOW, connect, make_server, make_settings, sandbox_config, text_of

BETA = {"anthropic-beta": "analytics-usage-cost-2026-08-24"}
USAGE = "/v1/organizations/analytics/usage"
COST = "/v1/organizations/analytics/cost"
METRICS = (
    "total_tokens",
    "input_tokens",
    "cache_write_tokens",
    "cache_read_tokens",
    "output_tokens",
    "web_searches",
)
API_PRODUCTS = ["messages_api", "message_batches_api", "claude_console", "claude_code"]
"""What the Admin API's own usage and cost reports cover."""
ANALYTICS_TOOLS = (
    "count_active_users",
    "list_user_activity",
    "list_project_activity",
    "list_connector_usage",
    "list_plugin_usage",
    "list_skill_usage",
    "list_artifact_activity",
)
DAY = "2026-11-18"
YESTERDAY = (FIXED_NOW.date() - timedelta(days=1)).isoformat()


def server(sandbox: RunningSandbox, **overrides: Any) -> MCPServer[Any]:
    """The server on the sandbox's clock, every toolset offered, signed in with the admin key."""
    settings = make_settings(sandbox, toolsets=["all"], **overrides)
    credential = admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key)
    return create_server(settings, credential, clock=sandbox.state.clock)


def walk(
    sandbox: RunningSandbox, path: str, params: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every `data` entry of an analytics endpoint, its pages followed by hand."""
    out: list[dict[str, Any]] = []
    page: str | None = None
    with httpx2.Client(
        base_url=sandbox.base_url, headers={"x-api-key": sandbox.config.admin_key, **(headers or {})}
    ) as http:
        while True:
            query: list[tuple[str, str | int | float | bool | None]]
            query = [(k, str(v)) for k, v in params.items() if not isinstance(v, list)]
            query += [(f"{k}[]", str(item)) for k, v in params.items() if isinstance(v, list) for item in v]
            if page:
                query.append(("page", page))
            body = http.get(path, params=query).raise_for_status().json()
            out.extend(body["data"])
            page = body.get("next_page")
            if not page or body.get("has_more") is False:
                return out


def usage_of(counts: Mapping[str, Any]) -> dict[str, int]:
    cache = counts["cache_creation"]
    row = {
        "input_tokens": counts["uncached_input_tokens"],
        "cache_write_tokens": cache["ephemeral_5m_input_tokens"] + cache["ephemeral_1h_input_tokens"],
        "cache_read_tokens": counts["cache_read_input_tokens"],
        "output_tokens": counts["output_tokens"],
        "web_searches": counts["server_tool_use"]["web_search_requests"],
    }
    row["total_tokens"] = sum(row[m] for m in ("input_tokens", "cache_write_tokens", "cache_read_tokens"))
    row["total_tokens"] += row["output_tokens"]
    return row


def dimension(values: Mapping[str, Any], name: str) -> Any:
    value = values.get(name)
    if name == "actor" and isinstance(value, dict):
        return value.get("user_id") or value.get("api_key_id")
    return value


def add(into: dict[str, int], more: Mapping[str, int]) -> None:
    for metric, value in more.items():
        into[metric] = into.get(metric, 0) + value


async def call(sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], **overrides: Any) -> Any:
    async with connect(server(sandbox, **overrides)) as client:
        result = await client.call_tool(tool, arguments)
    assert not result.is_error, text_of(result)
    return result


# -- exactness ---------------------------------------------------------------------------------------

PIECES = (("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"), ("2026-11-01T00:00:00Z", "2026-11-11T00:00:00Z"))
"""The 41 days of the range below, in the requests the API accepts (31 days at most each)."""


@pytest.mark.anyio
@pytest.mark.parametrize(
    "group_by", [[], ["actor"], ["product"], ["workspace_id", "model"], ["actor", "product"], ["api_key_id"]]
)
async def test_analytics_usage_totals_equal_a_raw_walk(sandbox: RunningSandbox, group_by: list[str]) -> None:
    arguments = {
        "range": "2026-10-01..2026-11-10",
        "group_by": group_by,
        "source": "analytics/usage",
        "top": 1000,
    }
    content = (
        await call(sandbox, "get_usage_report", arguments, output_budget_tokens=200_000)
    ).structured_content
    assert content["endpoint"] == f"GET {USAGE}"
    assert content["range"] == {"start": PIECES[0][0], "end": PIECES[1][1], "asked": arguments["range"]}
    expected: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for start, end in PIECES:
        params = {
            "starting_at": start,
            "ending_at": end,
            "time_bucket_width": "1d",
            "limit": 7,
            "group_by": group_by,
        }
        for item in walk(sandbox, USAGE, params, BETA):
            add(expected[tuple(dimension(item["group"], d) for d in group_by)], usage_of(item["usage"]))
    got = {tuple(row[d] for d in group_by): {m: row[m] for m in METRICS} for row in content["rows"]}
    assert got == expected
    assert len(got) == content["groups"] > (0 if not group_by else 1)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "group_by", [[], ["actor"], ["product", "token_type"], ["workspace_id", "cost_type"], ["model"]]
)
async def test_analytics_cost_totals_equal_a_raw_walk_to_the_fraction_of_a_cent(
    sandbox: RunningSandbox, group_by: list[str]
) -> None:
    arguments = {
        "range": "2026-10-01..2026-11-10",
        "group_by": group_by,
        "source": "analytics/cost",
        "top": 1000,
    }
    content = (
        await call(sandbox, "get_cost_report", arguments, output_budget_tokens=200_000)
    ).structured_content
    assert len(content["rows"]) == content["groups"], "every group shown"
    expected: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for start, end in PIECES:
        params = {
            "starting_at": start,
            "ending_at": end,
            "time_bucket_width": "1d",
            "limit": 5,
            "group_by": group_by,
        }
        for item in walk(sandbox, COST, params, BETA):
            assert item["cost"]["currency"] == "USD"
            expected[tuple(dimension(item["group"], d) for d in group_by)] += Decimal(item["cost"]["amount"])
    got = {tuple(row[d] for d in group_by): Decimal(row["cost_cents"]) for row in content["rows"]}
    assert got == expected
    assert Decimal(content["totals"]["cost_cents"]) == sum(expected.values())


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "source", "group_by"),
    [
        ("get_usage_report", "analytics/usage_report", ["product"]),
        ("get_usage_report", "analytics/user_usage_report", ["actor", "model"]),
        ("get_cost_report", "analytics/cost_report", ["cost_type"]),
        ("get_cost_report", "analytics/user_cost_report", ["actor", "token_type"]),
    ],
)
async def test_legacy_enterprise_reports_totals_equal_a_raw_walk(
    sandbox: RunningSandbox, tool: str, source: str, group_by: list[str]
) -> None:
    arguments = {"range": "2026-11-01..2026-11-10", "group_by": group_by, "source": source, "top": 1000}
    content = (await call(sandbox, tool, arguments, output_budget_tokens=200_000)).structured_content
    assert content["endpoint"] == f"GET /v1/organizations/{source}"
    assert len(content["rows"]) == content["groups"], "every group shown"
    per_user = "user_" in source
    params: dict[str, Any] = {
        "starting_at": PIECES[1][0],
        "ending_at": PIECES[1][1],
        "bucket_width": "1d",
        "limit": 7 if per_user else 3,
        "group_by": [d for d in group_by if d != "actor"],
    }
    results = walk(sandbox, f"/v1/organizations/{source}", params)
    if not per_user:
        results = [result for bucket in results for result in bucket["results"]]
    cost = tool == "get_cost_report"
    expected: dict[tuple[Any, ...], Any] = defaultdict(Decimal if cost else dict)
    for result in results:
        key = tuple(dimension(result, d) for d in group_by)
        if cost:
            expected[key] += Decimal(result["amount"])
        else:
            add(expected[key], usage_of(result))
    rows = content["rows"]
    if cost:
        assert {tuple(r[d] for d in group_by): Decimal(r["cost_cents"]) for r in rows} == expected
    else:
        assert {tuple(r[d] for d in group_by): {m: r[m] for m in METRICS} for r in rows} == expected
    if per_user:  # the API names its members: the answer shows who
        emails = {user.email for user in sandbox.state.users.values()}
        assert all(str(row["actor_name"]).split(" (")[0] in emails for row in rows)


# -- one story across endpoints ----------------------------------------------------------------------


def test_the_api_products_of_analytics_usage_and_cost_are_the_admin_api_reports(
    sandbox: RunningSandbox,
) -> None:
    span = {"starting_at": "2026-11-01T00:00:00Z", "ending_at": "2026-11-08T00:00:00Z"}
    classic: dict[Any, dict[str, int]] = defaultdict(dict)
    for bucket in walk(
        sandbox,
        "/v1/organizations/usage_report/messages",
        {**span, "bucket_width": "1d", "group_by": ["workspace_id"]},
    ):
        for result in bucket["results"]:
            add(classic[result["workspace_id"]], usage_of(result))
    analytics: dict[Any, dict[str, int]] = defaultdict(dict)
    params = {
        **span,
        "time_bucket_width": "1d",
        "group_by": ["workspace_id"],
        "products": API_PRODUCTS,
        "limit": 1000,
    }
    for item in walk(sandbox, USAGE, params, BETA):
        add(analytics[item["group"]["workspace_id"]], usage_of(item["usage"]))
    assert analytics == classic and len(classic) > 2
    classic_cost: dict[Any, Decimal] = defaultdict(Decimal)
    for bucket in walk(sandbox, "/v1/organizations/cost_report", {**span, "group_by": ["workspace_id"]}):
        for result in bucket["results"]:
            classic_cost[result["workspace_id"]] += Decimal(result["amount"])
    analytics_cost: dict[Any, Decimal] = defaultdict(Decimal)
    for item in walk(sandbox, COST, params, BETA):
        analytics_cost[item["group"]["workspace_id"]] += Decimal(item["cost"]["amount"])
    assert analytics_cost == classic_cost
    # Everything else is the members' claude.ai usage, which the Admin API's reports do not see.
    members = walk(sandbox, USAGE, {**span, "group_by": ["product"]}, BETA)
    assert {item["group"]["product"] for item in members} - set(API_PRODUCTS) == {"chat", "cowork"}


def test_daily_active_users_are_the_members_with_rows_and_with_usage(sandbox: RunningSandbox) -> None:
    end = (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()
    summary = walk(
        sandbox, "/v1/organizations/analytics/summaries", {"starting_date": DAY, "ending_date": end}
    )
    assert len(summary) == 1 and summary[0]["starting_at"] == f"{DAY}T00:00:00Z"
    rows = walk(sandbox, "/v1/organizations/analytics/users", {"date": DAY, "limit": 7})
    span = {"starting_at": f"{DAY}T00:00:00Z", "ending_at": f"{end}T00:00:00Z", "limit": 9}
    with_usage = {
        row["actor"]["user_id"]
        for row in walk(sandbox, "/v1/organizations/analytics/user_usage_report", span)
    }
    assert summary[0]["daily_active_user_count"] == len(rows) == len(with_usage) > 10
    assert {row["user"]["id"] for row in rows} == with_usage
    assert summary[0]["claude_code_daily_active_user_count"] == sum(
        1 for row in rows if row["claude_code_metrics"]["core_metrics"]["distinct_session_count"]
    )
    assert summary[0]["chat_daily_active_user_count"] == sum(
        1 for row in rows if row["chat_metrics"]["message_count"]
    )
    seats = summary[0]["assigned_seat_count"]
    assert summary[0]["daily_adoption_rate"] == round(len(rows) / seats * 100, 2)


@pytest.mark.anyio
async def test_member_claude_code_activity_is_the_claude_code_reports(sandbox: RunningSandbox) -> None:
    report = (await call(sandbox, "get_claude_code_usage", {"range": DAY, "top": 1000})).structured_content
    people = {row["actor"]: row for row in report["rows"] if "@" in str(row["actor"])}
    arguments = {"range": DAY, "limit": 1000, "fields": ["user", "claude_code_metrics"]}
    members = (
        await call(sandbox, "list_user_activity", arguments, output_budget_tokens=200_000)
    ).structured_content
    assert members["next_cursor"] is None
    coding = {
        item["user"]["email_address"]: item["claude_code_metrics"]["core_metrics"]
        for item in members["items"]
        if item["claude_code_metrics"]["core_metrics"]["distinct_session_count"]
    }
    assert set(coding) == set(people) and len(people) > 5
    for email, core in coding.items():
        row = people[email]
        assert (core["distinct_session_count"], core["commit_count"]) == (row["sessions"], row["commits"])
        assert (core["pull_request_count"], core["lines_of_code"]["added_count"]) == (
            row["pull_requests"],
            row["lines_added"],
        )


def test_connector_and_artifact_rows_add_up_to_the_members_counts(sandbox: RunningSandbox) -> None:
    users = walk(sandbox, "/v1/organizations/analytics/users", {"date": DAY})
    connectors = walk(
        sandbox, "/v1/organizations/analytics/connectors", {"date": DAY, "group_by": ["product"]}
    )
    for product, metrics in (("chat", "chat_metrics"), ("cowork", "cowork_metrics")):
        calls = sum(
            row["read_call_count"] + row["write_call_count"] + row["unclassified_call_count"]
            for row in connectors
            if row["product"] == product
        )
        assert calls == sum(user[metrics]["connectors_used_count"] for user in users) > 0
    cube = walk(sandbox, "/v1/organizations/analytics/artifacts", {"date": DAY})
    assert len(cube) == 14  # 7 types, shared or not: the full cube, zeros included
    assert sum(row["artifacts_created_count"] for row in cube) == sum(
        user["chat_metrics"]["distinct_artifacts_created_count"]
        + user["cowork_metrics"]["artifacts_created_count"]
        + user["claude_code_metrics"]["core_metrics"]["artifacts_created_count"]
        for user in users
    )
    projects = walk(
        sandbox, "/v1/organizations/analytics/apps/chat/projects", {"starting_date": "2026-11-01"}
    )
    by_member = walk(
        sandbox,
        "/v1/organizations/analytics/apps/chat/projects",
        {"starting_date": "2026-11-01", "group_by": ["user_id"], "limit": 5},
    )
    for project in projects:
        mine = [row for row in by_member if row["project_id"] == project["project_id"]]
        assert project["distinct_user_count"] == len(mine)
        assert project["message_count"] == sum(row["message_count"] for row in mine)


def test_a_range_rollup_is_the_sum_of_its_days_and_recounts_what_is_distinct(sandbox: RunningSandbox) -> None:
    days = ["2026-11-16", "2026-11-17", "2026-11-18"]
    rollup = {
        row["user"]["id"]: row
        for row in walk(
            sandbox,
            "/v1/organizations/analytics/users",
            {"starting_date": days[0], "ending_date": "2026-11-19"},
        )
    }
    summed: dict[str, dict[str, int]] = defaultdict(dict)
    used: dict[str, int] = defaultdict(int)
    for day in days:
        for row in walk(sandbox, "/v1/organizations/analytics/users", {"date": day}):
            core = row["claude_code_metrics"]["core_metrics"]
            add(
                summed[row["user"]["id"]],
                {"messages": row["chat_metrics"]["message_count"], "commits": core["commit_count"]},
            )
            used[row["user"]["id"]] += row["chat_metrics"]["distinct_projects_used_count"]
    assert set(rollup) == set(summed) and len(rollup) > 10
    for user_id, row in rollup.items():
        commits = row["claude_code_metrics"]["core_metrics"]["commit_count"]
        assert {"messages": row["chat_metrics"]["message_count"], "commits": commits} == summed[user_id]
        assert row["chat_metrics"]["distinct_projects_used_count"] <= used[user_id]
        assert row["last_activity_date"] in days


# -- every analytics tool through MCP ------------------------------------------------------------------


@pytest.mark.anyio
async def test_count_active_users_is_the_summaries_per_day(sandbox: RunningSandbox) -> None:
    result = await call(sandbox, "count_active_users", {"range": "2026-11-10..2026-11-16"})
    items = result.structured_content["items"]
    raw = walk(
        sandbox,
        "/v1/organizations/analytics/summaries",
        {"starting_date": "2026-11-10", "ending_date": "2026-11-17"},
    )
    assert [i["starting_at"] for i in items] == [r["starting_at"] for r in raw] and len(items) == 7
    assert [i["daily_active_user_count"] for i in items] == [r["daily_active_user_count"] for r in raw]
    assert "Days 2026-11-10 to 2026-11-16 (UTC" in text_of(result)
    # By default the last 30 days, today included as everywhere, so the 29 complete ones.
    last = await call(sandbox, "count_active_users", {})
    assert last.structured_content["items"][-1]["starting_at"] == f"{YESTERDAY}T00:00:00Z"
    assert len(last.structured_content["items"]) == 29


@pytest.mark.anyio
async def test_who_used_claude_most_is_one_ranked_call_and_pages_resume_exactly(
    sandbox: RunningSandbox,
) -> None:
    ranked = await call(
        sandbox,
        "list_user_activity",
        {"range": "last 7 days", "order_by": "claude_code_metrics.core_metrics.commit_count", "limit": 5},
    )
    commits = [
        i["claude_code_metrics"]["core_metrics"]["commit_count"] for i in ranked.structured_content["items"]
    ]
    assert commits == sorted(commits, reverse=True) and commits[0] > 0
    text = text_of(ranked)
    assert ranked.structured_content["items"][0]["user"]["email_address"] in text
    first = FIXED_NOW.date() - timedelta(days=6)
    raw = walk(sandbox, "/v1/organizations/analytics/users", {"starting_date": first.isoformat()})
    seen: list[str] = []
    cursor = None
    async with connect(server(sandbox)) as client:
        while True:
            arguments: dict[str, Any] = {"range": "last 7 days", "limit": 9, "fields": ["user"]}
            if cursor:
                arguments["cursor"] = cursor
            page = await client.call_tool("list_user_activity", arguments)
            seen += [item["user"]["id"] for item in page.structured_content["items"]]
            cursor = page.structured_content["next_cursor"]
            if not cursor:
                break
    assert seen == [row["user"]["id"] for row in raw] and len(seen) > 9


@pytest.mark.anyio
async def test_project_connector_plugin_skill_and_artifact_lists(sandbox: RunningSandbox) -> None:
    projects = await call(sandbox, "list_project_activity", {"range": "last month", "group_by": ["user_id"]})
    rows = projects.structured_content["items"]
    assert rows and all(row["user_id"].startswith("user_") for row in rows)
    emails = {user.email for user in sandbox.state.users.values()}
    assert any(email in text_of(projects) for email in emails), "members named beside their ids"

    github = await call(
        sandbox,
        "list_connector_usage",
        {"range": "last 7 days", "connector_names": ["GitHub MCP"], "group_by": ["product"]},
    )
    found = github.structured_content["items"]
    assert found and {row["connector_name"] for row in found} == {"github"}
    assert {row["product"] for row in found} <= {"chat", "claude_code", "cowork"}

    plugins = await call(sandbox, "list_plugin_usage", {"range": "last 7 days", "products": ["claude_code"]})
    first = (FIXED_NOW.date() - timedelta(days=6)).isoformat()
    raw = walk(
        sandbox,
        "/v1/organizations/analytics/plugins",
        {"starting_date": first, "filter": ["product:claude_code"]},
    )
    assert [(p["plugin_name"], p["invocation_count"]) for p in plugins.structured_content["items"]] == [
        (p["plugin_name"], p["invocation_count"]) for p in raw
    ]

    public = await call(sandbox, "list_skill_usage", {"range": "last 7 days", "share_statuses": ["public"]})
    skills = public.structured_content["items"]
    assert skills and {s["share_status"] for s in skills} == {"public"}

    artifacts = await call(sandbox, "list_artifact_activity", {"range": "yesterday"})
    assert len(artifacts.structured_content["items"]) == 14
    shared = await call(sandbox, "list_artifact_activity", {"range": "yesterday", "is_shared": True})
    assert [a["is_shared"] for a in shared.structured_content["items"]] == [True] * 7


# -- choosing the endpoint ------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "endpoint"),
    [
        ("get_usage_report", {"group_by": ["workspace_id"]}, "/v1/organizations/usage_report/messages"),
        ("get_usage_report", {"group_by": ["product"]}, USAGE),
        ("get_usage_report", {"group_by": ["actor"], "actor_types": ["user_actor"]}, USAGE),
        ("get_cost_report", {"group_by": ["workspace_id"]}, "/v1/organizations/cost_report"),
        ("get_cost_report", {"range": "yesterday", "bucket_width": "1h"}, COST),
        ("get_cost_report", {"group_by": ["model"]}, COST),
    ],
)
async def test_the_endpoint_that_takes_the_arguments_answers_and_is_named(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], endpoint: str
) -> None:
    result = await call(sandbox, tool, arguments)
    assert result.structured_content["endpoint"] == f"GET {endpoint}"
    assert f"Source: GET {endpoint}." in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        (
            "get_usage_report",
            {"group_by": ["account_id", "product"]},
            "no one endpoint takes these arguments",
        ),
        (
            "get_usage_report",
            {"source": "analytics/usage_report", "group_by": ["workspace_id"]},
            "cannot answer",
        ),
        ("get_cost_report", {"range": "2025-12-01..2025-12-03", "group_by": ["product"]}, "from 2026-01-01"),
        ("list_artifact_activity", {"range": "last 7 days"}, "one UTC day at a time"),
        ("list_user_activity", {"range": "today"}, "no complete UTC day"),
        ("count_active_users", {"range": "next week"}, "accepted forms"),
        ("list_user_activity", {"user_ids": ["usr_1"]}, "expected a user id"),
        ("list_project_activity", {"project_ids": ["proj_1"]}, "claude_proj_"),
    ],
)
async def test_what_no_endpoint_would_serve_is_refused_before_any_request(
    fresh_sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], message: str
) -> None:
    counter = fresh_sandbox.state.faults.add(Fault("latency", seconds=0, times=None))
    async with connect(server(fresh_sandbox)) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error and message in text_of(result), text_of(result)
    assert counter.fired == 0


@pytest.mark.anyio
async def test_totals_ask_for_no_buckets_one_request_a_month_and_agree_with_the_daily_view(
    fresh_sandbox: RunningSandbox,
) -> None:
    observer = fresh_sandbox.state.faults.add(Fault("observe", times=None))
    arguments: dict[str, Any] = {"range": "last month", "group_by": ["actor"], "top": 1000}
    totals = (
        await call(fresh_sandbox, "get_cost_report", arguments, output_budget_tokens=200_000)
    ).structured_content
    asked = [seen for seen in observer.seen if "/analytics/cost?" in seen]
    assert len(asked) == 1 and "time_bucket_width" not in asked[0], asked
    assert totals["bucket_width"] is None and totals["endpoint"] == f"GET {COST}"
    observer.seen.clear()
    every_day = {"range": "last month", "group_by": ["actor"], "view": "daily"}
    daily = await call(fresh_sandbox, "get_cost_report", every_day, output_budget_tokens=200_000)
    assert len(daily.structured_content["rows"]) == daily.structured_content["groups"]
    asked = [seen for seen in observer.seen if "/analytics/cost?" in seen]
    assert asked and all("time_bucket_width=1d" in seen for seen in asked)
    by_actor: dict[Any, Decimal] = defaultdict(Decimal)
    for row in daily.structured_content["rows"]:
        by_actor[row["actor"]] += Decimal(row["cost_cents"])
    assert by_actor == {row["actor"]: Decimal(row["cost_cents"]) for row in totals["rows"]}
    assert len({row["day"] for row in daily.structured_content["rows"]}) == 31


@pytest.mark.anyio
async def test_a_flat_sources_raw_buckets_resume_exactly_under_a_small_budget(
    sandbox: RunningSandbox,
) -> None:
    arguments: dict[str, Any] = {
        "range": DAY,
        "source": "analytics/usage",
        "group_by": ["actor"],
        "bucket_width": "1h",
        "view": "buckets",
    }
    got: list[tuple[str, Any]] = []
    calls = 0
    async with connect(server(sandbox, output_budget_tokens=1500)) as client:
        while True:
            result = await client.call_tool("get_usage_report", arguments)
            assert not result.is_error, text_of(result)
            calls += 1
            for bucket in result.structured_content["rows"]:
                got += [
                    (bucket["starting_at"], dimension(row["group"], "actor")) for row in bucket["results"]
                ]
            cursor = result.structured_content["next_cursor"]
            if not cursor:
                break
            arguments["cursor"] = cursor
    end = (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()
    raw = walk(
        sandbox,
        USAGE,
        {
            "starting_at": f"{DAY}T00:00:00Z",
            "ending_at": f"{end}T00:00:00Z",
            "time_bucket_width": "1h",
            "group_by": ["actor"],
            "order_by": "time",
            "order": "asc",
            "limit": 1000,
        },
        BETA,
    )
    assert calls > 2
    assert sorted(got, key=str) == sorted(
        ((r["starting_at"], dimension(r["group"], "actor")) for r in raw), key=str
    )
    assert len(got) == len(set(got)), "no row twice"


@pytest.mark.anyio
async def test_removed_members_usage_stays_named_and_can_be_left_out(fresh_sandbox: RunningSandbox) -> None:
    arguments: dict[str, Any] = {"range": "last 7 days", "source": "analytics/usage", "group_by": ["actor"]}
    before = (await call(fresh_sandbox, "get_usage_report", arguments)).structured_content["rows"]
    state = fresh_sandbox.state
    leaver = next(
        row
        for row in before
        if str(row["actor"]).startswith("user_") and state.users[row["actor"]].role in ("user", "developer")
    )
    with httpx2.Client(
        base_url=fresh_sandbox.base_url, headers={"x-api-key": fresh_sandbox.config.admin_key}
    ) as http:
        http.delete(f"/v1/organizations/users/{leaver['actor']}").raise_for_status()
    after = (await call(fresh_sandbox, "get_usage_report", arguments)).structured_content["rows"]
    gone = next(row for row in after if row["actor"] == leaver["actor"])
    assert gone["actor_name"] == f"{leaver['actor_name']}, removed"
    assert gone["total_tokens"] == leaver["total_tokens"], "the past is not rewritten"
    kept = await call(fresh_sandbox, "get_usage_report", {**arguments, "exclude_deleted_users": True})
    assert leaver["actor"] not in {row["actor"] for row in kept.structured_content["rows"]}


# -- access ---------------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_an_org_admin_token_reads_analytics_usage_but_not_the_enterprise_endpoints(
    sandbox: RunningSandbox,
) -> None:
    oauth = make_server(sandbox, oauth=True, toolsets=["all"])
    async with connect(oauth) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
        refused = await client.call_tool("list_user_activity", {})
        legacy = await client.call_tool(
            "get_usage_report", {"range": "2026-11-10", "source": "analytics/user_usage_report"}
        )
    assert not listed & set(ANALYTICS_TOOLS) and "get_usage_report" in listed
    assert refused.is_error and "read:analytics" in text_of(refused)
    assert legacy.is_error and "read:analytics" in text_of(legacy) and "Nothing was asked" in text_of(legacy)
    async with connect(make_server(sandbox, oauth=True, toolsets=["all"])) as client:
        served = await client.call_tool("get_usage_report", {"range": "2026-11-10", "group_by": ["product"]})
    assert not served.is_error and served.structured_content["endpoint"] == f"GET {USAGE}"
    token = sandbox.config.oauth_token
    with httpx2.Client(base_url=sandbox.base_url, headers={"authorization": f"Bearer {token}"}) as http:
        denied = http.get("/v1/organizations/analytics/users", params={"date": DAY})
    assert denied.status_code == 403 and "read:analytics" in denied.json()["error"]["message"]


ANALYST = "sk-ant-api01-canaryScopedANALYST" + "Rt5" * 12


@pytest.mark.anyio
async def test_a_read_analytics_key_reads_engagement_and_usage_through_the_analytics_endpoints() -> None:
    keys = ((ANALYST, frozenset({"read:analytics"})),)
    with start_sandbox(sandbox_config(scoped_keys=keys)) as running:
        credential = scoped_key_credential("ANTHROPIC_SCOPED_KEY", ANALYST, "read:analytics")
        scoped = create_server(
            make_settings(running, toolsets=["all"]), credential, clock=running.state.clock
        )
        async with connect(scoped) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            members = await client.call_tool("list_user_activity", {"limit": 3})
            usage = await client.call_tool("get_usage_report", {"range": "last 7 days"})
            console = await client.call_tool("get_cost_report", {"source": "cost_report"})
    assert set(ANALYTICS_TOOLS) | {"get_usage_report", "get_cost_report"} <= names
    assert not names & {"list_users", "list_workspaces", "get_claude_code_usage"}
    assert not members.is_error and members.structured_content["count"] == 3
    # The Admin API's own report takes no scoped key: the analytics endpoint answers instead.
    assert not usage.is_error and usage.structured_content["endpoint"] == f"GET {USAGE}"
    assert console.is_error and "cost_report needs an admin key" in text_of(console)


# -- the sandbox's validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "headers", "message"),
    [
        (
            USAGE,
            {"starting_at": "2026-11-01T00:00:00Z"},
            {},
            "anthropic-beta: analytics-usage-cost-2026-08-24",
        ),
        (
            USAGE,
            {"starting_at": "2026-11-01T00:00:00Z", "exclude_deleted_users": "true"},
            BETA,
            "group_by[]=actor",
        ),
        (
            USAGE,
            {"starting_at": "2026-11-01T00:00:00Z", "time_bucket_width": "1h"},
            BETA,
            "ending_at: required",
        ),
        (
            COST,
            {
                "starting_at": "2026-11-01T00:00:00Z",
                "group_by[]": ["actor", "model", "product", "speed", "workspace_id", "api_key_id"],
            },
            BETA,
            "at most 5",
        ),
        (USAGE, {"starting_at": "2026-11-01T00:00:00Z", "actor_ids[]": "svc_1"}, BETA, "actor id"),
        (
            "/v1/organizations/analytics/users",
            {"date": "2026-11-20"},
            {},
            "latest available day is 2026-11-19",
        ),
        (
            "/v1/organizations/analytics/users",
            {"date": DAY, "filter[]": "team:x"},
            {},
            "unsupported dimension",
        ),
        (
            "/v1/organizations/analytics/users",
            {"starting_date": DAY, "order_by": "vibes"},
            {},
            "not orderable",
        ),
        (
            "/v1/organizations/analytics/artifacts",
            {"date": DAY, "page": "page_x"},
            {},
            "only valid with group_by",
        ),
        ("/v1/organizations/analytics/summaries", {"date": DAY}, {}, "starting_date: Field required"),
        (
            "/v1/organizations/analytics/user_cost_report",
            {"starting_at": "2025-12-31T00:00:00Z"},
            {},
            "2026-01-01",
        ),
    ],
)
def test_the_sandbox_refuses_what_the_api_would(
    sandbox: RunningSandbox, path: str, params: dict[str, Any], headers: dict[str, str], message: str
) -> None:
    with httpx2.Client(
        base_url=sandbox.base_url, headers={"x-api-key": sandbox.config.admin_key, **headers}
    ) as http:
        response = http.get(path, params=params)
    body = response.json()
    assert response.status_code == 400 and body["error"]["type"] == "invalid_request_error"
    assert message in body["error"]["message"], body


def test_a_page_token_belongs_to_its_query(sandbox: RunningSandbox) -> None:
    with httpx2.Client(base_url=sandbox.base_url, headers={"x-api-key": sandbox.config.admin_key}) as http:
        first = http.get("/v1/organizations/analytics/users", params={"date": DAY, "limit": 2}).json()
        other = http.get(
            "/v1/organizations/analytics/users",
            params={"date": "2026-11-17", "limit": 2, "page": first["next_page"]},
        )
    assert first["next_page"] and other.status_code == 400 and "page" in other.json()["error"]["message"]


def test_the_sdk_walks_every_new_endpoint_with_strict_models(sandbox: RunningSandbox) -> None:
    """The official SDK's models and paginators over each route (the tour in the fidelity test calls
    each once; here the pages, filters and groupings)."""
    sdk = anthropic.Anthropic(
        api_key=sandbox.config.admin_key,
        base_url=sandbox.base_url,
        _strict_response_validation=True,
        max_retries=0,
    )
    analytics = sdk.beta.organization.analytics
    start, end = "2026-11-10T00:00:00Z", "2026-11-17T00:00:00Z"
    usage = list(
        analytics.usage.list(
            starting_at=start, ending_at=end, time_bucket_width="1d", group_by=["actor"], limit=13
        )
    )
    assert len(usage) > 13 and all(
        item.group.actor is None or item.group.actor.type in ("user_actor", "api_actor") for item in usage
    )
    cost = list(
        analytics.cost.list(starting_at=start, ending_at=end, group_by=["product", "cost_type"], limit=3)
    )
    assert {item.group.cost_type for item in cost} >= {"tokens", "web_search"}
    assert (
        len(list(analytics.usage_report.list(starting_at=start, ending_at=end, bucket_width="1h", limit=24)))
        == 168
    )
    assert list(analytics.cost_report.list(starting_at=start, ending_at=end, group_by=["token_type"]))
    per_member = list(
        analytics.user_usage_report.list(
            starting_at=start, ending_at=end, exclude_deleted_users=True, limit=4
        )
    )
    assert len({row.actor.user_id for row in per_member}) == len(per_member) > 4
    assert list(
        analytics.user_cost_report.list(starting_at=start, ending_at=end, group_by=["cost_type"], limit=4)
    )
    assert len(analytics.summaries.list(starting_date="2026-10-01", ending_date="2026-11-01").data) == 31
    members = list(analytics.users.list(starting_date="2026-11-01", limit=7, order_by="web_search_count"))
    assert [m.web_search_count for m in members] == sorted(
        (m.web_search_count for m in members), reverse=True
    )
    assert list(analytics.apps.chat.projects.list(date=DAY, group_by=["user_id"], limit=2))
    assert list(
        analytics.connectors.list(starting_date="2026-11-01", group_by=["product", "user_id"], limit=5)
    )
    assert list(analytics.plugins.list(date=DAY, group_by=["product"]))
    assert list(analytics.skills.list(date=DAY, filter=["share_status:organization"]))
    assert len(list(analytics.artifacts.list(date=DAY, group_by=["user_id"], limit=4))) > 4


def test_the_values_analytics_arguments_take_are_the_sdks() -> None:
    """Every choice a tool offers is one the SDK declares for that endpoint (the sandbox takes the
    SDK's whole lists; the tools offer what this organization can answer)."""
    sdk = anthropic.types.beta.organization
    usage_dims = set(get_args(reports.AnalyticsDimension))
    assert usage_dims <= set(get_args(sdk.analytics.BetaAnalyticsUsageGroupBy))
    assert usage_dims | {"cost_type", "token_type"} <= set(get_args(sdk.analytics.BetaAnalyticsCostGroupBy))
    assert set(get_args(reports.Product)) == set(get_args(sdk.BetaAnalyticsUsageCostProductFilter))
    assert set(get_args(reports.EnterpriseProduct)) < set(get_args(sdk.BetaAnalyticsProductFilter))
    assert set(get_args(reports.EnterpriseDimension)) < set(get_args(sdk.analytics.BetaAnalyticsUsageGroupBy))
    for ours, theirs in (
        (reports.Tier, sdk.BetaAnalyticsServiceTier),
        (reports.Window, sdk.BetaAnalyticsContextWindow),
        (reports.Geo, sdk.BetaAnalyticsInferenceGeoFilter),
        (reports.Speed, sdk.BetaAnalyticsSpeed),
    ):
        assert set(get_args(ours)) == set(get_args(theirs))
    for model, grouping in (
        (analytics.ListUserActivity, sdk.BetaAnalyticsUserGroupBy),
        (analytics.ListProjectActivity, sdk.BetaAnalyticsProjectGroupBy),
        (analytics.ListConnectorUsage, sdk.BetaAnalyticsConnectorGroupBy),
        (analytics.ListPluginUsage, sdk.BetaAnalyticsPluginGroupBy),
        (analytics.ListSkillUsage, sdk.BetaAnalyticsSkillGroupBy),
        (analytics.ListArtifactActivity, sdk.BetaAnalyticsArtifactGroupBy),
    ):
        offered = get_args(get_args(get_args(model.model_fields["group_by"].annotation)[0])[0])
        assert set(offered) == set(get_args(grouping)), model
