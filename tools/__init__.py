"""The Admin API, as declarative operations: one module per area, one `Operation` per endpoint."""

from __future__ import annotations

from claude_admin_mcp.server.catalog.operation import Operation
from claude_admin_mcp.server.catalog.plan import Task

from . import (
    activity,
    analytics,
    api_keys,
    claude_tag,
    compliance,
    external_keys,
    federation,
    invites,
    organization,
    plugin_marketplaces,
    plugins,
    rate_limits,
    rbac,
    reports,
    service_accounts,
    spend_limits,
    tasks,
    telemetry,
    users,
    webhooks,
    workspaces,
)

OPERATIONS: tuple[Operation, ...] = (
    *organization.OPERATIONS,
    *users.OPERATIONS,
    *invites.OPERATIONS,
    *workspaces.OPERATIONS,
    *api_keys.OPERATIONS,
    *reports.OPERATIONS,
    *rate_limits.OPERATIONS,
    *activity.OPERATIONS,
    *analytics.OPERATIONS,
    *service_accounts.OPERATIONS,
    *federation.OPERATIONS,
    *spend_limits.OPERATIONS,
    *rbac.OPERATIONS,
    *compliance.OPERATIONS,
    *external_keys.OPERATIONS,
    *telemetry.OPERATIONS,
    *webhooks.OPERATIONS,
    *plugins.OPERATIONS,
    *plugin_marketplaces.OPERATIONS,
    *claude_tag.OPERATIONS,
)
"""Every operation, in the order tools are listed."""

TASKS: tuple[Task, ...] = tuple(tasks.TASKS)
"""Plans of many changes, approved once (`apply_changes`, `offboard_user`, ...)."""

TOOLSETS: tuple[str, ...] = (*dict.fromkeys(op.toolset for op in OPERATIONS), tasks.TOOLSET)
"""Every area, in listing order."""

DEFAULT_TOOLSETS: tuple[str, ...] = ("organization", "users", "invites", "workspaces", "api_keys")
"""What `--toolsets default` (the default) offers: the everyday administration areas."""

TOOLSET_DESCRIPTIONS: dict[str, str] = {
    "organization": "the organization, and who the server acts as",
    "users": "members: roles, removal, sign-out",
    "invites": "invitations to join",
    "workspaces": "workspaces and their members",
    "api_keys": "API keys: find unused ones, rename, deactivate",
    "reports": "token usage, spend in USD, Claude Code usage",
    "rate_limits": "rate limits per model group, workspace overrides",
    "activity": "the compliance activity feed: who did what",
    "analytics": "who uses Claude: active users, connectors, skills (Enterprise)",
    "service_accounts": "service accounts for workloads (OAuth org:admin)",
    "federation": "workload identity federation issuers and rules (OAuth org:admin)",
    "spend_limits": "spend caps in dollars per period, members' requests for more",
    "rbac": "RBAC groups, their members, and the roles they grant (Enterprise)",
    "compliance": "whether organization activity is captured for the activity feed",
    "external_keys": "customer-managed encryption keys (CMEK) in AWS, Google Cloud or Azure KMS",
    "telemetry": "OpenTelemetry destinations the organization's traces are sent to",
    "webhooks": "webhook endpoints Anthropic sends events to, their signing secrets",
    "plugins": "plugins for Claude: upload, versions, who gets them (Enterprise)",
    "plugin_marketplaces": "plugin marketplaces: default installation, checking content",
    "claude_tag": "Claude Tag (Claude in Slack): channels, workspaces, bundles",
    "tasks": "many changes with one approval: offboarding, roles for a domain, unused keys",
}
"""What each area is for, in a few words (the `toolsets` tool lists them)."""
