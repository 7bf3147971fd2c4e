"""Which credential the server uses, found in the environment; first found wins.

1. `ANTHROPIC_ADMIN_KEY`: an Admin API key (`sk-ant-admin…`), sent as `x-api-key`.
2. `ANTHROPIC_OAUTH_TOKEN` or `ANTHROPIC_AUTH_TOKEN`: an `org:admin` OAuth token, sent as a Bearer token.
3. `ANTHROPIC_PROFILE`: a profile in `$ANTHROPIC_CONFIG_DIR` (default `~/.config/anthropic`), as
   Anthropic's own tools write it (`ant auth login`, `ant profile`): workload identity federation
   or an interactive login's refreshable token. An explicitly named profile comes before the
   federation variables, as in the official SDK, whose variables may fill the profile's gaps.
4. Workload identity federation from the environment: an OIDC token (`ANTHROPIC_IDENTITY_TOKEN_FILE`,
   re-read at every exchange, or `ANTHROPIC_IDENTITY_TOKEN`) exchanged under
   `ANTHROPIC_FEDERATION_RULE_ID` for `ANTHROPIC_ORGANIZATION_ID` (optionally
   `ANTHROPIC_SERVICE_ACCOUNT_ID`, `ANTHROPIC_WORKSPACE_ID`). Half of it set is an error naming
   what is missing.

3 and 4 live in `workload_identity.py`, imported (with the `anthropic` SDK) only when configured.

A credential's secret is never part of its repr, of an error message or of a log line; the
`redaction` module scrubs any that slips through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from .redaction import register_secret

ADMIN_KEY_ENV = "ANTHROPIC_ADMIN_KEY"
OAUTH_TOKEN_ENVS = ("ANTHROPIC_OAUTH_TOKEN", "ANTHROPIC_AUTH_TOKEN")
OAUTH_BETA = "oauth-2025-04-20"
PROFILE_ENV = "ANTHROPIC_PROFILE"
IDENTITY_TOKEN_FILE_ENV = "ANTHROPIC_IDENTITY_TOKEN_FILE"
IDENTITY_TOKEN_ENV = "ANTHROPIC_IDENTITY_TOKEN"
FEDERATION_RULE_ENV = "ANTHROPIC_FEDERATION_RULE_ID"
ORGANIZATION_ENV = "ANTHROPIC_ORGANIZATION_ID"
SERVICE_ACCOUNT_ENV = "ANTHROPIC_SERVICE_ACCOUNT_ID"
WORKSPACE_ENV = "ANTHROPIC_WORKSPACE_ID"
DEFAULT_BASE_URL = "https://api.anthropic.com"

CredentialKind = Literal["admin_key", "oauth_token", "wif"]


class CredentialError(Exception):
    """No usable credential; the message names the variable to set and never holds a secret."""


class Credential(Protocol):
    """How requests authenticate. Static today; workload identity refreshes its token."""

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


@dataclass(frozen=True)
class StaticCredential:
    kind: Literal["admin_key", "oauth_token"]
    source: str
    secret: str = field(repr=False)

    async def headers(self) -> dict[str, str]:
        if self.kind == "admin_key":
            return {"x-api-key": self.secret}
        return {"authorization": f"Bearer {self.secret}", "anthropic-beta": OAUTH_BETA}

    async def invalidate(self) -> bool:
        return False


def _clean(name: str, value: str) -> str:
    value = value.strip()
    if not value.isascii() or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise CredentialError(
            f"{name} is malformed: it contains spaces, line breaks or non-ASCII characters. "
            f"Set {name} to the key exactly as the Console shows it."
        )
    return value


def admin_key_credential(name: str, value: str) -> StaticCredential:
    value = _clean(name, value)
    if value.startswith("sk-ant-oat"):
        raise CredentialError(
            f"{name} holds an OAuth token (sk-ant-oat…), not an admin key. "
            f"Put it in ANTHROPIC_OAUTH_TOKEN instead, or set {name} to an admin key (sk-ant-admin01-…)."
        )
    if value.startswith("sk-ant-api"):
        raise CredentialError(
            f"{name} holds a standard API key (sk-ant-api…); the Admin API needs an admin key "
            "(sk-ant-admin01-…), created by an org admin in Console → Settings → Admin keys."
        )
    if not value.startswith("sk-ant-admin") or len(value) < 20:
        raise CredentialError(
            f"{name} does not look like an admin key: admin keys start with sk-ant-admin01- "
            "(Console → Settings → Admin keys)."
        )
    register_secret(value)
    return StaticCredential("admin_key", name, value)


def oauth_token_credential(name: str, value: str) -> StaticCredential:
    value = _clean(name, value)
    if value.startswith("sk-ant-admin"):
        raise CredentialError(
            f"{name} holds an admin key (sk-ant-admin…), not an OAuth token. "
            f"Put it in {ADMIN_KEY_ENV} instead."
        )
    if not value.startswith("sk-ant-oat") or len(value) < 20:
        raise CredentialError(
            f"{name} does not look like an OAuth access token (sk-ant-oat01-…). Get one with "
            "`ant auth login --scope org:admin` then `ant auth print-credentials --access-token`."
        )
    register_secret(value)
    return StaticCredential("oauth_token", name, value)


def discover(environ: Mapping[str, str], base_url: str = DEFAULT_BASE_URL) -> Credential:
    """The first credential configured in `environ`, validated; CredentialError if none is usable.

    `base_url` is where a workload identity token is exchanged (the API the token is then used with).
    """
    key = environ.get(ADMIN_KEY_ENV, "")
    if key.strip():
        return admin_key_credential(ADMIN_KEY_ENV, key)
    for name in OAUTH_TOKEN_ENVS:
        token = environ.get(name, "")
        if token.strip():
            return oauth_token_credential(name, token)
    profile = environ.get(PROFILE_ENV, "").strip()
    if profile:
        from .workload_identity import profile_credential

        return profile_credential(profile, environ, base_url)
    if any(environ.get(name, "").strip() for name in WIF_TRIGGERS):
        from .workload_identity import federation_credential

        return federation_credential(environ, base_url)
    raise CredentialError(
        f"No Admin API credential found. Set {ADMIN_KEY_ENV} to an admin key (sk-ant-admin01-…), "
        "or ANTHROPIC_OAUTH_TOKEN to an org:admin OAuth token, or configure workload identity "
        f"federation ({IDENTITY_TOKEN_FILE_ENV}, {FEDERATION_RULE_ENV}, {ORGANIZATION_ENV}) or "
        f"{PROFILE_ENV}. To try the server without one, run it with --sandbox."
    )


WIF_TRIGGERS = (IDENTITY_TOKEN_FILE_ENV, IDENTITY_TOKEN_ENV, FEDERATION_RULE_ENV)
"""Any of these set means workload identity federation was meant (the organization id alone may
serve other tools)."""
