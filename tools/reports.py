"""Usage, cost and Claude Code reports: `/v1/organizations/usage_report/...`, `/cost_report`.

Each is an `Operation` with a `Report` spec: which dimensions and metrics its rows carry and how an
API row becomes rows to sum. The server walks every page of the range and aggregates exactly
(integers for tokens, `Decimal` for money), so "what did each workspace spend last week" is one
small answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import BucketWidth, Operation, Report

from .common import ApiObject, Arguments
from .models import API_KEY, MEMBER, WORKSPACE

# The API's documented page limits per width; the spans per request are the longest the API is
# known to accept (longer ranges are walked in pieces).
WIDTHS = (
    BucketWidth("1d", 86_400, page_max=31, span_days=31),
    BucketWidth("1h", 3_600, page_max=168, span_days=7),
    BucketWidth("1m", 60, page_max=1_440, span_days=1),
)

UsageDimension = Literal[
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
USAGE_METRICS = (
    "total_tokens",
    "input_tokens",
    "cache_write_tokens",
    "cache_read_tokens",
    "output_tokens",
    "web_searches",
)


def _usage_rows(result: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    cache = result.get("cache_creation") or {}
    tools = result.get("server_tool_use") or {}
    row: dict[str, Any] = {name: result.get(name) for name in group_by}
    row["input_tokens"] = int(result.get("uncached_input_tokens") or 0)
    row["cache_write_tokens"] = int(cache.get("ephemeral_5m_input_tokens") or 0) + int(
        cache.get("ephemeral_1h_input_tokens") or 0
    )
    row["cache_read_tokens"] = int(result.get("cache_read_input_tokens") or 0)
    row["output_tokens"] = int(result.get("output_tokens") or 0)
    row["web_searches"] = int(tools.get("web_search_requests") or 0)
    row["total_tokens"] = row["input_tokens"] + row["cache_write_tokens"] + row["cache_read_tokens"]
    row["total_tokens"] += row["output_tokens"]
    return [row]


def _cost_rows(result: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    row: dict[str, Any] = {name: result.get(name) for name in group_by}
    row["currency"] = result.get("currency") or "USD"  # amounts in different currencies never mix
    row["cost"] = Decimal(str(result.get("amount") or "0"))
    return [row]


ClaudeCodeDimension = Literal["actor", "actor_type", "model", "terminal_type", "customer_type", "is_remote"]
CLAUDE_CODE_METRICS = (
    "sessions",
    "lines_added",
    "lines_removed",
    "commits",
    "pull_requests",
    "edits_accepted",
    "edits_rejected",
    "input_tokens",
    "output_tokens",
    "cost",
)


def _claude_code_rows(record: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    actor = record.get("actor") or {}
    dims = {
        "actor": actor.get("email_address") or actor.get("api_key_name"),
        "actor_type": actor.get("type"),
        "terminal_type": record.get("terminal_type"),
        "customer_type": record.get("customer_type"),
        "is_remote": record.get("is_remote"),
    }
    base = {name: dims.get(name) for name in group_by if name != "model"}
    models = record.get("model_breakdown") or []

    def money(entry: Mapping[str, Any]) -> Decimal:
        return Decimal(str((entry.get("estimated_cost") or {}).get("amount") or 0))

    def tokens(entry: Mapping[str, Any], kind: str) -> int:
        return int((entry.get("tokens") or {}).get(kind) or 0)

    if "model" in group_by:
        # Sessions and lines are not split by model: grouped by model, only tokens and cost are.
        return [
            {
                **base,
                "model": entry.get("model"),
                "input_tokens": tokens(entry, "input"),
                "output_tokens": tokens(entry, "output"),
                "cost": money(entry),
            }
            for entry in models
        ]
    core = record.get("core_metrics") or {}
    lines = core.get("lines_of_code") or {}
    actions = (record.get("tool_actions") or {}).values()
    return [
        {
            **base,
            "sessions": int(core.get("num_sessions") or 0),
            "lines_added": int(lines.get("added") or 0),
            "lines_removed": int(lines.get("removed") or 0),
            "commits": int(core.get("commits_by_claude_code") or 0),
            "pull_requests": int(core.get("pull_requests_by_claude_code") or 0),
            "edits_accepted": sum(int(a.get("accepted") or 0) for a in actions),
            "edits_rejected": sum(int(a.get("rejected") or 0) for a in actions),
            "input_tokens": sum(tokens(entry, "input") for entry in models),
            "output_tokens": sum(tokens(entry, "output") for entry in models),
            "cost": sum((money(entry) for entry in models), Decimal(0)),
        }
    ]


def _acceptance_rate(row: dict[str, Any]) -> None:
    decided = row.get("edits_accepted", 0) + row.get("edits_rejected", 0)
    if "edits_accepted" in row:
        row["acceptance_rate"] = round(row["edits_accepted"] / decided, 4) if decided else None


class ReportResult(ApiObject):
    """Aggregated rows (or raw buckets), the exact range covered and the totals."""

    range: dict[str, Any]
    view: str
    group_by: list[str]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    groups: int
    data_through: str
    bucket_width: str | None = None
    next_cursor: str | None = None
    note: str | None = None


_FILTER = "Only these (any of)."


class UsageReport(Arguments):
    bucket_width: Literal["1d", "1h", "1m"] = "1d"
    group_by: list[UsageDimension] = Field(default_factory=list)
    workspace_ids: list[str] | None = Field(None, description=_FILTER)
    api_key_ids: list[str] | None = None
    account_ids: list[str] | None = None
    service_account_ids: list[str] | None = None
    models: list[str] | None = None
    service_tiers: (
        list[Literal["batch", "flex", "flex_discount", "priority", "priority_on_demand", "standard"]] | None
    ) = None
    context_window: list[Literal["0-200k", "200k-1M"]] | None = None
    inference_geos: list[Literal["global", "us", "not_available"]] | None = None
    speeds: list[Literal["standard", "fast"]] | None = None


class CostReport(Arguments):
    group_by: list[Literal["workspace_id", "description"]] = Field(default_factory=list)


def _by_actor() -> list[ClaudeCodeDimension]:
    return ["actor"]


class ClaudeCodeUsage(Arguments):
    # Grouped by the server: the API answers per-day records, not groups.
    group_by: list[ClaudeCodeDimension] = Field(default_factory=_by_actor, exclude=True)


_LABELS = {"workspace_id": WORKSPACE, "api_key_id": API_KEY, "account_id": MEMBER}

OPERATIONS = [
    Operation(
        name="get_usage_report",
        title="Token usage report",
        description="Token usage over a range (who or which API key sent the most tokens), summed exactly by "
        "workspace, key, model, member: totals (default), a daily series, or raw buckets. Null "
        "workspace_id = the default workspace.",
        toolset="reports",
        method="GET",
        path="/v1/organizations/usage_report/messages",
        input=UsageReport,
        output=ReportResult,
        pagination="report",
        labels=_LABELS,
        report=Report(
            metrics=USAGE_METRICS,
            rows=_usage_rows,
            sort_by="total_tokens",
            widths=WIDTHS,
            lag_seconds=300,
            betas={"speed": "fast-mode-2026-02-01", "speeds": "fast-mode-2026-02-01"},
        ),
    ),
    Operation(
        name="get_cost_report",
        title="Cost report",
        description="How much money we spent over a range (the bill, in USD), summed exactly to the fraction "
        "of a cent by workspace and/or description (model, token type): totals, a daily series, "
        "or raw buckets.",
        toolset="reports",
        method="GET",
        path="/v1/organizations/cost_report",
        input=CostReport,
        output=ReportResult,
        pagination="report",
        labels={"workspace_id": WORKSPACE},
        report=Report(
            metrics=("cost",),
            rows=_cost_rows,
            sort_by="cost",
            widths=(BucketWidth("1d", 86_400, page_max=31, span_days=31),),
            money="cost",
            lag_seconds=300,
        ),
    ),
    Operation(
        name="get_claude_code_usage",
        title="Claude Code usage",
        description="Claude Code per member over whole UTC days: sessions, lines, commits, PRs, edit "
        "acceptance rate, tokens and estimated cost (group_by model: cost by model). Claude API usage "
        "only; API-key users appear by key name; data lags about an hour.",
        toolset="reports",
        method="GET",
        path="/v1/organizations/usage_report/claude_code",
        input=ClaudeCodeUsage,
        output=ReportResult,
        pagination="report",
        report=Report(
            metrics=CLAUDE_CODE_METRICS,
            rows=_claude_code_rows,
            sort_by="sessions",
            money="cost",
            lag_seconds=3_600,
            max_days=92,
            derive=_acceptance_rate,
        ),
    ),
]
