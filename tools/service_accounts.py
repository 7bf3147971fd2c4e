"""Service accounts (`svac_…`) and their workspace memberships: `/v1/organizations/service_accounts`.

OAuth only: the API refuses admin keys here (`oauth_only`). A service account is the non-human
principal a workload acts as after a workload identity federation exchange (see `federation.py`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from claude_admin_mcp.server.catalog.operation import OAUTH_ONLY, Label, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    AddableWorkspaceRole,
    Arguments,
    Deleted,
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
    SERVICE_ACCOUNTS,
    WORKSPACE,
    WORKSPACES,
    ServiceAccount,
    ServiceAccountMember,
    Workspace,
    live_rules_targeting,
    rule_names,
)

ServiceAccountRole = Literal["developer", "admin"]
PERSON_403 = (
    "Making a service account admin (or creating an admin one) needs a person's credential: a Console "
    "session or `ant auth login --scope org:admin`; a workload's token may only use developer. A token "
    "without org:admin gets 403 everywhere."
)
PERSON_ONLY = (
    "only a person's credential (a Console session or `ant auth login`) may make an admin service "
    "account; a workload token gets 403"
)


class ListServiceAccounts(Arguments):
    include_archived: bool = False
    name_contains: str | None = None


class GetServiceAccount(Arguments):
    service_account_id: ServiceAccountId


class CreateServiceAccount(Arguments):
    name: Slug
    description: str | None = Field(None, max_length=1000)
    organization_role: ServiceAccountRole = "developer"


class UpdateServiceAccount(Arguments):
    service_account_id: ServiceAccountId
    description: str | None = Field(None, max_length=1000)
    organization_role: ServiceAccountRole | None = None

    @model_validator(mode="after")
    def _something(self) -> UpdateServiceAccount:
        if self.description is None and self.organization_role is None:
            raise ValueError("give description and/or organization_role (the name cannot change)")
        return self


class AccountMembership(Arguments):
    service_account_id: ServiceAccountId
    workspace_id: WorkspaceId


class AccountWorkspaceRole(AccountMembership):
    workspace_role: AddableWorkspaceRole


class WorkspaceAccounts(Arguments):
    workspace_id: WorkspaceId


ACCOUNT = Label(SERVICE_ACCOUNTS)
"""A service account's name beside its svac_… id."""


_ACCOUNT_404 = "No service account has that id; list_service_accounts (include_archived=true) finds them."

OPERATIONS = [
    Operation(
        name="list_service_accounts",
        title="List service accounts",
        description="Service accounts (svac_…), the principals workloads act as after a workload "
        "identity exchange: name, org role (developer/admin). Archived ones only with include_archived.",
        toolset="service_accounts",
        method="GET",
        path=SERVICE_ACCOUNTS,
        input=ListServiceAccounts,
        output=ServiceAccount,
        pagination="page_token",
        page_size=PAGE_MAX,
        filters={"name_contains": contains("name")},
        columns=("id", "name", "organization_role", "description", "archived_at"),
        access=OAUTH_ONLY,
    ),
    Operation(
        name="get_service_account",
        title="Get service account",
        description="One service account by id (svac_…).",
        toolset="service_accounts",
        method="GET",
        path=SERVICE_ACCOUNTS + "/{service_account_id}",
        input=GetServiceAccount,
        output=ServiceAccount,
        columns=("id", "name", "organization_role", "description", "created_at", "archived_at"),
        not_found_hint=_ACCOUNT_404,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="list_service_account_workspaces",
        title="List service account's workspaces",
        description="The workspaces a service account belongs to, with its role there (the default "
        "workspace's implicit workspace_user membership first).",
        toolset="service_accounts",
        method="GET",
        path=SERVICE_ACCOUNTS + "/{service_account_id}/workspaces",
        input=GetServiceAccount,
        output=ServiceAccountMember,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="workspace_id",
        columns=("workspace_id", "workspace_role", "implicit"),
        labels={"workspace_id": WORKSPACE},
        not_found_hint=_ACCOUNT_404,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="list_workspace_service_accounts",
        title="List workspace's service accounts",
        description="The service accounts with an explicit membership in a workspace, and their role "
        "there (every one is also an implicit workspace_user of the default workspace).",
        toolset="service_accounts",
        method="GET",
        path=WORKSPACES + "/{workspace_id}/service_accounts",
        input=WorkspaceAccounts,
        output=ServiceAccountMember,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="service_account_id",
        columns=("service_account_id", "workspace_role", "created_by_actor_id"),
        labels={"service_account_id": ACCOUNT},
        not_found_hint="No workspace has that id; list_workspaces finds them.",
        access=OAUTH_ONLY,
    ),
    Operation(
        name="get_workspace_service_account",
        title="Get service account's workspace role",
        description="One service account's role in one workspace (404 if not a member).",
        toolset="service_accounts",
        method="GET",
        path=WORKSPACES + "/{workspace_id}/service_accounts/{service_account_id}",
        input=AccountMembership,
        output=ServiceAccountMember,
        columns=("service_account_id", "workspace_id", "workspace_role", "implicit"),
        labels={"service_account_id": ACCOUNT, "workspace_id": WORKSPACE},
        not_found_hint="That service account is not a member of that workspace (or either id is unknown); "
        "list_service_account_workspaces shows where it is.",
        access=OAUTH_ONLY,
    ),
]


# -- writes ---------------------------------------------------------------------------------------


async def _preview_create(api: Reader, args: CreateServiceAccount) -> Preview:
    action = f"Create service account '{args.name}' with organization role {args.organization_role}"
    same = [
        account for account in await api.all(ServiceAccount, SERVICE_ACCOUNTS) if account.name == args.name
    ]
    if same:
        return Preview(action, refusal=f"a service account is already named '{args.name}' ({same[0].id})")
    details = [
        f"Description: {args.description or '(none)'}.",
        "It joins the default workspace as workspace_user; add_service_account_to_workspace adds others.",
        "Nothing can act as it until a federation rule targets it.",
    ]
    if args.organization_role == "admin":
        details.append(
            f"admin: through an org:admin rule it administers the whole organization; {PERSON_ONLY}."
        )
    return Preview(action, details=tuple(details))


async def _preview_update(api: Reader, args: UpdateServiceAccount) -> Preview:
    account = await api.get(ServiceAccount, f"{SERVICE_ACCOUNTS}/{args.service_account_id}")
    action = f"Update service account {named(account)}"
    if (since := archived_since(account.archived_at)) is not None:
        return Preview(action, refusal=f"it was archived on {since} and cannot change")
    changes = []
    if args.description is not None and args.description != account.description:
        changes.append(f"description: {account.description or '(none)'} → {args.description}")
    before, after = account.organization_role, args.organization_role
    if after is not None and after != before:
        changes.append(f"organization role: {before} → {after}")
        rules = [r for r in await live_rules_targeting(api, account.id) if "org:admin" in r.oauth_scope]
        if after == "developer" and rules:
            changes.append(
                "Its org:admin rules stop authenticating, and their tokens stop working: "
                f"{rule_names(rules)}."
            )
        if after == "admin":
            changes.append(f"It gains admin rights through any org:admin rule; {PERSON_ONLY}.")
    if not changes:
        return Preview(action, nothing_to_do="every value given is already set")
    return Preview(action, details=tuple(changes))


async def _preview_archive(api: Reader, args: GetServiceAccount) -> Preview:
    account = await api.get(ServiceAccount, f"{SERVICE_ACCOUNTS}/{args.service_account_id}")
    action = f"Archive service account {named(account)}"
    if (since := archived_since(account.archived_at)) is not None:
        return Preview(action, nothing_to_do=f"it was archived on {since}")
    rules = await live_rules_targeting(api, account.id)
    if rules:
        return Preview(
            action,
            refusal=f"the API refuses while live federation rules target it: {rule_names(rules)}; archive "
            "or retarget them first (archive_federation_rule, update_federation_rule)",
        )
    members = await api.all(ServiceAccountMember, f"{SERVICE_ACCOUNTS}/{account.id}/workspaces")
    explicit = [m for m in members if not m.implicit]
    memberships = [f"{m.workspace_id} ({m.workspace_role})" for m in explicit]
    return Preview(
        action,
        details=(
            "Irreversible: an archived service account cannot be restored.",
            f"Its workspace memberships end: {listing(memberships)}.",
            "Access tokens already minted for it stop working at once.",
        ),
        confirm_text=account.name,
        workspaces=frozenset(m.workspace_id for m in explicit),
    )


async def _membership(
    api: Reader, args: AccountMembership
) -> tuple[ServiceAccount, Workspace, ServiceAccountMember | None, str | None]:
    """The account, the workspace, the membership (None if none) and why nothing can change."""
    account = await api.get(ServiceAccount, f"{SERVICE_ACCOUNTS}/{args.service_account_id}")
    workspace = await api.get(Workspace, f"{WORKSPACES}/{args.workspace_id}")
    if (since := archived_since(account.archived_at)) is not None:
        return account, workspace, None, f"service account {account.name} was archived on {since}"
    if (since := archived_since(workspace.archived_at)) is not None:
        return account, workspace, None, f"workspace {workspace.name} was archived on {since}"
    member = await api.find(
        ServiceAccountMember, f"{WORKSPACES}/{workspace.id}/service_accounts/{account.id}"
    )
    return account, workspace, member, None


async def _preview_add(api: Reader, args: AccountWorkspaceRole) -> Preview:
    account, workspace, member, blocked = await _membership(api, args)
    action = f"Add service account {account.name} to workspace {workspace.name} as {args.workspace_role}"
    scope = frozenset({args.workspace_id})
    if blocked is not None:
        return Preview(action, refusal=blocked, workspaces=scope)
    details = []
    if member is not None and member.implicit:
        details.append("It is already an implicit workspace_user here; this makes an explicit membership.")
    elif member is not None:
        if member.workspace_role == args.workspace_role:
            return Preview(
                action, nothing_to_do=f"it is already {args.workspace_role} there", workspaces=scope
            )
        details.append(
            f"It is already a member: its role changes {member.workspace_role} → {args.workspace_role}."
        )
    details.append(
        "Workloads acting as it can then use this workspace (as far as their rule's scope allows)."
    )
    return Preview(action, details=tuple(details), workspaces=scope)


async def _preview_role(api: Reader, args: AccountWorkspaceRole) -> Preview:
    account, workspace, member, blocked = await _membership(api, args)
    scope = frozenset({args.workspace_id})
    before = member.workspace_role if member is not None else "?"
    action = (
        f"Change service account {account.name}'s role in workspace {workspace.name}: "
        f"{before} → {args.workspace_role}"
    )
    if blocked is not None:
        return Preview(action, refusal=blocked, workspaces=scope)
    if member is None:
        return Preview(
            action, refusal="it is not a member; use add_service_account_to_workspace", workspaces=scope
        )
    if member.implicit:
        return Preview(
            action,
            refusal="its implicit default-workspace membership cannot change; "
            "add_service_account_to_workspace makes an explicit one",
            workspaces=scope,
        )
    if before == args.workspace_role:
        return Preview(action, nothing_to_do=f"its role there is already {before}", workspaces=scope)
    return Preview(action, workspaces=scope)


async def _preview_remove(api: Reader, args: AccountMembership) -> Preview:
    account, workspace, member, blocked = await _membership(api, args)
    action = f"Remove service account {account.name} from workspace {workspace.name}"
    scope = frozenset({args.workspace_id})
    if blocked is not None:
        return Preview(action, refusal=blocked, workspaces=scope)
    if member is None:
        return Preview(action, nothing_to_do="it is not a member", workspaces=scope)
    if member.implicit:
        return Preview(action, nothing_to_do="its implicit default-workspace membership cannot be removed")
    rules = [
        rule
        for rule in await live_rules_targeting(api, account.id)
        if rule.applies_to_all_workspaces or args.workspace_id in rule.workspace_ids
    ]
    details = [f"Its role there: {member.workspace_role}."]
    if rules:
        details.append(
            f"Exchanges for this workspace through these rules are refused from now on: {rule_names(rules)}."
        )
    return Preview(action, details=tuple(details), confirm_text=account.name, workspaces=scope)


OPERATIONS += [
    Operation(
        name="create_service_account",
        title="Create service account",
        description="Create a service account (name: lowercase, digits, hyphens; immutable). "
        "organization_role "
        "admin only from a person's credential, never a workload's.",
        toolset="service_accounts",
        method="POST",
        path=SERVICE_ACCOUNTS,
        input=CreateServiceAccount,
        output=ServiceAccount,
        idempotent=False,
        preview=organization_wide(_preview_create),
        columns=("id", "name", "organization_role", "description"),
        forbidden_hint=PERSON_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="update_service_account",
        title="Update service account",
        description="Change a service account's description or organization role (its name cannot change).",
        toolset="service_accounts",
        method="POST",
        path=SERVICE_ACCOUNTS + "/{service_account_id}",
        input=UpdateServiceAccount,
        output=ServiceAccount,
        idempotent=True,
        preview=organization_wide(_preview_update),
        columns=("id", "name", "organization_role", "description"),
        not_found_hint=_ACCOUNT_404,
        forbidden_hint=PERSON_403,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="archive_service_account",
        title="Archive service account",
        description="Archive (decommission) a service account (svac_…): irreversible, its minted tokens stop "
        "working. Refused while a live federation rule targets it. The user types its name.",
        toolset="service_accounts",
        method="POST",
        path=SERVICE_ACCOUNTS + "/{service_account_id}/archive",
        input=GetServiceAccount,
        output=ServiceAccount,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_archive),
        columns=("id", "name", "archived_at"),
        not_found_hint=_ACCOUNT_404,
        access=OAUTH_ONLY,
    ),
    Operation(
        name="add_service_account_to_workspace",
        title="Add service account to workspace",
        description="Make a service account a member of a workspace with a role (replaces its role if it "
        "already is one).",
        toolset="service_accounts",
        method="POST",
        path=SERVICE_ACCOUNTS + "/{service_account_id}/workspaces",
        input=AccountWorkspaceRole,
        output=ServiceAccountMember,
        idempotent=True,
        preview=_preview_add,
        columns=("service_account_id", "workspace_id", "workspace_role"),
        not_found_hint="The service account or the workspace does not exist; list_service_accounts and "
        "list_workspaces find them.",
        access=OAUTH_ONLY,
    ),
    Operation(
        name="update_service_account_workspace_role",
        title="Change service account's workspace role",
        description="Change a service account's role in a workspace it belongs to.",
        toolset="service_accounts",
        method="POST",
        path=WORKSPACES + "/{workspace_id}/service_accounts/{service_account_id}",
        input=AccountWorkspaceRole,
        output=ServiceAccountMember,
        idempotent=True,
        preview=_preview_role,
        columns=("service_account_id", "workspace_id", "workspace_role"),
        not_found_hint="It is not a member of that workspace; list_service_account_workspaces shows "
        "where it is.",
        access=OAUTH_ONLY,
    ),
    Operation(
        name="remove_service_account_from_workspace",
        title="Remove service account from workspace",
        description="Take a service account out of a workspace; exchanges for that workspace then fail. "
        "The user must type its name.",
        toolset="service_accounts",
        method="DELETE",
        path=SERVICE_ACCOUNTS + "/{service_account_id}/workspaces/{workspace_id}",
        input=AccountMembership,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=_preview_remove,
        columns=("service_account_id", "workspace_id", "type"),
        not_found_hint="The service account or the workspace does not exist.",
        access=OAUTH_ONLY,
    ),
]
