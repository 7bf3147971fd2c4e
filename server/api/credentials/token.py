"""OAuth tokens the server obtains and renews itself, behind the official SDK's `TokenCache`.

The providers (`workload_identity`, `profile`) come from the SDK's `anthropic.lib.credentials`,
imported only when such a credential is configured: the admin-key path never loads the SDK, whose
import costs more than the rest of the server's start-up.

With 120 s left a token is renewed in passing (on failure the current one is kept), with 30 s left
it must be; the blocking exchange runs in a worker thread, never on the event loop. After an API
401, `invalidate()` forces a fresh exchange and `AdminApi` retries the request once.

Secrets: the identity token, minted access tokens and refresh tokens are registered with
`redaction` the moment they are read or received: a hook on the exchange's own HTTP client sees
every token-endpoint request and response. A failure becomes a `CredentialFailure` that names the
federation rule, the organization and the OAuth error, never a token.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import httpx2

from ...redaction import redact, register_secret
from ..errors import CredentialFailure
from .base import (
    FEDERATION_RULE_ENV,
    OAUTH_BETA,
    ORGANIZATION_ENV,
    SERVICE_ACCOUNT_ENV,
    WORKSPACE_ENV,
    Endpoint,
    Refusal,
    scope_refusal,
)

if TYPE_CHECKING:  # the SDK's types, for annotations only: the SDK is imported when first used
    from anthropic.lib.credentials import AccessToken, AccessTokenProvider

log = logging.getLogger(__name__)

TOKEN_ENDPOINT_TIMEOUT = 30.0
_SECRET_FIELDS = ("assertion", "access_token", "refresh_token", "id_token", "client_secret")

RUN_AGAIN = "`claude-admin-mcp check` repeats the exchange and shows the result."


class TokenCredential:
    """A Bearer token from an SDK provider, cached and renewed by the SDK's `TokenCache`."""

    def __init__(
        self,
        *,
        kind: Literal["wif", "oauth_token"],
        source: str,
        build: Callable[[httpx2.Client], AccessTokenProvider],
        federation_rule_id: str | None = None,
        organization_id: str | None = None,
        service_account_id: str | None = None,
        workspace_id: str | None = None,
        identity_token: str | None = None,
        profile: str | None = None,
        advisory_refresh_seconds: int | None = None,
        mandatory_refresh_seconds: int | None = None,
        time_source: Callable[[], float] = time.time,
    ) -> None:
        from anthropic.lib.credentials import TokenCache  # lazily: see the module docstring

        self.kind: Literal["wif", "oauth_token"] = kind
        self.source = source
        self.federation_rule_id = federation_rule_id
        self.organization_id = organization_id
        self.service_account_id = service_account_id
        self.workspace_id = workspace_id
        self.identity_token = identity_token
        """Where the identity token is read from (a variable's name and the file), never the token."""
        self.profile = profile
        self.scope: str | None = None
        """The scope the token endpoint granted, once it said."""
        self.expires_at: int | None = None
        self.exchanges = 0
        """Tokens obtained so far (exchanges or refreshes)."""
        self._http = httpx2.Client(
            timeout=TOKEN_ENDPOINT_TIMEOUT,
            event_hooks={"request": [_register_request_secrets], "response": [self._seen_response]},
        )
        self._provider = build(self._http)
        limits: dict[str, Any] = {"time_source": time_source}
        if advisory_refresh_seconds is not None:
            limits["advisory_refresh_seconds"] = advisory_refresh_seconds
        if mandatory_refresh_seconds is not None:
            limits["mandatory_refresh_seconds"] = mandatory_refresh_seconds
        self._cache = TokenCache(self._fetch, **limits)

    def __repr__(self) -> str:
        return f"TokenCredential(kind={self.kind!r}, source={self.source!r})"

    async def headers(self) -> dict[str, str]:
        try:
            token = await self._cache.async_get_token()
        except Exception as exc:  # the SDK's errors, and anything a provider raises
            raise self._failure(exc) from None
        return {"authorization": f"Bearer {token}", "anthropic-beta": OAUTH_BETA}

    async def invalidate(self) -> bool:
        """The API refused the token: the next request exchanges (or refreshes) afresh."""
        self._cache.invalidate()
        return True

    def refusal(self, endpoint: Endpoint) -> Refusal | None:
        # Known once the token endpoint has answered; until then the API decides.
        return scope_refusal(self.scope, self.source, endpoint)

    def details(self) -> dict[str, Any]:
        """What `whoami` and `check` show: ids, where the token comes from, scope and expiry."""
        expires = None
        if self.expires_at:
            expires = datetime.fromtimestamp(self.expires_at, UTC).isoformat().replace("+00:00", "Z")
        return {
            "federation_rule_id": self.federation_rule_id,
            "organization_id": self.organization_id,
            "service_account_id": self.service_account_id,
            "workspace_id": self.workspace_id,
            "identity_token": self.identity_token,
            "profile": self.profile,
            "scope": self.scope,
            "token_expires_at": expires,
        }

    # -- the provider side, run by the TokenCache in a worker thread -----------------------------

    def _fetch(self, *, force_refresh: bool = False) -> AccessToken:
        token = self._provider(force_refresh=force_refresh)
        register_secret(token.token)
        self.expires_at = token.expires_at
        self.exchanges += 1
        log.info(
            "%s: new access token%s",
            self.source,
            f", valid {token.expires_at - int(time.time())} s" if token.expires_at else "",
        )
        return token

    def _seen_response(self, response: httpx2.Response) -> None:
        """Token-endpoint answers: register their tokens before anything else sees them."""
        response.read()
        try:
            data = response.json()
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        for name in _SECRET_FIELDS:
            if isinstance(data.get(name), str):
                register_secret(data[name])
        if response.is_success and isinstance(data.get("scope"), str):
            self.scope = data["scope"]

    # -- failures ---------------------------------------------------------------------------------

    def _who(self) -> str:
        who = f"federation rule {self.federation_rule_id}" if self.federation_rule_id else ""
        if self.organization_id:
            who += (
                f" in organization {self.organization_id}" if who else f"organization {self.organization_id}"
            )
        if self.profile:
            who = f"profile {self.profile}" + (f" ({who})" if who else "")
        return who or self.source

    def _failure(self, exc: Exception) -> CredentialFailure:
        from anthropic import CredentialsError, IdentityTokenFileError  # loaded with the provider
        from anthropic.lib.credentials import WorkloadIdentityError

        who = self._who()
        if isinstance(exc, IdentityTokenFileError):
            return CredentialFailure(
                f"cannot read the identity token for {who}: {exc}",
                advice="Put the workload's current OIDC token in that file: on Kubernetes the projected "
                "service-account token, in GitHub Actions the token the workflow fetched. It is re-read at "
                "every exchange, so fixing the file is enough. " + RUN_AGAIN,
            )
        if isinstance(exc, WorkloadIdentityError):
            status, error = exc.status_code, _oauth_error(exc.body)
            rid = exc.request_id
            if self.kind == "oauth_token":
                return CredentialFailure(
                    f"refreshing the OAuth token of {who} failed: {error or exc} (HTTP {status})",
                    advice="Sign in again (`ant auth login --scope org:admin`) and restart the server.",
                    request_id=rid,
                )
            if status == 401:
                return CredentialFailure(
                    f"the workload identity token exchange for {who} was refused: {error} (HTTP 401)",
                    advice="The API never says why; the Console shows the reason under Workload identity "
                    "→ authentication history. Usual causes: the identity token expired or was already "
                    "used (single-use jti); its issuer, subject, audience or claims do not match the rule; "
                    "its signing key is not in the issuer's JWKS; the rule or issuer is archived; the "
                    "service account is not in the workspace (or the rule covers several: set "
                    f"{WORKSPACE_ENV}). "
                    f"Check the token in {self.identity_token or self.source}. " + RUN_AGAIN,
                    request_id=rid,
                )
            if status is None:
                return CredentialFailure(
                    f"the workload identity token exchange for {who} failed: {exc}",
                    advice="Check the network and ANTHROPIC_BASE_URL, then call again.",
                )
            if status == 400:
                return CredentialFailure(
                    f"the token endpoint rejected the exchange request for {who}: {error} (HTTP 400)",
                    advice=f"Check {FEDERATION_RULE_ENV}, {ORGANIZATION_ENV} (the organization's UUID), "
                    f"{SERVICE_ACCOUNT_ENV} and {WORKSPACE_ENV}.",
                    request_id=rid,
                )
            return CredentialFailure(
                f"the workload identity token exchange for {who} failed: {error or exc} (HTTP {status})",
                advice="The token endpoint is failing or busy; call again in a minute.",
                request_id=rid,
            )
        if isinstance(exc, CredentialsError):
            return CredentialFailure(
                f"{who}: {exc}", advice="Fix the configuration named above. " + RUN_AGAIN
            )
        return CredentialFailure(
            f"obtaining a token for {who} failed: {type(exc).__name__}: {redact(str(exc))[:300]}",
            advice=RUN_AGAIN,
        )


def _register_request_secrets(request: httpx2.Request) -> None:
    """Token-endpoint requests carry the identity token or a refresh token: register them."""
    try:
        data = json.loads(request.content)
    except (ValueError, httpx2.RequestNotRead):
        return
    if isinstance(data, dict):
        for name in _SECRET_FIELDS:
            if isinstance(data.get(name), str):
                register_secret(data[name])


def _oauth_error(body: Any) -> str:
    """The OAuth or API error in a (redacted) token-endpoint body: 'type: message'."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            kind, message = error.get("type"), error.get("message")
            return redact(": ".join(str(part) for part in (kind, message) if part))
        if isinstance(error, str):
            description = body.get("error_description")
            return redact(f"{error}: {description}" if description else error)
    if isinstance(body, str):
        return redact(body[:200])
    return ""
