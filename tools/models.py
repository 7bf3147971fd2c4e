"""The Admin API objects more than one area reads (a member, a workspace, a key, a service account,
a federation rule), the paths they live at, and the reads previews of several areas share.

An area's own objects live in its module; what two areas need lives here, so no area imports another.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from claude_admin_mcp.server.catalog.operation import ORG_ADMIN_ACCESS, Access, Label
from claude_admin_mcp.server.catalog.preview import Reader
from claude_admin_mcp.server.catalog.time_range import iso

from . import sdk_models
from .common import listing
from .sdk_models import Invite, ServiceAccount, ServiceAccountMember, User, Workspace, WorkspaceMember

__all__ = [
    "API_KEYS",
    "INVITES",
    "USERS",
    "WORKSPACES",
    "ApiKey",
    "FederationRule",
    "Invite",
    "ServiceAccount",
    "ServiceAccountMember",
    "User",
    "Workspace",
    "WorkspaceMember",
]

USERS = "/v1/organizations/users"
WORKSPACES = "/v1/organizations/workspaces"
API_KEYS = "/v1/organizations/api_keys"
INVITES = "/v1/organizations/invites"
SERVICE_ACCOUNTS = "/v1/organizations/service_accounts"
RULES = "/v1/organizations/federation_rules"
RBAC_GROUPS = "/v1/organizations/rbac_groups"
PLUGINS = "/v1/organizations/plugins"
MARKETPLACES = "/v1/organizations/plugin_marketplaces"
PLUGINS_BETA = "ce-plugins-2026-09-01"
"""Every plugin and marketplace endpoint needs it: without it the API answers 404, as if it had none."""
PAGE_MAX = 100
"""The largest page of the service-account and federation lists."""

MEMBER = Label(USERS)
"""A member's email and name beside their user_… id."""
WORKSPACE = Label(WORKSPACES, {"include_archived": True}, none="Default workspace")
"""A workspace's name beside its id (null: the default workspace)."""
API_KEY = Label(API_KEYS, none="no API key (Console, Workbench, or an OAuth sign-in)")
"""An API key's name beside its id (null: usage no key made)."""
ACTOR = Label("", none="no identity (Workbench)", kinds={"user_": MEMBER, "apikey_": API_KEY})
"""Who used Claude (a report's `actor`): a member's email and name, or an API key's name."""


ANALYTICS_KEY = Access(
    scopes=frozenset({"read:analytics"}),
    remedy="Claude Enterprise analytics take a key with read:analytics: set ANTHROPIC_SCOPED_KEY to it and "
    "ANTHROPIC_SCOPED_KEY_SCOPES=read:analytics (the Primary Owner makes it in claude.ai → Organization "
    "settings → API).",
)
"""The Claude Enterprise analytics endpoints' access: a scoped key with read:analytics (an admin key
is offered them too; the sandbox lets its own stand in)."""
ANALYTICS_FORBIDDEN = (
    "This credential may not read Claude Enterprise analytics: they take a key with read:analytics "
    "(Claude Enterprise only; ANTHROPIC_SCOPED_KEY with ANTHROPIC_SCOPED_KEY_SCOPES=read:analytics)."
)


PLUGINS_READ = Access(
    scopes=ORG_ADMIN_ACCESS.scopes | {"read:plugins", "read:org_audit", "read:compliance_org_data"},
)
PLUGINS_WRITE = Access(scopes=ORG_ADMIN_ACCESS.scopes | {"write:plugins"})
PLUGINS_FORBIDDEN = (
    "The Plugins API is for Claude Enterprise organizations (not Console ones, nor HIPAA-ready ones); its "
    "reads take a key with read:plugins (or read:org_audit, read:compliance_org_data), its changes one "
    "with write:plugins."
)
PREFERENCES = {
    "required": "installed for them, and they cannot remove it",
    "auto_install": "installed for them; they may remove it",
    "available": "offered: they may install it",
    "not_available": "withdrawn: they cannot use it",
}
"""What each installation setting means for the members it applies to."""


def preference(value: str | None) -> str:
    """An installation setting as an administrator reads it: "auto_install (installed for them; …)"."""
    if value is None:
        return "none"
    meaning = PREFERENCES.get(value)
    return f"{value} ({meaning})" if meaning else value


def plugin_owner(owner: Any) -> str:
    """Who owns a plugin or marketplace: the organization, or the member (user_…)."""
    if isinstance(owner, dict) and owner.get("type") == "user":
        return f"member {owner.get('user_id')}"
    return "organization"


class Creator(BaseModel):
    id: str
    type: str | None = None


class ApiKey(sdk_models.ApiKey):
    workspace_id: str | None = None
    """The flat form the documented API sends beside the SDK's `scope`."""

    @property
    def creator(self) -> Creator | None:
        return Creator.model_validate(self.created_by) if self.created_by else None

    @property
    def workspace(self) -> str:
        """The key's workspace id, or "default" for the default workspace."""
        scope = (self.model_extra or {}).get("scope")
        scoped = scope.get("workspace_id") if isinstance(scope, dict) else None
        return str(self.workspace_id or scoped or "default")


class RuleTarget(BaseModel):
    type: str | None = None
    service_account_id: str | None = None
    service_account_name: str | None = None


class FederationRule(sdk_models.FederationRule):
    @property
    def acts_as(self) -> RuleTarget:
        return RuleTarget.model_validate(self.target)


async def workspace_roles_of(api: Reader, user_id: str) -> list[tuple[Workspace, str]]:
    """Every active workspace the user is an explicit member of, with their role there.

    The API has no per-user membership list, so this asks each workspace: one request each.
    """
    roles = []
    for workspace in await api.all(Workspace, WORKSPACES):
        member = await api.find(WorkspaceMember, f"{WORKSPACES}/{workspace.id}/members/{user_id}")
        if member is not None:
            roles.append((workspace, member.workspace_role))
    return roles


async def live_rules_targeting(api: Reader, service_account_id: str) -> list[FederationRule]:
    return [
        rule
        for rule in await api.all(FederationRule, RULES)
        if rule.acts_as.service_account_id == service_account_id
    ]


def rule_names(rules: list[FederationRule]) -> str:
    return listing([f"{rule.name} ({rule.id}, {rule.oauth_scope})" for rule in rules])


class _UsageBucket(BaseModel):
    results: list[dict[str, Any]] = []


async def keys_in_use(api: Reader, days: int) -> frozenset[str]:
    """Keys with any token usage in the last `days` UTC days (today included), from the usage report."""
    now = api.now()
    start = datetime(now.year, now.month, now.day, tzinfo=UTC) - timedelta(days=days - 1)
    used: set[str] = set()
    while start < now:
        end = min(start + timedelta(days=31), now)  # the report's longest span per request
        buckets = await api.all(
            _UsageBucket,
            "/v1/organizations/usage_report/messages",
            starting_at=iso(start),
            ending_at=iso(end),
            bucket_width="1d",
            group_by=["api_key_id"],
        )
        for bucket in buckets:
            used.update(r["api_key_id"] for r in bucket.results if r.get("api_key_id"))
        start = end
    return frozenset(used)
