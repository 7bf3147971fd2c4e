"""An Admin API key (`sk-ant-admin…`) from `ANTHROPIC_ADMIN_KEY`, sent as `x-api-key`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ...redaction import register_secret
from .base import ADMIN_KEY_ENV, GET_A_TOKEN, CredentialError, Endpoint, Refusal, Unchanging, clean


@dataclass(frozen=True)
class AdminKeyCredential(Unchanging):
    source: str
    secret: str = field(repr=False)
    kind: Literal["admin_key"] = "admin_key"

    async def headers(self) -> dict[str, str]:
        return {"x-api-key": self.secret}

    def refusal(self, endpoint: Endpoint) -> Refusal | None:
        if endpoint.access.admin_key:
            return None
        return Refusal(
            "needs an org:admin OAuth token",
            "the Admin API never accepts an admin key for service accounts and workload identity "
            f"federation, and this server authenticates with one ({self.source})",
            f"An administrator can get such a token with {GET_A_TOKEN}, and restart the server with it.",
        )


def admin_key_credential(name: str, value: str) -> AdminKeyCredential:
    value = clean(name, value)
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
    return AdminKeyCredential(name, value)


def from_environment(environ: Mapping[str, str]) -> AdminKeyCredential | None:
    key = environ.get(ADMIN_KEY_ENV, "")
    return admin_key_credential(ADMIN_KEY_ENV, key) if key.strip() else None
