"""The Admin API's endpoints, one module per area. A new area is a module with a `ROUTES` list,
added to `ROUTES` below."""

from __future__ import annotations

from starlette.routing import Route

from . import api_keys, invites, members, organization, users, workspaces

ROUTES: list[Route] = [
    *organization.ROUTES,
    *users.ROUTES,
    *invites.ROUTES,
    *workspaces.ROUTES,
    *members.ROUTES,
    *api_keys.ROUTES,
]
