"""Claude Enterprise engagement analytics: `/v1/organizations/analytics/summaries`, `/users`,
`/apps/chat/projects`, `/connectors`, `/plugins`, `/skills` and `/artifacts`.

The API aggregates these itself (one row per member or entity over a day or a range, ranked with
`order_by`), so each is a list tool: `range` says which whole UTC days, the server sends them as
the API's `date` or `starting_date`/`ending_date`, and typed filters become its `filter[]`
entries (`user_id:user_…`). Usage and cost by member, product or key are `get_usage_report` and
`get_cost_report` (their analytics sources).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import Days, Operation

from .common import ApiObject, Arguments, UserId
from .models import ANALYTICS_FORBIDDEN, ANALYTICS_KEY, MEMBER

ProjectId = Annotated[str, Field(pattern=r"^claude_proj_[A-Za-z0-9]{1,64}$")]
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
RbacGroupId = Annotated[str, Field(pattern=rf"^(rbac_group_[A-Za-z0-9]{{1,64}}|{_UUID})$")]
SeatProduct = Literal["chat", "claude_code", "cowork", "office_agent", "chat_cowork_unified"]

_FILTERS = {
    "user_ids": "user_id",
    "rbac_group_ids": "rbac_group_id",
    "project_ids": "project_id",
    "connector_names": "connector_name",
    "plugin_names": "plugin_name",
    "skill_names": "skill_name",
    "share_statuses": "share_status",
    "artifact_types": "artifact_type",
    "products": "product",
}


def _as_filters(values: dict[str, Any]) -> dict[str, Any]:
    """Typed filters as the API's `filter[]` entries, `dimension:value` (OR within one, AND across)."""
    entries = [f"{_FILTERS[name]}:{value}" for name in _FILTERS for value in values.pop(name, None) or ()]
    if "is_shared" in values:
        entries.append(f"is_shared:{str(values.pop('is_shared')).lower()}")
    return {**values, "filter": entries} if entries else values


class Window(Arguments):
    range: str = Field(
        "yesterday",
        exclude=True,
        description="Whole UTC days, e.g. yesterday, last 7 days, last month, 2026-11-01..2026-11-15. "
        "Data lags a day; today is left out.",
    )
    user_ids: list[UserId] | None = Field(None, description="Only these members.")
    rbac_group_ids: list[RbacGroupId] | None = Field(None, description="Only members of these RBAC groups.")
    order: Literal["asc", "desc"] | None = None


_DAY_RANGE = Days()
_BY = "Break rows out by these."


class CountActiveUsers(Arguments):
    range: str = Field(
        "last 30 days",
        exclude=True,
        description="Whole UTC days, e.g. yesterday, last month. Data lags a day.",
    )
    rbac_group_ids: list[RbacGroupId] | None = Field(None, description="Only members of these RBAC groups.")


class ActiveUsers(ApiObject):
    starting_at: str
    daily_active_user_count: int
    weekly_active_user_count: int
    monthly_active_user_count: int
    chat_daily_active_user_count: int | None = None
    claude_code_daily_active_user_count: int | None = None
    cowork_daily_active_user_count: int | None = None
    assigned_seat_count: int | None = None
    daily_adoption_rate: float | None = None
    pending_invite_count: int | None = None


class ListUserActivity(Window):
    order_by: (
        Literal[
            "chat_metrics.message_count",
            "chat_metrics.distinct_conversation_count",
            "claude_code_metrics.core_metrics.distinct_session_count",
            "claude_code_metrics.core_metrics.commit_count",
            "claude_code_metrics.core_metrics.pull_request_count",
            "claude_code_metrics.core_metrics.lines_of_code.added_count",
            "cowork_metrics.message_count",
            "web_search_count",
        ]
        | None
    ) = Field(None, description="Rank by this count, largest first (default: by email).")
    project_ids: list[ProjectId] | None = Field(None, description="Only chat in these projects.")
    group_by: list[Literal["rbac_group_id"]] | None = Field(
        None, description="One row per RBAC group instead."
    )


class UserActivity(ApiObject):
    user: dict[str, Any] | None = None
    chat_metrics: dict[str, Any]
    claude_code_metrics: dict[str, Any]
    cowork_metrics: dict[str, Any]
    web_search_count: int
    last_activity_date: str | None = None
    rbac_group_id: str | None = None
    rbac_group_name: str | None = None


class ListProjectActivity(Window):
    order_by: Literal["message_count", "distinct_user_count", "distinct_conversation_count"] | None = Field(
        None, description="Rank by this count, largest first (default: by project id)."
    )
    project_ids: list[ProjectId] | None = None
    group_by: list[Literal["user_id", "rbac_group_id"]] | None = Field(None, description=_BY)


class ProjectActivity(ApiObject):
    project_id: str
    project_name: str
    message_count: int
    distinct_user_count: int
    distinct_conversation_count: int | None = None
    created_by: dict[str, Any] | None = None
    user_id: str | None = None


class ListConnectorUsage(Window):
    order_by: Literal["distinct_user_count", "read_call_count", "write_call_count"] | None = Field(
        None, description="Rank by this count, largest first (default: by name)."
    )
    connector_names: list[str] | None = Field(None, description="e.g. github, Atlassian")
    products: list[SeatProduct] | None = None
    group_by: list[Literal["product", "user_id", "rbac_group_id"]] | None = Field(None, description=_BY)


class ConnectorUsage(ApiObject):
    connector_name: str
    connector_display_name: str | None = None
    distinct_user_count: int
    read_call_count: int | None = None
    write_call_count: int | None = None
    unclassified_call_count: int | None = None
    product: str | None = None
    user_id: str | None = None


class ListPluginUsage(Window):
    order_by: Literal["distinct_user_count", "invocation_count", "install_count"] | None = Field(
        None, description="Rank by this count, largest first (default: by name)."
    )
    plugin_names: list[str] | None = None
    products: list[Literal["claude_code", "cowork", "chat_cowork_unified"]] | None = None
    group_by: list[Literal["product", "user_id", "rbac_group_id"]] | None = Field(None, description=_BY)


class PluginUsage(ApiObject):
    plugin_name: str
    plugin_id: str | None = None
    distinct_user_count: int
    invocation_count: int
    install_count: int | None = None
    product: str | None = None
    user_id: str | None = None


class ListSkillUsage(Window):
    order_by: Literal["distinct_user_count", "invocation_count"] | None = Field(
        None, description="Rank by this count, largest first (default: by name)."
    )
    skill_names: list[str] | None = None
    share_statuses: list[Literal["organization", "private", "public"]] | None = None
    products: list[SeatProduct] | None = None
    group_by: list[Literal["product", "user_id", "rbac_group_id"]] | None = Field(None, description=_BY)


class SkillUsage(ApiObject):
    skill_name: str
    skill_display_name: str | None = None
    share_status: str | None = None
    distinct_user_count: int
    invocation_count: int | None = None
    product: str | None = None
    user_id: str | None = None


class ListArtifactActivity(Arguments):
    range: str = Field(
        "yesterday", exclude=True, description="One whole UTC day, e.g. yesterday, 2026-11-18."
    )
    user_ids: list[UserId] | None = Field(None, description="Only these members.")
    rbac_group_ids: list[RbacGroupId] | None = None
    artifact_types: list[str] | None = Field(None, description="MIME types, e.g. text/markdown, or other")
    is_shared: bool | None = None
    products: list[Literal["chat", "claude_code", "cowork", "chat_cowork_unified"]] | None = None
    group_by: list[Literal["product", "user_id", "rbac_group_id"]] | None = Field(None, description=_BY)


class ArtifactActivity(ApiObject):
    artifact_type: str
    is_shared: bool
    artifacts_created_count: int
    published_artifacts_created_count: int
    distinct_user_count: int
    product: str | None = None
    user_id: str | None = None


def _percent(value: Any) -> str:
    return f"{value:.1f}%" if isinstance(value, int | float) else "-"


def _email(value: Any) -> str:
    return str(value.get("email_address")) if isinstance(value, Mapping) else "-"


_GROUPS = ("product", "user_id")
_ENTERPRISE = "Enterprise plans; data lags a day."
_COMMON: dict[str, Any] = {
    "toolset": "analytics",
    "method": "GET",
    "pagination": "page_token",
    "access": ANALYTICS_KEY,
    "forbidden_hint": ANALYTICS_FORBIDDEN,
    "reshape": _as_filters,
    "labels": {"user_id": MEMBER},
}

OPERATIONS = [
    Operation(
        name="count_active_users",
        title="Count active users",
        description="How many people were active each UTC day: daily, weekly (7-day) and monthly "
        "(30-day) active users, overall and in chat, Claude Code and Cowork; seats and adoption. "
        + _ENTERPRISE,
        path="/v1/organizations/analytics/summaries",
        input=CountActiveUsers,
        output=ActiveUsers,
        days=Days(single=None),
        columns=(
            "starting_at",
            "daily_active_user_count",
            "weekly_active_user_count",
            "monthly_active_user_count",
            "chat_daily_active_user_count",
            "claude_code_daily_active_user_count",
            "cowork_daily_active_user_count",
            "assigned_seat_count",
            "daily_adoption_rate",
        ),
        formats={"daily_adoption_rate": _percent},
        **{**_COMMON, "labels": {}},
    ),
    Operation(
        name="list_user_activity",
        title="List member activity",
        description="What each member did over UTC days: chat messages and conversations, Claude Code "
        "sessions, commits, PRs and lines, Cowork, web searches. order_by ranks (who used it most). "
        f"Members with no activity have no row. {_ENTERPRISE}",
        path="/v1/organizations/analytics/users",
        input=ListUserActivity,
        output=UserActivity,
        days=_DAY_RANGE,
        columns=(
            "user",
            "chat_metrics.message_count",
            "chat_metrics.distinct_conversation_count",
            "claude_code_metrics.core_metrics.distinct_session_count",
            "claude_code_metrics.core_metrics.commit_count",
            "claude_code_metrics.core_metrics.pull_request_count",
            "claude_code_metrics.core_metrics.lines_of_code.added_count",
            "cowork_metrics.message_count",
            "web_search_count",
            "last_activity_date",
        ),
        formats={"user": _email},
        empty_hint="No member was active in these days (or none matched the filters).",
        **_COMMON,
    ),
    Operation(
        name="list_project_activity",
        title="List chat project activity",
        description="Chat projects used over UTC days: messages, conversations, members; group_by "
        f"user_id for who. {_ENTERPRISE}",
        path="/v1/organizations/analytics/apps/chat/projects",
        input=ListProjectActivity,
        output=ProjectActivity,
        days=_DAY_RANGE,
        columns=(
            "project_name",
            "project_id",
            "message_count",
            "distinct_conversation_count",
            "distinct_user_count",
            "created_by",
            "user_id",
        ),
        formats={"created_by": _email},
        empty_hint="No project was used in these days (or none matched the filters).",
        **_COMMON,
    ),
    Operation(
        name="list_connector_usage",
        title="List connector usage",
        description="Which connectors (MCP servers: Atlassian, Google Drive…) members used over UTC days: "
        f"members, read and write calls, by product or member. {_ENTERPRISE}",
        path="/v1/organizations/analytics/connectors",
        input=ListConnectorUsage,
        output=ConnectorUsage,
        days=_DAY_RANGE,
        columns=(
            "connector_name",
            "connector_display_name",
            "distinct_user_count",
            "read_call_count",
            "write_call_count",
            "unclassified_call_count",
            *_GROUPS,
        ),
        empty_hint="No connector was used in these days (or none matched the filters).",
        **_COMMON,
    ),
    Operation(
        name="list_plugin_usage",
        title="List plugin usage",
        description="Claude Code and Cowork plugins used over UTC days: members, invocations, installs "
        f"(third-party: activity that named no plugin). {_ENTERPRISE}",
        path="/v1/organizations/analytics/plugins",
        input=ListPluginUsage,
        output=PluginUsage,
        days=_DAY_RANGE,
        columns=("plugin_name", "distinct_user_count", "invocation_count", "install_count", *_GROUPS),
        empty_hint="No plugin was used in these days (or none matched the filters).",
        **_COMMON,
    ),
    Operation(
        name="list_skill_usage",
        title="List skill usage",
        description="Skills used over UTC days (built-in, organization, private): members and "
        f"invocations, by product or member. {_ENTERPRISE}",
        path="/v1/organizations/analytics/skills",
        input=ListSkillUsage,
        output=SkillUsage,
        days=_DAY_RANGE,
        columns=("skill_name", "share_status", "distinct_user_count", "invocation_count", *_GROUPS),
        empty_hint="No skill was used in these days (or none matched the filters).",
        **_COMMON,
    ),
    Operation(
        name="list_artifact_activity",
        title="List artifacts created",
        description="Artifacts members created on one UTC day, by type (markdown, HTML, React, SVG…) "
        f"and whether shared; by product or member. {_ENTERPRISE}",
        path="/v1/organizations/analytics/artifacts",
        input=ListArtifactActivity,
        output=ArtifactActivity,
        days=Days(start=None, end=None),
        columns=(
            "artifact_type",
            "is_shared",
            "artifacts_created_count",
            "published_artifacts_created_count",
            "distinct_user_count",
            *_GROUPS,
        ),
        **_COMMON,
    ),
]
