"""OAuth tokens the server obtains and renews itself: workload identity federation and profiles.

Built on the official SDK's `anthropic.lib.credentials`, imported only when such a credential is
configured (the admin-key path never loads the SDK):

- Workload identity federation (WIF) from the environment: `WorkloadIdentityCredentials` exchanges
  the workload's OIDC token at `POST {base_url}/v1/oauth/token` (jwt-bearer grant) under a federation
  rule. The token is read from `ANTHROPIC_IDENTITY_TOKEN_FILE` (`IdentityTokenFile`) or
  `ANTHROPIC_IDENTITY_TOKEN` at *every* exchange, so a rotated Kubernetes projected token or a
  re-fetched CI token is simply picked up.
- A profile (`ANTHROPIC_PROFILE`): `CredentialsFile`, the config and credentials files Anthropic's
  tools write. An `oidc_federation` profile exchanges as above (caching the token on disk); a
  `user_oauth` one (`ant auth login`) refreshes with its refresh token.

Either provider sits behind the SDK's `TokenCache`: with 120 s left a token is renewed in passing
(on failure the current one is kept), with 30 s left it must be; the blocking exchange runs in a
worker thread, never on the event loop. After an API 401, `invalidate()` forces a fresh exchange
and `AdminApi` retries the request once.

Secrets: the identity token, minted access tokens and refresh tokens are registered with
`redaction` the moment they are read or received: a hook on the exchange's own HTTP client sees
every token-endpoint request and response. A failure becomes a `CredentialFailure` that names the
federation rule, the organization and the OAuth error, never a token.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx2

from .admin_api import CredentialFailure
from .credentials import (
    FEDERATION_RULE_ENV,
    IDENTITY_TOKEN_ENV,
    IDENTITY_TOKEN_FILE_ENV,
    OAUTH_BETA,
    ORGANIZATION_ENV,
    PROFILE_ENV,
    SERVICE_ACCOUNT_ENV,
    WORKSPACE_ENV,
    CredentialError,
)
from .redaction import redact, register_secret

if TYPE_CHECKING:
    from anthropic.lib.credentials import AccessToken, AccessTokenProvider

log = logging.getLogger(__name__)

TOKEN_ENDPOINT_TIMEOUT = 30.0
_SECRET_FIELDS = ("assertion", "access_token", "refresh_token", "id_token", "client_secret")
_ID = r"[A-Za-z0-9]{1,64}"
_RULE_ID = re.compile(rf"^fdrl_{_ID}$")
_SERVICE_ACCOUNT_ID = re.compile(rf"^svac_{_ID}$")
_WORKSPACE_ID = re.compile(rf"^(wrkspc_{_ID}|default)$")

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
        from anthropic.lib.credentials import TokenCache

        self.kind = kind
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
        from anthropic import CredentialsError, IdentityTokenFileError
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


def _read_identity_token(environ: Mapping[str, str], path: str | None) -> Callable[[], str]:
    """The identity token, read afresh at each call (a file wins over the variable, as in the SDK)."""
    from anthropic import CredentialsError
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

    from anthropic import CredentialsError
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


def profile_credential(name: str, environ: Mapping[str, str], base_url: str, **cache: Any) -> TokenCredential:
    """The profile `ANTHROPIC_PROFILE` names. The SDK reads `ANTHROPIC_CONFIG_DIR` (and the variables
    that fill a profile's gaps) from the process environment."""
    from anthropic import CredentialsError
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
