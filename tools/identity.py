"""Who this server acts as: `whoami`, answered by the server from its credential and the API."""

from __future__ import annotations

from typing import Any

from claude_admin_mcp.server import whoami
from claude_admin_mcp.server.registry import Operation

from .common import ApiObject, NoArguments


class Identity(ApiObject):
    """Also `federation_rule_id` and `notes` when there is something to say (left out of the
    schema: the tool list is part of every agent's context)."""

    kind: str
    source: str
    organization: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None
    scope: str | None = None
    token_expires_at: str | None = None
    usable_toolsets: list[str]
    unusable_toolsets: dict[str, str]
    """Toolset → why this credential cannot use it."""


OPERATIONS = [
    Operation(
        name="whoami",
        title="Who am I",
        description="Who this server acts as: credential, organization, service account (WIF), token "
        "scope and expiry, which toolsets it can use.",
        toolset="organization",
        method="GET",
        path="/v1/organizations/me",
        input=NoArguments,
        output=Identity,
        compute=whoami.compute,
        columns=(*Identity.model_fields, "federation_rule_id", "notes"),
    ),
]
