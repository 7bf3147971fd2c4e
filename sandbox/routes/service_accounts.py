"""Service accounts (`svac_...`) and their workspace memberships, from both sides. OAuth only.

* `name` is a slug (`^[a-z0-9-]+$`, 1-255), unique among live service accounts (409), and
  immutable; `organization_role` is `developer` (default) or `admin`. An `admin` one can be made,
  or set (even unchanged), only by an interactive credential: a workload's token gets 403.
* Archived service accounts refuse updates and membership changes (400); archiving is
  idempotent (the original `archived_at` stays) and refused (400) while a live federation rule
  targets the account. Tokens already minted for an archived account stop working.
* Every service account is an implicit `workspace_user` of the default workspace (`implicit:
  true`, not stored, not removable: removing it is a 200 no-op). Adding makes an explicit
  membership, or replaces the role of an existing one; `workspace_billing` is never allowed.
  Archived workspaces refuse membership reads and changes from the workspace side (400).
* The service account's list shows the implicit entry first on the first page (so `limit=1` may
  answer two entries), then explicit memberships newest first, archived workspaces included; an
  archived service account's first page is empty and its cursors are refused. A cursor names a
  membership by its workspace (or, from the workspace side, by its service account) and is
  refused (400) once that membership is gone. The workspace's list leaves out the implicit
  memberships and archived service accounts.
"""

from __future__ import annotations

from typing import Final, cast

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..errors import invalid_request, not_found, permission_denied
from ..federation import SERVICE_ACCOUNT, Audit, ServiceAccount, ServiceAccountMember, ServiceAccountRole
from ..models import Workspace, WorkspaceRole
from ..pagination import encode_page
from ..params import Body, Query, read_json
from ..store import SandboxState
from ._common import ok, record, sandbox
from ._wif import actor, is_interactive, name_taken, oauth_only
from .members import ADDABLE_WORKSPACE_ROLES

ROLES: Final = ("developer", "admin")
_ADMIN_NEEDS_PERSON: Final = (
    "organization_role: making a service account an 'admin' requires an interactive credential "
    "(a user's OAuth token or a Console session); a workload may only use 'developer'"
)


def _role(body: Body) -> ServiceAccountRole | None:
    return cast(ServiceAccountRole | None, body.enum("organization_role", ROLES))


def _live(account: ServiceAccount, doing: str) -> ServiceAccount:
    if not account.audit.live:
        raise invalid_request(f"Service account {account.id} is archived: it cannot {doing}")
    return account


def _implicit(state: SandboxState, account: ServiceAccount) -> ServiceAccountMember:
    return ServiceAccountMember(account.id, state.default_workspace_id, "workspace_user", None, implicit=True)


# -- service accounts ----------------------------------------------------------------------------


async def create_service_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    data = await read_json(request, required=True)
    body = Body(data, ("name", "description", "organization_role"))
    name = body.slug("name", required=True)
    assert name is not None
    _, text = body.description(on_update=False)
    role = _role(body) or "developer"
    if role == "admin" and not is_interactive(request):
        raise permission_denied(_ADMIN_NEEDS_PERSON)
    federation = state.federation
    name_taken(federation.service_accounts.values(), name, "service account")
    now = state.now_ts()
    account = ServiceAccount(
        state.new_id(SERVICE_ACCOUNT, now), name, text, role, Audit.new(now, actor(request))
    )
    federation.service_accounts.put(account)
    record(
        request, "service_account_created", service_account_id=account.id, name=name, organization_role=role
    )
    return ok(account.to_api())


async def list_service_accounts(request: Request) -> JSONResponse:
    query = Query(request.query_params)
    match = None if query.boolean("include_archived", False) else (lambda account: account.audit.live)
    window = query.page_window(SERVICE_ACCOUNT)
    return ok(sandbox(request).federation.service_accounts.cursor_page(window, ServiceAccount.to_api, match))


async def retrieve_service_account(request: Request) -> JSONResponse:
    return ok(
        sandbox(request).federation.service_accounts.find(request.path_params["service_account_id"]).to_api()
    )


async def update_service_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    data = await read_json(request, required=True)
    body = Body(data, ("description", "organization_role"))
    given, text = body.description(on_update=True)
    role = _role(body)
    if role == "admin" and not is_interactive(request):
        raise permission_denied(_ADMIN_NEEDS_PERSON)
    _live(account, "be updated")
    changed: list[str] = []
    if given and text != account.description:
        account.description = text
        changed.append("description")
    if role is not None and role != account.organization_role:
        account.organization_role = role
        changed.append("organization_role")
    if changed:
        account.audit.touch(state.now_ts(), actor(request))
    record(request, "service_account_updated", service_account_id=account.id, changed=changed)
    return ok(account.to_api())


async def archive_service_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    if not account.audit.live:
        return ok(account.to_api())
    rules = state.federation.live_rules_targeting(account.id)
    if rules:
        raise invalid_request(
            f"Service account {account.id} is the target of live federation rules "
            f"({', '.join(rule.id for rule in rules)}); archive them or retarget them first"
        )
    account.audit.archive(state.now_ts(), actor(request))
    record(request, "service_account_archived", service_account_id=account.id, name=account.name)
    return ok(account.to_api())


# -- memberships ---------------------------------------------------------------------------------


def _member_role(body: Body) -> WorkspaceRole:
    if body.raw("workspace_role") == "workspace_billing":
        raise invalid_request("workspace_role: service accounts cannot hold the 'workspace_billing' role")
    return cast(WorkspaceRole, body.enum("workspace_role", ADDABLE_WORKSPACE_ROLES, required=True))


def _open(workspace: Workspace) -> Workspace:
    if workspace.archived_at is not None:
        raise invalid_request(f"Workspace {workspace.id} is archived: its service accounts cannot change")
    return workspace


def _set_role(request: Request, member: ServiceAccountMember, role: WorkspaceRole) -> JSONResponse:
    previous, member.workspace_role = member.workspace_role, role
    record(
        request,
        "service_account_workspace_member_updated",
        service_account_id=member.service_account_id,
        workspace_id=member.workspace_id,
        previous_workspace_role=previous,
        workspace_role=role,
    )
    return ok(member.to_api())


def _add(
    request: Request, account: ServiceAccount, workspace: Workspace, role: WorkspaceRole
) -> JSONResponse:
    """Adds the membership, or replaces the role of the existing explicit one."""
    state = sandbox(request)
    _live(account, "be added to a workspace")
    existing = state.federation.membership(account.id, _open(workspace).id)
    if existing is not None:
        return _set_role(request, existing, role)
    member = ServiceAccountMember(account.id, workspace.id, role, actor(request))
    state.federation.add_membership(member)
    record(
        request,
        "service_account_workspace_member_added",
        service_account_id=account.id,
        workspace_id=workspace.id,
        workspace_role=role,
    )
    return ok(member.to_api())


def _remove(request: Request, account: ServiceAccount, workspace: Workspace) -> JSONResponse:
    """Idempotent; the implicit default-workspace membership stays (a no-op)."""
    pair = {"service_account_id": account.id, "workspace_id": _open(workspace).id}
    if sandbox(request).federation.remove_membership(account.id, workspace.id) is not None:
        record(request, "service_account_workspace_member_removed", **pair)
    return ok({"type": "service_account_workspace_member_deleted", **pair})


async def list_account_workspaces(request: Request) -> JSONResponse:
    state = sandbox(request)
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    limit, _, cursor = Query(request.query_params).page_window()
    federation = state.federation
    explicit = federation.memberships_of(account.id)
    explicit.reverse()  # newest first
    if cursor is not None:
        if not account.audit.live or federation.membership(account.id, cursor) is None:
            raise invalid_request(
                "page: the cursor's membership no longer exists (removed, or the service account "
                "was archived); restart from the first page"
            )
        position = next(i for i, m in enumerate(explicit) if m.workspace_id == cursor)
        head: list[ServiceAccountMember] = []
        rest = explicit[position + 1 :]
    elif not account.audit.live:
        return ok({"data": [], "next_page": None})
    else:
        has_default = federation.membership(account.id, state.default_workspace_id) is not None
        head = [] if has_default else [_implicit(state, account)]
        rest = explicit
    # The implicit entry fills a slot of the page, except that a page always holds at least one
    # explicit membership when there is one, so a cursor can be derived ("with limit=1 the first
    # page may return up to 2 entries", says the SDK).
    room = max(1, limit - len(head))
    chunk = rest[:room]
    following = encode_page(chunk[-1].workspace_id) if len(rest) > room else None
    return ok({"data": [member.to_api() for member in head + chunk], "next_page": following})


async def add_account_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    body = Body(await read_json(request, required=True), ("workspace_id", "workspace_role"))
    workspace_id = body.id("workspace_id", ids.WORKSPACE, "workspace")
    role = _member_role(body)
    return _add(request, account, state.workspaces.find(workspace_id), role)


async def remove_account_workspace(request: Request) -> JSONResponse:
    state = sandbox(request)
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    return _remove(request, account, workspace)


async def list_workspace_accounts(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = _open(state.workspaces.find(request.path_params["workspace_id"]))
    limit, _, cursor = Query(request.query_params).page_window()
    federation = state.federation
    members = [
        member
        for member in reversed(federation.memberships_in(workspace.id))
        if federation.service_accounts[member.service_account_id].audit.live
    ]
    start = 0
    if cursor is not None:
        position = next((i for i, m in enumerate(members) if m.service_account_id == cursor), None)
        if position is None:
            raise invalid_request(
                "page: the cursor's membership no longer exists; restart from the first page"
            )
        start = position + 1
    chunk = members[start : start + limit]
    more = start + limit < len(members) and chunk
    following = encode_page(chunk[-1].service_account_id) if more else None
    return ok({"data": [member.to_api() for member in chunk], "next_page": following})


async def add_workspace_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    body = Body(await read_json(request, required=True), ("service_account_id", "workspace_role"))
    account_id = body.id("service_account_id", SERVICE_ACCOUNT, "service account")
    role = _member_role(body)
    return _add(request, state.federation.service_accounts.find(account_id), workspace, role)


def _member_of_workspace(state: SandboxState, workspace: Workspace, account_id: str) -> ServiceAccountMember:
    account = state.federation.service_accounts.get(account_id)
    if account is None or not account.audit.live:
        raise not_found(f"service_account_id: no live service account {account_id[:80]!r}")
    member = state.federation.membership(account.id, workspace.id)
    if member is not None:
        return member
    if workspace.id == state.default_workspace_id:
        return _implicit(state, account)
    raise not_found(f"Service account {account.id} is not a member of workspace {workspace.id}")


async def retrieve_workspace_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = _open(state.workspaces.find(request.path_params["workspace_id"]))
    return ok(_member_of_workspace(state, workspace, request.path_params["service_account_id"]).to_api())


async def update_workspace_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = _open(state.workspaces.find(request.path_params["workspace_id"]))
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    body = Body(await read_json(request, required=True), ("workspace_role",))
    role = _member_role(body)
    _live(account, "have its workspace role changed")
    member = _member_of_workspace(state, workspace, account.id)
    if member.implicit:
        raise invalid_request(
            "The implicit default-workspace membership cannot be updated; add the service account "
            "to the default workspace explicitly to give it a role"
        )
    return _set_role(request, member, role)


async def remove_workspace_account(request: Request) -> JSONResponse:
    state = sandbox(request)
    workspace = state.workspaces.find(request.path_params["workspace_id"])
    account = state.federation.service_accounts.find(request.path_params["service_account_id"])
    return _remove(request, account, workspace)


_ACCOUNTS: Final = "/v1/organizations/service_accounts"
_ACCOUNT: Final = _ACCOUNTS + "/{service_account_id}"
_IN_WORKSPACE: Final = "/v1/organizations/workspaces/{workspace_id}/service_accounts"
ROUTES = [
    Route(_ACCOUNTS, oauth_only(list_service_accounts), methods=["GET"]),
    Route(_ACCOUNTS, oauth_only(create_service_account), methods=["POST"]),
    Route(_ACCOUNT, oauth_only(retrieve_service_account), methods=["GET"]),
    Route(_ACCOUNT, oauth_only(update_service_account), methods=["POST"]),
    Route(_ACCOUNT + "/archive", oauth_only(archive_service_account), methods=["POST"]),
    Route(_ACCOUNT + "/workspaces", oauth_only(list_account_workspaces), methods=["GET"]),
    Route(_ACCOUNT + "/workspaces", oauth_only(add_account_workspace), methods=["POST"]),
    Route(_ACCOUNT + "/workspaces/{workspace_id}", oauth_only(remove_account_workspace), methods=["DELETE"]),
    Route(_IN_WORKSPACE, oauth_only(list_workspace_accounts), methods=["GET"]),
    Route(_IN_WORKSPACE, oauth_only(add_workspace_account), methods=["POST"]),
    Route(_IN_WORKSPACE + "/{service_account_id}", oauth_only(retrieve_workspace_account), methods=["GET"]),
    Route(_IN_WORKSPACE + "/{service_account_id}", oauth_only(update_workspace_account), methods=["POST"]),
    Route(_IN_WORKSPACE + "/{service_account_id}", oauth_only(remove_workspace_account), methods=["DELETE"]),
]
