"""Federation rules (`fdrl_...`) and the workspaces they are enabled for. OAuth only.

* `match` needs a non-wildcard `subject_prefix`, non-empty `claims` (string values) or a
  `condition` (CEL, as `cel.py` accepts it; 400 naming the position otherwise); `audience` alone
  is not enough. Rules on well-known shared issuers must pin their tenant
  (`federation.tenant_pinning_problem`).
* `target` names a live service account; `oauth_scope` is a space-separated list of
  `KNOWN_SCOPES`; `org:admin` needs an `admin` target. OAuth callers may only create, change,
  archive or re-enable rules whose scopes (before and after) are OAuth-manageable; the rest need a
  Console session (403).
* Exactly one of `workspace_id` and `applies_to_all_workspaces: true` at creation; more
  workspaces through `/workspaces`. On update, `workspace_id` replaces the single enablement (400
  if there are several) and `applies_to_all_workspaces: false` needs a workspace left.
* `token_lifetime_seconds` is 60-86400 (default 3600), or down to the configured minimum token
  lifetime; `attributes` must be absent, null or empty.
* `issuer_id` is immutable. An archived rule refuses updates and enablements (400); archiving is
  idempotent, stops exchanges at once and empties the workspaces (minted tokens live on). Names
  are unique among live rules (409).
* The workspaces list is one page (`next_page` null); enabling and disabling are idempotent (the
  enable response's `workspace_name` is null, as on the API).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import cel, ids
from ..errors import invalid_request
from ..federation import (
    ISSUER,
    KNOWN_SCOPES,
    ORG_ADMIN,
    RULE,
    SERVICE_ACCOUNT,
    Audit,
    FederationIssuer,
    FederationRule,
    RuleMatch,
    RuleWorkspace,
    ServiceAccount,
    tenant_pinning_problem,
)
from ..models import Workspace
from ..params import Body, Query, check_id, read_json
from ..store import SandboxState
from ._common import ok, record, sandbox
from ._wif import actor, name_taken, oauth_only, require_console_for

MAX_TOKEN_LIFETIME: Final = 86_400
DEFAULT_TOKEN_LIFETIME: Final = 3600
MAX_MATCH_STRING: Final = 1024
MAX_CLAIMS: Final = 50
_FIELDS: Final = ("name", "description", "match", "target", "oauth_scope", "token_lifetime_seconds")
_FIELDS_TOO: Final = ("applies_to_all_workspaces", "workspace_id", "attributes")


def _match_string(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is not None and (not isinstance(value, str) or not value):
        raise invalid_request(f"match.{name}: Input should be a non-empty string")
    if value is not None and len(value) > MAX_MATCH_STRING:
        raise invalid_request(f"match.{name}: must be at most {MAX_MATCH_STRING} characters")
    return value


def _match(raw: object) -> RuleMatch:
    if not isinstance(raw, Mapping):
        raise invalid_request("match: Input should be an object")
    Body(raw, ("subject_prefix", "audience", "claims", "condition"), prefix="match.")
    subject_prefix, audience = _match_string(raw, "subject_prefix"), _match_string(raw, "audience")
    claims = raw.get("claims")
    if claims is not None:
        if not isinstance(claims, dict) or not all(
            isinstance(key, str) and key and isinstance(value, str) for key, value in claims.items()
        ):
            raise invalid_request(
                "match.claims: Input should be an object of claim names to string values "
                "(use condition for non-string claims)"
            )
        if len(claims) > MAX_CLAIMS:
            raise invalid_request(f"match.claims: at most {MAX_CLAIMS} claims")
    condition = _match_string(raw, "condition")
    try:
        compiled = None if condition is None else cel.compile_condition(condition)
    except cel.CelError as error:
        raise invalid_request(
            f"match.condition: {error}; a condition is CEL over the 'claims' variable, with "
            "has(), startsWith(), endsWith() and contains() as its only functions"
        ) from None
    if not ((subject_prefix or "").strip("*") or claims or compiled is not None):
        raise invalid_request(
            "match: at least one of subject_prefix (other than a wildcard-only value like '*'), "
            "claims or condition is required; audience alone is not sufficient"
        )
    return RuleMatch(subject_prefix, audience, dict(claims) if claims else None, condition, compiled)


def _scope(value: object) -> str:
    if not isinstance(value, str) or not value.split():
        raise invalid_request("oauth_scope: Input should be a non-empty, space-separated list of scopes")
    for scope in value.split():
        if scope not in KNOWN_SCOPES:
            raise invalid_request(
                f"oauth_scope: unknown scope {scope[:80]!r}; known: {', '.join(KNOWN_SCOPES)}"
            )
    return " ".join(dict.fromkeys(value.split()))


def _target(state: SandboxState, raw: object, scope: str | None) -> ServiceAccount:
    """The live service account `target` names, checked against the scope it would get."""
    if not isinstance(raw, Mapping):
        raise invalid_request("target: Input should be an object")
    body = Body(raw, ("type", "service_account_id", "service_account_name"), prefix="target.")
    body.enum("type", ("service_account",), required=True)
    account_id = body.id("service_account_id", SERVICE_ACCOUNT, "service account")
    account = state.federation.service_accounts.get(account_id)
    if account is None or not account.audit.live:
        raise invalid_request(f"target.service_account_id: no live service account {account_id!r}")
    return _admin_target(scope, account)


def _admin_target(scope: str | None, account: ServiceAccount) -> ServiceAccount:
    if scope is not None and ORG_ADMIN in scope.split() and account.organization_role != "admin":
        raise invalid_request(
            f"target.service_account_id: a rule granting org:admin must target a service account "
            f"whose organization_role is 'admin' ({account.id} is '{account.organization_role}')"
        )
    return account


def _workspace_id(body: Body) -> str | None:
    value = body.raw("workspace_id")
    return None if value is None else check_id("workspace_id", str(value), ids.WORKSPACE, "workspace")


def _lifetime(state: SandboxState, body: Body) -> int | None:
    """`token_lifetime_seconds`, with `attributes` refused."""
    floor = min(60, state.federation.min_token_lifetime_seconds)
    lifetime = body.integer("token_lifetime_seconds", floor, MAX_TOKEN_LIFETIME)
    attributes = body.raw("attributes")
    if attributes is not None and attributes != {}:
        if not isinstance(attributes, dict):
            raise invalid_request("attributes: Input should be an object")
        raise invalid_request("attributes: not yet supported; any non-empty value is rejected")
    return lifetime


def _rule_workspace(state: SandboxState, workspace_id: str | None) -> Workspace | None:
    """A workspace a rule may be enabled for; unknown or archived is an invalid reference (400)."""
    if workspace_id is None:
        return None
    workspace = state.workspaces.get(workspace_id)
    if workspace is None:
        raise invalid_request(f"workspace_id: no workspace {workspace_id!r} in this organization")
    if workspace.archived_at is not None:
        raise invalid_request(f"workspace_id: workspace {workspace_id} is archived")
    return workspace


def _pinned(issuer: FederationIssuer, match: RuleMatch) -> None:
    problem = tenant_pinning_problem(issuer.issuer_url, match)
    if problem is not None:
        raise invalid_request(f"match: {problem}")


# -- rules ---------------------------------------------------------------------------------------


async def create_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    body = Body(await read_json(request, required=True), (*_FIELDS, *_FIELDS_TOO, "issuer_id"))
    name = body.slug("name", required=True)
    assert name is not None
    issuer_id = body.id("issuer_id", ISSUER, "federation issuer")
    match = _match(body.required("match"))
    body.required("target")
    scope = _scope(body.required("oauth_scope"))
    applies_to_all = body.boolean("applies_to_all_workspaces") or False
    workspace_id = _workspace_id(body)
    if applies_to_all and workspace_id is not None:
        raise invalid_request(
            "workspace_id: give either workspace_id or applies_to_all_workspaces: true, not both"
        )
    if not applies_to_all and workspace_id is None:
        raise invalid_request("workspace_id: required unless applies_to_all_workspaces is true")
    lifetime = _lifetime(state, body)
    _, text = body.description(on_update=False)
    require_console_for(request, scope.split(), "create")
    federation = state.federation
    issuer = federation.issuers.get(issuer_id)
    if issuer is None or not issuer.audit.live:
        raise invalid_request(f"issuer_id: no live federation issuer {issuer_id!r}")
    account = _target(state, body.raw("target"), scope)
    workspace = _rule_workspace(state, workspace_id)
    _pinned(issuer, match)
    name_taken(federation.rules.values(), name, "federation rule")

    now, who = state.now_ts(), actor(request)
    rule_id, lifetime = state.new_id(RULE, now), DEFAULT_TOKEN_LIFETIME if lifetime is None else lifetime
    rule = FederationRule(
        rule_id,
        name,
        text,
        issuer.id,
        match,
        account.id,
        scope,
        lifetime,
        applies_to_all,
        Audit.new(now, who),
    )
    if workspace is not None:
        rule.workspaces[workspace.id] = RuleWorkspace(workspace.id, now, who)
        rule.legacy_workspace_id = workspace.id
    federation.rules.put(rule)
    record(
        request,
        "federation_rule_created",
        federation_rule_id=rule.id,
        name=name,
        federation_issuer_id=issuer.id,
        service_account_id=account.id,
        oauth_scope=scope,
    )
    return ok(federation.render_rule(rule))


async def list_rules(request: Request) -> JSONResponse:
    federation = sandbox(request).federation
    query = Query(request.query_params)
    include_archived = query.boolean("include_archived", False)
    issuer_id = query.optional_id("issuer_id", ISSUER, "federation issuer")

    def wanted(rule: FederationRule) -> bool:
        return (include_archived or rule.audit.live) and issuer_id in (None, rule.issuer_id)

    return ok(federation.rules.cursor_page(query.page_window(RULE), federation.render_rule, wanted))


async def retrieve_rule(request: Request) -> JSONResponse:
    federation = sandbox(request).federation
    return ok(federation.render_rule(federation.rules.find(request.path_params["federation_rule_id"])))


async def update_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    federation = state.federation
    rule = federation.rules.find(request.path_params["federation_rule_id"])
    data = await read_json(request, required=True)
    if "issuer_id" in data:
        raise invalid_request("issuer_id: cannot be changed; create a new rule for another issuer")
    body = Body(data, (*_FIELDS, *_FIELDS_TOO))
    name = body.slug("name", required=False)
    match = _match(body.raw("match")) if body.has("match") else None
    scope = _scope(body.raw("oauth_scope")) if body.has("oauth_scope") else None
    applies_to_all = body.boolean("applies_to_all_workspaces")
    workspace_id, lifetime = _workspace_id(body), _lifetime(state, body)
    given, text = body.description(on_update=True)
    require_console_for(request, rule.scopes | set((scope or "").split()), "change")
    if not rule.audit.live:
        raise invalid_request(
            f"Federation rule {rule.id} is archived: it cannot be updated; create a new rule"
        )
    final_scope = scope or rule.oauth_scope
    account = _target(state, body.raw("target"), final_scope) if body.has("target") else None
    if scope is not None and account is None:
        _admin_target(final_scope, federation.service_accounts[rule.service_account_id])
    workspace = _rule_workspace(state, workspace_id)
    if workspace is not None and len(rule.workspaces) > 1:
        raise invalid_request(
            "workspace_id: the rule is enabled for several workspaces; use the "
            "/federation_rules/{federation_rule_id}/workspaces sub-resource instead"
        )
    if applies_to_all is False and workspace is None and not rule.workspaces:
        raise invalid_request(
            "applies_to_all_workspaces: cannot be false while the rule is enabled for no workspace; "
            "give a workspace_id too"
        )
    _pinned(federation.issuers[rule.issuer_id], match or rule.match)
    if name is not None:
        name_taken(federation.rules.values(), name, "federation rule", except_id=rule.id)

    now, who = state.now_ts(), actor(request)
    changes: dict[str, object] = {
        "name": name,
        "description": text if given else None,
        "match": match,
        "service_account_id": None if account is None else account.id,
        "oauth_scope": scope,
        "token_lifetime_seconds": lifetime,
        "applies_to_all_workspaces": applies_to_all,
    }
    changed = [
        field for field, value in changes.items() if value is not None and value != getattr(rule, field)
    ]
    for field in changed:
        setattr(rule, field, changes[field])
    if workspace is not None and [workspace.id] != list(rule.workspaces):
        changed.append("workspace_id")
        kept = rule.workspaces.get(workspace.id)
        rule.workspaces = {workspace.id: kept or RuleWorkspace(workspace.id, now, who)}
        rule.legacy_workspace_id = workspace.id
    if changed:
        rule.audit.touch(now, who)
    changed = ["target" if field == "service_account_id" else field for field in changed]
    record(request, "federation_rule_updated", federation_rule_id=rule.id, changed=changed)
    return ok(federation.render_rule(rule))


async def archive_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    rule = state.federation.rules.find(request.path_params["federation_rule_id"])
    require_console_for(request, rule.scopes, "archive")
    if rule.audit.live:
        rule.audit.archive(state.now_ts(), actor(request))
        cleared = list(rule.workspaces)
        rule.workspaces, rule.legacy_workspace_id = {}, None
        record(request, "federation_rule_archived", federation_rule_id=rule.id, cleared_workspace_ids=cleared)
    return ok(state.federation.render_rule(rule))


# -- rule workspaces -----------------------------------------------------------------------------


async def list_rule_workspaces(request: Request) -> JSONResponse:
    state = sandbox(request)
    rule = state.federation.rules.find(request.path_params["federation_rule_id"])
    data = []
    for enablement in rule.workspaces.values():
        workspace = state.workspaces.get(enablement.workspace_id)
        data.append(enablement.to_api(rule.id, None if workspace is None else workspace.name))
    return ok({"data": data, "next_page": None})


async def add_rule_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    rule = state.federation.rules.find(request.path_params["federation_rule_id"])
    body = Body(await read_json(request, required=True), ("workspace_id",))
    workspace_id = body.id("workspace_id", ids.WORKSPACE, "workspace")
    require_console_for(request, rule.scopes, "enable")
    if not rule.audit.live:
        raise invalid_request(f"Federation rule {rule.id} is archived: it cannot be enabled for workspaces")
    workspace = state.workspaces.find(workspace_id)
    if workspace.archived_at is not None:
        raise invalid_request(f"Workspace {workspace.id} is archived: a rule cannot be enabled for it")
    enablement = rule.workspaces.get(workspace.id)
    if enablement is None:
        enablement = rule.workspaces[workspace.id] = RuleWorkspace(
            workspace.id, state.now_ts(), actor(request)
        )
        record(
            request, "federation_rule_workspace_added", federation_rule_id=rule.id, workspace_id=workspace.id
        )
    return ok(enablement.to_api(rule.id, None))


async def remove_rule_workspace(request: Request) -> JSONResponse:
    rule = sandbox(request).federation.rules.find(request.path_params["federation_rule_id"])
    workspace_id: str = request.path_params["workspace_id"]
    require_console_for(request, rule.scopes, "disable")
    if rule.workspaces.pop(workspace_id, None) is not None:
        if rule.legacy_workspace_id == workspace_id:
            rule.legacy_workspace_id = None
        record(
            request,
            "federation_rule_workspace_removed",
            federation_rule_id=rule.id,
            workspace_id=workspace_id,
        )
    deleted = {"federation_rule_id": rule.id, "workspace_id": workspace_id}
    return ok({"type": "federation_rule_workspace_deleted", **deleted})


_RULES: Final = "/v1/organizations/federation_rules"
_RULE: Final = _RULES + "/{federation_rule_id}"
ROUTES = [
    Route(_RULES, oauth_only(list_rules), methods=["GET"]),
    Route(_RULES, oauth_only(create_rule), methods=["POST"]),
    Route(_RULE, oauth_only(retrieve_rule), methods=["GET"]),
    Route(_RULE, oauth_only(update_rule), methods=["POST"]),
    Route(_RULE + "/archive", oauth_only(archive_rule), methods=["POST"]),
    Route(_RULE + "/workspaces", oauth_only(list_rule_workspaces), methods=["GET"]),
    Route(_RULE + "/workspaces", oauth_only(add_rule_workspace), methods=["POST"]),
    Route(_RULE + "/workspaces/{workspace_id}", oauth_only(remove_rule_workspace), methods=["DELETE"]),
]
