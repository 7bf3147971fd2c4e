"""What every credential is to the rest of the server, and the names they are configured by.

A credential's secret is never part of its repr, of an error message or of a log line; the
`redaction` module scrubs any that slips through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

ADMIN_KEY_ENV = "ANTHROPIC_ADMIN_KEY"
OAUTH_TOKEN_ENVS = ("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN")
PROFILE_ENV = "ANTHROPIC_PROFILE"
IDENTITY_TOKEN_FILE_ENV = "ANTHROPIC_IDENTITY_TOKEN_FILE"
IDENTITY_TOKEN_ENV = "ANTHROPIC_IDENTITY_TOKEN"
FEDERATION_RULE_ENV = "ANTHROPIC_FEDERATION_RULE_ID"
ORGANIZATION_ENV = "ANTHROPIC_ORGANIZATION_ID"
SERVICE_ACCOUNT_ENV = "ANTHROPIC_SERVICE_ACCOUNT_ID"
WORKSPACE_ENV = "ANTHROPIC_WORKSPACE_ID"
OAUTH_BETA = "oauth-2025-04-20"
ORG_ADMIN = "org:admin"
GET_A_TOKEN = (
    "`ant auth login --scope org:admin` (then ANTHROPIC_PROFILE=<its profile>, or ANTHROPIC_OAUTH_TOKEN), "
    "or workload identity federation with an org:admin rule (README: Workload identity federation)"
)

CredentialKind = Literal["admin_key", "scoped_key", "oauth_token", "wif"]
KIND_LABELS: Mapping[str, str] = {
    "admin_key": "admin key",
    "scoped_key": "scoped key (Claude Enterprise)",
    "oauth_token": "OAuth token",
    "wif": "workload identity (WIF)",
}


class CredentialError(Exception):
    """No usable credential; the message names the variable to set and never holds a secret."""


@dataclass(frozen=True)
class Access:
    """Which credentials the API accepts for an endpoint."""

    admin_key: bool = True
    """An Admin API key works (not for service accounts and federation: OAuth only)."""
    scopes: frozenset[str] = frozenset({ORG_ADMIN})
    """A token or scoped key works if it has any of these scopes ("*": any credential)."""
    remedy: str = ""
    """What to do instead, where the scopes need saying (e.g. which key carries them)."""


ORG_ADMIN_ACCESS = Access()
OAUTH_ONLY = Access(admin_key=False)


class Endpoint(Protocol):
    """What a credential needs to know of an operation to tell whether the API would take it."""

    @property
    def name(self) -> str: ...

    @property
    def access(self) -> Access: ...


@dataclass(frozen=True)
class Refusal:
    """Why the API would refuse a credential for an endpoint, and what would do instead."""

    reason: str
    """Short, for lists: "needs an org:admin OAuth token"."""
    explanation: str
    """A sentence for the model, naming the credential in use."""
    remedy: str
    """What an administrator can do."""


class Credential(Protocol):
    """How requests authenticate; static, or a token the server obtains and renews."""

    @property
    def kind(self) -> CredentialKind: ...

    @property
    def source(self) -> str:
        """Where it came from, e.g. the environment variable's name."""
        ...

    async def headers(self) -> dict[str, str]:
        """Authentication headers for one request."""
        ...

    async def invalidate(self) -> bool:
        """The API said 401: drop any cached token. True if a retry may now succeed."""
        ...

    def refusal(self, endpoint: Endpoint) -> Refusal | None:
        """Why the API would refuse this credential for `endpoint`, or None if it may accept it."""
        ...

    def details(self) -> Mapping[str, Any]:
        """Non-secret facts for `whoami` and `check` (ids, scope, expiry), possibly empty."""
        ...


class Unchanging:
    """What a credential that is a fixed secret shares: nothing to renew after a 401, nothing to
    describe beyond its kind and source."""

    async def invalidate(self) -> bool:
        return False

    def details(self) -> Mapping[str, Any]:
        return {}


def clean(name: str, value: str) -> str:
    """A credential as pasted, checked for what copying from a web page adds."""
    value = value.strip()
    if not value.isascii() or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise CredentialError(
            f"{name} is malformed: it contains spaces, line breaks or non-ASCII characters. "
            f"Set {name} to the key exactly as the Console shows it."
        )
    return value


def scope_refusal(scope: str | None, source: str, endpoint: Endpoint) -> Refusal | None:
    """A token whose scope (None: not known) grants none of what `endpoint` needs."""
    if scope is None or "*" in endpoint.access.scopes or set(scope.split()) & endpoint.access.scopes:
        return None
    needed = " or ".join(sorted(endpoint.access.scopes))
    # Tokens carry org:admin or workspace scopes; the scoped-key scopes beside it are not theirs to have.
    if ORG_ADMIN in endpoint.access.scopes:
        return Refusal(
            "scope lacks org:admin",
            f"the token from {source} has the scope {scope!r}, which lacks org:admin",
            f"Get a token with the org:admin scope: {GET_A_TOKEN}.",
        )
    return Refusal(
        f"needs {needed}",
        f"the credential from {source} has the scope {scope!r}, which lacks {needed}",
        endpoint.access.remedy or f"Use a credential with {needed}.",
    )
