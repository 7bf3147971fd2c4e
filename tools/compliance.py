"""Compliance settings: `/v1/organizations/compliance_settings`, one per organization.

`state` says whether the Compliance API is on: while it is, the organization's activity is
captured and the activity feed (`list_activities`) serves it; turned off, nothing is captured
until it is turned on again, and what happened meanwhile is never recorded.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.operation import FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import ApiObject, Arguments, NoArguments, organization_wide
from .sdk_models import ComplianceSettings

PATH = "/v1/organizations/compliance_settings"


class _Organization(ApiObject):
    id: str
    name: str


class UpdateCompliance(Arguments):
    state: Literal["enabled", "disabled"] = Field(description="enabled: capture activity; disabled: stop.")


def _state_body(values: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"type": values["state"]}}


def _state(item: Any) -> str:
    state = item.get("state") if isinstance(item, dict) else None
    return str(state.get("type")) if isinstance(state, dict) else "?"


async def _preview(api: Reader, args: UpdateCompliance) -> Preview:
    current = _state((await api.get(ComplianceSettings, PATH)).model_dump())
    organization = await api.get(_Organization, "/v1/organizations/me")
    if args.state == "disabled":
        action = f"Turn off the Compliance API for {organization.name}: activity capture stops"
        details: tuple[str, ...] = (
            "Nothing the organization does is recorded from then on: sign-ins, member, role and group "
            "changes, invites, API-key and workspace changes, this server's own writes.",
            "What happens while it is off is never recorded, not even after it is turned back on.",
            "list_activities and every Compliance API client get 403 until it is on again.",
            "Access Transparency events are still captured; provisioning that enables Access "
            "Transparency turns it back on.",
        )
        confirm: str | None = organization.name
    else:
        action = f"Turn on the Compliance API for {organization.name}: activity capture starts"
        details = (
            "Organization activity is recorded from now on (nothing earlier is filled in), and "
            "list_activities serves it.",
        )
        confirm = None
    if current == args.state:
        return Preview(action, nothing_to_do=f"the Compliance API is already {current}")
    return Preview(action, details=(f"Now: {current}.", *details), confirm_text=confirm)


OPERATIONS = [
    Operation(
        name="get_compliance_settings",
        title="Get compliance settings",
        description="Whether the Compliance API is on: is organization activity captured for the "
        "activity feed.",
        toolset="compliance",
        method="GET",
        path=PATH,
        input=NoArguments,
        output=ComplianceSettings,
        columns=("state",),
        formats={"state": FromItem(_state)},
    ),
    Operation(
        name="update_compliance_settings",
        title="Turn compliance capture on or off",
        description="Turn the Compliance API (activity capture and the activity feed) on or off. Off: "
        "nothing is recorded meanwhile, ever; the user types the organization name.",
        toolset="compliance",
        method="POST",
        path=PATH,
        input=UpdateCompliance,
        output=ComplianceSettings,
        reshape=_state_body,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview),
        columns=("state",),
        formats={"state": FromItem(_state)},
    ),
]
