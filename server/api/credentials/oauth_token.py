"""A static `org:admin` OAuth access token from `ANTHROPIC_OAUTH_TOKEN` (or `ANTHROPIC_AUTH_TOKEN`),
sent as a Bearer token. The API does not say its scope, so nothing is refused ahead of time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ...redaction import register_secret
from .base import (
    ADMIN_KEY_ENV,
    OAUTH_BETA,
    OAUTH_TOKEN_ENVS,
    ORG_ADMIN,
    CredentialError,
    Endpoint,
    Refusal,
    Unchanging,
    clean,
    scope_refusal,
)


@dataclass(frozen=True)
class OAuthTokenCredential(Unchanging):
    source: str
    secret: str = field(repr=False)
    kind: Literal["oauth_token"] = "oauth_token"
    console: bool = False
    """A Console session, the only caller the API takes org:admin federation rules from. Only the
    sandbox has one to give (`--console-session`); a token from `ant auth login` is not one."""

    def details(self) -> Mapping[str, Any]:
        return {"console_session": True} if self.console else {}

    async def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.secret}", "anthropic-beta": OAUTH_BETA}

    def refusal(self, endpoint: Endpoint) -> Refusal | None:
        # The API does not say a static token's scope; one configured here is an org:admin token.
        return scope_refusal(ORG_ADMIN, self.source, endpoint)


def oauth_token_credential(name: str, value: str, *, console: bool = False) -> OAuthTokenCredential:
    value = clean(name, value)
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
    return OAuthTokenCredential(name, value, console=console)


def from_environment(environ: Mapping[str, str], console: bool = False) -> OAuthTokenCredential | None:
    for name in OAUTH_TOKEN_ENVS:
        token = environ.get(name, "")
        if token.strip():
            return oauth_token_credential(name, token, console=console)
    return None
