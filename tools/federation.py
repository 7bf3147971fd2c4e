"""Workload identity federation: issuers (`fdis_…`) and rules (`fdrl_…`).

An issuer is an OIDC identity provider the organization trusts (its `iss` URL and where its signing
keys are); a rule says which of its tokens (subject, audience, claims, a CEL condition) may be
exchanged for an Anthropic token acting as a service account, with which scope, in which
workspaces. OAuth only; and OAuth callers may only manage rules scoped `workspace:developer` or
`workspace:inference`: `org:admin` rules are made in the Console.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from claude_admin_mcp.server.catalog.operation import OAUTH_ONLY, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    ApiObject,
    Arguments,
    Deleted,
    FederationIssuerId,
    FederationRuleId,
    ServiceAccountId,
    Slug,
    WorkspaceId,
    archived_since,
    contains,
    listing,
    named,
    organization_wide,
)
from .models import (
    PAGE_MAX,
    RULES,
    SERVICE_ACCOUNTS,
    WORKSPACES,
    FederationRule,
    ServiceAccount,
    ServiceAccountMember,
    Workspace,
    rule_names,
)
from .sdk_models import FederationIssuer

ISSUERS = "/v1/organizations/federation_issuers"
SCOPES = ("workspace:developer", "workspace:inference", "workspace:manage_tunnels", "org:admin")
OAUTH_MANAGEABLE = frozenset({"workspace:developer", "workspace:inference"})
CONSOLE_ONLY = (
    "the API takes changes to rules with scope {scope} only from a Console session (an OAuth token gets "
    "403): make them in the Console, Settings → Workload identity"
)
CONSOLE_403 = (
    "OAuth tokens may manage only rules scoped workspace:developer or workspace:inference (and the "
    "issuers behind them only); org:admin and manage_tunnels rules are made in the Console, Settings → "
    "Workload identity. A token without org:admin gets 403 everywhere."
)
_PRIVATE_JWK_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def _check_scope(value: str) -> str:
    parts = value.split()
    unknown = [part for part in parts if part not in SCOPES]
    if not parts or unknown:
        raise PydanticCustomError(
            "scope", "expected space-separated scopes from: {known}", {"known": ", ".join(SCOPES)}
        )
    return " ".join(dict.fromkeys(parts))


OAuthScope = Annotated[
    str,
    AfterValidator(_check_scope),
    WithJsonSchema({"type": "string", "description": "Space-separated: " + ", ".join(SCOPES)}),
]


def _check_keys(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for index, key in enumerate(keys):
        private = [member for member in _PRIVATE_JWK_MEMBERS if member in key]
        if private:
            raise PydanticCustomError(
                "private_jwk",
                "key {index} holds private key material ({members}): give only the public JWK",
                {"index": index, "members": ", ".join(private)},
            )
        if not key.get("kid"):
            raise PydanticCustomError("jwk_kid", "key {index} has no kid", {"index": index})
    return keys


PublicKeys = Annotated[list[dict[str, Any]], AfterValidator(_check_keys)]
HttpsUrl = Annotated[str, Field(max_length=2048, pattern=r"^https://[^\s/?#]+[^\s]*$")]


# -- issuers --------------------------------------------------------------------------------------


class ListIssuers(Arguments):
    include_archived: bool = False
    name_contains: str | None = None


class GetIssuer(Arguments):
    federation_issuer_id: FederationIssuerId


class _IssuerFields(Arguments):
    jwks_keys: PublicKeys | None = Field(None, description="Inline public JWKs (each with kid).")
    jwks_url: HttpsUrl | None = Field(None, description="A JWKS URL instead of OIDC discovery.")
    ca_cert_pem: str | None = None
    check_jti: bool | None = Field(None, description="Each token usable once (default true).")
    max_jwt_lifetime_seconds: int | None = Field(None, ge=1, le=176_400)

    @model_validator(mode="after")
    def _one_jwks(self) -> _IssuerFields:
        if self.jwks_keys is not None and self.jwks_url is not None:
            raise ValueError("give jwks_keys (inline keys) or jwks_url, not both")
        if self.jwks_keys is not None and self.ca_cert_pem is not None:
            raise ValueError("ca_cert_pem only applies to fetched keys (jwks_url or discovery)")
        return self


class CreateIssuer(_IssuerFields):
    name: Slug
    issuer_url: HttpsUrl


class UpdateIssuer(_IssuerFields):
    federation_issuer_id: FederationIssuerId
    name: Slug | None = None
    issuer_url: HttpsUrl | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateIssuer:
        given = self.model_dump(exclude_none=True, exclude={"federation_issuer_id"})
        if not given:
            raise ValueError(
                "give at least one of name, issuer_url, jwks_keys, jwks_url, ca_cert_pem, check_jti, "
                "max_jwt_lifetime_seconds"
            )
        return self


def _issuer_body(values: dict[str, Any]) -> dict[str, Any]:
    """`jwks` as the API's union: inline keys, an explicit URL, or discovery (the default)."""
    keys, url, pem = (
        values.pop("jwks_keys", None),
        values.pop("jwks_url", None),
        values.pop("ca_cert_pem", None),
    )
    if keys is not None:
        values["jwks"] = {"type": "inline", "keys": keys}
    elif url is not None:
        values["jwks"] = {"type": "explicit_url", "url": url, **({"ca_cert_pem": pem} if pem else {})}
    elif pem is not None:
        values["jwks"] = {"type": "discovery", "ca_cert_pem": pem}
    return values


def _jwks_text(jwks: dict[str, Any] | None, issuer_url: str) -> str:
    jwks = jwks or {"type": "discovery"}
    if jwks.get("type") == "inline":
        keys = jwks.get("keys") or []
        kids = [f"{k.get('kid')} ({k.get('kty')}{'/' + k['alg'] if k.get('alg') else ''})" for k in keys]
        return f"{len(keys)} inline key(s): {listing(kids)}"
    if jwks.get("type") == "explicit_url":
        return f"fetched from {jwks.get('url')}"
    base = jwks.get("discovery_base") or issuer_url
    return f"OIDC discovery at {str(base).rstrip('/')}/.well-known/openid-configuration"


def _requested_jwks(args: _IssuerFields) -> dict[str, Any] | None:
    return _issuer_body(
        args.model_dump(mode="json", include={"jwks_keys", "jwks_url", "ca_cert_pem"}, exclude_none=True)
    ).get("jwks")


_TENANTS = {
    "https://token.actions.githubusercontent.com": (
        "GitHub Actions",
        (
            "repository",
            "repository_id",
            "repository_owner",
            "repository_owner_id",
            "enterprise",
            "enterprise_id",
        ),
        "repo:",
        "/",
    ),
    "https://gitlab.com": (
        "GitLab",
        ("namespace_id", "namespace_path", "project_id", "project_path"),
        "project_path:",
        "/",
    ),
    "https://agent.buildkite.com": (
        "Buildkite",
        ("organization_id", "organization_slug"),
        "organization:",
        ":",
    ),
    "https://app.terraform.io": (
        "Terraform Cloud",
        ("terraform_organization_id", "terraform_organization_name"),
        "organization:",
        ":",
    ),
    "https://accounts.google.com": ("Google", ("email", "hd", "azp"), None, "/"),
}
"""Well-known issuers many tenants share: a rule on one must pin the tenant (the docs' rule)."""


def tenant_problem(issuer_url: str, match: dict[str, Any] | None) -> str | None:
    """Why a rule on a shared issuer would let other tenants' workloads in (the API refuses it):
    it must match a tenant claim, an exact subject, or a subject prefix naming the tenant."""
    shared = _TENANTS.get(issuer_url.rstrip("/"))
    if shared is None:
        return None
    platform, claims, scheme, separator = shared
    match = match or {}
    if set(match.get("claims") or {}) & set(claims):
        return None
    condition = str(match.get("condition") or "")
    if any(re.search(rf"\bclaims(\.{name}\b|\[[\"']{name}[\"']\])", condition) for name in claims):
        return None
    prefix = match.get("subject_prefix")
    if prefix and not prefix.endswith("*"):
        return None
    if prefix and scheme and prefix.startswith(scheme):
        tenant, cut, _ = prefix[len(scheme) : -1].partition(separator)
        if tenant and cut and "*" not in tenant:
            return None
    example = f", or a subject_prefix such as '{scheme}YOUR_ORG{separator}*'" if scheme else ""
    return (
        f"rules on the shared {platform} issuer must pin your tenant: match one of the claims "
        f"{', '.join(claims)}{example}; otherwise any {platform} user's workload could authenticate"
    )


def _shared(url: str) -> str | None:
    shared = _TENANTS.get(url.rstrip("/"))
    if shared is None:
        return None
    platform, claims, scheme, separator = shared
    pins = f"{' or '.join(claims[:2])}" + (
        f", or a subject_prefix like {scheme}ORG{separator}*" if scheme else ""
    )
    return f"A shared issuer ({platform}): its rules must pin your tenant ({pins})."


async def _rules_using(api: Reader, issuer_id: str) -> list[FederationRule]:
    return await api.all(FederationRule, RULES, issuer_id=issuer_id)


def _console_refusal(api: Reader, scopes: list[str]) -> str | None:
    """The API takes org:admin (and manage_tunnels) rule changes only from a Console session: from
    any other credential (an OAuth token, a workload's) it would refuse, so the preview does first."""
    if api.credential_details().get("console_session"):
        return None
    return _console_only(scopes)


def _console_only(scopes: list[str]) -> str | None:
    beyond = sorted({s for scope in scopes for s in scope.split()} - OAUTH_MANAGEABLE)
    return CONSOLE_ONLY.format(scope=", ".join(beyond)) if beyond else None


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


async def _preview_create_issuer(api: Reader, args: CreateIssuer) -> Preview:
    action = f"Register OIDC issuer '{args.name}' for tokens whose iss is exactly {args.issuer_url}"
    issuers = await api.all(FederationIssuer, ISSUERS)
    same = [issuer for issuer in issuers if issuer.name == args.name]
    if same:
        return Preview(action, refusal=f"an issuer is already named '{args.name}' ({same[0].id})")
    details = [
        f"Signing keys: {_jwks_text(_requested_jwks(args), args.issuer_url)}.",
        f"Each identity token usable once (jti): {'yes' if args.check_jti in (None, True) else 'no'}; "
        "longest "
        f"accepted token life: {args.max_jwt_lifetime_seconds or 3600} s.",
        "Nothing authenticates through it until a federation rule uses it.",
    ]
    twins = [
        named(issuer) for issuer in issuers if issuer.issuer_url.rstrip("/") == args.issuer_url.rstrip("/")
    ]
    if twins:
        details.append(f"Issuers with the same URL already: {listing(twins)}.")
    if (note := _shared(args.issuer_url)) is not None:
        details.append(note)
    return Preview(action, details=tuple(details))


async def _preview_update_issuer(api: Reader, args: UpdateIssuer) -> Preview:
    issuer = await api.get(FederationIssuer, f"{ISSUERS}/{args.federation_issuer_id}")
    action = f"Update federation issuer {named(issuer)}"
    if (since := archived_since(issuer.archived_at)) is not None:
        return Preview(action, refusal=f"it was archived on {since} and cannot change")
    changes = []
    for field in ("name", "issuer_url", "check_jti", "max_jwt_lifetime_seconds"):
        value = getattr(args, field)
        if value is not None and value != getattr(issuer, field):
            changes.append(f"{field}: {getattr(issuer, field)} → {value}")
    jwks = _requested_jwks(args)
    if jwks is not None and jwks != issuer.jwks:
        url = args.issuer_url or issuer.issuer_url
        changes.append(
            f"signing keys: {_jwks_text(issuer.jwks, issuer.issuer_url)} → {_jwks_text(jwks, url)}"
        )
        old = {k.get("kid") for k in (issuer.jwks or {}).get("keys") or []}
        new = {k.get("kid") for k in jwks.get("keys") or []}
        if old - new and jwks.get("type") == "inline":
            changes.append(
                "Tokens signed with these keys are refused from now on: "
                f"{listing(sorted(map(str, old - new)))}."
            )
    if not changes:
        return Preview(action, nothing_to_do="every value given is already set")
    rules = await _rules_using(api, issuer.id)
    changes.append(f"Rules using it, whose workloads are affected: {rule_names(rules)}.")
    if args.issuer_url is not None and args.issuer_url != issuer.issuer_url and rules:
        changes.append(f"Tokens from {issuer.issuer_url} stop being accepted under those rules.")
    if (refusal := _console_refusal(api, [rule.oauth_scope for rule in rules])) is not None:
        return Preview(action, details=tuple(changes), refusal=refusal)
    return Preview(action, details=tuple(changes))


async def _preview_archive_issuer(api: Reader, args: GetIssuer) -> Preview:
    issuer = await api.get(FederationIssuer, f"{ISSUERS}/{args.federation_issuer_id}")
    action = f"Archive federation issuer {named(issuer)} ({issuer.issuer_url})"
    if (since := archived_since(issuer.archived_at)) is not None:
        return Preview(action, nothing_to_do=f"it was archived on {since}")
    rules = await _rules_using(api, issuer.id)
    if rules:
        return Preview(
            action,
            refusal=f"the API refuses while live rules use it: {rule_names(rules)}; archive them first "
            "(archive_federation_rule)",
        )
    return Preview(
        action,
        details=("Irreversible: no rule can use it again; a new issuer gets a new id.",),
        confirm_text=issuer.name,
    )


_ISSUER_404 = "No issuer has that id; list_federation_issuers (include_archived=true) finds them."

OPERATIONS = [
    Operation(
        name="list_federation_issuers",
        title="List federation issuers",
        description="OIDC identity providers trusted for workload identity federation (fdis_…): name, "
        "iss URL, where their signing keys come from.",
        toolset="federation",
        method="GET",
        path=ISSUERS,
        input=ListIssuers,
        output=FederationIssuer,
        pagination="page_token",
        page_size=PAGE_MAX,
        filters={"name_contains": contains("name")},
        columns=("id", "name", "issuer_url", "jwks.type", "check_jti", "archived_at"),
        access=OAUTH_ONLY,
    ),
    Operation(
        name="get_federation_issuer",
        title="Get federation issuer",
        description="One federation issuer by id (fdis_…), with its JWKS.",
        toolset="federation",
        method="GET",
        path=ISSUERS + "/{federation_issuer_id}",
        input=GetIssuer,
        output=FederationIssuer,
        columns=("id", "name", "issuer_url", "jwks", "check_jti", "max_jwt_lifetime_seconds", "archived_at"),
        not_found_hint=_ISSUER_404,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="create_federation_issuer",
        title="Create federation issuer",
        description="Trust an OIDC issuer (issuer_url = the tokens' exact iss, https). Keys by OIDC "
        "discovery "
        "unless jwks_url or inline jwks_keys (public JWKs) are given.",
        toolset="federation",
        method="POST",
        path=ISSUERS,
        input=CreateIssuer,
        output=FederationIssuer,
        idempotent=False,
        reshape=_issuer_body,
        preview=organization_wide(_preview_create_issuer),
        columns=("id", "name", "issuer_url", "jwks.type", "check_jti"),
        access=OAUTH_ONLY,
    ),
    Operation(
        name="update_federation_issuer",
        title="Update federation issuer",
        description="Change an issuer's name, URL, keys (replaced whole), jti check or token life limit. "
        "Affects every rule using it.",
        toolset="federation",
        method="POST",
        path=ISSUERS + "/{federation_issuer_id}",
        input=UpdateIssuer,
        output=FederationIssuer,
        idempotent=True,
        reshape=_issuer_body,
        preview=organization_wide(_preview_update_issuer),
        columns=("id", "name", "issuer_url", "jwks.type", "check_jti"),
        not_found_hint=_ISSUER_404,
        forbidden_hint=CONSOLE_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="archive_federation_issuer",
        title="Archive federation issuer",
        description="Archive an issuer: irreversible; refused while a live rule uses it. The user must type "
        "its name.",
        toolset="federation",
        method="POST",
        path=ISSUERS + "/{federation_issuer_id}/archive",
        input=GetIssuer,
        output=FederationIssuer,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_archive_issuer),
        columns=("id", "name", "archived_at"),
        not_found_hint=_ISSUER_404,
        access=OAUTH_ONLY,
    ),
]


# -- rules ----------------------------------------------------------------------------------------


class RuleWorkspace(ApiObject):
    federation_rule_id: str
    workspace_id: str
    workspace_name: str | None = None


class ListRules(Arguments):
    issuer_id: FederationIssuerId | None = None
    include_archived: bool = False
    name_contains: str | None = None


class GetRule(Arguments):
    federation_rule_id: FederationRuleId


class RuleWorkspaceArgs(GetRule):
    workspace_id: WorkspaceId


_MATCH = ("subject_prefix", "audience", "claims", "condition")


class _RuleFields(Arguments):
    subject_prefix: str | None = Field(None, description="Exact sub; a trailing * makes it a prefix.")
    audience: str | None = Field(None, description="Expected aud (default https://api.anthropic.com).")
    claims: dict[str, str] | None = Field(None, description="Top-level claims that must equal these.")
    condition: str | None = Field(None, description="CEL over claims, e.g. claims.ref == 'refs/heads/main'.")
    token_lifetime_seconds: int | None = Field(None, ge=60, le=86_400)
    description: str | None = Field(None, max_length=1000)

    def match(self) -> dict[str, Any] | None:
        given = {name: getattr(self, name) for name in _MATCH if getattr(self, name) is not None}
        return given or None


def _pins(match: dict[str, Any] | None) -> bool:
    match = match or {}
    prefix = match.get("subject_prefix")
    return bool((prefix and prefix.strip("*")) or match.get("claims") or match.get("condition"))


class CreateRule(_RuleFields):
    name: Slug
    issuer_id: FederationIssuerId
    service_account_id: ServiceAccountId
    oauth_scope: OAuthScope
    workspace_id: WorkspaceId | None = None
    applies_to_all_workspaces: bool | None = None

    @model_validator(mode="after")
    def _valid(self) -> CreateRule:
        if (self.workspace_id is None) == (not self.applies_to_all_workspaces):
            raise ValueError("give exactly one of workspace_id or applies_to_all_workspaces=true")
        if not _pins(self.match()):
            raise ValueError(
                "match on subject_prefix (not just *), claims or condition; audience alone is not enough"
            )
        return self


class UpdateRule(_RuleFields):
    federation_rule_id: FederationRuleId
    name: Slug | None = None
    service_account_id: ServiceAccountId | None = None
    oauth_scope: OAuthScope | None = None
    workspace_id: WorkspaceId | None = None
    applies_to_all_workspaces: bool | None = None

    @model_validator(mode="after")
    def _valid(self) -> UpdateRule:
        if not self.model_dump(exclude_none=True, exclude={"federation_rule_id"}):
            raise ValueError("give at least one field to change")
        match = self.match()
        if match is not None and not _pins(match):
            raise ValueError("the new match needs subject_prefix (not just *), claims or condition")
        return self


def _rule_body(values: dict[str, Any]) -> dict[str, Any]:
    """`match` and `target` as the API nests them (a given match replaces the whole match)."""
    match = {name: values.pop(name) for name in _MATCH if name in values}
    if match:
        values["match"] = match
    account = values.pop("service_account_id", None)
    if account is not None:
        values["target"] = {"type": "service_account", "service_account_id": account}
    return values


def match_text(match: dict[str, Any] | None) -> str:
    match = match or {}
    parts = []
    if prefix := match.get("subject_prefix"):
        parts.append(f"subject starting {prefix[:-1]!r}" if prefix.endswith("*") else f"subject {prefix!r}")
    if claims := match.get("claims"):
        parts.append("claims " + ", ".join(f"{k}={v!r}" for k, v in claims.items()))
    if condition := match.get("condition"):
        parts.append(f"condition {condition!r}")
    if audience := match.get("audience"):
        parts.append(f"audience {audience!r}")
    return " and ".join(parts) or "(nothing)"


def _workspaces_text(rule: FederationRule, names: dict[str, str]) -> str:
    if rule.applies_to_all_workspaces:
        return "all workspaces"
    return listing([f"{names[w]} ({w})" if w in names else w for w in rule.workspace_ids])


async def _workspace_names(api: Reader, ids: list[str]) -> dict[str, str]:
    names = {}
    for workspace_id in ids[:10]:
        workspace = await api.find(Workspace, f"{WORKSPACES}/{workspace_id}")
        if workspace is not None:
            names[workspace_id] = workspace.name
    return names


def _own_rule(api: Reader) -> str | None:
    """The federation rule this server itself authenticates through, if any."""
    rule = api.credential_details().get("federation_rule_id")
    return rule if isinstance(rule, str) else None


def _admin_target_refusal(scope: str, account: ServiceAccount) -> str | None:
    if "org:admin" in scope.split() and account.organization_role != "admin":
        return (
            f"org:admin needs a service account whose organization_role is admin; {account.name} is "
            f"{account.organization_role} (a person can change that with update_service_account)"
        )
    return None


async def _preview_create_rule(api: Reader, args: CreateRule) -> Preview:
    issuer = await api.get(FederationIssuer, f"{ISSUERS}/{args.issuer_id}")
    account = await api.get(ServiceAccount, f"{SERVICE_ACCOUNTS}/{args.service_account_id}")
    action = (
        f"Create federation rule '{args.name}': identity tokens from {issuer.name} "
        f"({issuer.issuer_url}) with {match_text(args.match())} act as service account "
        f"{account.name} with scope {args.oauth_scope}"
    )
    scope = frozenset({args.workspace_id}) if args.workspace_id else frozenset()
    every = bool(args.applies_to_all_workspaces)
    for archived_at, kind in ((issuer.archived_at, "issuer"), (account.archived_at, "service account")):
        if (since := archived_since(archived_at)) is not None:
            return Preview(
                action, refusal=f"the {kind} was archived on {since}", workspaces=scope, all_workspaces=every
            )
    if (refusal := _admin_target_refusal(args.oauth_scope, account)) is not None:
        return Preview(action, refusal=refusal, workspaces=scope, all_workspaces=every)
    same = [rule for rule in await api.all(FederationRule, RULES) if rule.name == args.name]
    if same:
        return Preview(
            action,
            refusal=f"a rule is already named '{args.name}' ({same[0].id})",
            workspaces=scope,
            all_workspaces=every,
        )
    details = []
    if args.workspace_id:
        workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
        details.append(f"Workspace: {named(workspace)}.")
        member = await api.find(
            ServiceAccountMember, f"{WORKSPACES}/{args.workspace_id}/service_accounts/{account.id}"
        )
        if member is None:
            details.append(
                f"{account.name} is not a member of it: exchanges are refused until "
                "add_service_account_to_workspace."
            )
    else:
        details.append(
            "All workspaces: each exchange must name one (ANTHROPIC_WORKSPACE_ID), where the account is "
            "a member."
        )
    lifetime = args.token_lifetime_seconds or 3600
    details.append(
        f"Tokens live {lifetime} s at most (and at most twice the identity token's remaining life)."
    )
    if "org:admin" in args.oauth_scope.split():
        details.append("org:admin: workloads matching it administer the whole organization.")
    if (refusal := _console_refusal(api, [args.oauth_scope])) is not None:
        return Preview(action, refusal=refusal, workspaces=scope, all_workspaces=every)
    if (problem := tenant_problem(issuer.issuer_url, args.match())) is not None:
        return Preview(action, refusal=problem, workspaces=scope, all_workspaces=every)
    if (note := _shared(issuer.issuer_url)) is not None:
        details.append(note)
    return Preview(action, details=tuple(details), workspaces=scope, all_workspaces=every)


async def _preview_update_rule(api: Reader, args: UpdateRule) -> Preview:
    rule = await api.get(FederationRule, f"{RULES}/{args.federation_rule_id}")
    action = f"Update federation rule {named(rule)}"
    scope = frozenset(rule.workspace_ids) | ({args.workspace_id} if args.workspace_id else set())
    every = bool(args.applies_to_all_workspaces or rule.applies_to_all_workspaces)
    if (since := archived_since(rule.archived_at)) is not None:
        return Preview(
            action,
            refusal=f"it was archived on {since}; create a new rule",
            workspaces=scope,
            all_workspaces=every,
        )
    changes = []
    for field in (
        "name",
        "description",
        "oauth_scope",
        "token_lifetime_seconds",
        "applies_to_all_workspaces",
    ):
        value, before = getattr(args, field), getattr(rule, field, None)
        if value is not None and value != before:
            changes.append(f"{field}: {before} → {value}")
    match = args.match()
    if match is not None and {k: v for k, v in rule.match.items() if v is not None} != match:
        changes.append(f"match (replaced whole): {match_text(rule.match)} → {match_text(match)}")
    target = rule.acts_as
    account_id = args.service_account_id or target.service_account_id
    account = await api.get(ServiceAccount, f"{SERVICE_ACCOUNTS}/{account_id}")
    if args.service_account_id is not None and args.service_account_id != target.service_account_id:
        changes.append(f"acts as: {target.service_account_name} → {account.name}")
    if args.workspace_id is not None and [args.workspace_id] != rule.workspace_ids:
        changes.append(f"workspace: {listing(rule.workspace_ids)} → {args.workspace_id}")
    if not changes:
        return Preview(
            action, nothing_to_do="every value given is already set", workspaces=scope, all_workspaces=every
        )
    new_scope = args.oauth_scope or rule.oauth_scope
    if (refusal := _admin_target_refusal(new_scope, account)) is not None:
        return Preview(action, refusal=refusal, workspaces=scope, all_workspaces=every)
    if (refusal := _console_refusal(api, [rule.oauth_scope, new_scope])) is not None:
        return Preview(action, refusal=refusal, workspaces=scope, all_workspaces=every)
    if _own_rule(api) == rule.id:
        changes.append("This server itself authenticates through this rule.")
    return Preview(action, details=tuple(changes), workspaces=scope, all_workspaces=every)


async def _preview_archive_rule(api: Reader, args: GetRule) -> Preview:
    rule = await api.get(FederationRule, f"{RULES}/{args.federation_rule_id}")
    action = f"Archive federation rule {named(rule)}"
    scope = frozenset(rule.workspace_ids)
    every = bool(rule.applies_to_all_workspaces)
    if (since := archived_since(rule.archived_at)) is not None:
        return Preview(
            action, nothing_to_do=f"it was archived on {since}", workspaces=scope, all_workspaces=every
        )
    issuer = await api.find(FederationIssuer, f"{ISSUERS}/{rule.issuer_id}")
    issuer_text = f"{issuer.name} ({issuer.issuer_url})" if issuer else f"{rule.issuer_name} (?)"
    target = rule.acts_as
    names = await _workspace_names(api, rule.workspace_ids)
    details = [
        "Every workload authenticating through it stops at once: identity tokens from "
        f"{issuer_text} with {match_text(rule.match)} can no longer be "
        f"exchanged for {rule.oauth_scope} tokens acting as {target.service_account_name} "
        f"({target.service_account_id}).",
        f"Workspaces it is enabled for, which it leaves: {_workspaces_text(rule, names)}.",
        f"Tokens already minted stay valid until they expire (at most {rule.token_lifetime_seconds} s).",
        "Irreversible: a new rule gets a new id, so every workload's ANTHROPIC_FEDERATION_RULE_ID "
        "would change.",
    ]
    if _own_rule(api) == rule.id:
        details.append(
            "This server itself authenticates through this rule: it loses access when its token expires."
        )
    if (refusal := _console_refusal(api, [rule.oauth_scope])) is not None:
        return Preview(action, refusal=refusal, workspaces=scope, all_workspaces=every)
    return Preview(
        action, details=tuple(details), confirm_text=rule.name, workspaces=scope, all_workspaces=every
    )


async def _rule_and_workspace(api: Reader, args: RuleWorkspaceArgs) -> tuple[FederationRule, Workspace]:
    rule = await api.get(FederationRule, f"{RULES}/{args.federation_rule_id}")
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    return rule, workspace


async def _preview_add_workspace(api: Reader, args: RuleWorkspaceArgs) -> Preview:
    rule, workspace = await _rule_and_workspace(api, args)
    action = f"Enable federation rule {named(rule)} for workspace {named(workspace)}"
    scope = frozenset({args.workspace_id})
    if (since := archived_since(rule.archived_at)) is not None:
        return Preview(action, refusal=f"the rule was archived on {since}", workspaces=scope)
    if (since := archived_since(workspace.archived_at)) is not None:
        return Preview(action, refusal=f"the workspace was archived on {since}", workspaces=scope)
    if args.workspace_id in rule.workspace_ids or rule.applies_to_all_workspaces:
        return Preview(action, nothing_to_do="the rule is already enabled for it", workspaces=scope)
    target = rule.acts_as
    details = [f"Workloads matching {match_text(rule.match)} may then get {rule.oauth_scope} tokens there."]
    member = await api.find(
        ServiceAccountMember, f"{WORKSPACES}/{args.workspace_id}/service_accounts/{target.service_account_id}"
    )
    if member is None:
        details.append(
            f"{target.service_account_name} is not a member of it: exchanges for it are refused until "
            "add_service_account_to_workspace."
        )
    if len(rule.workspace_ids) == 1:
        details.append(
            "With two workspaces, workloads should name theirs in the exchange (ANTHROPIC_WORKSPACE_ID)."
        )
    if (refusal := _console_refusal(api, [rule.oauth_scope])) is not None:
        return Preview(action, refusal=refusal, workspaces=scope)
    return Preview(action, details=tuple(details), workspaces=scope)


async def _preview_remove_workspace(api: Reader, args: RuleWorkspaceArgs) -> Preview:
    rule, workspace = await _rule_and_workspace(api, args)
    action = f"Disable federation rule {named(rule)} for workspace {named(workspace)}"
    scope = frozenset({args.workspace_id})
    if args.workspace_id not in rule.workspace_ids:
        return Preview(action, nothing_to_do="the rule is not enabled for it", workspaces=scope)
    details = [
        f"Workloads exchanging for this workspace through it stop (tokens already minted last at most "
        f"{rule.token_lifetime_seconds} s).",
    ]
    if rule.workspace_ids == [args.workspace_id] and not rule.applies_to_all_workspaces:
        details.append("It is the rule's only workspace: every exchange through the rule fails afterwards.")
    if _own_rule(api) == rule.id:
        details.append("This server itself authenticates through this rule.")
    if (refusal := _console_refusal(api, [rule.oauth_scope])) is not None:
        return Preview(action, refusal=refusal, workspaces=scope)
    return Preview(action, details=tuple(details), confirm_text=rule.name, workspaces=scope)


_RULE_404 = "No rule has that id; list_federation_rules (include_archived=true) finds them."
_RULE_COLUMNS = ("id", "name", "issuer_name", "target.service_account_name", "oauth_scope", "workspace_ids")
_CONSOLE_NOTE = (
    "OAuth tokens manage only workspace:developer/workspace:inference rules; org:admin ones need the Console."
)

OPERATIONS += [
    Operation(
        name="list_federation_rules",
        title="List federation rules",
        description="Federation rules (fdrl_…): which identity tokens may act as which service account, with "
        "which scope, in which workspaces. Filter by issuer_id.",
        toolset="federation",
        method="GET",
        path=RULES,
        input=ListRules,
        output=FederationRule,
        pagination="page_token",
        page_size=PAGE_MAX,
        filters={"name_contains": contains("name")},
        columns=(*_RULE_COLUMNS, "archived_at"),
        access=OAUTH_ONLY,
    ),
    Operation(
        name="get_federation_rule",
        title="Get federation rule",
        description="One federation rule by id (fdrl_…): match, target, scope, token lifetime, workspaces.",
        toolset="federation",
        method="GET",
        path=RULES + "/{federation_rule_id}",
        input=GetRule,
        output=FederationRule,
        columns=(
            *_RULE_COLUMNS,
            "match",
            "token_lifetime_seconds",
            "applies_to_all_workspaces",
            "archived_at",
        ),
        not_found_hint=_RULE_404,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="create_federation_rule",
        title="Create federation rule",
        description="Let an issuer's tokens matching subject_prefix/claims/condition act as a service "
        "account "
        "with oauth_scope in workspace_id (or all). " + _CONSOLE_NOTE,
        toolset="federation",
        method="POST",
        path=RULES,
        input=CreateRule,
        output=FederationRule,
        idempotent=False,
        reshape=_rule_body,
        preview=_preview_create_rule,
        columns=_RULE_COLUMNS,
        not_found_hint="The issuer, service account or workspace does not exist; the list_ tools find them.",
        forbidden_hint=CONSOLE_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="update_federation_rule",
        title="Update federation rule",
        description="Change a rule; any match field given replaces the whole match. The issuer cannot "
        "change. " + _CONSOLE_NOTE,
        toolset="federation",
        method="POST",
        path=RULES + "/{federation_rule_id}",
        input=UpdateRule,
        output=FederationRule,
        idempotent=True,
        reshape=_rule_body,
        preview=_preview_update_rule,
        columns=(*_RULE_COLUMNS, "match"),
        not_found_hint=_RULE_404,
        forbidden_hint=CONSOLE_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="archive_federation_rule",
        title="Archive federation rule",
        description="Archive a federation rule (fdrl_…) now: every workload authenticating through it stops "
        "at once; irreversible. The user types its name.",
        toolset="federation",
        method="POST",
        path=RULES + "/{federation_rule_id}/archive",
        input=GetRule,
        output=FederationRule,
        destructive=True,
        idempotent=True,
        preview=_preview_archive_rule,
        columns=("id", "name", "archived_at"),
        not_found_hint=_RULE_404,
        forbidden_hint=CONSOLE_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="list_federation_rule_workspaces",
        title="List federation rule's workspaces",
        description="The workspaces a federation rule is enabled for.",
        toolset="federation",
        method="GET",
        path=RULES + "/{federation_rule_id}/workspaces",
        input=GetRule,
        output=RuleWorkspace,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="workspace_id",
        columns=("workspace_id", "workspace_name"),
        not_found_hint=_RULE_404,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="add_federation_rule_workspace",
        title="Enable federation rule for workspace",
        description="Enable a federation rule for one more workspace.",
        toolset="federation",
        method="POST",
        path=RULES + "/{federation_rule_id}/workspaces",
        input=RuleWorkspaceArgs,
        output=RuleWorkspace,
        idempotent=True,
        preview=_preview_add_workspace,
        columns=("federation_rule_id", "workspace_id"),
        not_found_hint="The rule or the workspace does not exist; list_federation_rules and "
        "list_workspaces find them.",
        forbidden_hint=CONSOLE_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="remove_federation_rule_workspace",
        title="Disable federation rule for workspace",
        description="Disable a federation rule for a workspace: its workloads stop getting tokens there. The "
        "user must type the rule's name.",
        toolset="federation",
        method="DELETE",
        path=RULES + "/{federation_rule_id}/workspaces/{workspace_id}",
        input=RuleWorkspaceArgs,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=_preview_remove_workspace,
        columns=("federation_rule_id", "workspace_id", "type"),
        not_found_hint=_RULE_404,
        forbidden_hint=CONSOLE_403,
        access=OAUTH_ONLY,
    ),
]
