"""The organization itself: `GET /v1/organizations/me`."""

from __future__ import annotations

from claude_admin_mcp.server.catalog.operation import Operation

from .common import ANY_SCOPE, NoArguments
from .sdk_models import Organization

OPERATIONS = [
    Operation(
        name="get_organization",
        title="Get organization",
        description="The organization this credential administers (id, name); check it before changing "
        "anything.",
        toolset="organization",
        access=ANY_SCOPE,
        method="GET",
        path="/v1/organizations/me",
        input=NoArguments,
        output=Organization,
        columns=("id", "name"),
    ),
]
