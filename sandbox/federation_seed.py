"""The demo organization's workload identity setup, so the list endpoints have something to show.

* three service accounts: `inference-worker` (developer, a `workspace_developer` of the first
  live named workspace), `ci-deployer` (developer, `workspace_developer` of the second) and
  `org-admin-automation` (admin);
* one issuer, `acme-k8s-prod` (`https://oidc.k8s.acme-sandbox.example`), whose inline JWKS holds
  one P-256 key derived from the seed (`demo_signing_key(seed)` gives its private half, so demos
  and tests can sign assertions the sandbox accepts; kid `DEMO_KID`);
* one rule, `k8s-inference`, matching subjects `system:serviceaccount:inference:*` and granting
  `workspace:inference` to `inference-worker` in its workspace for 600 s.

Everything is created about two months before the anchor (after the workspaces it uses) by the
admin the admin key acts for: the same seed and anchor give the same objects and ids.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Final

from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from .federation import (
    ISSUER,
    RULE,
    SERVICE_ACCOUNT,
    Audit,
    FederationIssuer,
    FederationRule,
    RuleMatch,
    RuleWorkspace,
    ServiceAccount,
    ServiceAccountMember,
    ServiceAccountRole,
)
from .models import Workspace
from .store import SandboxState

DAY: Final = 86_400
HOUR: Final = 3_600
DEMO_ISSUER_URL: Final = "https://oidc.k8s.acme-sandbox.example"
DEMO_KID: Final = "acme-k8s-2026"
DEMO_SUBJECT_PREFIX: Final = "system:serviceaccount:inference:*"
_P256_ORDER: Final = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def demo_signing_key(seed: int) -> ec.EllipticCurvePrivateKey:
    """The private key behind the seeded issuer's inline JWKS (a sandbox secret, not a credential)."""
    digest = hashlib.sha256(f"claude-admin-mcp-sandbox-wif-key:{seed}".encode()).digest()
    return ec.derive_private_key(int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1())


@functools.lru_cache(maxsize=8)
def demo_jwks(seed: int) -> tuple[tuple[str, str], ...]:
    """The seeded issuer's one inline key, as sorted pairs (cached: seeding resets are frequent)."""
    public = ECAlgorithm.to_jwk(demo_signing_key(seed).public_key(), as_dict=True)
    return tuple(sorted({**public, "kid": DEMO_KID, "use": "sig", "alg": "ES256"}.items()))


def seed_federation(state: SandboxState, seed: int, anchor: int, workspaces: list[Workspace]) -> None:
    federation = state.federation
    admin = state.admin_key_user_id
    live = [workspace for workspace in workspaces if workspace.archived_at is None]
    homes = [workspace.id for workspace in live[:2]] or [state.default_workspace_id]

    # A few weeks back, but after the workspaces the accounts and the rule are placed in.
    start = max([anchor - 60 * DAY] + [w.created_at + HOUR for w in live[:2]])
    accounts: list[ServiceAccount] = []
    specs: tuple[tuple[str, str, ServiceAccountRole], ...] = (
        ("inference-worker", "Inference pods in the prod Kubernetes cluster", "developer"),
        ("ci-deployer", "Deploys from CI", "developer"),
        ("org-admin-automation", "Nightly organization housekeeping jobs", "admin"),
    )
    for index, (name, description, role) in enumerate(specs):
        created = start + index * HOUR
        account = ServiceAccount(
            state.new_id(SERVICE_ACCOUNT, created), name, description, role, Audit.new(created, admin)
        )
        federation.service_accounts.put(account)
        accounts.append(account)
    for account, workspace_id in zip(accounts[:2], [homes[0], homes[-1]], strict=True):
        if workspace_id != state.default_workspace_id:
            member = ServiceAccountMember(account.id, workspace_id, "workspace_developer", admin)
            federation.add_membership(member)

    created = start + 4 * HOUR
    issuer = FederationIssuer(
        state.new_id(ISSUER, created),
        "acme-k8s-prod",
        DEMO_ISSUER_URL,
        {"type": "inline", "keys": [dict(demo_jwks(seed))]},
        True,
        3600,
        Audit.new(created, admin),
    )
    federation.issuers.put(issuer)

    created = start + 5 * HOUR
    rule = FederationRule(
        state.new_id(RULE, created),
        "k8s-inference",
        "Inference pods exchange their projected service-account tokens",
        issuer.id,
        RuleMatch(subject_prefix=DEMO_SUBJECT_PREFIX),
        accounts[0].id,
        "workspace:inference",
        600,
        False,
        Audit.new(created, admin),
        {homes[0]: RuleWorkspace(homes[0], created, admin)},
        homes[0],
    )
    federation.rules.put(rule)
