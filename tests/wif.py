"""Helpers for the workload identity tests: a signing key the test owns, identity tokens (JWTs) timed
by the sandbox's clock, and a federation (issuer, admin service account, org:admin rule) set up the
way an administrator would, through a Console session."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx2
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.api.credentials.discover import discover
from claude_admin_mcp.server.app import AdminServer, create_server

from .conftest import make_settings

CONSOLE_TOKEN = "sk-ant-oat01-consoleSESSION" + "Kq9" * 14
"""The sandbox treats this Bearer token as a Console session: the only caller that may create
`org:admin` federation rules, as on the real API (where such rules are made in the Console)."""
ISSUER_URL = "https://token.ci.example.com"
SUBJECT = "repo:acme/infra:ref:refs/heads/main"
AUDIENCE = "https://api.anthropic.com"
KID = "ci-key-1"


@functools.cache
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@functools.cache
def rsa_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: Any = None, kid: str = KID) -> dict[str, Any]:
    key = key or signing_key()
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig"}


def identity_token(sandbox: RunningSandbox, *, key: Any = None, kid: str = KID, **claims: Any) -> str:
    """A signed OIDC token for `SUBJECT`, valid ten minutes from the sandbox's now; `None` drops a claim."""
    key = key or signing_key()
    now = sandbox.state.now_ts()
    payload: dict[str, Any] = {
        "iss": ISSUER_URL,
        "sub": SUBJECT,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    algorithm = "RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256"
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


def console(sandbox: RunningSandbox) -> httpx2.Client:
    return httpx2.Client(base_url=sandbox.base_url, headers={"authorization": f"Bearer {CONSOLE_TOKEN}"})


@dataclass(frozen=True)
class Federation:
    issuer_id: str
    service_account_id: str
    rule_id: str
    workspace_id: str
    organization_id: str


def make_federation(
    sandbox: RunningSandbox,
    *,
    scope: str = "org:admin",
    lifetime: int | None = None,
    check_jti: bool = True,
    subject_prefix: str = "repo:acme/infra:*",
) -> Federation:
    """Issuer (the test's key, inline), an admin service account in a workspace, and a rule."""
    with console(sandbox) as http:

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = http.post(path, json=body)
            assert response.status_code == 200, response.text
            return cast(dict[str, Any], response.json())

        workspace = http.get("/v1/organizations/workspaces", params={"limit": 1}).json()["data"][0]
        issuer = post(
            "/v1/organizations/federation_issuers",
            {
                "name": f"ci-{uuid.uuid4().hex[:6]}",
                "issuer_url": ISSUER_URL,
                "jwks": {"type": "inline", "keys": [public_jwk()]},
                "check_jti": check_jti,
            },
        )
        role = "admin" if "org:admin" in scope else "developer"
        account = post(
            "/v1/organizations/service_accounts",
            {"name": f"robot-{uuid.uuid4().hex[:6]}", "organization_role": role},
        )
        post(
            f"/v1/organizations/service_accounts/{account['id']}/workspaces",
            {"workspace_id": workspace["id"], "workspace_role": "workspace_admin"},
        )
        rule_body: dict[str, Any] = {
            "name": f"ci-admin-{uuid.uuid4().hex[:6]}",
            "issuer_id": issuer["id"],
            "match": {"subject_prefix": subject_prefix},
            "target": {"type": "service_account", "service_account_id": account["id"]},
            "oauth_scope": scope,
            "workspace_id": workspace["id"],
        }
        if lifetime is not None:
            rule_body["token_lifetime_seconds"] = lifetime
        rule = post("/v1/organizations/federation_rules", rule_body)
    return Federation(issuer["id"], account["id"], rule["id"], workspace["id"], sandbox.state.organization.id)


def wif_env(federation: Federation, token_file: Path) -> dict[str, str]:
    """The three variables a workload sets (no service account or workspace: the rule implies them)."""
    return {
        "ANTHROPIC_IDENTITY_TOKEN_FILE": str(token_file),
        "ANTHROPIC_FEDERATION_RULE_ID": federation.rule_id,
        "ANTHROPIC_ORGANIZATION_ID": federation.organization_id,
    }


def wif_server(sandbox: RunningSandbox, environ: dict[str, str], **settings: Any) -> AdminServer:
    return create_server(make_settings(sandbox, **settings), discover(environ, sandbox.base_url))


def exchanges(sandbox: RunningSandbox, outcome: str = "success") -> list[Any]:
    return [e for e in sandbox.state.federation.authentication_history if e.outcome == outcome]
