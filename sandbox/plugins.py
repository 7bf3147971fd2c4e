"""Plugins, their versions, installation settings and shares, and plugin marketplaces: `state.plugins`.

* `marketplaces` (`marketplace_...`): the organization's own (`manual`, whose plugins are uploaded;
  one of them is the library, where uploads naming no marketplace go; or synchronized from a
  repository) and members' personal ones. An organization marketplace has a default installation
  setting that every plugin in it without one of its own inherits.
* `plugins` (`plugin_...`) with their `versions` (`pluginver_...`, oldest first, each holding its
  `.zip` archive as stored, its manifest and its content scan). A new version is served unless the
  served version is pinned; pinning is for good.
* An organization-owned plugin has installation `settings` (organization-wide, or per RBAC group);
  a member-owned one has `shares` (read-only here, given in claude.ai).

Archives are real zips (`archive_of`), made deterministically, so a download is byte for byte what
was stored and the same seed gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .models import format_ts
from .resources import Resources

PREFERENCES: Final = ("auto_install", "available", "not_available", "required")
SOURCES: Final = ("directory", "github", "gitlab", "manual", "public_git")
MANIFEST: Final = ".claude-plugin/plugin.json"
MARKETPLACE_MANIFEST: Final = ".claude-plugin/marketplace.json"
ZIP_TIME: Final = (2026, 1, 1, 0, 0, 0)
"""Every archive member's time: the same files always zip to the same bytes."""

TargetKey = tuple[str, str | None]
"""(`organization` | `rbac_group` | `organization_member`, the group's or member's id)."""


def target_api(key: TargetKey) -> dict[str, object]:
    kind, target = key
    if kind == "rbac_group":
        return {"type": kind, "rbac_group_id": target}
    if kind == "organization_member":
        return {"type": kind, "user_id": target}
    return {"type": "organization"}


def owner_api(user_id: str | None) -> dict[str, object]:
    return {"type": "organization"} if user_id is None else {"type": "user", "user_id": user_id}


def archive_of(files: Mapping[str, bytes], comment: bytes = b"") -> bytes:
    """The files as a zip, members in name order with a fixed time, DEFLATE-compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
        archive.comment = comment
    return buffer.getvalue()


def files_in(archive: bytes, limit: int, marker: str) -> dict[str, bytes] | None:
    """The files of a zip, or None if it is no zip or holds more than `limit` bytes uncompressed. A
    single folder wrapping everything (as a Git host's download has) is unwrapped when the `marker`
    file is inside it rather than at the root."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as opened:
            infos = [info for info in opened.infolist() if not info.is_dir()]
            if sum(info.file_size for info in infos) > limit:
                return None
            found = {info.filename: opened.read(info) for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    tops = {name.split("/", 1)[0] for name in found}
    top = next(iter(tops)) if len(tops) == 1 else ""
    if marker not in found and f"{top}/{marker}" in found:
        return {name[len(top) + 1 :]: content for name, content in found.items()}
    return found


def components_of(files: Mapping[str, bytes], manifest: Mapping[str, Any]) -> list[dict[str, object]]:
    """What a version contains: its skills, commands and agents (by their files), its MCP servers
    and hooks (by its manifest)."""
    found: list[dict[str, object]] = []
    for name in sorted(files):
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == "skills" and parts[2] == "SKILL.md":
            found.append({"type": "skill", "name": parts[1], "description": _description(files[name])})
        elif len(parts) == 2 and parts[0] in ("commands", "agents") and parts[1].endswith(".md"):
            kind = "command" if parts[0] == "commands" else "agent"
            found.append({"type": kind, "name": parts[1][:-3], "description": _description(files[name])})
    servers = manifest.get("mcpServers")
    if isinstance(servers, dict):
        found.extend({"type": "mcp_server", "name": str(key), "description": None} for key in servers)
    hooks = manifest.get("hooks")
    if isinstance(hooks, dict):
        found.extend({"type": "hook", "name": str(event), "description": None} for event in hooks)
    return found


def _description(content: bytes) -> str | None:
    for line in content.decode("utf-8", "replace").splitlines():
        if line.startswith("description:"):
            return line.removeprefix("description:").strip() or None
    return None


def reach_of(components: list[dict[str, object]]) -> str:
    kinds = {component["type"] for component in components}
    if kinds & {"mcp_server", "cli"}:
        return "remote"
    return "privileged" if "hook" in kinds else "contained"


@dataclass(slots=True)
class Marketplace:
    id: str
    name: str
    owner_user_id: str | None
    source: str
    created_at: int
    default_installation_preference: str | None = None
    library: bool = False
    """The organization's library: where uploads that name no marketplace go."""
    sync_status: str | None = None
    last_sync_ended_at: int | None = None
    last_sync_read_sha: str | None = None

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "plugin_marketplace",
            "name": self.name,
            "owner": owner_api(self.owner_user_id),
            "source": self.source,
            "default_installation_preference": self.default_installation_preference,
            "sync_status": self.sync_status,
            "last_sync_ended_at": None
            if self.last_sync_ended_at is None
            else format_ts(self.last_sync_ended_at),
            "last_sync_read_sha": self.last_sync_read_sha,
            "created_at": format_ts(self.created_at),
        }


@dataclass(slots=True)
class Version:
    id: str
    plugin_id: str
    archive: bytes
    manifest: dict[str, Any]
    components: list[dict[str, object]]
    created_at: int
    created_by: dict[str, object] | None
    release_notes: str | None = None
    scan: dict[str, object] | None = None
    """`content_scan` as the API shows it: {status, assessment, reason}."""

    @property
    def manifest_version(self) -> str | None:
        raw = self.manifest.get("version")
        if not isinstance(raw, str):
            return None
        shown = raw[1:] if raw[:1] in ("v", "V") else raw
        allowed = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-")
        ok = 1 <= len(shown) <= 64 and shown[:1].isdigit() and set(shown) <= allowed
        return shown if ok else None

    def described(self) -> dict[str, object]:
        """What a plugin shows of its served version, and a version of itself."""
        display = self.manifest.get("displayName")
        description = self.manifest.get("description")
        return {
            "display_name": display if isinstance(display, str) else None,
            "description": description if isinstance(description, str) else None,
            "manifest_version": self.manifest_version,
            "components": list(self.components),
            "content_scan": None if self.scan is None else dict(self.scan),
            "reach": reach_of(self.components),
        }

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "plugin_version",
            "plugin_id": self.plugin_id,
            **self.described(),
            "release_notes": self.release_notes,
            "created_at": format_ts(self.created_at),
            "created_by": self.created_by,
        }


@dataclass(slots=True)
class Setting:
    preference: str
    created_at: int
    updated_at: int


@dataclass(slots=True)
class Plugin:
    id: str
    name: str
    marketplace_id: str
    owner_user_id: str | None
    created_at: int
    updated_at: int
    created_by: dict[str, object] | None
    versions: list[str] = field(default_factory=list)
    """Version ids, oldest first."""
    served_version_id: str = ""
    served_version_pinned: bool = False
    settings: dict[TargetKey, Setting] = field(default_factory=dict)
    """Own installation settings (organization-owned plugins), in the order they were first given."""
    shares: dict[TargetKey, int] = field(default_factory=dict)
    """Who a member-owned plugin is shared with, and since when."""

    @property
    def organization_owned(self) -> bool:
        return self.owner_user_id is None


class PluginState:
    def __init__(self) -> None:
        self.marketplaces: Resources[Marketplace] = Resources("plugin marketplace", "marketplace_id")
        self.plugins: Resources[Plugin] = Resources("plugin", "plugin_id")
        self.versions: dict[str, Version] = {}
        self.public_repositories: dict[str, dict[str, bytes]] = {}
        """Public GitHub repositories `validate_repository` can read (`owner/repo` → their files)."""

    def preference_of(self, plugin: Plugin) -> tuple[str | None, bool | None]:
        """(`organization_installation_preference`, `..._inherited`) of a plugin."""
        if not plugin.organization_owned:
            return None, None
        own = plugin.settings.get(("organization", None))
        if own is not None:
            return own.preference, False
        return self.marketplaces[plugin.marketplace_id].default_installation_preference, True

    def plugin_api(self, plugin: Plugin) -> dict[str, object]:
        served = self.versions[plugin.served_version_id]
        preference, inherited = self.preference_of(plugin)
        return {
            "id": plugin.id,
            "type": "plugin",
            "name": plugin.name,
            **served.described(),
            "owner": owner_api(plugin.owner_user_id),
            "marketplace_id": plugin.marketplace_id,
            "latest_version_id": plugin.versions[-1],
            "served_version_id": plugin.served_version_id,
            "served_version_pinned": plugin.served_version_pinned,
            "organization_installation_preference": preference,
            "organization_installation_preference_inherited": inherited,
            "created_at": format_ts(plugin.created_at),
            "created_by": plugin.created_by,
            "updated_at": format_ts(plugin.updated_at),
        }

    def setting_api(self, plugin: Plugin, key: TargetKey) -> dict[str, object]:
        setting = plugin.settings[key]
        return {
            "type": "plugin_installation_setting",
            "plugin_id": plugin.id,
            "target": target_api(key),
            "installation_preference": setting.preference,
            "created_at": format_ts(setting.created_at),
            "updated_at": format_ts(setting.updated_at),
        }

    def add_version(self, plugin: Plugin, version: Version) -> None:
        """Stores a version: served at once unless the plugin's served version is pinned."""
        self.versions[version.id] = version
        plugin.versions.append(version.id)
        if not plugin.served_version_pinned:
            plugin.served_version_id = version.id
        plugin.updated_at = version.created_at

    def remove(self, plugin: Plugin) -> None:
        for version_id in plugin.versions:
            del self.versions[version_id]
        self.plugins.remove(plugin.id)

    def library(self) -> Marketplace | None:
        return next((m for m in self.marketplaces.values() if m.library), None)

    def forget_group(self, group_id: str) -> None:
        for plugin in self.plugins.values():
            plugin.settings.pop(("rbac_group", group_id), None)
            plugin.shares.pop(("rbac_group", group_id), None)

    def snapshot(self) -> dict[str, object]:
        return {
            "marketplaces": [m.to_api() for m in self.marketplaces.values()],
            "plugins": [
                {
                    **self.plugin_api(p),
                    "versions": list(p.versions),
                    "settings": {f"{k[0]}:{k[1]}": s.preference for k, s in p.settings.items()},
                    "shares": sorted(f"{k[0]}:{k[1]}" for k in p.shares),
                }
                for p in self.plugins.values()
            ],
        }
