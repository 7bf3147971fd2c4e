"""Helpers for write tests: scripted humans (elicitation answers) and sandbox state checks."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp.client import ClientRequestContext
from mcp.types import ElicitRequestParams, ElicitResult

from claude_admin_mcp.sandbox.plugins import MARKETPLACE_MANIFEST, archive_of
from claude_admin_mcp.sandbox.plugins_seed import PUBLIC_REPOSITORY, plugin_files
from claude_admin_mcp.sandbox.runner import RunningSandbox

from .api import raw_all, raw_get
from .wif import public_jwk

Human = Callable[[ClientRequestContext, ElicitRequestParams], Awaitable[ElicitResult]]


class ScriptedHuman:
    """An elicitation callback that answers as told and remembers what it was shown."""

    def __init__(self, action: str = "accept", typed: str | None = None, approve: bool = True) -> None:
        self.action, self.typed, self.approve = action, typed, approve
        self.messages: list[str] = []
        self.schemas: list[dict[str, Any]] = []

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.messages.append(params.message)
        schema = getattr(params, "requested_schema", None) or {}
        self.schemas.append(schema)
        if self.action != "accept":
            return ElicitResult(action=self.action)
        properties = schema.get("properties", {})
        if "confirm" in properties:
            return ElicitResult(action="accept", content={"confirm": self.typed or ""})
        return ElicitResult(action="accept", content={"approve": self.approve})


def snapshot(sandbox: RunningSandbox) -> Any:
    """The whole organization, for proving that nothing changed."""
    return json.loads(json.dumps(sandbox.state.snapshot(), default=str))


def audit_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def every_write(sandbox: RunningSandbox, oauth: bool, spare: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """One call of every write tool, in an order where each still has something to change.

    `spare` holds ids a workload identity credential depends on: no write touches them.
    """
    state = sandbox.state
    developers = raw_all(sandbox, "/v1/organizations/users", roles=["developer"])
    workspaces = [w for w in raw_all(sandbox, "/v1/organizations/workspaces") if w["id"] not in spare]
    first, second = workspaces[0], workspaces[1]
    members = {m["user_id"] for m in raw_all(sandbox, f"/v1/organizations/workspaces/{first['id']}/members")}
    member = next(u for u in developers if u["id"] in members)
    outsider = next(u for u in developers if u["id"] not in members)
    leaver = next(u for u in developers if u["id"] not in (member["id"], outsider["id"]))
    invite = raw_all(sandbox, "/v1/organizations/invites", statuses=["pending"])[0]
    key = next(
        k for k in raw_all(sandbox, "/v1/organizations/api_keys", status="active") if k["workspace_id"]
    )
    group = raw_get(sandbox, "/v1/organizations/rate_limits")["data"][0]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("update_user_role", {"user_id": member["id"], "role": "billing"}),
        ("create_invite", {"email": "canary.invitee@acme.com", "role": "developer"}),
        ("delete_invite", {"invite_id": invite["id"]}),
        ("create_workspace", {"name": "Canary Ops", "tags": {"team": "security"}}),
        ("update_workspace", {"workspace_id": first["id"], "name": "Canary Renamed"}),
        (
            "add_workspace_member",
            {"workspace_id": first["id"], "user_id": outsider["id"], "workspace_role": "workspace_user"},
        ),
        (
            "update_workspace_member_role",
            {"workspace_id": first["id"], "user_id": outsider["id"], "workspace_role": "workspace_developer"},
        ),
        ("remove_workspace_member", {"workspace_id": first["id"], "user_id": outsider["id"]}),
        ("update_api_key", {"api_key_id": key["id"], "name": "canary-renamed"}),
        (
            "update_workspace_rate_limit",
            {
                "workspace_id": first["id"],
                "rate_limit_id": group["id"],
                "limits": [{"type": "requests_per_minute", "value": 10}],
            },
        ),
        ("sign_out_user", {"user_id": outsider["id"]}),
        ("remove_user", {"user_id": leaver["id"]}),
        ("archive_workspace", {"workspace_id": second["id"]}),
        *governance_writes(sandbox, outsider["id"]),
        *hooks_writes(sandbox, {first["id"], second["id"], *spare}),
        *integration_writes(sandbox),
    ]
    if not oauth:
        return calls
    federation = state.federation
    account = next(a for a in federation.service_accounts.values() if a.id not in spare)
    rule = next(r for r in federation.rules.values() if r.id not in spare)
    issuer = next(i for i in federation.issuers.values() if i.id not in spare)
    calls.extend(
        [
            ("create_service_account", {"name": "canary-bot", "description": "canary"}),
            ("update_service_account", {"service_account_id": account.id, "description": "canary, updated"}),
            (
                "add_service_account_to_workspace",
                {
                    "service_account_id": account.id,
                    "workspace_id": first["id"],
                    "workspace_role": "workspace_user",
                },
            ),
            (
                "update_service_account_workspace_role",
                {
                    "service_account_id": account.id,
                    "workspace_id": first["id"],
                    "workspace_role": "workspace_developer",
                },
            ),
            (
                "remove_service_account_from_workspace",
                {"service_account_id": account.id, "workspace_id": first["id"]},
            ),
            (
                "create_federation_issuer",
                {
                    "name": "canary-issuer",
                    "issuer_url": "https://canary.example.com",
                    "jwks_keys": [public_jwk()],
                },
            ),
            (
                "update_federation_issuer",
                {"federation_issuer_id": issuer.id, "name": "canary-issuer-renamed"},
            ),
            (
                "create_federation_rule",
                {
                    "name": "canary-rule",
                    "issuer_id": issuer.id,
                    "service_account_id": account.id,
                    "oauth_scope": "workspace:developer",
                    "workspace_id": first["id"],
                    "subject_prefix": "repo:acme/canary:*",
                },
            ),
            ("update_federation_rule", {"federation_rule_id": rule.id, "description": "canary"}),
            ("add_federation_rule_workspace", {"federation_rule_id": rule.id, "workspace_id": first["id"]}),
            (
                "remove_federation_rule_workspace",
                {"federation_rule_id": rule.id, "workspace_id": first["id"]},
            ),
            ("archive_federation_rule", {"federation_rule_id": rule.id}),
            ("archive_federation_issuer", {"federation_issuer_id": issuer.id}),
            ("archive_service_account", {"service_account_id": account.id}),
        ]
    )
    return calls


def governance_writes(sandbox: RunningSandbox, user_id: str) -> list[tuple[str, dict[str, Any]]]:
    """One call of every spend-limit, RBAC and compliance write. A member's limit, not a workspace's:
    a workspace's preview reads this month's cost report by the server's clock, and these servers
    run on real time while the sandbox's data stops at its anchor."""
    governance = sandbox.state.governance
    groups = {group.name: group for group in governance.groups.values()}
    engineering, legal = groups["Engineering"], groups["Legal"]
    pending = [r.id for r in governance.increase_requests.values() if r.status == "pending"]
    own = next(
        limit for limit in governance.spend_limits.values() if limit.scope.type == "user" and limit.amount
    )
    joiner = next(
        u for u in sandbox.state.users.values() if u.role == "developer" and u.id not in engineering.members
    )
    return [
        ("set_spend_limit", {"scope": "user", "user_id": user_id, "amount_usd": 150}),
        ("delete_spend_limit", {"spend_limit_id": own.id}),
        ("approve_spend_increase", {"spend_limit_increase_request_id": pending[0], "amount_usd": 400}),
        ("deny_spend_increase", {"spend_limit_increase_request_id": pending[1]}),
        ("create_rbac_group", {"name": "Canary Reviewers"}),
        ("rename_rbac_group", {"rbac_group_id": legal.id, "name": "Canary Legal"}),
        ("add_rbac_group_member", {"rbac_group_id": engineering.id, "user_id": joiner.id}),
        (
            "remove_rbac_group_member",
            {"rbac_group_id": engineering.id, "user_id": next(iter(engineering.members))},
        ),
        ("delete_rbac_group", {"rbac_group_id": legal.id}),
        ("update_compliance_settings", {"state": "disabled"}),
    ]


def hooks_writes(sandbox: RunningSandbox, avoid: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """One call of every external-key, telemetry and webhook write, on seeded objects, leaving the
    workspaces in `avoid` alone."""
    hooks = sandbox.state.hooks
    keys = {key.display_name: key for key in hooks.external_keys.values()}
    destinations = {d.display_name: d for d in hooks.destinations.values()}
    honeycomb, datadog = destinations["Honeycomb"], destinations["Datadog (Platform)"]
    listed = next(iter(datadog.listed))
    joiner = next(
        w.id
        for w in sandbox.state.workspaces.values()
        if w.archived_at is None and not w.is_default and w.id not in avoid | {listed}
    )
    webhooks = {w.name: w for w in hooks.webhooks.values()}
    return [
        (
            "create_external_key",
            {
                "provider": "gcp",
                "key_name": "projects/acme/locations/us/keyRings/claude/cryptoKeys/canary",
                "display_name": "Canary key",
            },
        ),
        ("update_external_key", {"external_key_id": keys["EU staging"].id, "display_name": "Canary staging"}),
        ("validate_external_key", {"external_key_id": keys["EU staging"].id}),
        ("delete_external_key", {"external_key_id": keys["Retired Azure key"].id}),
        (
            "create_telemetry_destination",
            {"endpoint_url": "https://otel.canary.example.com", "workspaces": "all"},
        ),
        (
            "update_telemetry_destination",
            {"destination_id": honeycomb.id, "display_name": "Canary Honeycomb"},
        ),
        ("test_telemetry_destination", {"destination_id": datadog.id}),
        ("add_telemetry_destination_workspace", {"destination_id": datadog.id, "workspace_id": joiner}),
        ("remove_telemetry_destination_workspace", {"destination_id": datadog.id, "workspace_id": listed}),
        ("delete_telemetry_destination", {"destination_id": honeycomb.id}),
        (
            "create_webhook",
            {
                "url": "https://hooks.canary.example.com",
                "enabled_events": ["external_key.failed"],
                "name": "canary",
            },
        ),
        ("update_webhook", {"webhook_endpoint_id": webhooks["security-alerts"].id, "description": "canary"}),
        ("regenerate_webhook_signing_secret", {"webhook_endpoint_id": webhooks["security-alerts"].id}),
        ("delete_webhook", {"webhook_endpoint_id": webhooks["trust-and-safety"].id}),
    ]


def integration_writes(sandbox: RunningSandbox) -> list[tuple[str, dict[str, Any]]]:
    """One call of every plugin, marketplace and Claude Tag write; the uploads read files made here."""
    plugins, tag = sandbox.state.plugins, sandbox.state.claude_tag
    by_name = {plugin.name: plugin for plugin in plugins.plugins.values()}
    deploy, commits = by_name["acme-deploy-tools"], by_name["commit-commands"]
    library = next(m for m in plugins.marketplaces.values() if m.library)
    folder = Path(tempfile.mkdtemp(prefix="canary-plugin-"))
    for path, content in plugin_files("canary-plugin", "1.0.0").items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(content)
    version = folder.parent / f"{folder.name}-deploy.zip"
    version.write_bytes(archive_of(plugin_files(deploy.name, "2.0.0")))
    marketplace = folder.parent / f"{folder.name}-marketplace.zip"
    marketplace.write_bytes(archive_of({MARKETPLACE_MANIFEST: b'{"name": "canary", "plugins": []}'}))
    team = next(w for w in tag.workspaces.values() if w.slack_id == "T0ACME001")
    off = next(c for c in tag.channels.values() if c.slack_id == "C0RANDOM01")
    bundles = {bundle.display_name: bundle for bundle in tag.bundles.values()}
    tools, desk = bundles["Engineering tools"], bundles["Support desk"]
    return [
        ("create_plugin", {"path": str(folder), "release_notes": "canary"}),
        ("create_plugin_version", {"plugin_id": deploy.id, "path": str(version)}),
        ("pin_plugin_version", {"plugin_id": commits.id, "served_version_id": commits.versions[1]}),
        (
            "set_plugin_installation_setting",
            {"plugin_id": commits.id, "target": "organization", "installation_preference": "required"},
        ),
        ("remove_plugin_installation_setting", {"plugin_id": deploy.id, "target": "organization"}),
        ("delete_plugin", {"plugin_id": by_name["security-guidance"].id}),
        (
            "update_plugin_marketplace",
            {"marketplace_id": library.id, "default_installation_preference": "required"},
        ),
        ("validate_plugin_marketplace_archive", {"path": str(marketplace)}),
        (
            "validate_plugin_marketplace_repository",
            {"repository_url": f"https://github.com/{PUBLIC_REPOSITORY}"},
        ),
        ("update_claude_tag_slack_workspace", {"slack_workspace_id": team.id, "model": "claude-canary"}),
        (
            "create_claude_tag_slack_channel",
            {"slack_workspace": team.slack_id, "slack_channel": "C0DESIGN01"},
        ),
        ("update_claude_tag_slack_channel", {"slack_channel_id": off.id, "instructions": "canary"}),
        ("delete_claude_tag_slack_channel", {"slack_channel_id": off.id}),
        ("update_claude_tag_bundle", {"bundle_id": tools.id, "instructions": "canary"}),
        ("attach_claude_tag_bundle", {"bundle_id": desk.id, "slack_workspace_id": team.id}),
        ("detach_claude_tag_bundle", {"bundle_id": tools.id, "target_id": next(iter(tag.targets[tools.id]))}),
    ]


def every_plan(
    sandbox: RunningSandbox, touched: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, dict[str, Any]]]:
    """One call of every plan tool, on members and workspaces the single writes in `touched` leave alone."""
    used = {str(value) for _, arguments in touched for value in arguments.values()}
    developers = [
        u for u in raw_all(sandbox, "/v1/organizations/users", roles=["developer"]) if u["id"] not in used
    ]
    workspace = next(w for w in raw_all(sandbox, "/v1/organizations/workspaces") if w["id"] not in used)
    members = {
        m["user_id"] for m in raw_all(sandbox, f"/v1/organizations/workspaces/{workspace['id']}/members")
    }
    joiner = next(u for u in developers if u["id"] not in members)
    rest = [u for u in developers if u["id"] != joiner["id"]]
    contractor = next(u["email"].split("@")[1] for u in rest[2:] if not u["email"].endswith("@acme.com"))
    return [
        (
            "apply_changes",
            {
                "changes": [
                    {"tool": "update_user_role", "arguments": {"user_id": rest[0]["id"], "role": "user"}}
                ]
            },
        ),
        ("offboard_user", {"user_id": rest[1]["id"], "deactivate_keys": True}),
        (
            "change_member_roles",
            {"email_domain": contractor, "roles": ["developer"], "role": "claude_code_user"},
        ),
        ("deactivate_unused_keys", {"unused_days": 30}),
        ("withdraw_old_invites", {"older_than_days": 0}),
        (
            "add_workspace_members",
            {"workspace_id": workspace["id"], "user_ids": [joiner["id"]], "workspace_role": "workspace_user"},
        ),
    ]
