"""The compliance activity feed: `GET /v1/compliance/activities` (who did what, when)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, Field

from claude_admin_mcp.server.catalog.operation import Access, Operation

from .common import ApiObject, Arguments


class Activity(ApiObject):
    id: str
    created_at: str
    type: str
    actor: dict[str, Any] | None = None


class ListActivities(Arguments):
    activity_types: list[str] | None = Field(None, description="e.g. claude_user_role_updated")
    exclude_activity_types: list[str] | None = None
    actor_ids: list[str] | None = Field(None, description="user_… ids")
    created_after: AwareDatetime | None = Field(
        None, description="RFC 3339, inclusive", serialization_alias="created_at.gte"
    )
    created_before: AwareDatetime | None = Field(
        None, description="RFC 3339, exclusive", serialization_alias="created_at.lt"
    )
    order: Literal["desc", "asc"] = "desc"


def actor_text(actor: dict[str, Any]) -> str:
    """Who acted, as a person would say it: an email, a key, a service account, or the kind."""
    for key in (
        "email_address",
        "admin_api_key_id",
        "api_key_id",
        "service_account_id",
        "subject",
        "service",
    ):
        if actor.get(key):
            return str(actor[key])
    return str(actor.get("type", "?"))


OPERATIONS = [
    Operation(
        name="list_activities",
        title="List compliance activities",
        description="The organization's activity feed, newest first: logins, role changes, invites, "
        "workspace and key changes (incl. this server's writes), with actor and details.",
        toolset="activity",
        method="GET",
        path="/v1/compliance/activities",
        input=ListActivities,
        output=Activity,
        pagination="id_cursor",
        page_size=5000,
        columns=("created_at", "type", "actor", "id"),
        formats={"actor": actor_text},
        access=Access(
            scopes=frozenset({"read:compliance_activities"}),
            remedy="An admin key can read the activity feed if the Compliance API was enabled for the "
            "organization before the key was created; or use a Compliance Access Key with "
            "read:compliance_activities.",
        ),
        forbidden_hint="This credential may not read the activity feed. An admin key can read it only if "
        "the Compliance API was enabled for the organization before the key was created (then create a "
        "new admin key), or use a Compliance Access Key with read:compliance_activities.",
    ),
]
