"""Federation rules (`fdrl_...`) and the workspaces they are enabled for. OAuth only.

* `match` needs at least one of a non-wildcard `subject_prefix`, non-empty `claims` (string
  values) or a `condition` (CEL, as `cel.py` accepts it; anything else is refused with 400 naming
  the position); `audience` alone is not enough. Rules on well-known shared issuers must also
  pin their tenant (see `federation.tenant_pinning_problem`).
* `target` is `{"type": "service_account", "service_account_id"}` naming a live service account
  (`service_account_name` is ignored); `oauth_scope` is a space-separated list of
  `workspace:developer`, `workspace:inference`, `workspace:manage_tunnels`, `org:admin`.
  `org:admin` needs a target whose `organization_role` is `admin`. OAuth callers may only
  create, change, archive or re-enable rules whose scopes (before and after) are
  `workspace:developer`/`workspace:inference`; anything else needs a Console session (403).
* Exactly one of `workspace_id` and `applies_to_all_workspaces: true` at creation; more
  workspaces are enabled through the `/workspaces` sub-resource. On update, `workspace_id`
  replaces the single enablement (400 if there are several) and `applies_to_all_workspaces:
  false` is refused when no workspace would remain.
* `token_lifetime_seconds` is 60-86400 (default 3600); below 60 only down to the sandbox's
  configured minimum token lifetime. `attributes` must be absent, null or empty (not supported).
* `issuer_id` is immutable. An archived rule refuses updates and new enablements (400); archiving
  is idempotent, stops exchanges at once and empties `workspace_id`/`workspace_ids` (tokens
  already minted stay valid until they expire). Names are unique among live rules (409).
* The workspaces list returns every enablement in one page (`next_page` always null, `limit` and
  `page` ignored); enabling is idempotent (the response's `workspace_name` is null, as on the
  API) and so is disabling.
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
from ._wif import (
    actor,
    name_taken,
    oauth_only,
    require_console_for,
)

MAX_TOKEN_LIFETIME: Final = 86_400
DEFAULT_TOKEN_LIFETIME: Final = 3600
MAX_MATCH_STRING: Final = 1024
MAX_CLAIMS: Final = 50
_FIELDS: Final = (
    "name",
    "description",
    "match",
    "target",
    "oauth_scope",
    "token_lifetime_seconds",
    "applies_to_all_workspaces",
    "workspace_id",
    "attributes",
)


def _match_string(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise invalid_request(f"match.{name}: Input should be a non-empty string")
    if len(value) > MAX_MATCH_STRING:
        raise invalid_request(f"match.{name}: must be at most {MAX_MATCH_STRING} characters")
    return value


def _match(raw: object) -> RuleMatch:
    if not isinstance(raw, Mapping):
        raise invalid_request("match: Input should be an object")
    Body(raw, ("subject_prefix", "audience", "claims", "condition"), prefix="match.")
    subject_prefix = _match_string(raw, "subject_prefix")
    audience = _match_string(raw, "audience")
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
    compiled = None
    if condition is not None:
        try:
            compiled = cel.compile_condition(condition)
        except cel.CelError as error:
            raise invalid_request(
                f"match.condition: {error}; a condition is CEL over the 'claims' variable, with "
                "has(), startsWith(), endsWith() and contains() as its only functions"
            ) from None
    pins_subject = subject_prefix is not None and subject_prefix.strip("*") != ""
    if not (pins_subject or claims or compiled is not None):
        raise invalid_request(
            "match: at least one of subject_prefix (other than a wildcard-only value like '*'), "
            "claims or condition is required; audience alone is not sufficient"
        )
    return RuleMatch(subject_prefix, audience, dict(claims) if claims else None, condition, compiled)


def _scope(value: object) -> str:
    if not isinstance(value, str) or not value.split():
        raise invalid_request("oauth_scope: Input should be a non-empty, space-separated list of scopes")
    scopes: list[str] = []
    for scope in value.split():
        if scope not in KNOWN_SCOPES:
            raise invalid_request(
                f"oauth_scope: unknown scope {scope[:80]!r}; known: {', '.join(KNOWN_SCOPES)}"
            )
        if scope not in scopes:
            scopes.append(scope)
    return " ".join(scopes)


def _target(state: SandboxState, raw: object) -> ServiceAccount:
    if not isinstance(raw, Mapping):
        raise invalid_request("target: Input should be an object")
    body = Body(raw, ("type", "service_account_id", "service_account_name"), prefix="target.")
    body.enum("type", ("service_account",), required=True)
    account_id = body.id("service_account_id", SERVICE_ACCOUNT, "service account")
    account = state.federation.service_accounts.get(account_id)
    if account is None or not account.audit.live:
        raise invalid_request(f"target.service_account_id: no live service account {account_id!r}")
    return account


def _check_admin_target(scope: str, account: ServiceAccount) -> None:
    if ORG_ADMIN in scope.split() and account.organization_role != "admin":
        raise invalid_request(
            f"target.service_account_id: a rule granting org:admin must target a service account "
            f"whose organization_role is 'admin' ({account.id} is '{account.organization_role}')"
        )


def _token_lifetime(state: SandboxState, body: Body) -> int | None:
    floor = min(60, state.federation.min_token_lifetime_seconds)
    return body.integer("token_lifetime_seconds", floor, MAX_TOKEN_LIFETIME)


def _attributes(body: Body) -> None:
    value = body.raw("attributes")
    if value is None or value == {}:
        return
    if not isinstance(value, dict):
        raise invalid_request("attributes: Input should be an object")
    raise invalid_request("attributes: not yet supported; any non-empty value is rejected")


def _rule_workspace(state: SandboxState, workspace_id: str, field: str = "workspace_id") -> Workspace:
    """A workspace a rule may be enabled for; unknown or archived is an invalid reference (400)."""
    workspace = state.workspaces.get(workspace_id)
    if workspace is None:
        raise invalid_request(f"{field}: no workspace {workspace_id!r} in this organization")
    if workspace.archived_at is not None:
        raise invalid_request(f"{field}: workspace {workspace_id} is archived")
    return workspace


def _pinned(issuer: FederationIssuer, match: RuleMatch) -> None:
    problem = tenant_pinning_problem(issuer.issuer_url, match)
    if problem is not None:
        raise invalid_request(f"match: {problem}")


def _render(state: SandboxState, rule: FederationRule) -> JSONResponse:
    return ok(state.federation.render_rule(rule))


# -- rules ---------------------------------------------------------------------------------------


async def create_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    data = await read_json(request, required=True)
    body = Body(data, (*_FIELDS, "issuer_id"))
    name = body.slug("name", required=True)
    assert name is not None
    issuer_id = body.id("issuer_id", ISSUER, "federation issuer")
    if body.raw("match") is None:
        raise invalid_request("match: Field required")
    match = _match(body.raw("match"))
    if body.raw("target") is None:
        raise invalid_request("target: Field required")
    if body.raw("oauth_scope") is None:
        raise invalid_request("oauth_scope: Field required")
    scope = _scope(body.raw("oauth_scope"))
    applies_to_all = body.boolean("applies_to_all_workspaces") or False
    workspace_id = body.raw("workspace_id")
    if workspace_id is not None:
        workspace_id = check_id("workspace_id", str(workspace_id), ids.WORKSPACE, "workspace")
    if applies_to_all and workspace_id is not None:
        raise invalid_request(
            "workspace_id: give either workspace_id or applies_to_all_workspaces: true, not both"
        )
    if not applies_to_all and workspace_id is None:
        raise invalid_request("workspace_id: required unless applies_to_all_workspaces is true")
    lifetime = _token_lifetime(state, body)
    _attributes(body)
    _, text = body.description(on_update=False)
    require_console_for(request, scope.split(), "create")

    federation = state.federation
    issuer = federation.issuers.get(issuer_id)
    if issuer is None or not issuer.audit.live:
        raise invalid_request(f"issuer_id: no live federation issuer {issuer_id!r}")
    account = _target(state, body.raw("target"))
    _check_admin_target(scope, account)
    workspace = None if workspace_id is None else _rule_workspace(state, workspace_id)
    _pinned(issuer, match)
    name_taken(federation.rules.values(), name, "federation rule")

    now = state.now_ts()
    who = actor(request)
    rule = FederationRule(
        state.new_id(RULE, now),
        name,
        text,
        issuer.id,
        match,
        account.id,
        scope,
        DEFAULT_TOKEN_LIFETIME if lifetime is None else lifetime,
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
    return _render(state, rule)


async def list_rules(request: Request) -> JSONResponse:
    state = sandbox(request)
    query = Query(request.query_params)
    include_archived = query.boolean("include_archived", False)
    issuer_id = query.optional_id("issuer_id", ISSUER, "federation issuer")

    def wanted(rule: FederationRule) -> bool:
        return (include_archived or rule.audit.live) and issuer_id in (None, rule.issuer_id)

    window = query.page_window(RULE)
    return ok(state.federation.rules.cursor_page(window, state.federation.render_rule, wanted))


async def retrieve_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    return _render(state, state.federation.rules.find(request.path_params["federation_rule_id"]))


async def update_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    rule = state.federation.rules.find(request.path_params["federation_rule_id"])
    data = await read_json(request, required=True)
    if "issuer_id" in data:
        raise invalid_request("issuer_id: cannot be changed; create a new rule for another issuer")
    body = Body(data, _FIELDS)
    name = body.slug("name", required=False)
    match = _match(body.raw("match")) if body.has("match") else None
    scope = _scope(body.raw("oauth_scope")) if body.has("oauth_scope") else None
    applies_to_all = body.boolean("applies_to_all_workspaces")
    workspace_id = body.raw("workspace_id")
    if workspace_id is not None:
        workspace_id = check_id("workspace_id", str(workspace_id), ids.WORKSPACE, "workspace")
    lifetime = _token_lifetime(state, body)
    _attributes(body)
    given, text = body.description(on_update=True)
    require_console_for(request, rule.scopes | set((scope or "").split()), "change")
    if not rule.audit.live:
        raise invalid_request(
            f"Federation rule {rule.id} is archived: it cannot be updated; create a new rule"
        )

    federation = state.federation
    account = _target(state, body.raw("target")) if body.has("target") else None
    final_account = account or federation.service_accounts[rule.service_account_id]
    if scope is not None or account is not None:
        _check_admin_target(scope or rule.oauth_scope, final_account)
    workspace = None if workspace_id is None else _rule_workspace(state, workspace_id)
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

    now = state.now_ts()
    who = actor(request)
    changed: list[str] = []

    def change(field: str, value: object, current: object) -> bool:
        if value is None or value == current:
            return False
        changed.append(field)
        return True

    if change("name", name, rule.name):
        rule.name = name or rule.name
    if given and change("description", text, rule.description):
        rule.description = text
    if match is not None and change("match", match, rule.match):
        rule.match = match
    if account is not None and change("target", account.id, rule.service_account_id):
        rule.service_account_id = account.id
    if scope is not None and change("oauth_scope", scope, rule.oauth_scope):
        rule.oauth_scope = scope
    if lifetime is not None and change("token_lifetime_seconds", lifetime, rule.token_lifetime_seconds):
        rule.token_lifetime_seconds = lifetime
    if applies_to_all is not None and change(
        "applies_to_all_workspaces", applies_to_all, rule.applies_to_all_workspaces
    ):
        rule.applies_to_all_workspaces = applies_to_all
    if workspace is not None and change("workspace_id", [workspace.id], list(rule.workspaces)):
        kept = rule.workspaces.get(workspace.id)
        rule.workspaces = {workspace.id: kept or RuleWorkspace(workspace.id, now, who)}
        rule.legacy_workspace_id = workspace.id
    if changed:
        rule.audit.touch(now, who)
    record(request, "federation_rule_updated", federation_rule_id=rule.id, changed=changed)
    return _render(state, rule)


async def archive_rule(request: Request) -> JSONResponse:
    state = sandbox(request)
    rule = state.federation.rules.find(request.path_params["federation_rule_id"])
    require_console_for(request, rule.scopes, "archive")
    if not rule.audit.live:
        return _render(state, rule)
    rule.audit.archive(state.now_ts(), actor(request))
    cleared = list(rule.workspaces)
    rule.workspaces = {}
    rule.legacy_workspace_id = None
    record(request, "federation_rule_archived", federation_rule_id=rule.id, cleared_workspace_ids=cleared)
    return _render(state, rule)


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
        enablement = RuleWorkspace(workspace.id, state.now_ts(), actor(request))
        rule.workspaces[workspace.id] = enablement
        record(
            request, "federation_rule_workspace_added", federation_rule_id=rule.id, workspace_id=workspace.id
        )
    return ok(enablement.to_api(rule.id, None))


async def remove_rule_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    rule = state.federation.rules.find(request.path_params["federation_rule_id"])
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
    return ok(
        {
            "type": "federation_rule_workspace_deleted",
            "federation_rule_id": rule.id,
            "workspace_id": workspace_id,
        }
    )


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
