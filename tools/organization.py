"""The organization itself: `GET /v1/organizations/me`."""

from __future__ import annotations

from claude_admin_mcp.server.registry import Operation

from .common import ApiObject, NoArguments


class Organization(ApiObject):
    id: str
    type: str = "organization"
    name: str


OPERATIONS = [
    Operation(
        name="get_organization",
        title="Get organization",
        description="The organization this credential administers: its id (a UUID) and name. "
        "Call it first to confirm which org you are changing.",
        toolset="organization",
        method="GET",
        path="/v1/organizations/me",
        input=NoArguments,
        output=Organization,
        columns=("id", "name"),
    ),
]
