"""Generates `tools/sdk_models.py`: the Admin API objects the tools read, as the official SDK
(`anthropic`, the version installed) declares them, trimmed to the fields the tools show.

What the SDK already knows (field names, which are required, the types, the values a role or status
takes) is generated; what only we know (which fields a tool shows, descriptions, previews, the
properties the previews use) stays hand-written in `tools/`. The SDK is not imported when the server
starts: this runs at development time, and `tests/test_generated_models.py` fails while the file is
stale.

    .venv/bin/python scripts/generate_models.py

Types, for reading responses leniently (a newer API must not break a tool): a timestamp is its RFC 3339
text; a closed set of values (`Literal`) is `str`, its values named in a comment and exported as a
tuple where an argument needs them; a nested object is `dict[str, Any]` unless it is generated too.
"""

from __future__ import annotations

import datetime
import importlib
import subprocess
import sys
import types
import typing
from pathlib import Path
from typing import Any

import anthropic
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tools" / "sdk_models.py"
_B = "anthropic.types.beta"
_O = f"{_B}.organization"

MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "User": (f"{_O}.BetaOrganizationUser", ("id", "email", "name", "role", "added_at")),
    "Invite": (
        f"{_O}.BetaOrganizationInvite",
        ("id", "email", "role", "status", "invited_at", "expires_at", "accepted_at"),
    ),
    "Workspace": (
        f"{_O}.BetaWorkspace",
        ("id", "name", "created_at", "archived_at", "display_color", "data_residency", "tags"),
    ),
    "WorkspaceMember": (f"{_O}.BetaWorkspaceMember", ("user_id", "workspace_id", "workspace_role")),
    "ApiKey": (
        f"{_O}.BetaAPIKey",
        ("id", "name", "status", "created_at", "expires_at", "partial_key_hint", "created_by"),
    ),
    "ServiceAccount": (
        f"{_O}.BetaServiceAccount",
        ("id", "name", "organization_role", "description", "created_at", "archived_at"),
    ),
    "ServiceAccountMember": (
        f"{_O}.BetaServiceAccountWorkspaceMember",
        ("service_account_id", "workspace_id", "workspace_role", "implicit"),
    ),
    "Organization": (f"{_B}.beta_organization.BetaOrganization", ("id", "name")),
    "SpendLimit": (
        f"{_O}.BetaSpendLimit",
        ("id", "amount", "currency", "is_enabled", "period", "scope", "created_at", "updated_at"),
    ),
    "SpendSummary": (
        f"{_O}.beta_spend_summary.BetaSpendSummary",
        (
            "actor",
            "amount",
            "currency",
            "period",
            "period_to_date_spend",
            "scope",
            "source",
            "spend_limit_id",
        ),
    ),
    "IncreaseRequest": (
        f"{_O}.spend_limits.BetaSpendLimitIncreaseRequest",
        ("id", "actor", "created_at", "period", "status", "resolved_at", "resolved_by", "spend_summary"),
    ),
    "RbacGroup": (
        f"{_O}.BetaRBACGroup",
        ("id", "name", "role_ids", "source_type", "created_at", "updated_at"),
    ),
    "RbacGroupMember": (
        f"{_O}.rbac_groups.BetaRBACGroupMember",
        ("user_id", "email", "rbac_group_id", "created_at"),
    ),
    "RbacRole": (f"{_O}.BetaRBACRole", ("id", "display_name", "source", "created_at", "updated_at")),
    "RbacPermission": (f"{_O}.rbac_roles.BetaRBACRolePermission", ("action", "resource")),
    "FederationIssuer": (
        f"{_O}.federation.BetaFederationIssuer",
        (
            "id",
            "name",
            "issuer_url",
            "jwks",
            "check_jti",
            "max_jwt_lifetime_seconds",
            "created_at",
            "archived_at",
        ),
    ),
    "FederationRule": (
        f"{_O}.federation.BetaFederationRule",
        (
            "id",
            "name",
            "issuer_id",
            "issuer_name",
            "match",
            "target",
            "oauth_scope",
            "token_lifetime_seconds",
            "applies_to_all_workspaces",
            "workspace_ids",
            "created_at",
            "archived_at",
        ),
    ),
    "ComplianceSettings": (f"{_O}.BetaComplianceSettings", ("state",)),
    "ExternalKey": (
        f"{_O}.BetaExternalKey",
        (
            "id",
            "display_name",
            "provider_config",
            "attachment",
            "geo",
            "user_profile_id",
            "created_at",
            "updated_at",
        ),
    ),
    "ExternalKeyValidation": (f"{_O}.ExternalKeyValidateResponse", ("status", "error")),
    "WebhookEndpoint": (
        f"{_O}.BetaOrganizationWebhookEndpoint",
        (
            "id",
            "name",
            "url",
            "description",
            "enabled_events",
            "state",
            "disabled_reason",
            "created_at",
            "updated_at",
        ),
    ),
    "Plugin": (
        f"{_O}.BetaPlugin",
        (
            "id",
            "name",
            "display_name",
            "description",
            "owner",
            "marketplace_id",
            "served_version_id",
            "served_version_pinned",
            "latest_version_id",
            "manifest_version",
            "organization_installation_preference",
            "organization_installation_preference_inherited",
            "reach",
            "content_scan",
            "components",
            "created_by",
            "created_at",
            "updated_at",
        ),
    ),
    "TelemetryTraces": (
        f"{_O}.BetaTelemetryDestinationTraces",
        ("content_mode", "enabled", "endpoint_url", "max_content_bytes"),
    ),
    "DeliveryHealth": (
        f"{_O}.BetaTelemetryDestinationDeliveryHealth",
        ("last_error", "last_error_at", "last_success_at"),
    ),
    "TelemetryDestination": (
        f"{_O}.BetaTelemetryDestination",
        (
            "id",
            "display_name",
            "endpoint_url",
            "header_names",
            "state",
            "workspaces",
            "traces",
            "delivery_health",
            "created_at",
            "updated_at",
        ),
    ),
    "TelemetryDestinationWorkspace": (
        f"{_O}.telemetry_destinations.BetaTelemetryDestinationWorkspace",
        ("telemetry_destination_id", "workspace_id", "created_at"),
    ),
    "TelemetryTest": (f"{_O}.BetaTelemetryDestinationTestResponse", ("result",)),
    "PluginVersion": (
        f"{_O}.plugins.BetaPluginVersion",
        (
            "id",
            "plugin_id",
            "display_name",
            "description",
            "manifest_version",
            "release_notes",
            "reach",
            "content_scan",
            "components",
            "created_by",
            "created_at",
        ),
    ),
    "InstallationSetting": (
        f"{_O}.plugins.BetaPluginInstallationSetting",
        ("plugin_id", "target", "installation_preference", "created_at", "updated_at"),
    ),
    "PluginShare": (f"{_O}.plugins.BetaPluginShare", ("plugin_id", "target", "granted_at")),
    "Marketplace": (
        f"{_O}.BetaPluginMarketplace",
        (
            "id",
            "name",
            "owner",
            "source",
            "default_installation_preference",
            "sync_status",
            "last_sync_ended_at",
            "last_sync_read_sha",
            "created_at",
        ),
    ),
    "MarketplaceReport": (
        f"{_O}.BetaPluginMarketplaceValidationReport",
        (
            "valid",
            "total_plugin_count",
            "manifest_error",
            "manifest_error_code",
            "plugin_errors",
            "plugin_warnings",
            "commit_sha",
            "ref",
        ),
    ),
    "SlackChannel": (
        f"{_O}.claude_tag.BetaClaudeTagSlackChannel",
        ("id", "slack", "settings", "sources", "created_at", "updated_at"),
    ),
    "SlackWorkspace": (
        f"{_O}.claude_tag.BetaClaudeTagSlackWorkspace",
        ("id", "slack", "settings", "sources", "created_at", "updated_at"),
    ),
    "Bundle": (
        f"{_O}.claude_tag.BetaClaudeTagBundle",
        ("id", "display_name", "description", "instructions", "created_at", "updated_at"),
    ),
}
"""Our name → the SDK class and the fields the tools show."""

VALUES: dict[str, tuple[str, str]] = {
    "ORG_ROLES": (f"{_O}.BetaOrganizationUser", "role"),
    "WORKSPACE_ROLES": (f"{_O}.BetaWorkspaceMember", "workspace_role"),
    "API_KEY_STATUSES": (f"{_O}.BetaAPIKey", "status"),
    "INVITE_STATUSES": (f"{_O}.BetaOrganizationInvite", "status"),
    "WEBHOOK_EVENTS": (f"{_O}.BetaOrganizationWebhookEndpoint", "enabled_events"),
}
"""Closed sets of values an argument takes, as tuples."""


def _sdk_class(path: str) -> type[BaseModel]:
    module, _, name = path.rpartition(".")
    found = getattr(importlib.import_module(module), name)
    assert isinstance(found, type) and issubclass(found, BaseModel), path
    return found


def _literals(annotation: Any) -> tuple[str, ...] | None:
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(value) for value in typing.get_args(annotation))
    return None


def _render(annotation: Any, ours: dict[type, str]) -> tuple[str, str]:
    """(a type expression, a comment) for one SDK field type."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _render(args[0], ours)
    if annotation in (str, int, float, bool):
        return annotation.__name__, ""
    if annotation is datetime.datetime or annotation is datetime.date:
        return "str", "RFC 3339"
    if (values := _literals(annotation)) is not None:
        return "str", " | ".join(values)
    if origin in (typing.Union, types.UnionType):
        arms = [arg for arg in args if arg is not type(None)]
        inner, comment = (
            _render(arms[0], ours) if len(arms) == 1 else ("dict[str, Any]", "one of several shapes")
        )
        optional = type(None) in args and not inner.endswith("| None")  # None nested in None
        return (f"{inner} | None" if optional else inner), comment
    if origin in (list, typing.List):  # noqa: UP006
        inner, comment = _render(args[0], ours)
        return f"list[{inner}]", comment
    if origin in (dict, typing.Dict):  # noqa: UP006
        inner, _ = _render(args[1], ours)
        return f"dict[str, {inner}]", ""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ours.get(annotation, "dict[str, Any]"), "" if annotation in ours else annotation.__name__
    return "Any", ""


def generate() -> str:
    classes = {name: _sdk_class(path) for name, (path, _) in MODELS.items()}
    ours = {cls: name for name, cls in classes.items()}
    lines = [
        f'"""The Admin API objects the tools read, from the SDK (anthropic {anthropic.__version__}).',
        "",
        "Do not edit: `.venv/bin/python scripts/generate_models.py` writes this file from",
        "`scripts/generate_models.py` (which SDK class, which fields the tools show).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        "from pydantic import BaseModel, ConfigDict",
        "",
        "",
        "class ApiObject(BaseModel):",
        '    """Base of API response models: unknown fields pass through (a newer API breaks no tool).',
        "",
        "    Validators are built on first use (`defer_build`): a server start builds none it does not need.",
        '    """',
        "",
        '    model_config = ConfigDict(extra="allow", defer_build=True)',
        "",
        "",
    ]
    for constant, (path, field) in VALUES.items():
        annotation = _sdk_class(path).model_fields[field].annotation
        if typing.get_origin(annotation) in (list, typing.List):  # noqa: UP006
            annotation = typing.get_args(annotation)[0]  # a list of choices: its choices
        values = _literals(annotation)
        assert values is not None, (path, field)
        lines.append(f"{constant}: tuple[str, ...] = {values!r}")
        lines.append(f'"""`{field}` of `{path.rpartition(".")[2]}`."""')
        lines.append("")
    for name, (_path, fields) in MODELS.items():
        cls = classes[name]
        lines += [
            "",
            f"class {name}(ApiObject):",
            f'    """`{cls.__name__}`, the fields the tools show."""',
            "",
        ]
        for field in fields:
            info = cls.model_fields[field]
            rendered, comment = _render(info.annotation, ours)
            optional = not info.is_required() or rendered.endswith("| None")
            if optional and not rendered.endswith("| None"):
                rendered += " | None"
            line = f"    {field}: {rendered}{' = None' if optional else ''}"
            # Long value lists are named by the tuples above (and the SDK); the line stays short.
            comment = comment if len(line) + len(comment) <= 106 else "see the SDK's values"
            lines.append(line + (f"  # {comment}" if comment else ""))
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    # Formatted as the rest of the repository is, so the file compares equal to what this makes.
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run(
        [str(ruff), "format", "--stdin-filename", str(TARGET), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return done.stdout


def main() -> int:
    TARGET.write_text(generate(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
