"""Workload identity federation state: service accounts, federation issuers and rules.

`state.federation`, a `FederationState`: `service_accounts` (`svac_...`, archived ones included),
`issuers` (`fdis_...`) and `rules` (`fdrl_...`), each a `Resources`; explicit workspace
memberships (`membership`, `memberships_of`, `memberships_in`: every service account is also an
implicit `workspace_user` of the default workspace, not stored); `authentication_history`, one
`AuthenticationEvent` per exchange that got past request validation, with the real reason of a
failure (the client always gets the same opaque 401); `min_token_lifetime_seconds` (60 on the real
API; `SandboxConfig` lowers it so tests need not wait a minute).

Records keep times as epoch seconds and render the SDK 2.10.0 models exactly. The sandbox never
fetches anything: a `discovery` or `explicit_url` JWKS is stored and shown, but only an `inline`
one can verify an assertion (otherwise the exchange fails with `jwks_unavailable`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Final, Literal

from . import cel
from .models import WorkspaceRole, format_ts
from .resources import Resources

SERVICE_ACCOUNT: Final = "svac_"
ISSUER: Final = "fdis_"
RULE: Final = "fdrl_"

ServiceAccountRole = Literal["admin", "developer"]
AuthOutcome = Literal["success", "failure"]

DEFAULT_AUDIENCE: Final = "https://api.anthropic.com"
"""The `aud` an assertion must carry when its rule sets no `match.audience` (the guides' value)."""
ORG_ADMIN: Final = "org:admin"
OAUTH_MANAGEABLE_SCOPES: Final = frozenset({"workspace:developer", "workspace:inference"})
"""The only rule scopes an OAuth caller may create or change; the rest need a Console session."""
KNOWN_SCOPES: Final = (ORG_ADMIN, "workspace:developer", "workspace:inference", "workspace:manage_tunnels")


@dataclass(frozen=True, slots=True)
class SharedIssuer:
    """A well-known issuer many tenants share: its rules must pin the tenant's identity."""

    platform: str
    identity_claims: frozenset[str]
    """Claims naming the tenant (an owner, organization, project...)."""
    subject_scheme: str | None
    """A subject prefix that pins the tenant: this scheme, a tenant, then `separator`."""
    separator: str = "/"


# fmt: off
SHARED_ISSUERS: Final = {
    url: SharedIssuer(platform, frozenset(claims.split()), scheme, separator)
    for url, platform, claims, scheme, separator in (
        ("https://token.actions.githubusercontent.com", "GitHub Actions",
         "repository repository_id repository_owner repository_owner_id enterprise enterprise_id",
         "repo:", "/"),
        ("https://gitlab.com", "GitLab", "namespace_id namespace_path project_id project_path",
         "project_path:", "/"),
        ("https://agent.buildkite.com", "Buildkite", "organization_id organization_slug", "organization:",
         ":"),
        ("https://app.terraform.io", "Terraform Cloud",
         "terraform_organization_id terraform_organization_name", "organization:", ":"),
        ("https://accounts.google.com", "Google", "email hd azp", None, "/"),
    )
}
# fmt: on
"""The shared issuers the docs name, with the claims this sandbox accepts as pinning a tenant."""


def tenant_pinning_problem(issuer_url: str, match: RuleMatch) -> str | None:
    """Why a rule on a well-known shared issuer does not pin a tenant, or None if it does (or the
    issuer is not shared). An exact subject pins one identity; a wildcard subject must name the
    tenant (`repo:ORG/*`); otherwise a claim or the condition must read an identity claim."""
    shared = SHARED_ISSUERS.get(issuer_url.rstrip("/"))
    if shared is None:
        return None
    if shared.identity_claims & set(match.claims or {}):
        return None
    if match.compiled is not None and shared.identity_claims & match.compiled.claims:
        return None
    prefix = match.subject_prefix
    if prefix is not None and not prefix.endswith("*"):
        return None
    if prefix is not None and shared.subject_scheme is not None and prefix.startswith(shared.subject_scheme):
        tenant, separator, _ = prefix[len(shared.subject_scheme) : -1].partition(shared.separator)
        if tenant and separator and "*" not in tenant:
            return None
    scheme = shared.subject_scheme
    example = f", a subject_prefix such as '{scheme}YOUR_ORG{shared.separator}*'" if scheme else ""
    return (
        f"rules on the shared {shared.platform} issuer must pin your tenant's identity: match on one "
        f"of the claims {', '.join(sorted(shared.identity_claims))}{example}, or a condition "
        "reading one of those claims"
    )


def _ts(value: int | None) -> str | None:
    return None if value is None else format_ts(value)


@dataclass(slots=True)
class Audit:
    """Who made, last changed and archived an object, and when (actor ids are `user_`/`svac_`)."""

    created_at: int
    created_by: str | None
    updated_at: int
    updated_by: str | None
    archived_at: int | None = None
    archived_by: str | None = None

    @classmethod
    def new(cls, now: int, actor: str | None) -> Audit:
        return cls(now, actor, now, actor)

    def touch(self, now: int, actor: str) -> None:
        self.updated_at, self.updated_by = now, actor

    def archive(self, now: int, actor: str) -> None:
        self.archived_at, self.archived_by = now, actor
        self.touch(now, actor)

    @property
    def live(self) -> bool:
        return self.archived_at is None

    def to_api(self) -> dict[str, object]:
        return {
            "created_at": format_ts(self.created_at),
            "created_by_actor_id": self.created_by,
            "updated_at": format_ts(self.updated_at),
            "updated_by_actor_id": self.updated_by,
            "archived_at": _ts(self.archived_at),
            "archived_by_actor_id": self.archived_by,
        }


@dataclass(slots=True)
class ServiceAccount:
    id: str
    name: str
    description: str | None
    organization_role: ServiceAccountRole
    audit: Audit

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "service_account",
            "name": self.name,
            "description": self.description,
            "organization_role": self.organization_role,
            **self.audit.to_api(),
        }


@dataclass(slots=True)
class ServiceAccountMember:
    service_account_id: str
    workspace_id: str
    workspace_role: WorkspaceRole
    created_by: str | None
    implicit: bool = False
    """The default-workspace membership every service account has without being added."""

    def to_api(self) -> dict[str, object]:
        return {
            "type": "service_account_workspace_member",
            "service_account_id": self.service_account_id,
            "workspace_id": self.workspace_id,
            "workspace_role": self.workspace_role,
            "implicit": self.implicit,
            "created_by_actor_id": self.created_by,
        }


@dataclass(slots=True)
class FederationIssuer:
    id: str
    name: str
    issuer_url: str
    jwks: dict[str, object]
    """The JWKS source as shown on the wire: `{"type": "discovery" | "explicit_url" | "inline", ...}`."""
    check_jti: bool
    max_jwt_lifetime_seconds: int
    audit: Audit

    def inline_keys(self) -> list[dict[str, object]] | None:
        """The verification keys, if the issuer has an inline JWKS (the only kind the sandbox can use)."""
        if self.jwks.get("type") != "inline":
            return None
        keys = self.jwks.get("keys")
        return [key for key in keys if isinstance(key, dict)] if isinstance(keys, list) else []

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "federation_issuer",
            "name": self.name,
            "issuer_url": self.issuer_url,
            "jwks": self.jwks,
            "check_jti": self.check_jti,
            "max_jwt_lifetime_seconds": self.max_jwt_lifetime_seconds,
            # Nothing is ever polled: polling is never paused and there is no poll status to show
            # (the SDK documents null "when polling has not started yet").
            "jwks_polling_disabled_at": None,
            "poll_status": None,
            **self.audit.to_api(),
        }


@dataclass(slots=True)
class RuleMatch:
    subject_prefix: str | None = None
    audience: str | None = None
    claims: dict[str, str] | None = None
    condition: str | None = None
    compiled: cel.Condition | None = field(default=None, compare=False)

    def to_api(self) -> dict[str, object]:
        return {
            "subject_prefix": self.subject_prefix,
            "audience": self.audience,
            "claims": None if self.claims is None else dict(self.claims),
            "condition": self.condition,
        }


@dataclass(slots=True)
class RuleWorkspace:
    """One workspace a rule is enabled for."""

    workspace_id: str
    created_at: int
    created_by: str | None

    def to_api(self, rule_id: str, workspace_name: str | None) -> dict[str, object]:
        return {
            "type": "federation_rule_workspace",
            "federation_rule_id": rule_id,
            "workspace_id": self.workspace_id,
            "workspace_name": workspace_name,
            "created_at": format_ts(self.created_at),
            "created_by_actor_id": self.created_by,
        }


@dataclass(slots=True)
class FederationRule:
    id: str
    name: str
    description: str | None
    issuer_id: str
    match: RuleMatch
    service_account_id: str
    oauth_scope: str
    token_lifetime_seconds: int
    applies_to_all_workspaces: bool
    audit: Audit
    workspaces: dict[str, RuleWorkspace] = field(default_factory=dict)
    """Explicit enablements by workspace id, in the order they were made."""
    legacy_workspace_id: str | None = None
    """The single `workspace_id` binding given at creation or by an update (shown as `workspace_id`)."""

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.oauth_scope.split())

    def to_api(self, issuer_name: str | None, service_account_name: str | None) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "federation_rule",
            "name": self.name,
            "description": self.description,
            "issuer_id": self.issuer_id,
            "issuer_name": issuer_name,
            "match": self.match.to_api(),
            "target": {
                "type": "service_account",
                "service_account_id": self.service_account_id,
                "service_account_name": service_account_name,
            },
            "oauth_scope": self.oauth_scope,
            "token_lifetime_seconds": self.token_lifetime_seconds,
            "applies_to_all_workspaces": self.applies_to_all_workspaces,
            "workspace_ids": list(self.workspaces),
            "workspace_id": self.legacy_workspace_id,
            "attributes": None,
            **self.audit.to_api(),
        }


@dataclass(frozen=True, slots=True)
class AuthenticationEvent:
    """One token exchange, as the Console's authentication history shows it. Never the assertion
    or the minted token: only ids, the verified subject and the outcome."""

    at: int
    outcome: AuthOutcome
    reason: str | None
    """Why it failed (e.g. `match_subject_prefix`, `jti_replayed`, `workspace_id_required`)."""
    federation_rule_id: str
    request_id: str
    issuer_id: str | None = None
    service_account_id: str | None = None
    workspace_id: str | None = None
    subject: str | None = None
    """The assertion's `sub`, once its signature has been verified."""

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "at": format_ts(self.at)}


class FederationState:
    """Service accounts, issuers, rules, memberships and the exchange's bookkeeping."""

    def __init__(self) -> None:
        self.service_accounts = Resources[ServiceAccount]("service account", "service_account_id", where="")
        self.issuers = Resources[FederationIssuer]("federation issuer", "federation_issuer_id", where="")
        self.rules = Resources[FederationRule]("federation rule", "federation_rule_id", where="")
        self.authentication_history: list[AuthenticationEvent] = []
        self.min_token_lifetime_seconds = 60
        self._members: dict[tuple[str, str], ServiceAccountMember] = {}
        """(service account id, workspace id) -> explicit membership, in the order they were made."""
        self._used_jtis: dict[tuple[str, str], int] = {}
        """(issuer id, jti) -> when the assertion stops being acceptable, after which it is forgotten."""

    # -- memberships ----------------------------------------------------------------------------

    def membership(self, service_account_id: str, workspace_id: str) -> ServiceAccountMember | None:
        return self._members.get((service_account_id, workspace_id))

    def add_membership(self, member: ServiceAccountMember) -> None:
        key = (member.service_account_id, member.workspace_id)
        if key in self._members:
            raise ValueError("already a member: change the existing membership's role instead")
        self._members[key] = member

    def remove_membership(self, service_account_id: str, workspace_id: str) -> ServiceAccountMember | None:
        return self._members.pop((service_account_id, workspace_id), None)

    def memberships_of(self, service_account_id: str) -> list[ServiceAccountMember]:
        return [m for m in self._members.values() if m.service_account_id == service_account_id]

    def memberships_in(self, workspace_id: str) -> list[ServiceAccountMember]:
        return [m for m in self._members.values() if m.workspace_id == workspace_id]

    # -- references -----------------------------------------------------------------------------

    def live_rules_targeting(self, service_account_id: str) -> list[FederationRule]:
        return [r for r in self.rules.values() if r.audit.live and r.service_account_id == service_account_id]

    def live_rules_of(self, issuer_id: str) -> list[FederationRule]:
        return [r for r in self.rules.values() if r.audit.live and r.issuer_id == issuer_id]

    def render_rule(self, rule: FederationRule) -> dict[str, object]:
        issuer, account = self.issuers.get(rule.issuer_id), self.service_accounts.get(rule.service_account_id)
        return rule.to_api(issuer.name if issuer else None, account.name if account else None)

    # -- single-use jti -------------------------------------------------------------------------

    def jti_seen(self, issuer_id: str, jti: str, now: int) -> bool:
        # A replay after the assertion expired fails on `exp` anyway: no need to remember it.
        for key in [key for key, until in self._used_jtis.items() if until < now]:
            del self._used_jtis[key]
        return (issuer_id, jti) in self._used_jtis

    def use_jti(self, issuer_id: str, jti: str, acceptable_until: int) -> None:
        self._used_jtis[(issuer_id, jti)] = acceptable_until

    # -- whole-state view -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """The organization data (not the exchange bookkeeping) as plain data."""
        return {
            "service_accounts": [account.to_api() for account in self.service_accounts.values()],
            "memberships": [member.to_api() for member in self._members.values()],
            "issuers": [issuer.to_api() for issuer in self.issuers.values()],
            "rules": [
                {
                    **self.render_rule(rule),
                    "enablements": [
                        enablement.to_api(rule.id, None) for enablement in rule.workspaces.values()
                    ],
                }
                for rule in self.rules.values()
            ],
        }
