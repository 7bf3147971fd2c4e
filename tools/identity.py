"""Who this server acts as: `whoami`, answered by the server from its credential and the API."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from claude_admin_mcp.server import whoami
from claude_admin_mcp.server.registry import Operation

from .common import ApiObject, NoArguments


class Identity(ApiObject):
    kind: str
    source: str
    organization: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None
    federation_rule_id: str | None = None
    scope: str | None = None
    token_expires_at: str | None = None
    usable_toolsets: list[str]
    unusable_toolsets: dict[str, str] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)


OPERATIONS = [
    Operation(
        name="whoami",
        title="Who am I",
        description="This server's credential (kind, source), organization, service account and rule (WIF), "
        "token scope and expiry, and which toolsets it can use, and why not.",
        toolset="organization",
        method="GET",
        path="/v1/organizations/me",
        input=NoArguments,
        output=Identity,
        compute=whoami.compute,
        columns=tuple(Identity.model_fields),
    ),
]
