"""The demo organization's plugin marketplaces and plugins (the plugins the analytics endpoints
count by name and id are these).

* Marketplaces: `acme-library` (the organization's library: `manual`, default `available`),
  `acme-engineering` (synchronized from GitHub, default `auto_install`), and one member's personal
  marketplace.
* `acme-deploy-tools` (library): three versions; the newest is still being scanned, so the one
  before is served. Its own organization-wide setting is `auto_install`, and Engineering's is
  `required`.
* `code-review` (acme-engineering): two versions, inheriting the marketplace's default; Legal's
  setting is `not_available`.
* `commit-commands` (library): two versions, pinned to the older one.
* `security-guidance` (library): two versions, the older one failed its content scan.
* `standup-notes`: a member's own plugin, shared with the organization, Engineering and one member.
* A public repository `acme/claude-plugins` that `validate_repository` can read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from . import ids
from .engagement import PLUGINS as ANALYTICS_PLUGINS
from .plugins import (
    MANIFEST,
    MARKETPLACE_MANIFEST,
    Marketplace,
    Plugin,
    Setting,
    Version,
    archive_of,
    components_of,
)
from .store import SandboxState

DAY: Final = 86_400
HOUR: Final = 3_600
PUBLIC_REPOSITORY: Final = "acme/claude-plugins"
PASS: Final[Mapping[str, object]] = {"status": "completed", "assessment": "pass", "reason": None}


def plugin_files(name: str, version: str, *, skill: str = "", mcp: bool = False) -> dict[str, bytes]:
    """A plugin's files: its manifest, one skill (or command), and an MCP server if asked."""
    manifest: dict[str, object] = {
        "name": name,
        "version": version,
        "displayName": name.replace("-", " ").title(),
        "description": f"Acme's {name.replace('-', ' ')} for Claude.",
    }
    if mcp:
        manifest["mcpServers"] = {"deployer": {"command": "acme-deploy", "args": ["serve"]}}
    skill = skill or name
    said = skill.replace("-", " ").capitalize()
    body = f"---\nname: {skill}\ndescription: {said}.\n---\n\nSteps for {skill}.\n"
    return {MANIFEST: json.dumps(manifest, indent=2).encode(), f"skills/{skill}/SKILL.md": body.encode()}


def _version(
    state: SandboxState,
    plugin: Plugin,
    files: dict[str, bytes],
    at: int,
    scan: Mapping[str, object] | None,
    notes: str | None,
) -> None:
    manifest = json.loads(files[MANIFEST])
    version = Version(
        state.new_id(ids.PLUGIN_VERSION, at),
        plugin.id,
        archive_of(files),
        manifest,
        components_of(files, manifest),
        at,
        plugin.created_by,
        notes,
        None if scan is None else dict(scan),
    )
    state.plugins.add_version(plugin, version)


def seed_plugins(state: SandboxState, anchor: int) -> None:
    plugins = state.plugins
    users = list(state.users.values())
    admin = state.admin_key_user_id
    by_admin: dict[str, object] = {
        "type": "user_actor",
        "user_id": admin,
        "email_address": state.users[admin].email if admin in state.users else None,
    }
    groups = {group.name: group.id for group in state.governance.groups.values()}

    def marketplace(found: Marketplace) -> Marketplace:
        plugins.marketplaces.put(found)
        return found

    at = anchor - 200 * DAY
    library = marketplace(
        Marketplace(state.new_id(ids.MARKETPLACE, at), "acme-library", None, "manual", at, "available", True)
    )
    at = anchor - 150 * DAY
    synced = marketplace(
        Marketplace(
            state.new_id(ids.MARKETPLACE, at),
            "acme-engineering",
            None,
            "github",
            at,
            "auto_install",
            sync_status="success",
            last_sync_ended_at=anchor - 3 * HOUR,
            last_sync_read_sha="9f2c4e1b7a6d3c58e0b4a1f7d2c9e6b3a8f5d1c4",
        )
    )
    developers = [u for u in users if u.role == "developer"]
    member = developers[-1] if developers else users[-1]
    at = anchor - 60 * DAY
    personal = marketplace(
        Marketplace(state.new_id(ids.MARKETPLACE, at), "personal", member.id, "manual", at)
    )

    analytics = {name: plugin_id for name, plugin_id in ANALYTICS_PLUGINS if plugin_id is not None}
    specs: tuple[tuple[str, Marketplace, int], ...] = (
        ("acme-deploy-tools", library, anchor - 180 * DAY),
        ("code-review", synced, anchor - 140 * DAY),
        ("commit-commands", library, anchor - 120 * DAY),
        ("security-guidance", library, anchor - 90 * DAY),
    )
    made: dict[str, Plugin] = {}
    for name, home, at in specs:
        plugin = Plugin(analytics[name], name, home.id, None, at, at, by_admin)
        plugins.plugins.put(plugin)
        made[name] = plugin

    deploy = made["acme-deploy-tools"]
    for number, (version, days) in enumerate((("1.0.0", 180), ("1.1.0", 60), ("1.2.0", 1)), 1):
        scan: Mapping[str, object] = (
            PASS if number < 3 else {"status": "processing", "assessment": None, "reason": None}
        )
        files = plugin_files(deploy.name, version, mcp=True)
        _version(state, deploy, files, anchor - days * DAY, scan, f"Release {version}.")
    # The newest version waits for its scan: the one before stays served.
    deploy.served_version_id = deploy.versions[1]
    deploy.settings[("organization", None)] = Setting("auto_install", anchor - 170 * DAY, anchor - 170 * DAY)
    deploy.settings[("rbac_group", groups["Engineering"])] = Setting(
        "required", anchor - 160 * DAY, anchor - 20 * DAY
    )

    review = made["code-review"]
    for version, days in (("2.0.0", 140), ("2.1.0", 30)):
        _version(state, review, plugin_files(review.name, version), anchor - days * DAY, PASS, None)
    review.settings[("rbac_group", groups["Legal"])] = Setting(
        "not_available", anchor - 100 * DAY, anchor - 100 * DAY
    )

    commits = made["commit-commands"]
    for version, days in (("0.3.0", 120), ("0.4.0", 15)):
        _version(state, commits, plugin_files(commits.name, version), anchor - days * DAY, PASS, None)
    commits.served_version_id, commits.served_version_pinned = commits.versions[0], True

    security = made["security-guidance"]
    failed: Mapping[str, object] = {
        "status": "completed",
        "assessment": "fail",
        "reason": "credential-exposure",
    }
    _version(state, security, plugin_files(security.name, "0.9.0"), anchor - 90 * DAY, failed, None)
    _version(state, security, plugin_files(security.name, "1.0.0"), anchor - 80 * DAY, PASS, "Fixed.")

    by_member: dict[str, object] = {"type": "user_actor", "user_id": member.id, "email_address": member.email}
    at = anchor - 50 * DAY
    standup = Plugin(state.new_id(ids.PLUGIN, at), "standup-notes", personal.id, member.id, at, at, by_member)
    plugins.plugins.put(standup)
    _version(state, standup, plugin_files(standup.name, "0.1.0"), at, None, None)
    shared_with = [u for u in users if u.role == "user"][:1]
    standup.shares[("organization", None)] = anchor - 40 * DAY
    standup.shares[("rbac_group", groups["Engineering"])] = anchor - 30 * DAY
    for user in shared_with:
        standup.shares[("organization_member", user.id)] = anchor - 20 * DAY

    entries = [{"name": name, "source": f"./plugins/{name}"} for name in ("deploy", "lint", "docs")]
    repository: dict[str, bytes] = {
        MARKETPLACE_MANIFEST: json.dumps({"name": "acme", "plugins": entries}).encode(),
    }
    for entry in entries[:2]:  # `docs` is declared but missing: a synchronization would skip it
        for path, content in plugin_files(str(entry["name"]), "1.0.0").items():
            repository[f"plugins/{entry['name']}/{path}"] = content
    plugins.public_repositories[PUBLIC_REPOSITORY] = repository
