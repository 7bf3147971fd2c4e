"""Workload identity federation (WIF) from the environment.

`WorkloadIdentityCredentials` (official SDK) exchanges the workload's OIDC token at
`POST {base_url}/v1/oauth/token` (jwt-bearer grant) under a federation rule. The token is read from
`ANTHROPIC_IDENTITY_TOKEN_FILE` (`IdentityTokenFile`) or `ANTHROPIC_IDENTITY_TOKEN` at *every*
exchange, so a rotated Kubernetes projected token or a re-fetched CI token is simply picked up.
Half of it configured is an error naming what is missing.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx2

from ...redaction import register_secret
from .base import (
    FEDERATION_RULE_ENV,
    IDENTITY_TOKEN_ENV,
    IDENTITY_TOKEN_FILE_ENV,
    ORGANIZATION_ENV,
    SERVICE_ACCOUNT_ENV,
    WORKSPACE_ENV,
    CredentialError,
)
from .token import TokenCredential

if TYPE_CHECKING:  # the SDK's types, for annotations only: the SDK is imported when first used
    from anthropic.lib.credentials import AccessTokenProvider

log = logging.getLogger(__name__)

_ID = r"[A-Za-z0-9]{1,64}"
_RULE_ID = re.compile(rf"^fdrl_{_ID}$")
_SERVICE_ACCOUNT_ID = re.compile(rf"^svac_{_ID}$")
_WORKSPACE_ID = re.compile(rf"^(wrkspc_{_ID}|default)$")
TRIGGERS = (IDENTITY_TOKEN_FILE_ENV, IDENTITY_TOKEN_ENV, FEDERATION_RULE_ENV)
"""Any of these set means workload identity federation was meant (the organization id alone may
serve other tools)."""


def _read_identity_token(environ: Mapping[str, str], path: str | None) -> Callable[[], str]:
    """The identity token, read afresh at each call (a file wins over the variable, as in the SDK)."""
    from anthropic import CredentialsError  # loaded with the provider (see token.py)
    from anthropic.lib.credentials import IdentityTokenFile

    file_provider = IdentityTokenFile(path) if path else None

    def read() -> str:
        if file_provider is not None:
            token = file_provider()
        else:
            token = environ.get(IDENTITY_TOKEN_ENV, "").strip()
            if not token:
                raise CredentialsError(f"{IDENTITY_TOKEN_ENV} is empty; set it to the workload's OIDC token")
        register_secret(token)
        return token

    return read


def _check(name: str, value: str, pattern: re.Pattern[str], example: str) -> str:
    if not pattern.fullmatch(value):
        raise CredentialError(f"{name} is not valid: expected {example} (got {value[:40]!r})")
    return value


def federation_credential(environ: Mapping[str, str], base_url: str, **cache: Any) -> TokenCredential:
    """WIF configured by the environment; a half-configured one is an error naming what is missing."""
    path = environ.get(IDENTITY_TOKEN_FILE_ENV, "").strip()
    literal = environ.get(IDENTITY_TOKEN_ENV, "").strip()
    rule = environ.get(FEDERATION_RULE_ENV, "").strip()
    organization = environ.get(ORGANIZATION_ENV, "").strip()
    service_account = environ.get(SERVICE_ACCOUNT_ENV, "").strip() or None
    workspace = environ.get(WORKSPACE_ENV, "").strip() or None
    missing = []
    if not (path or literal):
        missing.append(f"{IDENTITY_TOKEN_FILE_ENV} (or {IDENTITY_TOKEN_ENV})")
    if not rule:
        missing.append(f"{FEDERATION_RULE_ENV} (fdrl_…)")
    if not organization:
        missing.append(f"{ORGANIZATION_ENV} (the organization's UUID)")
    if missing:
        given = [
            name
            for name in (IDENTITY_TOKEN_FILE_ENV, IDENTITY_TOKEN_ENV, FEDERATION_RULE_ENV)
            if environ.get(name)
        ]
        raise CredentialError(
            f"Workload identity federation is half-configured: {', '.join(given)} set, but "
            f"{' and '.join(missing)} missing. Set {'it' if len(missing) == 1 else 'them'} "
            "(see the README, Workload identity federation), or unset the others."
        )
    _check(FEDERATION_RULE_ENV, rule, _RULE_ID, "a federation rule id, fdrl_…")
    try:
        organization = str(uuid.UUID(organization))
    except ValueError:
        raise CredentialError(
            f"{ORGANIZATION_ENV} is not valid: expected the organization's UUID "
            f"(Console → Settings → Organization; get_organization shows it), got {organization[:40]!r}"
        ) from None
    if service_account is not None:
        _check(SERVICE_ACCOUNT_ENV, service_account, _SERVICE_ACCOUNT_ID, "a service account id, svac_…")
    if workspace is not None:
        _check(WORKSPACE_ENV, workspace, _WORKSPACE_ID, "a workspace id (wrkspc_…) or default")
    if path and not Path(path).is_file():
        log.warning(
            "%s: %s does not exist yet; it is read at the first exchange", IDENTITY_TOKEN_FILE_ENV, path
        )
    source = IDENTITY_TOKEN_FILE_ENV if path else IDENTITY_TOKEN_ENV
    identity = f"{IDENTITY_TOKEN_FILE_ENV} ({path})" if path else IDENTITY_TOKEN_ENV

    from anthropic import CredentialsError  # loaded only for this credential (see token.py)
    from anthropic.lib.credentials import WorkloadIdentityCredentials

    def build(http: httpx2.Client) -> AccessTokenProvider:
        provider = WorkloadIdentityCredentials(
            identity_token_provider=_read_identity_token(environ, path or None),
            federation_rule_id=rule,
            organization_id=organization,
            service_account_id=service_account,
            workspace_id=workspace,
            http_client=http,
        )
        provider.bind_base_url(base_url)
        return provider

    try:
        return TokenCredential(
            kind="wif",
            source=source,
            build=build,
            federation_rule_id=rule,
            organization_id=organization,
            service_account_id=service_account,
            workspace_id=workspace,
            identity_token=identity,
            **cache,
        )
    except CredentialsError as exc:
        raise CredentialError(f"Workload identity federation: {exc}") from None


def from_environment(environ: Mapping[str, str], base_url: str) -> TokenCredential | None:
    if any(environ.get(name, "").strip() for name in TRIGGERS):
        return federation_credential(environ, base_url)
    return None
