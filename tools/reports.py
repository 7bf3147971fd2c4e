"""Usage, cost and Claude Code reports: `/v1/organizations/usage_report/...`, `/cost_report`, and
the same questions answered by the Usage and Cost Analytics API (`/analytics/usage`, `/cost`) and
the legacy Claude Enterprise reports (`/analytics/*_report`), as the tools' other `sources`.

Each is an `Operation` with a `Report` spec: which dimensions and metrics its rows carry and how an
API row becomes rows to sum. The server walks every page of the range and aggregates exactly
(integers for tokens, `Decimal` for money), so "what did each workspace spend last week" is one
small answer, whichever endpoint serves it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import BucketWidth, Operation, Report, RowsFn

from .common import ApiObject, Arguments, scoped
from .models import ACTOR, ANALYTICS_KEY, API_KEY, MEMBER, WORKSPACE

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


def _usage_numbers(counts: Mapping[str, Any]) -> dict[str, int]:
    """The usage metrics of one API result (the same fields on every usage endpoint)."""
    cache = counts.get("cache_creation") or {}
    tools = counts.get("server_tool_use") or {}
    row = {
        "input_tokens": int(counts.get("uncached_input_tokens") or 0),
        "cache_write_tokens": int(cache.get("ephemeral_5m_input_tokens") or 0)
        + int(cache.get("ephemeral_1h_input_tokens") or 0),
        "cache_read_tokens": int(counts.get("cache_read_input_tokens") or 0),
        "output_tokens": int(counts.get("output_tokens") or 0),
        "web_searches": int(tools.get("web_search_requests") or 0),
    }
    row["total_tokens"] = sum(
        row[name] for name in ("input_tokens", "cache_write_tokens", "cache_read_tokens")
    )
    row["total_tokens"] += row["output_tokens"]
    return row


def actor_id(actor: Any) -> str | None:
    """An analytics `actor` as one tagged id (a federated identity, which has none, as its subject)."""
    if not isinstance(actor, Mapping):
        return None
    for key in ("user_id", "api_key_id", "service_account_id"):
        if actor.get(key):
            return str(actor[key])
    provider = actor.get("provider") or {}
    return f"federated:{provider.get('type', '?')}:{actor.get('subject') or '?'}"


def _person(actor: Any) -> str | None:
    """A member actor as an admin reads it: "ana@acme.com (Ana Kim)", and whether they left."""
    if not isinstance(actor, Mapping) or actor.get("type") != "user_actor":
        return None
    email, name = actor.get("email_address"), actor.get("name")
    who = f"{email} ({name})" if email and name else str(email or name or actor.get("user_id"))
    return f"{who}, removed" if actor.get("deleted") else who


def _dimensions(values: Mapping[str, Any], group_by: tuple[str, ...]) -> dict[str, Any]:
    out = {name: actor_id(values.get(name)) if name == "actor" else values.get(name) for name in group_by}
    if "actor" in group_by:
        out["actor_name"] = _person(values.get("actor"))  # the API names members; keys are looked up
    return out


def _usage_rows(result: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**_dimensions(result, group_by), **_usage_numbers(result)}]


def _analytics_usage_rows(item: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**_dimensions(item.get("group") or {}, group_by), **_usage_numbers(item.get("usage") or {})}]


def _user_usage_rows(item: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    """A per-member report's row: the member is its `actor`, the rest as any usage result."""
    return _usage_rows({**item, "actor": item.get("actor")}, group_by)


def _user_cost_rows(item: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    return _cost_rows(item, group_by)


def _cost_rows(result: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    row: dict[str, Any] = _dimensions(result, group_by)
    row["currency"] = result.get("currency") or "USD"  # amounts in different currencies never mix
    row["cost"] = Decimal(str(result.get("amount") or "0"))
    return [row]


def _analytics_cost_rows(item: Mapping[str, Any], group_by: tuple[str, ...]) -> list[dict[str, Any]]:
    return _cost_rows({**(item.get("group") or {}), **(item.get("cost") or {})}, group_by)


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
    endpoint: str | None = None


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


# The other sources. Arguments several sources take have one name and type across them (the API's
# own name, where it differs, is the field's alias), so a tool takes each once.
AnalyticsDimension = Literal[
    "actor",
    "actor_type",
    "api_key_id",
    "workspace_id",
    "model",
    "product",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "rbac_group_id",
]
Product = Literal[
    "messages_api",
    "message_batches_api",
    "claude_code",
    "claude_console",
    "chat",
    "cowork",
    "chat_cowork_unified",
    "claude_design",
    "claude_in_chrome",
    "claude_tag",
    "managed_agents_api",
    "office_agent",
]
EnterpriseProduct = Literal[
    "claude_code",
    "chat",
    "cowork",
    "chat_cowork_unified",
    "claude_design",
    "claude_in_chrome",
    "office_agent",
]
Tier = Literal["batch", "flex", "flex_discount", "priority", "priority_on_demand", "standard"]
Window = Literal["0-200k", "200k-1M"]
Geo = Literal["global", "us", "not_available"]
Speed = Literal["standard", "fast"]
_ACTORS = "user_…, apikey_… or svac_… ids (enterprise sources: user_… only)"
_PRODUCTS = "Only these products (any of): API, Claude Code, claude.ai chat…"


class AnalyticsFilters(Arguments):
    bucket_width: Literal["1d", "1h", "1m"] = Field("1d", serialization_alias="time_bucket_width")
    actor_ids: list[str] | None = Field(None, description=_ACTORS)
    actor_types: (
        list[Literal["user_actor", "api_actor", "service_account_actor", "federated_actor"]] | None
    ) = None
    products: list[Product] | None = Field(None, description=_PRODUCTS)
    workspace_ids: list[str] | None = None
    api_key_ids: list[str] | None = None
    models: list[str] | None = None
    service_tiers: list[Tier] | None = None
    context_window: list[Window] | None = Field(None, serialization_alias="context_windows")
    inference_geos: list[Geo] | None = None
    speeds: list[Speed] | None = None
    exclude_deleted_users: bool | None = None


class AnalyticsUsage(AnalyticsFilters):
    group_by: list[AnalyticsDimension] = Field(default_factory=list)


class AnalyticsCost(AnalyticsFilters):
    group_by: list[Literal[AnalyticsDimension, "cost_type", "token_type"]] = Field(default_factory=list)


EnterpriseDimension = Literal["model", "product", "context_window", "inference_geo", "speed", "rbac_group_id"]


class EnterpriseFilters(Arguments):
    bucket_width: Literal["1d", "1h", "1m"] = "1d"
    actor_ids: list[str] | None = Field(None, serialization_alias="user_ids")
    products: list[EnterpriseProduct] | None = None
    models: list[str] | None = None
    context_window: list[Window] | None = Field(None, serialization_alias="context_windows")
    inference_geos: list[Geo] | None = None
    speeds: list[Speed] | None = None


class EnterpriseUsage(EnterpriseFilters):
    group_by: list[EnterpriseDimension] = Field(default_factory=list)


class EnterpriseCost(EnterpriseFilters):
    group_by: list[Literal[EnterpriseDimension, "cost_type", "token_type"]] = Field(default_factory=list)


def _without_actor(values: dict[str, Any]) -> dict[str, Any]:
    """The per-member reports are per member already: `actor` is grouped by the server, not asked."""
    group_by = [name for name in values.get("group_by") or () if name != "actor"]
    return {**values, "group_by": group_by} if "group_by" in values else values


class EnterpriseUserUsage(EnterpriseFilters):
    group_by: list[Literal["actor", EnterpriseDimension]] = Field(default_factory=list)
    exclude_deleted_users: bool | None = None


class EnterpriseUserCost(EnterpriseFilters):
    group_by: list[Literal["actor", EnterpriseDimension, "cost_type", "token_type"]] = Field(
        default_factory=list
    )
    exclude_deleted_users: bool | None = None


def _by_actor() -> list[ClaudeCodeDimension]:
    return ["actor"]


class ClaudeCodeUsage(Arguments):
    # Grouped by the server: the API answers per-day records, not groups.
    group_by: list[ClaudeCodeDimension] = Field(default_factory=_by_actor, exclude=True)


_LABELS = {"workspace_id": WORKSPACE, "api_key_id": API_KEY, "account_id": MEMBER}
_ACTOR_LABELS = {"workspace_id": WORKSPACE, "api_key_id": API_KEY, "actor": ACTOR}
ANALYTICS_BETA = "analytics-usage-cost-2026-08-24"
ANALYTICS_ACCESS = scoped("read:analytics")
ENTERPRISE_ACCESS = replace(
    ANALYTICS_KEY,
    remedy=f"{ANALYTICS_KEY.remedy} Or use source analytics/usage or analytics/cost, which answer the same.",
)
_ANALYTICS_FORBIDDEN = (
    "The Usage and Cost Analytics API takes an Admin API key, an org:admin token or a key with "
    "read:analytics; source usage_report/messages or cost_report answers for a Claude Platform organization."
)
_ENTERPRISE_FORBIDDEN = (
    "The legacy Claude Enterprise reports take a key with read:analytics (Claude Enterprise only); source "
    "analytics/usage or analytics/cost answers the same."
)
# Rows a page, not buckets: the flat reports page by rows (at most 1,000), 31 days a request.
_FLAT_WIDTHS = (
    BucketWidth("1d", 86_400, page_max=1000, span_days=31),
    BucketWidth("1h", 3_600, page_max=1000, span_days=31),
    BucketWidth("1m", 60, page_max=1000, span_days=1),
)
_ENTERPRISE_WIDTHS = (
    BucketWidth("1d", 86_400, page_max=31, span_days=31),
    BucketWidth("1h", 3_600, page_max=168, span_days=7),
    BucketWidth("1m", 60, page_max=256, span_days=1),
)


def _analytics_report(
    rows: RowsFn, metrics: tuple[str, ...], sort_by: str, *, flat: bool, money: bool
) -> Report:
    return Report(
        metrics=metrics,
        rows=rows,
        sort_by=sort_by,
        widths=_FLAT_WIDTHS if flat else _ENTERPRISE_WIDTHS,
        money="cost" if money else None,
        flat=flat,
        earliest="2026-01-01T00:00:00Z",
        max_age_days=365,
    )


USAGE_SOURCES = (
    Operation(
        name="get_usage_report",
        title="Token usage (Usage and Cost Analytics API)",
        description="Token usage by actor, product, key, workspace, model… (beta).",
        toolset="reports",
        method="GET",
        path="/v1/organizations/analytics/usage",
        input=AnalyticsUsage,
        output=ReportResult,
        pagination="report",
        beta=ANALYTICS_BETA,
        access=ANALYTICS_ACCESS,
        labels=_ACTOR_LABELS,
        forbidden_hint=_ANALYTICS_FORBIDDEN,
        report=_analytics_report(
            _analytics_usage_rows, USAGE_METRICS, "total_tokens", flat=True, money=False
        ),
    ),
    Operation(
        name="get_usage_report",
        title="Token usage (Claude Enterprise report, legacy)",
        description="Claude Enterprise token usage by product, model… (legacy).",
        toolset="reports",
        method="GET",
        path="/v1/organizations/analytics/usage_report",
        input=EnterpriseUsage,
        output=ReportResult,
        pagination="report",
        access=ENTERPRISE_ACCESS,
        forbidden_hint=_ENTERPRISE_FORBIDDEN,
        report=_analytics_report(_usage_rows, USAGE_METRICS, "total_tokens", flat=False, money=False),
    ),
    Operation(
        name="get_usage_report",
        title="Token usage by member (Claude Enterprise report, legacy)",
        description="Claude Enterprise token usage per member (legacy).",
        toolset="reports",
        method="GET",
        path="/v1/organizations/analytics/user_usage_report",
        input=EnterpriseUserUsage,
        output=ReportResult,
        pagination="report",
        access=ENTERPRISE_ACCESS,
        labels={"actor": ACTOR},
        forbidden_hint=_ENTERPRISE_FORBIDDEN,
        reshape=_without_actor,
        report=_analytics_report(_user_usage_rows, USAGE_METRICS, "total_tokens", flat=True, money=False),
    ),
)
COST_SOURCES = (
    Operation(
        name="get_cost_report",
        title="Cost (Usage and Cost Analytics API)",
        description="Cost by actor, product, key, workspace, model, token type… (beta).",
        toolset="reports",
        method="GET",
        path="/v1/organizations/analytics/cost",
        input=AnalyticsCost,
        output=ReportResult,
        pagination="report",
        beta=ANALYTICS_BETA,
        access=ANALYTICS_ACCESS,
        labels=_ACTOR_LABELS,
        forbidden_hint=_ANALYTICS_FORBIDDEN,
        report=_analytics_report(_analytics_cost_rows, ("cost",), "cost", flat=True, money=True),
    ),
    Operation(
        name="get_cost_report",
        title="Cost (Claude Enterprise report, legacy)",
        description="Claude Enterprise cost by product, model… (legacy).",
        toolset="reports",
        method="GET",
        path="/v1/organizations/analytics/cost_report",
        input=EnterpriseCost,
        output=ReportResult,
        pagination="report",
        access=ENTERPRISE_ACCESS,
        forbidden_hint=_ENTERPRISE_FORBIDDEN,
        report=_analytics_report(_cost_rows, ("cost",), "cost", flat=False, money=True),
    ),
    Operation(
        name="get_cost_report",
        title="Cost by member (Claude Enterprise report, legacy)",
        description="Claude Enterprise cost per member (legacy).",
        toolset="reports",
        method="GET",
        path="/v1/organizations/analytics/user_cost_report",
        input=EnterpriseUserCost,
        output=ReportResult,
        pagination="report",
        access=ENTERPRISE_ACCESS,
        labels={"actor": ACTOR},
        forbidden_hint=_ENTERPRISE_FORBIDDEN,
        reshape=_without_actor,
        report=_analytics_report(_user_cost_rows, ("cost",), "cost", flat=True, money=True),
    ),
)

OPERATIONS = [
    Operation(
        name="get_usage_report",
        title="Token usage report",
        description="Token usage over a range (who or which API key sent the most tokens), summed exactly "
        "by workspace, key, model, member, or by actor (a member or a key) and product (API, chat, Claude "
        "Code): totals (default), a daily series, or raw buckets. Null workspace_id = the default "
        "workspace.",
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
        sources=USAGE_SOURCES,
    ),
    Operation(
        name="get_cost_report",
        title="Cost report",
        description="How much money we spend over a range (the bill, in USD), summed exactly to the fraction "
        "of a cent by workspace and/or description, or by actor (a member or a key), product, model, token "
        "type: totals, a daily series, or raw buckets.",
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
        sources=COST_SOURCES,
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
