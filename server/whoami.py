"""Who the server acts as, for the `whoami` tool and `claude-admin-mcp check`.

The credential's kind and where it came from (never the secret), the organization it reaches, for
workload identity the service account and rule it acts through, the token's scope and expiry when
known, and which toolsets it can use, with the reason for each it cannot. Also what an admin key
says when an OAuth-only tool is asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .admin_api import AdminApi, ApiError, ApiUnreachable, CredentialFailure
from .config import Settings
from .credentials import Credential
from .redaction import redact
from .registry import Operation

ORG_ADMIN = "org:admin"
GET_A_TOKEN = (
    "`ant auth login --scope org:admin` (then ANTHROPIC_PROFILE=<its profile>, or ANTHROPIC_OAUTH_TOKEN), "
    "or workload identity federation with an org:admin rule (README: Workload identity federation)"
)
KIND_LABELS = {"admin_key": "admin key", "oauth_token": "OAuth token", "wif": "workload identity (WIF)"}


def admits(credential: Credential, op: Operation) -> bool:
    """Whether the API can accept this credential for `op` at all (admin keys: never OAuth-only ones)."""
    return not (op.oauth_only and credential.kind == "admin_key")


def oauth_only_refusal(op: Operation, credential: Credential) -> str:
    return (
        f"{op.name} needs an OAuth access token with the org:admin scope: the Admin API never accepts an "
        f"admin key for service accounts and workload identity federation, and this server authenticates "
        f"with one ({credential.source}). Nothing was sent. An administrator can get such a token with "
        f"{GET_A_TOKEN}, and restart the server with it."
    )


def details_of(credential: Credential) -> Mapping[str, Any]:
    details = getattr(credential, "details", None)
    return details() if callable(details) else {}


def toolset_access(credential: Credential, scope: str | None) -> dict[str, str]:
    """Every toolset: "usable", or why this credential cannot use it."""
    from claude_admin_mcp.tools import OPERATIONS, TOOLSETS

    access = {}
    for toolset in TOOLSETS:
        ops = [op for op in OPERATIONS if op.toolset == toolset]
        if credential.kind == "admin_key" and all(op.oauth_only for op in ops):
            access[toolset] = "needs an org:admin OAuth token"
        elif credential.kind != "admin_key" and scope is not None and ORG_ADMIN not in scope.split():
            access[toolset] = "scope lacks org:admin"
        else:
            access[toolset] = "usable"
    return access


def _problem(exc: ApiError | ApiUnreachable) -> str:
    if isinstance(exc, CredentialFailure):
        return redact(f"{exc.message}. {exc.advice}")
    if isinstance(exc, ApiError):
        rid = f" [request_id={exc.request_id}]" if exc.request_id else ""
        return redact(f"{exc.error_type} (HTTP {exc.status}): {exc.message}{rid}")
    return redact(exc.reason)


async def describe(settings: Settings, credential: Credential, api: AdminApi) -> dict[str, Any]:
    """The identity report (the `whoami` result). `problem` (not part of the tool's output) says why
    the organization could not be read, if it could not."""
    notes: list[str] = []
    organization = service_account = problem = None
    try:
        me = (await api.get("/v1/organizations/me")).data or {}
        organization = {"id": me.get("id"), "name": me.get("name")}
    except (ApiError, ApiUnreachable) as exc:
        problem = _problem(exc)
    details = details_of(credential)
    if organization is not None and credential.kind == "wif":
        service_account = await _service_account(api, details, notes)
    details = details_of(credential)  # the first request told us the token's scope and expiry
    scope = details.get("scope")
    access = toolset_access(credential, scope)
    if credential.kind == "admin_key":
        notes.append(f"For service_accounts and federation: {GET_A_TOKEN}.")
    elif scope is not None and ORG_ADMIN not in scope.split():
        notes.append(f"The token's scope ({scope}) lacks org:admin, which every Admin API endpoint needs.")
    elif scope is None:
        notes.append(
            "Token scope unknown (the API does not say for a static token); the Admin API needs org:admin."
        )
    if credential.kind == "wif" and details.get("federation_rule_id"):
        notes.append(
            "A workload token cannot create admin service accounts or org:admin rules (a person must, "
            "in the Console or with `ant auth login`)."
        )
    return {
        "kind": credential.kind,
        "source": credential.source,
        "organization": organization,
        "service_account": service_account,
        "federation_rule_id": details.get("federation_rule_id"),
        "scope": scope,
        "token_expires_at": details.get("token_expires_at"),
        "usable_toolsets": [name for name, why in access.items() if why == "usable"],
        "unusable_toolsets": {name: why for name, why in access.items() if why != "usable"},
        "notes": notes,
        "problem": problem,
    }


async def _service_account(
    api: AdminApi, details: Mapping[str, Any], notes: list[str]
) -> dict[str, Any] | None:
    account_id = details.get("service_account_id")
    rule_id = details.get("federation_rule_id")
    try:
        if not account_id and rule_id:
            rule = (await api.get(f"/v1/organizations/federation_rules/{rule_id}")).data or {}
            account_id = (rule.get("target") or {}).get("service_account_id")
        if not account_id:
            return None
        account = (await api.get(f"/v1/organizations/service_accounts/{account_id}")).data or {}
    except (ApiError, ApiUnreachable) as exc:
        notes.append(f"Service account unreadable: {_problem(exc)}")
        return {"id": account_id} if account_id else None
    return {
        "id": account.get("id"),
        "name": account.get("name"),
        "organization_role": account.get("organization_role"),
    }


async def compute(state: Any, _args: Any) -> dict[str, Any]:
    """The `whoami` tool's answer, from the run's `AppState`."""
    report = await describe(state.settings, state.credential, state.api)
    if report.pop("problem") is not None:
        report["notes"].insert(0, "The organization could not be read; `claude-admin-mcp check` shows why.")
    return report


def check_lines(report: Mapping[str, Any]) -> list[str]:
    """`claude-admin-mcp check`'s identity lines."""
    lines = [f"credential:   {KIND_LABELS.get(report['kind'], report['kind'])} from {report['source']}"]
    organization = report.get("organization")
    if organization is not None:
        lines.append(f"organization: {organization.get('name', '?')} [{organization.get('id', '?')}]")
    else:
        lines.append(f"organization: unreachable: {report.get('problem')}")
    account = report.get("service_account")
    if account:
        role = f", {account['organization_role']}" if account.get("organization_role") else ""
        lines.append(f"acting as:    service account {account.get('name', '?')} [{account['id']}{role}]")
    if report.get("federation_rule_id"):
        lines.append(f"via rule:     {report['federation_rule_id']}")
    if report.get("scope") or report.get("token_expires_at"):
        lines.append(
            f"token:        scope {report.get('scope') or 'unknown'}, "
            f"expires {report.get('token_expires_at') or '?'}"
        )
    lines.append(f"toolsets:     {', '.join(report['usable_toolsets']) or 'none'}")
    for name, why in report["unusable_toolsets"].items():
        lines.append(f"  not {name}: {why}")
    lines.extend(f"note:         {note}" for note in report["notes"])
    return lines
