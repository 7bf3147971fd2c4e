"""The compliance activity feed: `GET /v1/compliance/activities` (who did what, when)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import AwareDatetime, Field

from claude_admin_mcp.server.catalog.operation import Access, FromItem, Operation

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


_DONE_TO = ("email_address", "user_id", "api_key_id", "workspace_id", "invite_id", "service_account_id")


def what_happened(item: Mapping[str, Any]) -> str:
    """Whom or what an activity concerns and what changed: "ana@acme.com: developer → billing"."""
    parts = [str(item[key]) for key in _DONE_TO if item.get(key)][:1]
    if "current_role" in item or "previous_role" in item:
        parts.append(f"role {item.get('previous_role') or '(none)'} → {item.get('current_role') or '(none)'}")
    elif item.get("role"):
        parts.append(f"as {item['role']}")
    for update in item.get("updates") or []:
        if isinstance(update, dict):
            before, after = update.get("previous_value"), update.get("current_value")
            parts.append(f"{update.get('type')} {before} → {after}")
    return "; ".join(parts) or "-"


OPERATIONS = [
    Operation(
        name="list_activities",
        title="List compliance activities",
        description="The audit log (compliance activity feed), newest first: who did what and when, logins, "
        "role changes, invites, workspace, API key and Admin API key changes (incl. this server's writes), "
        "with actor and details.",
        toolset="activity",
        method="GET",
        path="/v1/compliance/activities",
        input=ListActivities,
        output=Activity,
        pagination="id_cursor",
        page_size=5000,
        columns=("created_at", "type", "actor", "what", "id"),
        formats={"actor": actor_text, "what": FromItem(what_happened)},
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
