"""The Admin API, as declarative operations: one module per area, one `Operation` per endpoint."""

from __future__ import annotations

from claude_admin_mcp.server.catalog.operation import Operation
from claude_admin_mcp.server.catalog.plan import Task

from . import (
    activity,
    api_keys,
    compliance,
    federation,
    invites,
    organization,
    rate_limits,
    rbac,
    reports,
    service_accounts,
    spend_limits,
    tasks,
    users,
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
    *service_accounts.OPERATIONS,
    *federation.OPERATIONS,
    *spend_limits.OPERATIONS,
    *rbac.OPERATIONS,
    *compliance.OPERATIONS,
)
"""Every operation, in the order tools are listed."""

TASKS: tuple[Task, ...] = tuple(tasks.TASKS)
"""Plans of many changes, approved once (`apply_changes`, `offboard_user`, ...)."""

TOOLSETS: tuple[str, ...] = (*dict.fromkeys(op.toolset for op in OPERATIONS), tasks.TOOLSET)
"""Every area, in listing order."""

DEFAULT_TOOLSETS: tuple[str, ...] = ("organization", "users", "invites", "workspaces", "api_keys")
"""What `--toolsets default` (the default) offers: the everyday administration areas."""
