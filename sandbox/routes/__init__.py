"""The Admin API's endpoints, one module per area. A new area is a module with a `ROUTES` list,
added to `ROUTES` below."""

from __future__ import annotations

from starlette.routing import Route

from . import (
    activities,
    analytics,
    analytics_reports,
    api_keys,
    claude_code,
    federation_issuers,
    federation_rules,
    invites,
    members,
    oauth,
    organization,
    rate_limits,
    reports,
    service_accounts,
    users,
    workspaces,
)

ROUTES: list[Route] = [
    *organization.ROUTES,
    *users.ROUTES,
    *invites.ROUTES,
    *workspaces.ROUTES,
    *members.ROUTES,
    *api_keys.ROUTES,
    *oauth.ROUTES,
    *service_accounts.ROUTES,
    *federation_issuers.ROUTES,
    *federation_rules.ROUTES,
    *reports.ROUTES,
    *claude_code.ROUTES,
    *rate_limits.ROUTES,
    *activities.ROUTES,
    *analytics.ROUTES,
    *analytics_reports.ROUTES,
]
