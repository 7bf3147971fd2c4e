"""Who the server acts as: the `whoami` tool, and the identity lines of `claude-admin-mcp check`.

The credential's kind and where it came from (never the secret), the organization it reaches, for
workload identity the service account and rule it acts through, the token's scope and expiry when
known, and which toolsets it can use (the inventory's answer), with the reason for each it cannot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp.types import CallToolResult
from pydantic import BaseModel, ConfigDict

from ..api.client import AdminApi
from ..api.credentials.base import GET_A_TOKEN, KIND_LABELS, ORG_ADMIN, Credential
from ..api.errors import ApiError, ApiUnreachable, CredentialFailure
from ..catalog.inventory import USABLE, Inventory, LocalTool
from ..catalog.preview import one_line
from ..redaction import redact
from .results import result
from .state import run_state
from .tools import ToolArguments, local_read_tool

ENTRY = LocalTool(
    name="whoami",
    toolset="organization",
    uses=("get_service_account", "get_federation_rule"),
    calls=(("GET", "/v1/organizations/me"),),
)
TITLE = "Who am I"
DESCRIPTION = (
    "Who this server acts as: credential, organization, service account (WIF), token scope and expiry, "
    "usable toolsets."
)


class Identity(BaseModel):
    """Also `federation_rule_id` and `notes` when there is something to say (left out of the
    schema: the tool list is part of every agent's context)."""

    model_config = ConfigDict(extra="allow")

    kind: str
    source: str
    organization: dict[str, Any] | None = None
    service_account: dict[str, Any] | None = None
    scope: str | None = None
    token_expires_at: str | None = None
    usable_toolsets: list[str]
    unusable_toolsets: dict[str, str]
    """Toolset → why this credential cannot use it."""


class NoArguments(ToolArguments):
    model_config = ConfigDict(extra="forbid")


def _problem(exc: ApiError | ApiUnreachable) -> str:
    if isinstance(exc, CredentialFailure):
        return redact(f"{exc.message}. {exc.advice}")
    if isinstance(exc, ApiError):
        rid = f" [request_id={exc.request_id}]" if exc.request_id else ""
        return redact(f"{exc.error_type} (HTTP {exc.status}): {exc.message}{rid}")
    return redact(exc.reason)


async def describe(
    credential: Credential, api: AdminApi, inventory: Inventory, *, sandbox: bool = False
) -> dict[str, Any]:
    """The identity report (the `whoami` result). `problem` (not part of the tool's output) says why
    the organization could not be read, if it could not."""
    notes: list[str] = []
    organization = service_account = problem = None
    try:
        me = (await api.get("/v1/organizations/me")).data or {}
        organization = {"id": me.get("id"), "name": me.get("name")}
    except (ApiError, ApiUnreachable) as exc:
        problem = _problem(exc)
    if credential.kind == "wif":
        # Named even where the token may not read it (a workspace-scoped rule): the id is known.
        service_account = await _service_account(api, credential.details(), notes)
    details = credential.details()  # the first request told us the token's scope and expiry
    scope = details.get("scope")
    access = inventory.toolset_access(credential)
    if credential.kind == "admin_key" and sandbox:
        notes.append(
            "For service_accounts and federation: start with --sandbox --toolsets all (or those "
            "toolsets): the sandbox then signs in with its own OAuth token."
        )
    elif credential.kind == "admin_key":
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
        "usable_toolsets": [name for name, why in access.items() if why == USABLE],
        "unusable_toolsets": {name: why for name, why in access.items() if why != USABLE},
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


async def _whoami(ctx: Context[Any, Any], arguments: BaseModel) -> CallToolResult:
    state = run_state(ctx)
    report = await describe(state.credential, state.api, state.inventory, sandbox=state.settings.sandbox)
    problem = report.pop("problem")
    if problem is not None:
        report["notes"].insert(0, f"The organization could not be read: {problem.rstrip('.')}.")
    return result("\n".join(identity_lines(report, pad=False)), report)


def whoami_tool() -> Tool:
    return local_read_tool(_whoami, ENTRY.name, TITLE, DESCRIPTION, NoArguments, Identity, open_world=True)


def check_lines(report: Mapping[str, Any]) -> list[str]:
    """`claude-admin-mcp check`'s identity lines."""
    return identity_lines(report, pad=True)


def identity_lines(report: Mapping[str, Any], *, pad: bool) -> list[str]:
    """The identity as a person reads it: names beside ids, lists as lists, absent facts left out.

    `whoami` and `check` say the same thing; `check` aligns its values in a column."""

    def line(label: str, value: str) -> str:
        return f"{label + ':':<14}{value}" if pad else f"{label}: {value}"

    lines = [line("credential", f"{KIND_LABELS.get(report['kind'], report['kind'])} from {report['source']}")]
    organization = report.get("organization")
    if organization is not None:
        name = one_line(str(organization.get("name") or "?"))
        lines.append(line("organization", f"{name} [{organization.get('id', '?')}]"))
    else:
        lines.append(line("organization", f"unreachable: {report.get('problem') or 'see the note below'}"))
    account = report.get("service_account")
    if account:
        role = f", {account['organization_role']}" if account.get("organization_role") else ""
        name = one_line(str(account.get("name") or "?"))
        lines.append(line("acting as", f"service account {name} [{account['id']}{role}]"))
    if report.get("federation_rule_id"):
        lines.append(line("via rule", report["federation_rule_id"]))
    if report.get("scope") or report.get("token_expires_at"):
        lines.append(
            line(
                "token",
                f"scope {report.get('scope') or 'unknown'}, expires {report.get('token_expires_at') or '?'}",
            )
        )
    lines.append(line("toolsets", ", ".join(report["usable_toolsets"]) or "none"))
    for name, why in report["unusable_toolsets"].items():
        lines.append(f"  not {name}: {why}")
    # Notes are sentences: each on a line of its own, whole.
    lines.extend(line("note", one_line(note)) for note in report["notes"])
    return lines
