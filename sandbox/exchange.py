"""The RFC 7523 jwt-bearer exchange behind `POST /v1/oauth/token`, and the callers its tokens make.

`parse_request` checks the JSON body (400 `invalid_request_error`, no history entry); fields the
endpoint does not know are ignored, as RFC 6749 §3.2 asks of a token endpoint.

`exchange` then decides. Every denial is the same opaque 401 "Authentication failed"; the reason
(`Denied`) goes to `state.federation.authentication_history`, checked in the order of `_decide`:
the organization, rule and issuer; the assertion (only RS/PS/ES 256/384/512 signatures by a key of
the issuer's inline JWKS, since the sandbox fetches nothing; `iss` equal to the issuer URL; `iat`,
`exp`, `nbf` and the issuer's maximum lifetime, with 30 s of clock skew); the rule's match
(`aud` defaults to `https://api.anthropic.com`; a `jti` is single-use per issuer when `check_jti`
is on, consumed only by a success); the target service account; the workspace (an explicit one
must be live and enabled; without one, the rule's sole enabled workspace, or the default one when
it is enabled with at most one other, as the SDK describes) and the account's membership of it.

A minted token lives `max(floor, min(rule.token_lifetime_seconds, 2 × (exp - now)))` seconds,
`floor` being `state.federation.min_token_lifetime_seconds` (60 unless configured).
`workload_caller` turns a presented token into its `Caller`: expired is 401; without `org:admin`
it is 403 everywhere (the sandbox serves only the Admin API); an `org:admin` token acts as its
service account while that account is live and still an `admin`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, cast

import jwt
from jwt.types import Options

from . import cel, ids
from .errors import ApiError, invalid_request, permission_denied
from .federation import (
    DEFAULT_AUDIENCE,
    ORG_ADMIN,
    RULE,
    SERVICE_ACCOUNT,
    AuthenticationEvent,
    FederationIssuer,
    FederationRule,
    RuleMatch,
)
from .store import Caller, SandboxState
from .tokens import MintedToken

GRANT_TYPE: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_ASSERTION_BYTES: Final = 16 * 1024
CLOCK_SKEW_SECONDS: Final = 30
ALLOWED_ALGORITHMS: Final = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
)
AUTHENTICATION_FAILED: Final = "Authentication failed"
_CLAIMS: Final = ("exp", "nbf", "iat", "aud", "iss", "sub", "jti")
_SIGNATURE_ONLY: Final = cast(
    Options, {"verify_signature": True, "require": [], **{f"verify_{claim}": False for claim in _CLAIMS}}
)
"""Only the signature is left to PyJWT: the claims are checked against the sandbox's clock, each
with its own denial reason."""


@dataclass(frozen=True, slots=True)
class ExchangeRequest:
    assertion: str
    federation_rule_id: str
    organization_id: str
    service_account_id: str | None
    workspace_id: str | None


class Denied(Exception):
    """An exchange refused for `reason` (shown to nobody but the authentication history)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _string(data: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and required:
        raise invalid_request(f"{name}: Field required")
    if value is not None and (not isinstance(value, str) or not (value.strip() if required else value)):
        raise invalid_request(f"{name}: must be a non-empty string")
    return value


def parse_request(data: Mapping[str, Any]) -> ExchangeRequest:
    grant_type = data.get("grant_type")
    if grant_type is None:
        raise invalid_request("grant_type: Field required")
    if grant_type != GRANT_TYPE:
        raise invalid_request(f"grant_type: unsupported grant type; expected '{GRANT_TYPE}'")
    assertion = str(_string(data, "assertion"))
    if len(assertion.encode("utf-8")) > MAX_ASSERTION_BYTES:
        raise invalid_request(f"assertion: larger than {MAX_ASSERTION_BYTES} bytes")
    rule_id = str(_string(data, "federation_rule_id"))
    if not ids.looks_like_id(rule_id, RULE):
        raise invalid_request("federation_rule_id: not a valid federation rule id (expected fdrl_...)")
    organization_id = str(_string(data, "organization_id"))
    try:
        uuid.UUID(organization_id)
    except ValueError:
        raise invalid_request("organization_id: must be the organization's UUID") from None
    account_id = _string(data, "service_account_id", required=False)
    if account_id is not None and not ids.looks_like_id(account_id, SERVICE_ACCOUNT):
        raise invalid_request("service_account_id: not a valid service account id (expected svac_...)")
    workspace_id = _string(data, "workspace_id", required=False)
    if workspace_id not in (None, "default") and not ids.looks_like_id(str(workspace_id), ids.WORKSPACE):
        raise invalid_request("workspace_id: must be a workspace id (wrkspc_...) or 'default'")
    return ExchangeRequest(assertion, rule_id, organization_id, account_id, workspace_id)


# -- the assertion --------------------------------------------------------------------------------


def _seconds(value: object) -> float | None:
    """A NumericDate claim's value, or None if it is absent or not a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _verified_claims(assertion: str, issuer: FederationIssuer) -> dict[str, Any]:
    """The assertion's claims once its signature checks out against the issuer's inline JWKS."""
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise Denied("jwt_malformed") from None
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise Denied("jwt_algorithm_not_allowed")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Denied("jwt_kid_missing")
    keys = issuer.inline_keys()
    if keys is None:
        raise Denied("jwks_unavailable")
    jwk = next((key for key in keys if key.get("kid") == kid), None)
    if jwk is None:
        raise Denied("jwt_kid_unknown")
    if jwk.get("alg") not in (None, algorithm) or jwk.get("use") not in (None, "sig"):
        raise Denied("jwt_key_mismatch")
    try:
        key = jwt.PyJWK(jwk, algorithm=algorithm)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Denied("jwt_key_mismatch") from None
    try:
        claims = jwt.decode(
            assertion,
            key=key.key,
            algorithms=[algorithm],
            # Only the signature here: the claims are checked below against the sandbox's clock,
            # each with its own reason.
            options=_SIGNATURE_ONLY,
        )
    except jwt.InvalidSignatureError:
        raise Denied("jwt_signature_invalid") from None
    except (jwt.PyJWTError, ValueError, TypeError):
        # A key of the wrong curve or size for the algorithm, or an unreadable payload.
        raise Denied("jwt_key_mismatch") from None
    if not isinstance(claims, dict):
        raise Denied("jwt_malformed")
    return claims


def _check_times(claims: Mapping[str, Any], issuer: FederationIssuer, now: int) -> tuple[float, float]:
    """(iat, exp), once the assertion is valid now and not longer-lived than the issuer allows."""
    iat, exp = _seconds(claims.get("iat")), _seconds(claims.get("exp"))
    if iat is None:
        raise Denied("jwt_iat_missing")
    if iat > now + CLOCK_SKEW_SECONDS:
        raise Denied("jwt_iat_in_future")
    if exp is None:
        raise Denied("jwt_exp_missing")
    if exp + CLOCK_SKEW_SECONDS <= now:
        raise Denied("jwt_expired")
    if "nbf" in claims:
        nbf = _seconds(claims["nbf"])
        if nbf is None or nbf > now + CLOCK_SKEW_SECONDS:
            raise Denied("jwt_not_yet_valid")
    if exp - iat > issuer.max_jwt_lifetime_seconds:
        raise Denied("jwt_lifetime_too_long")
    return iat, exp


def _check_match(claims: Mapping[str, Any], match: RuleMatch, subject: str) -> None:
    expected = match.audience or DEFAULT_AUDIENCE
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if expected not in audiences:
        raise Denied("match_audience")
    prefix = match.subject_prefix
    if prefix is not None:
        fits = subject.startswith(prefix[:-1]) if prefix.endswith("*") else subject == prefix
        if not fits:
            raise Denied("match_subject_prefix")
    for name, value in (match.claims or {}).items():
        if claims.get(name) != value:
            raise Denied("match_claims")
    if match.compiled is not None and not cel.matches(match.compiled, claims):
        raise Denied("match_condition")


# -- the workspace --------------------------------------------------------------------------------


def _workspace(state: SandboxState, rule: FederationRule, asked: str | None) -> str:
    default_id = state.default_workspace_id
    if asked is not None:
        workspace_id = default_id if asked == "default" else asked
        workspace = state.workspaces.get(workspace_id)
        if workspace is None:
            raise Denied("workspace_not_found")
        if workspace.archived_at is not None:
            raise Denied("workspace_archived")
        if not (rule.applies_to_all_workspaces or workspace_id in rule.workspaces):
            raise Denied("workspace_not_enabled")
        return workspace_id
    if rule.applies_to_all_workspaces:
        raise Denied("workspace_id_required")
    enabled = [
        workspace_id
        for workspace_id in rule.workspaces
        if (workspace := state.workspaces.get(workspace_id)) is not None and workspace.archived_at is None
    ]
    if len(enabled) == 1:
        return enabled[0]
    if default_id in enabled and len(enabled) <= 2:
        return default_id
    raise Denied("workspace_id_required")


# -- the exchange ---------------------------------------------------------------------------------


def _decide(state: SandboxState, asked: ExchangeRequest, event: dict[str, Any]) -> dict[str, object]:
    federation = state.federation
    now = state.now_ts()
    if asked.organization_id.lower() != state.organization.id.lower():
        raise Denied("organization_mismatch")
    rule = federation.rules.get(asked.federation_rule_id)
    if rule is None:
        raise Denied("rule_not_found")
    event["issuer_id"] = rule.issuer_id
    event["service_account_id"] = rule.service_account_id
    if rule.audit.archived_at is not None:
        raise Denied("rule_archived")
    issuer = federation.issuers[rule.issuer_id]
    if issuer.audit.archived_at is not None:
        raise Denied("issuer_archived")

    claims = _verified_claims(asked.assertion, issuer)
    if claims.get("iss") != issuer.issuer_url:
        raise Denied("jwt_issuer_mismatch")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise Denied("jwt_subject_missing")
    event["subject"] = subject
    _, exp = _check_times(claims, issuer, now)
    _check_match(claims, rule.match, subject)
    jti = claims.get("jti")
    if jti is not None and not isinstance(jti, str):
        raise Denied("jwt_malformed")
    check_jti = issuer.check_jti and jti is not None
    if check_jti and federation.jti_seen(issuer.id, str(jti), now):
        raise Denied("jti_replayed")

    account = federation.service_accounts[rule.service_account_id]
    if account.audit.archived_at is not None:
        raise Denied("service_account_archived")
    if asked.service_account_id is not None and asked.service_account_id != account.id:
        raise Denied("service_account_mismatch")
    if ORG_ADMIN in rule.scopes and account.organization_role != "admin":
        raise Denied("service_account_role_insufficient")
    workspace_id = _workspace(state, rule, asked.workspace_id)
    event["workspace_id"] = workspace_id
    if workspace_id != state.default_workspace_id and federation.membership(account.id, workspace_id) is None:
        raise Denied("service_account_not_member")

    if check_jti:
        assert isinstance(jti, str)
        federation.use_jti(issuer.id, jti, int(exp) + CLOCK_SKEW_SECONDS)
    remaining = int(exp) - now
    lifetime = max(federation.min_token_lifetime_seconds, min(rule.token_lifetime_seconds, 2 * remaining))
    grant = MintedToken(account.id, rule.oauth_scope, workspace_id, rule.id, now, now + lifetime)
    return {
        "access_token": state.tokens.mint(grant, now),
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": rule.oauth_scope,
    }


def exchange(state: SandboxState, asked: ExchangeRequest, request_id: str) -> dict[str, object]:
    """The token response, or `ApiError` 401 "Authentication failed" with the reason recorded."""
    event: dict[str, Any] = {}
    try:
        response = _decide(state, asked, event)
    except Denied as denied:
        state.federation.authentication_history.append(
            AuthenticationEvent(
                state.now_ts(), "failure", denied.reason, asked.federation_rule_id, request_id, **event
            )
        )
        raise ApiError(401, AUTHENTICATION_FAILED) from None
    state.federation.authentication_history.append(
        AuthenticationEvent(state.now_ts(), "success", None, asked.federation_rule_id, request_id, **event)
    )
    return response


# -- callers ---------------------------------------------------------------------------------------


def workload_caller(state: SandboxState, token: str) -> Caller | None:
    """The caller a minted token stands for; None if it is not one (see the module docstring)."""
    grant = state.tokens.find(token)
    if grant is None:
        return None
    if grant.expired(state.now_ts()):
        raise ApiError(401, "OAuth token has expired; exchange a new identity token for a fresh one")
    if ORG_ADMIN not in grant.scopes:
        raise permission_denied(
            f"This OAuth token's scope ({grant.oauth_scope}) does not grant access to the Admin API; "
            "an org:admin token is required"
        )
    account = state.federation.service_accounts.get(grant.service_account_id)
    if account is None or account.audit.archived_at is not None:
        raise ApiError(401, "OAuth token has been revoked: its service account is archived")
    if account.organization_role != "admin":
        # The effective permission is the rule's scope intersected with the account's role.
        raise permission_denied(
            f"Service account {account.id} no longer has the admin organization role, "
            "which an org:admin token needs"
        )
    return Caller("service_account", account.id)
