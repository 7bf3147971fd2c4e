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
    claude_tag,
    compliance,
    federation_issuers,
    federation_rules,
    invites,
    members,
    oauth,
    organization,
    plugin_marketplaces,
    plugins,
    rate_limits,
    rbac,
    reports,
    service_accounts,
    spend_limits,
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
    *spend_limits.ROUTES,
    *rbac.ROUTES,
    *compliance.ROUTES,
    *analytics.ROUTES,
    *analytics_reports.ROUTES,
    *plugins.ROUTES,
    *plugin_marketplaces.ROUTES,
    *claude_tag.ROUTES,
]
