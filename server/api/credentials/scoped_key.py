"""A Claude Enterprise scoped key (`sk-ant-api01-…`, made in claude.ai) from `ANTHROPIC_SCOPED_KEY`,
with the scopes it was given in `ANTHROPIC_SCOPED_KEY_SCOPES`, sent as `x-api-key`.

The API does not say which scopes a key has, so the administrator does, and the server offers
exactly the tools those scopes open: members and invites (`read:members`, `write:members`), groups
(`read:rbac_groups`, `write:rbac_groups`), spend limits, analytics, the compliance feed, plugins
(`read:plugins`, `write:plugins`) and Claude Tag (`read:claude_tag`, `write:claude_tag`). Workspaces,
API keys, usage and cost reports and rate limits belong to Console organizations: no scoped key
reaches them, and the tools say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ...redaction import register_secret
from .base import ORG_ADMIN, CredentialError, Endpoint, Refusal, Unchanging, clean

SCOPED_KEY_ENV = "ANTHROPIC_SCOPED_KEY"
SCOPES_ENV = "ANTHROPIC_SCOPED_KEY_SCOPES"
KNOWN_SCOPES = frozenset(
    {
        "read:members",
        "write:members",
        "read:rbac_groups",
        "write:rbac_groups",
        "read:spend_limits",
        "write:spend_limits",
        "read:analytics",
        "read:compliance_activities",
        "read:compliance_user_data",
        "delete:compliance_user_data",
        "read:compliance_org_data",
        "read:org_audit",
        "read:plugins",
        "write:plugins",
        "read:claude_tag",
        "write:claude_tag",
    }
)
"""The scopes claude.ai offers for these keys (Admin API docs)."""


@dataclass(frozen=True)
class ScopedKeyCredential(Unchanging):
    source: str
    secret: str = field(repr=False)
    scopes: frozenset[str] = frozenset()
    kind: Literal["scoped_key"] = "scoped_key"

    async def headers(self) -> dict[str, str]:
        return {"x-api-key": self.secret}

    def refusal(self, endpoint: Endpoint) -> Refusal | None:
        wanted = endpoint.access.scopes
        if "*" in wanted or self.scopes & wanted:
            return None
        given = ", ".join(sorted(self.scopes))
        if not wanted - {ORG_ADMIN}:
            return Refusal(
                "needs an admin key (Console)",
                f"{endpoint.name} belongs to Console organizations (workspaces, API keys, usage and cost, "
                f"rate limits, federation), which no scoped key reaches; this server uses the scoped key "
                f"from {self.source}",
                "An administrator of a Console organization can use an admin key (ANTHROPIC_ADMIN_KEY).",
            )
        needed = " or ".join(sorted(wanted - {ORG_ADMIN}))
        return Refusal(
            f"needs {needed}",
            f"the scoped key from {self.source} has {given or 'no scopes'}, which lacks {needed}",
            endpoint.access.remedy
            or f"An owner can make a key with {needed} in claude.ai, and list it in {SCOPES_ENV}.",
        )

    def details(self) -> Mapping[str, Any]:
        return {"scope": " ".join(sorted(self.scopes))}


def scoped_key_credential(name: str, value: str, scopes: str) -> ScopedKeyCredential:
    value = clean(name, value)
    if value.startswith("sk-ant-admin"):
        raise CredentialError(f"{name} holds an admin key; put it in ANTHROPIC_ADMIN_KEY instead.")
    if not value.startswith("sk-ant-api") or len(value) < 20:
        raise CredentialError(
            f"{name} does not look like a scoped key: they start with sk-ant-api01- (claude.ai → "
            "Settings → API keys, made by an owner of a Claude Enterprise organization)."
        )
    given = frozenset(part for part in re.split(r"[\s,]+", scopes.strip()) if part)
    if not given:
        raise CredentialError(
            f"{SCOPES_ENV} must list the scopes the key was given (the API does not say), e.g. "
            f"{SCOPES_ENV}=read:members,write:members"
        )
    unknown = sorted(given - KNOWN_SCOPES)
    if unknown:
        raise CredentialError(
            f"{SCOPES_ENV} names unknown scope(s) {', '.join(unknown)}; scoped keys take: "
            f"{', '.join(sorted(KNOWN_SCOPES))}"
        )
    register_secret(value)
    return ScopedKeyCredential(name, value, given)


def from_environment(environ: Mapping[str, str]) -> ScopedKeyCredential | None:
    key = environ.get(SCOPED_KEY_ENV, "")
    if not key.strip():
        return None
    return scoped_key_credential(SCOPED_KEY_ENV, key, environ.get(SCOPES_ENV, ""))
