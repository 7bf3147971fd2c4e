"""The Admin API objects the tools read, from the SDK (anthropic 2.10.0).

Do not edit: `.venv/bin/python scripts/generate_models.py` writes this file from
`scripts/generate_models.py` (which SDK class, which fields the tools show).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ApiObject(BaseModel):
    """Base of API response models: unknown fields pass through (a newer API breaks no tool).

    Validators are built on first use (`defer_build`): a server start builds none it does not need.
    """

    model_config = ConfigDict(extra="allow", defer_build=True)


ORG_ROLES: tuple[str, ...] = (
    "admin",
    "billing",
    "claude_code_user",
    "developer",
    "managed",
    "membership_admin",
    "owner",
    "primary_owner",
    "user",
)
"""`role` of `BetaOrganizationUser`."""

WORKSPACE_ROLES: tuple[str, ...] = (
    "workspace_admin",
    "workspace_billing",
    "workspace_developer",
    "workspace_restricted_developer",
    "workspace_user",
)
"""`workspace_role` of `BetaWorkspaceMember`."""

API_KEY_STATUSES: tuple[str, ...] = ("active", "archived", "expired", "inactive")
"""`status` of `BetaAPIKey`."""

INVITE_STATUSES: tuple[str, ...] = ("accepted", "deleted", "expired", "pending")
"""`status` of `BetaOrganizationInvite`."""

WEBHOOK_EVENTS: tuple[str, ...] = (
    "external_key.failed",
    "external_key.recovered",
    "user_profile.enforcement_action_opened",
    "user_profile.enforcement_action_resolved",
    "user_profile.program_status_updated",
)
"""`enabled_events` of `BetaOrganizationWebhookEndpoint`."""


class User(ApiObject):
    """`BetaOrganizationUser`, the fields the tools show."""

    id: str
    email: str
    name: str
    role: str  # see the SDK's values
    added_at: str  # RFC 3339


class Invite(ApiObject):
    """`BetaOrganizationInvite`, the fields the tools show."""

    id: str
    email: str
    role: str  # see the SDK's values
    status: str  # accepted | deleted | expired | pending
    invited_at: str  # RFC 3339
    expires_at: str  # RFC 3339
    accepted_at: str | None = None  # RFC 3339


class Workspace(ApiObject):
    """`BetaWorkspace`, the fields the tools show."""

    id: str
    name: str
    created_at: str  # RFC 3339
    archived_at: str | None = None  # RFC 3339
    display_color: str
    data_residency: dict[str, Any]  # BetaDataResidency
    tags: dict[str, str]


class WorkspaceMember(ApiObject):
    """`BetaWorkspaceMember`, the fields the tools show."""

    user_id: str
    workspace_id: str
    workspace_role: str  # see the SDK's values


class ApiKey(ApiObject):
    """`BetaAPIKey`, the fields the tools show."""

    id: str
    name: str
    status: str  # active | archived | expired | inactive
    created_at: str  # RFC 3339
    expires_at: str | None = None  # RFC 3339
    partial_key_hint: str | None = None
    created_by: dict[str, Any] | None = None  # BetaAPIKeyCreatedBy


class ServiceAccount(ApiObject):
    """`BetaServiceAccount`, the fields the tools show."""

    id: str
    name: str
    organization_role: str  # admin | developer
    description: str | None = None
    created_at: str  # RFC 3339
    archived_at: str | None = None  # RFC 3339


class ServiceAccountMember(ApiObject):
    """`BetaServiceAccountWorkspaceMember`, the fields the tools show."""

    service_account_id: str
    workspace_id: str
    workspace_role: str  # see the SDK's values
    implicit: bool | None = None


class Organization(ApiObject):
    """`BetaOrganization`, the fields the tools show."""

    id: str
    name: str


class SpendLimit(ApiObject):
    """`BetaSpendLimit`, the fields the tools show."""

    id: str
    amount: str | None = None
    currency: str
    is_enabled: bool
    period: str  # daily | monthly | weekly
    scope: dict[str, Any]  # one of several shapes
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class SpendSummary(ApiObject):
    """`BetaSpendSummary`, the fields the tools show."""

    actor: dict[str, Any]  # one of several shapes
    amount: str | None = None
    currency: str
    period: str  # daily | monthly | weekly
    period_to_date_spend: str
    scope: dict[str, Any]  # one of several shapes
    source: dict[str, Any]  # one of several shapes
    spend_limit_id: str


class IncreaseRequest(ApiObject):
    """`BetaSpendLimitIncreaseRequest`, the fields the tools show."""

    id: str
    actor: dict[str, Any]  # one of several shapes
    created_at: str  # RFC 3339
    period: str  # daily | monthly | weekly
    status: str  # approved | denied | pending
    resolved_at: str | None = None  # RFC 3339
    resolved_by: dict[str, Any] | None = None  # one of several shapes
    spend_summary: SpendSummary | None = None


class RbacGroup(ApiObject):
    """`BetaRBACGroup`, the fields the tools show."""

    id: str
    name: str
    role_ids: list[str] | None = None
    source_type: str  # direct | scim
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class RbacGroupMember(ApiObject):
    """`BetaRBACGroupMember`, the fields the tools show."""

    user_id: str
    email: str
    rbac_group_id: str
    created_at: str  # RFC 3339


class RbacRole(ApiObject):
    """`BetaRBACRole`, the fields the tools show."""

    id: str
    display_name: str
    source: dict[str, Any]  # one of several shapes
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class RbacPermission(ApiObject):
    """`BetaRBACRolePermission`, the fields the tools show."""

    action: str
    resource: dict[str, Any]  # one of several shapes


class FederationIssuer(ApiObject):
    """`BetaFederationIssuer`, the fields the tools show."""

    id: str
    name: str
    issuer_url: str
    jwks: dict[str, Any]  # one of several shapes
    check_jti: bool
    max_jwt_lifetime_seconds: int
    created_at: str  # RFC 3339
    archived_at: str | None = None  # RFC 3339


class FederationRule(ApiObject):
    """`BetaFederationRule`, the fields the tools show."""

    id: str
    name: str
    issuer_id: str
    issuer_name: str | None = None
    match: dict[str, Any]  # BetaFederationRuleMatch
    target: dict[str, Any]  # BetaServiceAccountTarget
    oauth_scope: str
    token_lifetime_seconds: int
    applies_to_all_workspaces: bool
    workspace_ids: list[str]
    created_at: str  # RFC 3339
    archived_at: str | None = None  # RFC 3339


class ComplianceSettings(ApiObject):
    """`BetaComplianceSettings`, the fields the tools show."""

    state: dict[str, Any]  # one of several shapes


class ExternalKey(ApiObject):
    """`BetaExternalKey`, the fields the tools show."""

    id: str
    display_name: str | None = None
    provider_config: dict[str, Any]  # one of several shapes
    attachment: dict[str, Any]  # one of several shapes
    geo: str
    user_profile_id: str | None = None
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class ExternalKeyValidation(ApiObject):
    """`ExternalKeyValidateResponse`, the fields the tools show."""

    status: str  # failure | success
    error: str | None = None


class WebhookEndpoint(ApiObject):
    """`BetaOrganizationWebhookEndpoint`, the fields the tools show."""

    id: str
    name: str
    url: str
    description: str
    enabled_events: list[str]  # see the SDK's values
    state: str  # disabled | enabled
    disabled_reason: str
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class Plugin(ApiObject):
    """`BetaPlugin`, the fields the tools show."""

    id: str
    name: str
    display_name: str | None = None
    description: str | None = None
    owner: dict[str, Any]  # one of several shapes
    marketplace_id: str
    served_version_id: str
    served_version_pinned: bool
    latest_version_id: str
    manifest_version: str | None = None
    organization_installation_preference: str | None = None  # see the SDK's values
    organization_installation_preference_inherited: bool | None = None
    reach: str | None = None  # contained | privileged | remote
    content_scan: dict[str, Any] | None = None  # BetaPluginContentScan
    components: list[dict[str, Any]] | None = None  # BetaPluginComponent
    created_by: dict[str, Any] | None = None  # one of several shapes
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class TelemetryTraces(ApiObject):
    """`BetaTelemetryDestinationTraces`, the fields the tools show."""

    content_mode: str  # metadata_only | content
    enabled: bool
    endpoint_url: str | None = None
    max_content_bytes: int | None = None


class DeliveryHealth(ApiObject):
    """`BetaTelemetryDestinationDeliveryHealth`, the fields the tools show."""

    last_error: str | None = None
    last_error_at: str | None = None  # RFC 3339
    last_success_at: str | None = None  # RFC 3339


class TelemetryDestination(ApiObject):
    """`BetaTelemetryDestination`, the fields the tools show."""

    id: str
    display_name: str | None = None
    endpoint_url: str
    header_names: list[str]
    state: dict[str, Any]  # one of several shapes
    workspaces: dict[str, Any]  # one of several shapes
    traces: TelemetryTraces
    delivery_health: DeliveryHealth
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class TelemetryDestinationWorkspace(ApiObject):
    """`BetaTelemetryDestinationWorkspace`, the fields the tools show."""

    telemetry_destination_id: str
    workspace_id: str
    created_at: str  # RFC 3339


class TelemetryTest(ApiObject):
    """`BetaTelemetryDestinationTestResponse`, the fields the tools show."""

    result: dict[str, Any]  # one of several shapes


class PluginVersion(ApiObject):
    """`BetaPluginVersion`, the fields the tools show."""

    id: str
    plugin_id: str
    display_name: str | None = None
    description: str | None = None
    manifest_version: str | None = None
    release_notes: str | None = None
    reach: str | None = None  # contained | privileged | remote
    content_scan: dict[str, Any] | None = None  # BetaPluginContentScan
    components: list[dict[str, Any]] | None = None  # BetaPluginComponent
    created_by: dict[str, Any] | None = None  # one of several shapes
    created_at: str  # RFC 3339


class InstallationSetting(ApiObject):
    """`BetaPluginInstallationSetting`, the fields the tools show."""

    plugin_id: str
    target: dict[str, Any]  # one of several shapes
    installation_preference: str  # auto_install | available | not_available | required
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class PluginShare(ApiObject):
    """`BetaPluginShare`, the fields the tools show."""

    plugin_id: str
    target: dict[str, Any]  # one of several shapes
    granted_at: str  # RFC 3339


class Marketplace(ApiObject):
    """`BetaPluginMarketplace`, the fields the tools show."""

    id: str
    name: str
    owner: dict[str, Any]  # one of several shapes
    source: str  # directory | github | gitlab | manual | public_git
    default_installation_preference: str | None = None  # auto_install | available | not_available | required
    sync_status: str | None = None  # see the SDK's values
    last_sync_ended_at: str | None = None  # RFC 3339
    last_sync_read_sha: str | None = None
    created_at: str  # RFC 3339


class MarketplaceReport(ApiObject):
    """`BetaPluginMarketplaceValidationReport`, the fields the tools show."""

    valid: bool
    total_plugin_count: int
    manifest_error: str | None = None
    manifest_error_code: str | None = None
    plugin_errors: list[dict[str, Any]]  # BetaPluginMarketplaceValidationPluginErrorObject
    plugin_warnings: list[dict[str, Any]]  # BetaPluginMarketplaceValidationPluginWarnings
    commit_sha: str | None = None
    ref: str | None = None


class SlackChannel(ApiObject):
    """`BetaClaudeTagSlackChannel`, the fields the tools show."""

    id: str
    slack: dict[str, Any]  # BetaClaudeTagSlackChannelIdentifiers
    settings: dict[str, Any]  # BetaClaudeTagSettings
    sources: dict[str, Any]  # BetaClaudeTagSettingSources
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class SlackWorkspace(ApiObject):
    """`BetaClaudeTagSlackWorkspace`, the fields the tools show."""

    id: str
    slack: dict[str, Any]  # BetaClaudeTagSlackWorkspaceIdentifiers
    settings: dict[str, Any]  # BetaClaudeTagSettings
    sources: dict[str, Any]  # BetaClaudeTagSettingSources
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339


class Bundle(ApiObject):
    """`BetaClaudeTagBundle`, the fields the tools show."""

    id: str
    display_name: str
    description: str | None = None
    instructions: str | None = None
    created_at: str  # RFC 3339
    updated_at: str  # RFC 3339
