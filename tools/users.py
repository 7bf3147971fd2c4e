"""Organization members: `/v1/organizations/users`."""

from __future__ import annotations

from pydantic import Field

from claude_admin_mcp.server.registry import Operation

from .common import ApiObject, Arguments, OrgRole, UserId


class User(ApiObject):
    id: str
    type: str = "user"
    email: str
    name: str
    role: str
    added_at: str


class ListUsers(Arguments):
    email: str | None = Field(None, description="Exact email, case-insensitive.")
    roles: list[OrgRole] | None = Field(None, description="Only these roles (any of).")


class GetUser(Arguments):
    user_id: UserId


OPERATIONS = [
    Operation(
        name="list_users",
        title="List members",
        description="Members of the organization, newest first: id (user_…), email, name, org role.",
        toolset="users",
        method="GET",
        path="/v1/organizations/users",
        input=ListUsers,
        output=User,
        pagination="id_cursor",
        columns=("id", "email", "name", "role", "added_at"),
    ),
    Operation(
        name="get_user",
        title="Get member",
        description="One member by id (user_…): email, name, org role, when added.",
        toolset="users",
        method="GET",
        path="/v1/organizations/users/{user_id}",
        input=GetUser,
        output=User,
        columns=("id", "email", "name", "role", "added_at"),
        not_found_hint="No member has that id; list_users finds members by email or role.",
    ),
]
