"""Helpers for the workload identity tests: keys, signed assertions, OAuth clients, and a ready
issuer + service account + rule to exchange against."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import anthropic
import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox

from ._sandbox_helpers import NOW, OAUTH_TOKEN

CONSOLE_TOKEN = "sandbox-console-session-for-tests-5b0f2e91c7d84a36"
AUDIENCE = "https://api.anthropic.com"
ISSUER_URL = "https://token.issuer.example.com"
SUBJECT = "system:serviceaccount:payments:worker"
TOKEN_PATH = "/v1/oauth/token"
DEFAULT_MATCH: Any = {"subject_prefix": "system:serviceaccount:payments:*"}
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
WIF_CONFIG = SandboxConfig(
    users=30, now=NOW, oauth_token=OAUTH_TOKEN, console_token=CONSOLE_TOKEN, min_token_lifetime_seconds=1
)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@functools.cache
def rsa_key(index: int = 0) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key(curve: str = "P-256") -> ec.EllipticCurvePrivateKey:
    curves: dict[str, ec.EllipticCurve] = {
        "P-256": ec.SECP256R1(),
        "P-384": ec.SECP384R1(),
        "P-521": ec.SECP521R1(),
    }
    return ec.generate_private_key(curves[curve])


def public_jwk(key: PrivateKey, kid: str) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig"}


def standard_jwks() -> Any:
    """Inline JWKS with the test keys (typed Any: it goes where the SDK wants its TypedDict)."""
    return {
        "type": "inline",
        "keys": [
            public_jwk(rsa_key(), "rsa-1"),
            public_jwk(ec_key("P-256"), "ec-256"),
            public_jwk(ec_key("P-384"), "ec-384"),
            public_jwk(ec_key("P-521"), "ec-521"),
        ],
    }


KEY_FOR_KID: dict[str, Any] = {
    "rsa-1": lambda: rsa_key(),
    "ec-256": lambda: ec_key("P-256"),
    "ec-384": lambda: ec_key("P-384"),
    "ec-521": lambda: ec_key("P-521"),
}


def claims(sandbox: RunningSandbox, **overrides: Any) -> dict[str, Any]:
    """A valid assertion's claims, timed by the sandbox's clock; `None` values drop a claim."""
    now = sandbox.state.now_ts()
    base: dict[str, Any] = {
        "iss": ISSUER_URL,
        "sub": SUBJECT,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    base.update(overrides)
    return {name: value for name, value in base.items() if value is not None}


def sign(
    payload: dict[str, Any],
    *,
    alg: str = "RS256",
    kid: str | None = "rsa-1",
    key: Any = None,
) -> str:
    if key is None:
        key = KEY_FOR_KID[kid or "rsa-1"]()
    headers = {} if kid is None else {"kid": kid}
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


@functools.cache
def _sdk(base_url: str, token: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(
        auth_token=token, base_url=base_url, _strict_response_validation=True, max_retries=0
    )


def bearer_sdk(sandbox: RunningSandbox, token: str) -> anthropic.Anthropic:
    """The official SDK with an OAuth bearer token, strict: every response is a schema check.
    Cached per server and token (building a client costs tens of milliseconds)."""
    return _sdk(sandbox.base_url, token)


def bearer_http(sandbox: RunningSandbox, token: str) -> httpx2.Client:
    return httpx2.Client(base_url=sandbox.base_url, headers={"authorization": f"Bearer {token}"})


@functools.cache
def _plain_http(base_url: str) -> httpx2.Client:
    return httpx2.Client(base_url=base_url)


def plain_http(sandbox: RunningSandbox) -> httpx2.Client:
    """A credential-less client (cached per server), for the token exchange."""
    return _plain_http(sandbox.base_url)


def exchange_body(setup: Setup, assertion: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "grant_type": GRANT_TYPE,
        "assertion": assertion,
        "federation_rule_id": setup.rule_id,
        "organization_id": setup.organization_id,
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


@dataclass
class Setup:
    """An issuer with inline RSA and EC keys, a service account member of one workspace, and a
    rule matching `SUBJECT` for that workspace."""

    issuer_id: str
    service_account_id: str
    rule_id: str
    workspace_id: str
    organization_id: str


def make_setup(
    sandbox: RunningSandbox,
    *,
    creator: str = OAUTH_TOKEN,
    scope: str = "workspace:developer",
    role: Literal["admin", "developer"] = "developer",
    match: Any = None,
    token_lifetime_seconds: int | None = None,
    issuer: dict[str, Any] | None = None,
    rule: dict[str, Any] | None = None,
) -> Setup:
    sdk = bearer_sdk(sandbox, creator)
    org = sdk.beta.organization
    workspace = next(iter(org.workspaces.list(limit=1)))
    account = bearer_sdk(sandbox, OAUTH_TOKEN).beta.organization.service_accounts.create(
        name=f"worker-{uuid.uuid4().hex[:8]}",
        organization_role=role,
    )
    org.service_accounts.workspaces.add(
        account.id, workspace_id=workspace.id, workspace_role="workspace_developer"
    )
    made_issuer = org.federation.issuers.create(
        name=f"issuer-{uuid.uuid4().hex[:8]}",
        issuer_url=ISSUER_URL,
        jwks=standard_jwks(),
        **(issuer or {}),
    )
    options: dict[str, Any] = {"workspace_id": workspace.id}
    if token_lifetime_seconds is not None:
        options["token_lifetime_seconds"] = token_lifetime_seconds
    options.update(rule or {})
    made_rule = org.federation.rules.create(
        name=f"rule-{uuid.uuid4().hex[:8]}",
        issuer_id=made_issuer.id,
        match=match or DEFAULT_MATCH,
        target={"type": "service_account", "service_account_id": account.id},
        oauth_scope=scope,
        **options,
    )
    return Setup(made_issuer.id, account.id, made_rule.id, workspace.id, sandbox.state.organization.id)


def running_wif_sandbox() -> Iterator[RunningSandbox]:
    """For a module-scoped fixture: one server per test module, reset before each test."""
    with start_sandbox(WIF_CONFIG) as running:
        yield running


def fresh(running: RunningSandbox) -> RunningSandbox:
    running.reset()
    return running


def last_reason(sandbox: RunningSandbox) -> str | None:
    return sandbox.state.federation.authentication_history[-1].reason
