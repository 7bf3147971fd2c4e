"""A profile (`ANTHROPIC_PROFILE`) in `$ANTHROPIC_CONFIG_DIR` (default `~/.config/anthropic`), as
Anthropic's own tools write it (`ant auth login`, `ant profile`): the official SDK's
`CredentialsFile`. An `oidc_federation` profile exchanges like workload identity federation
(caching the token on disk); a `user_oauth` one refreshes with its refresh token. An explicitly
named profile comes before the federation variables, as in the SDK, whose variables may fill the
profile's gaps.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

from .base import (
    FEDERATION_RULE_ENV,
    IDENTITY_TOKEN_FILE_ENV,
    ORGANIZATION_ENV,
    PROFILE_ENV,
    SERVICE_ACCOUNT_ENV,
    WORKSPACE_ENV,
    CredentialError,
)
from .token import TokenCredential

if TYPE_CHECKING:  # the SDK's types, for annotations only: the SDK is imported when first used
    from anthropic.lib.credentials import AccessTokenProvider


def profile_credential(name: str, environ: Mapping[str, str], base_url: str, **cache: Any) -> TokenCredential:
    """The profile `ANTHROPIC_PROFILE` names. The SDK reads `ANTHROPIC_CONFIG_DIR` (and the variables
    that fill a profile's gaps) from the process environment."""
    from anthropic import CredentialsError  # loaded only for this credential (see token.py)
    from anthropic.lib.credentials import CredentialsFile

    described: dict[str, Any] = {}

    def build(http: httpx2.Client) -> AccessTokenProvider:
        provider = CredentialsFile(name, http_client=http)
        provider.bind_base_url(base_url)
        provider.extra_headers()  # reads and checks the config file now, not at the first call
        pinned = provider.resolved_base_url
        if pinned and pinned != base_url.rstrip("/"):
            raise CredentialsError(
                f"the profile is for {pinned}, but the server talks to {base_url}; a token works only "
                f"with the API that issued it: set ANTHROPIC_BASE_URL={pinned}"
            )
        described.update(_describe_profile(provider.config_path, environ))
        return provider

    try:
        credential = TokenCredential(
            kind="wif", source=f"{PROFILE_ENV}={name}", build=build, profile=name, **cache
        )
    except CredentialsError as exc:
        raise CredentialError(f"{PROFILE_ENV}={name}: {exc}") from None
    if described.get("type") != "oidc_federation":
        credential.kind = "oauth_token"
    credential.federation_rule_id = described.get("federation_rule_id")
    credential.organization_id = described.get("organization_id")
    credential.service_account_id = described.get("service_account_id")
    credential.workspace_id = described.get("workspace_id")
    credential.identity_token = described.get("identity_token")
    return credential


def _describe_profile(path: Path, environ: Mapping[str, str]) -> dict[str, Any]:
    """The non-secret facts of a profile's config file, gaps filled from the environment as the SDK does."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    auth = config.get("authentication") if isinstance(config, dict) else None
    if not isinstance(auth, dict):
        return {}

    def pick(source: Mapping[str, Any], key: str, env: str) -> str | None:
        value = source.get(key) or environ.get(env) or None
        return str(value) if value else None

    token = auth.get("identity_token")
    token_path = token.get("path") if isinstance(token, dict) else environ.get(IDENTITY_TOKEN_FILE_ENV)
    return {
        "type": auth.get("type"),
        "federation_rule_id": pick(auth, "federation_rule_id", FEDERATION_RULE_ENV),
        "service_account_id": pick(auth, "service_account_id", SERVICE_ACCOUNT_ENV),
        "organization_id": pick(config, "organization_id", ORGANIZATION_ENV),
        "workspace_id": pick(config, "workspace_id", WORKSPACE_ENV),
        "identity_token": f"file {token_path}" if token_path else None,
    }


def from_environment(environ: Mapping[str, str], base_url: str) -> TokenCredential | None:
    profile = environ.get(PROFILE_ENV, "").strip()
    return profile_credential(profile, environ, base_url) if profile else None
