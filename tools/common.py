"""What the Admin API areas share: argument types (ids, emails, roles), server-side filters and the
wording helpers previews use.

Ids are checked by prefix and character set before any request, so a malformed id is refused
with an example of a valid one, and nothing outside `[A-Za-z0-9_]` can reach a URL path.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Annotated, Any, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from claude_admin_mcp.server.catalog.operation import ORG_ADMIN_ACCESS, Access, Filter
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .sdk_models import ApiObject as ApiObject

_ID_BODY = r"[A-Za-z0-9]+"
_ID_MAX = 64


def _id_type(prefix: str, noun: str, example: str, finder: str) -> Any:
    pattern = rf"^{prefix}{_ID_BODY}$"
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if len(value) > len(prefix) + _ID_MAX or not compiled.fullmatch(value):
            raise PydanticCustomError(
                "id_format",
                "expected {noun} id: '{prefix}' then letters and digits, e.g. {example}{finder}",
                {"noun": noun, "prefix": prefix, "example": example, "finder": finder},
            )
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})]


UserId = _id_type("user_", "a user", "user_01WCz1FkmYMm4gnmykNKUu3Q", " (list_users finds them)")
WorkspaceId = _id_type(
    "wrkspc_", "a workspace", "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ", " (list_workspaces finds them)"
)
ApiKeyId = _id_type("apikey_", "an API key", "apikey_01Rj2N8SVvo6BePZj99NhmiT", " (list_api_keys finds them)")
InviteId = _id_type("invite_", "an invite", "invite_015gWxCN9Hfg2QhZwTK7Mdeu", " (list_invites finds them)")
ServiceAccountId = _id_type(
    "svac_", "a service account", "svac_01Hk3R9TWxq7CfQak00OiVw4", " (list_service_accounts finds them)"
)
FederationIssuerId = _id_type(
    "fdis_", "a federation issuer", "fdis_01H8Jq2vTn6yWcX4pLmR9sKe", " (list_federation_issuers finds them)"
)
FederationRuleId = _id_type(
    "fdrl_", "a federation rule", "fdrl_01SDCCSbTxrXDpWc1phhtcfK", " (list_federation_rules finds them)"
)

SpendLimitId = _id_type(
    "spl_", "a spend limit", "spl_01Hk3R9TWxq7CfQak00OiVw4", " (list_spend_limits finds them)"
)
RbacGroupId = _id_type(
    "rbac_group_", "an RBAC group", "rbac_group_01Gc8Yt3Kw6Np2Xr9Lm4Qb7Z", " (list_rbac_groups finds them)"
)
PluginId = _id_type("plugin_", "a plugin", "plugin_01CodeReview8Hq3Tn2Xv7Lm", " (list_plugins finds them)")
PluginVersionId = _id_type(
    "pluginver_", "a plugin version", "pluginver_01Hq3Tn2Xv7LmCodeRev8", " (list_plugin_versions finds them)"
)
MarketplaceId = _id_type(
    "marketplace_",
    "a plugin marketplace",
    "marketplace_01Kw6Np2Xr9Lm4Qb7ZGc8Yt3",
    " (list_plugin_marketplaces finds them)",
)
SlackChannelId = _id_type(
    "slch_",
    "a Claude Tag Slack channel",
    "slch_01Np2Xr9Lm4Qb7ZGc8Yt3Kw6",
    " (list_claude_tag_slack_channels)",
)
SlackWorkspaceId = _id_type(
    "slws_",
    "a Claude Tag Slack workspace",
    "slws_01Xr9Lm4Qb7ZGc8Yt3Kw6Np2",
    " (list_claude_tag_slack_workspaces)",
)
BundleId = _id_type(
    "capp_", "a Claude Tag bundle", "capp_01Lm4Qb7ZGc8Yt3Kw6Np2Xr9", " (list_claude_tag_bundles)"
)
BundleTargetId = _id_type(
    "btgt_", "a bundle target", "btgt_01Qb7ZGc8Yt3Kw6Np2Xr9Lm4", " (list_claude_tag_bundle_targets)"
)


def _opaque_id(noun: str, finder: str) -> Any:
    """An id whose prefix the API does not document: letters, digits, `_` and `-` only, so it can
    name nothing but one path segment."""
    pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(
                "id_format",
                "expected {noun} id: letters, digits, '_' and '-' only ({finder})",
                {"noun": noun, "finder": finder},
            )
        return value

    return Annotated[str, AfterValidator(check), WithJsonSchema({"type": "string", "pattern": pattern})]


IncreaseRequestId = _opaque_id("a spend-limit increase request", "list_spend_increase_requests finds them")
RbacRoleId = _opaque_id("an RBAC role", "list_rbac_roles finds them")
ExternalKeyId = _id_type(
    "ekey_", "an external key", "ekey_01H8Jq2vTn6yWcX4pLmR9sKe", " (list_external_keys finds them)"
)
TelemetryDestinationId = _id_type(
    "tdst_",
    "a telemetry destination",
    "tdst_01Gc8Yt3Kw6Np2Xr9Lm4Qb7Z",
    " (list_telemetry_destinations finds them)",
)
WebhookEndpointId = _opaque_id("a webhook endpoint", "list_webhooks finds them")
UserProfileId = _id_type("uprof_", "a user profile", "uprof_01Hk3R9TWxq7CfQak00OiVw4", "")


def _check_https(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or len(value) > 2048:
        raise PydanticCustomError(
            "https_url", "expected an https:// URL with a host name, at most 2,048 characters", {}
        )
    if parts.username is not None or parts.password is not None:
        raise PydanticCustomError("https_url", "the URL must not carry a user name or password", {})
    return value


DeliveryUrl = Annotated[
    str, AfterValidator(_check_https), WithJsonSchema({"type": "string", "format": "uri", "maxLength": 2048})
]
"""Where the organization's deliveries go (a webhook receiver, a telemetry collector)."""

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}\.[^@\s.]{2,63}$")


def _check_email(value: str) -> str:
    value = value.strip()
    if len(value) > 320 or not _EMAIL.fullmatch(value):
        raise PydanticCustomError(
            "email_format", "expected an email address like ana@example.com", {"got": value[:80]}
        )
    return value


Email = Annotated[str, AfterValidator(_check_email), WithJsonSchema({"type": "string", "format": "email"})]

OrgRole = Literal[
    "user",
    "developer",
    "billing",
    "claude_code_user",
    "admin",
    "managed",
    "membership_admin",
    "owner",
    "primary_owner",
]
"""Every organization role the API reports."""

WorkspaceRole = Literal[
    "workspace_user",
    "workspace_developer",
    "workspace_restricted_developer",
    "workspace_admin",
    "workspace_billing",
]

ApiKeyStatus = Literal["active", "inactive", "archived", "expired"]


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Arguments(BaseModel):
    """Base of tool inputs: unknown arguments are refused, not silently ignored. Validators are built
    on a tool's first call (`defer_build`), not at every server start."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


GRANTABLE_ROLES = ("user", "developer", "billing", "claude_code_user", "managed")
PROTECTED_ROLES = frozenset({"admin", "owner", "primary_owner", "membership_admin"})
"""Roles the Admin API neither grants nor takes away."""


def _check_grantable(value: str) -> str:
    if value in GRANTABLE_ROLES:
        return value
    if value in PROTECTED_ROLES:
        raise PydanticCustomError(
            "role_not_grantable",
            "the Admin API cannot grant '{role}': admins and owners are made in the Console "
            "(Settings → Members) by an owner. Grantable: user, developer, billing, claude_code_user "
            "(managed: Claude Enterprise only)",
            {"role": value},
        )
    raise PydanticCustomError(
        "role",
        "unknown role; grantable: user, developer, billing, claude_code_user (managed: Enterprise only)",
        {"role": value},
    )


GrantableRole = Annotated[
    str, AfterValidator(_check_grantable), WithJsonSchema({"type": "string", "enum": list(GRANTABLE_ROLES)})
]
"""An organization role the Admin API may assign (to a member or an invite)."""

AddableWorkspaceRole = Literal[
    "workspace_user", "workspace_developer", "workspace_restricted_developer", "workspace_admin"
]
"""Workspace roles a new member may get (`workspace_billing` only by a later update)."""


class Person(Protocol):
    @property
    def email(self) -> str: ...

    @property
    def name(self) -> str: ...


def who(user: Person) -> str:
    """A member as a human recognises them: email, with the name when it adds something."""
    return f"{user.email} ({user.name})" if user.name and user.name != user.email else user.email


class Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


def named(item: Named) -> str:
    """An object as "name (id)"."""
    return f"{item.name} ({item.id})"


def archived_since(archived_at: str | None) -> str | None:
    """The day something was archived, or None if it is not."""
    return archived_at[:10] if archived_at else None


Slug = Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[a-z0-9-]+$")]
"""Names of service accounts, issuers and rules: lowercase letters, digits and hyphens."""


def listing(names: list[str], limit: int = 10) -> str:
    """'a, b, c' with '+N more' past `limit`, or 'none'."""
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} (+{len(names) - limit} more)"


class Deleted(ApiObject):
    """What the API answers to a delete: the id (or ids) and a `..._deleted` type."""

    type: str


def contains(field: str) -> Filter:
    """Keep items whose `field` contains the argument, ignoring case."""

    def keep(item: Mapping[str, Any], value: Any) -> bool:
        return str(value).lower() in str(item.get(field) or "").lower()

    return Filter(keep)


def domain_of(field: str) -> Filter:
    """Keep items whose email `field` is at the argument's domain ("acme.com", "@acme.com")."""

    def keep(item: Mapping[str, Any], value: Any) -> bool:
        email = str(item.get(field) or "").lower()
        return email.rpartition("@")[2] == str(value).lower().lstrip("@")

    return Filter(keep)


def one_of(field: str) -> Filter:
    """Keep items whose `field` is one of the argument's values."""

    def keep(item: Mapping[str, Any], value: Any) -> bool:
        return item.get(field) in value

    return Filter(keep)


def organization_wide(
    preview: Callable[[Reader, Any], Awaitable[Preview]],
) -> Callable[[Reader, Any], Awaitable[Preview]]:
    """Marks every preview of a write that changes the organization as a whole (not one workspace),
    which an allowlist lets through only if it names `org`."""

    async def marked(api: Reader, args: Any) -> Preview:
        return replace(await preview(api, args), organization_wide=True)

    return marked


def nest(group: str, *members: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A `reshape` that sends flat arguments nested, as the API takes them: {group: {member: …}}."""

    def reshape(values: dict[str, Any]) -> dict[str, Any]:
        nested = {name: values.pop(name) for name in members if name in values}
        if nested:
            values[group] = nested
        return values

    return reshape


def scoped(*scopes: str) -> Access:
    """An endpoint an admin key, an org:admin token or a scoped key with any of `scopes` may call."""
    return Access(scopes=ORG_ADMIN_ACCESS.scopes | frozenset(scopes))


MEMBERS_READ = scoped("read:members")
MEMBERS_WRITE = scoped("write:members")
ANY_SCOPE = scoped(
    "read:members", "read:rbac_groups", "read:spend_limits", "read:analytics", "read:compliance_activities"
)
"""The organization itself: whatever a credential may read, it may read this."""
