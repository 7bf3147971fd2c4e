"""Plugins (`plugin_…`) and their versions (`pluginver_…`), installation settings and shares:
`/v1/organizations/plugins` (Claude Enterprise, beta `ce-plugins-2026-09-01`).

A plugin lives in a plugin marketplace: the organization's own (uploaded, `manual`, or synchronized
from a repository) or a member's personal one. An organization-owned plugin reaches members through
its installation settings (organization-wide, or per RBAC group; without one of its own it inherits
its marketplace's default); a member-owned plugin through the shares its owner gives in claude.ai.
Uploading a plugin or a version sends local files (a folder, or a `.zip`/`.plugin` archive: stdio
only); a version's archive downloads into the exports folder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from claude_admin_mcp.server.catalog.files import Download, DownloadedFile, Upload
from claude_admin_mcp.server.catalog.operation import FromItem, Label, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    Arguments,
    Deleted,
    MarketplaceId,
    PluginId,
    PluginVersionId,
    UserId,
    listing,
    organization_wide,
)
from .models import (
    MARKETPLACES,
    PLUGINS,
    PLUGINS_BETA,
    PLUGINS_FORBIDDEN,
    PLUGINS_READ,
    PLUGINS_WRITE,
    RBAC_GROUPS,
    USERS,
    User,
    plugin_owner,
    preference,
)
from .sdk_models import (
    InstallationSetting,
    Marketplace,
    Plugin,
    PluginShare,
    PluginVersion,
    RbacGroup,
)

TOOLSET = "plugins"
PAGE_MAX = 100
VERSIONS_PAGE_MAX = 1000
MANIFEST = ".claude-plugin/plugin.json"
ORGANIZATION = "organization"
NAME_MAX = 64
NOTES_MAX = 5000
_404 = (
    "No plugin (or version) has that id; list_plugins finds them. An organization without the Plugins "
    "API (Claude Enterprise only) answers 404 on every plugin path."
)
OWNER = Label(USERS, none="the organization")
"""The member who owns a plugin, beside their user_… id (an organization-owned plugin has none)."""
Preference = Literal["required", "auto_install", "available", "not_available"]
Target = str


def _scan(item: Mapping[str, Any]) -> str:
    scan = item.get("content_scan")
    if not isinstance(scan, dict):
        return "not scanned"
    status = str(scan.get("status"))
    verdict = scan.get("assessment") if status == "completed" else status
    reason = scan.get("reason")
    return f"{verdict} ({reason})" if reason else str(verdict)


def _components(item: Mapping[str, Any]) -> str:
    found = item.get("components")
    if not isinstance(found, list):
        return "not enumerated"
    return listing([f"{c.get('type')} {c.get('name')}" for c in found if isinstance(c, dict)], 6)


def _creator(item: Mapping[str, Any]) -> str:
    actor = item.get("created_by")
    if not isinstance(actor, dict):
        return "-"
    if actor.get("type") == "api_actor":
        return f"API key {actor.get('api_key_id')}"
    return str(actor.get("email_address") or actor.get("user_id"))


def _target(item: Mapping[str, Any]) -> str:
    target = item.get("target")
    if not isinstance(target, dict):
        return "?"
    kind = target.get("type")
    if kind == "rbac_group":
        return f"RBAC group {target.get('rbac_group_id')}"
    if kind == "organization_member":
        return f"member {target.get('user_id')}"
    return "the whole organization"


_FORMATS = {
    "owner": FromItem(lambda item: plugin_owner(item.get("owner"))),
    "content_scan": FromItem(_scan),
    "components": FromItem(_components),
    "created_by": FromItem(_creator),
}
_PLUGIN_COLUMNS = (
    "id",
    "name",
    "owner",
    "owner.user_id",
    "marketplace_id",
    "manifest_version",
    "served_version_id",
    "served_version_pinned",
    "organization_installation_preference",
    "reach",
    "content_scan",
)
_VERSION_COLUMNS = (
    "id",
    "manifest_version",
    "created_at",
    "created_by",
    "reach",
    "content_scan",
    "release_notes",
)
_SETTING_FORMATS = {"target": FromItem(_target)}


class ListPlugins(Arguments):
    marketplace_id: MarketplaceId | None = None
    owner_type: Literal["organization", "user"] | None = Field(
        None, description="organization: the organization's marketplaces; user: members' personal ones."
    )
    owner_user_id: UserId | None = Field(None, description="Only this member's personal plugins.")
    created_since: str | None = Field(
        None, serialization_alias="created_at[gte]", description="RFC 3339, e.g. 2026-11-01T00:00:00Z."
    )
    created_before: str | None = Field(None, serialization_alias="created_at[lt]", description="RFC 3339.")


class GetPlugin(Arguments):
    plugin_id: PluginId


class GetVersion(Arguments):
    plugin_id: PluginId
    version: PluginVersionId | Literal["latest"] = Field(description="pluginver_… or latest.")


class DownloadVersion(Arguments):
    plugin_id: PluginId
    version: PluginVersionId


class ListSettings(Arguments):
    plugin_id: PluginId
    target_type: Literal["organization", "rbac_group"] | None = None


class ListShares(Arguments):
    plugin_id: PluginId
    target_type: Literal["organization", "organization_member", "rbac_group"] | None = None


_AREA: dict[str, Any] = {"toolset": TOOLSET, "beta": PLUGINS_BETA, "forbidden_hint": PLUGINS_FORBIDDEN}
"""What every operation of this area shares: its toolset, beta header, and why a key is refused."""

OPERATIONS = [
    Operation(
        name="list_plugins",
        title="List plugins",
        description="Plugins (plugin_…) in the organization's and members' marketplaces, newest first: "
        "owner, which version is live (served), installation setting, content scan. Enterprise.",
        method="GET",
        path=PLUGINS,
        input=ListPlugins,
        output=Plugin,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_PLUGIN_COLUMNS,
        formats=_FORMATS,
        labels={"owner.user_id": OWNER},
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="get_plugin",
        title="Get plugin",
        description="One plugin: what it contains, who owns it, which version is served and pinned.",
        method="GET",
        path=PLUGINS + "/{plugin_id}",
        input=GetPlugin,
        output=Plugin,
        columns=(*_PLUGIN_COLUMNS, "latest_version_id", "components", "created_by", "updated_at"),
        formats=_FORMATS,
        labels={"owner.user_id": OWNER},
        not_found_hint=_404,
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="list_plugin_versions",
        title="List plugin versions",
        description="A plugin's versions (pluginver_…), newest first, with release notes and scans.",
        method="GET",
        path=PLUGINS + "/{plugin_id}/versions",
        input=GetPlugin,
        output=PluginVersion,
        pagination="page_token",
        page_size=VERSIONS_PAGE_MAX,
        columns=_VERSION_COLUMNS,
        formats=_FORMATS,
        not_found_hint=_404,
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="get_plugin_version",
        title="Get plugin version",
        description="One version of a plugin (or its latest): components, reach, content scan.",
        method="GET",
        path=PLUGINS + "/{plugin_id}/versions/{version}",
        input=GetVersion,
        output=PluginVersion,
        columns=(*_VERSION_COLUMNS, "plugin_id", "display_name", "components"),
        formats=_FORMATS,
        not_found_hint=_404,
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="download_plugin_version",
        title="Download plugin version",
        description="Save one version's .zip archive to the exports folder; returns its path and an "
        "exports:// link. Downloading a member's plugin is recorded on the activity feed.",
        method="GET",
        path=PLUGINS + "/{plugin_id}/versions/{version}/content",
        input=DownloadVersion,
        output=DownloadedFile,
        download=Download(suffix="zip", media_type="application/zip", prefix="plugin", noun="plugin archive"),
        not_found_hint=_404,
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="list_plugin_installation_settings",
        title="List plugin installation settings",
        description="Who an organization-owned plugin is for: its organization-wide setting and each "
        "RBAC group's (required, auto_install, available, not_available).",
        method="GET",
        path=PLUGINS + "/{plugin_id}/installation_settings",
        input=ListSettings,
        output=InstallationSetting,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="plugin_id",
        columns=("target", "installation_preference", "updated_at"),
        formats=_SETTING_FORMATS,
        empty_hint="It has no setting of its own: it inherits its marketplace's default.",
        not_found_hint=_404 + " A member-owned plugin has shares instead (list_plugin_shares).",
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="list_plugin_shares",
        title="List plugin shares",
        description="Who a member-owned plugin is shared with (everyone, an RBAC group, one member), "
        "newest first. Read-only: its owner gives and withdraws them.",
        method="GET",
        path=PLUGINS + "/{plugin_id}/shares",
        input=ListShares,
        output=PluginShare,
        pagination="page_token",
        page_size=PAGE_MAX,
        item_id="plugin_id",
        columns=("target", "granted_at"),
        formats=_SETTING_FORMATS,
        not_found_hint=_404 + " An organization-owned plugin has installation settings instead.",
        access=PLUGINS_READ,
        **_AREA,
    ),
]


# -- writes ---------------------------------------------------------------------------------------


def _good_name(name: str) -> bool:
    """A plugin's name: up to 64 lower-case letters (of any alphabet), digits and hyphens."""
    return 0 < len(name) <= NAME_MAX and all(ch == "-" or (ch.isalnum() and not ch.isupper()) for ch in name)


class CreatePlugin(Arguments):
    path: str = Field(
        min_length=1,
        max_length=4096,
        description="Absolute local path: the plugin's folder (holding .claude-plugin/plugin.json) or a "
        ".zip/.plugin archive.",
    )
    marketplace_id: MarketplaceId | None = Field(
        None, description="An organization manual marketplace (default: the organization's library)."
    )
    release_notes: str | None = Field(None, max_length=NOTES_MAX)


class CreateVersion(Arguments):
    plugin_id: PluginId
    path: str = Field(min_length=1, max_length=4096, description="As for create_plugin.")
    release_notes: str | None = Field(None, max_length=NOTES_MAX)


class PinVersion(Arguments):
    plugin_id: PluginId
    served_version_id: PluginVersionId


class SetSetting(Arguments):
    plugin_id: PluginId
    target: Target = Field(
        pattern=r"^(organization|rbac_group_[A-Za-z0-9]{1,64})$",
        description="organization (everyone) or an RBAC group id (rbac_group_…).",
    )
    installation_preference: Preference


class RemoveSetting(Arguments):
    plugin_id: PluginId
    target: Target = Field(
        pattern=r"^(organization|rbac_group_[A-Za-z0-9]{1,64})$",
        description="organization or an RBAC group id (rbac_group_…).",
    )


UPLOAD = Upload(field="path", part="files[]", suffixes=(".zip", ".plugin"), directory=True, manifest=MANIFEST)


def _named(plugin: Plugin) -> str:
    return f"plugin {plugin.name} ({plugin.id})"


async def _plugin(api: Reader, plugin_id: str) -> Plugin:
    return await api.get(Plugin, f"{PLUGINS}/{plugin_id}")


def _marketplace_refusal(marketplace: Marketplace, doing: str) -> str | None:
    if plugin_owner(marketplace.owner) != ORGANIZATION:
        return f"marketplace {marketplace.name} is a member's personal marketplace: only its owner {doing}"
    if marketplace.source != "manual":
        return (
            f"marketplace {marketplace.name} is synchronized from a {marketplace.source} repository: its "
            f"plugins come from the repository, which is where to {doing.removeprefix('can ')}"
        )
    return None


def _manifest_name(api: Reader) -> tuple[str | None, str | None, dict[str, Any]]:
    """(the plugin name the upload's manifest declares, why it cannot be used, the manifest)."""
    sent = api.sent_files()
    if sent is None or sent.manifest is None:
        problem = sent.manifest_problem if sent is not None else "nothing was read"
        return None, f"the upload cannot be a plugin: {problem} (its manifest, with the plugin's name)", {}
    name = sent.manifest.get("name")
    if not isinstance(name, str) or not _good_name(name):
        return (
            None,
            f"{MANIFEST} names the plugin {str(name)[:80]!r}: a name is up to {NAME_MAX} lower-case letters, "
            "digits and hyphens",
            dict(sent.manifest),
        )
    return name, None, dict(sent.manifest)


def _about(manifest: dict[str, Any]) -> str:
    said = [
        f"{key} {str(manifest[key])[:120]!r}"
        for key in ("version", "displayName", "description")
        if manifest.get(key)
    ]
    return f"Its manifest: {', '.join(said)}." if said else "Its manifest declares no version or description."


async def _preview_create(api: Reader, args: CreatePlugin) -> Preview:
    name, problem, manifest = _manifest_name(api)
    action = f"Create plugin {name or '?'}"
    if name is None:
        return Preview(action, refusal=problem)
    where = "the organization's library marketplace (created on first use)"
    details = [_about(manifest)]
    if args.marketplace_id is not None:
        marketplace = await api.get(Marketplace, f"{MARKETPLACES}/{args.marketplace_id}")
        where = f"marketplace {marketplace.name} ({marketplace.id})"
        action = f"Create plugin {name} in {where}"
        if (refusal := _marketplace_refusal(marketplace, "can add plugins to it")) is not None:
            return Preview(action, refusal=refusal)
        taken = [p for p in await api.all(Plugin, PLUGINS, marketplace_id=marketplace.id) if p.name == name]
        if taken:
            return Preview(
                action,
                refusal=f"{where} already has a plugin named {name} ({taken[0].id}): upload a new version of "
                "it with create_plugin_version",
            )
        details.append(
            "Members get it as the marketplace's default installation setting says: "
            f"{preference(marketplace.default_installation_preference)}."
        )
    else:
        action = f"Create plugin {name} in {where}"
        details.append("Members get it as that marketplace's default installation setting says.")
    if args.release_notes:
        details.append(f"Release notes: {args.release_notes[:200]!r}.")
    details.append("The upload becomes its first version, served to members once stored (and scanned).")
    return Preview(action, details=tuple(details))


async def _preview_version(api: Reader, args: CreateVersion) -> Preview:
    plugin = await _plugin(api, args.plugin_id)
    name, problem, manifest = _manifest_name(api)
    action = f"Upload a new version of {_named(plugin)}"
    if plugin_owner(plugin.owner) != ORGANIZATION:
        return Preview(action, refusal="it belongs to a member: only they add versions, in claude.ai")
    marketplace = await api.get(Marketplace, f"{MARKETPLACES}/{plugin.marketplace_id}")
    if (refusal := _marketplace_refusal(marketplace, "can add versions")) is not None:
        return Preview(action, refusal=refusal)
    if name is None:
        return Preview(action, refusal=problem)
    if name != plugin.name:
        return Preview(
            action,
            refusal=f"the upload's manifest names {name!r}, not {plugin.name!r}: a version "
            "must carry its plugin's name",
        )
    served = (
        f"It is stored but not served: the served version is pinned to {plugin.served_version_id} "
        "(pin_plugin_version serves another)."
        if plugin.served_version_pinned
        else f"It becomes the version served to members (now {plugin.served_version_id}, "
        f"{plugin.manifest_version or 'no version number'})."
    )
    details = [_about(manifest), served]
    if args.release_notes:
        details.append(f"Release notes: {args.release_notes[:200]!r}.")
    return Preview(action, details=tuple(details))


async def _preview_pin(api: Reader, args: PinVersion) -> Preview:
    plugin = await _plugin(api, args.plugin_id)
    version = await api.get(PluginVersion, f"{PLUGINS}/{plugin.id}/versions/{args.served_version_id}")
    shown = f"{version.id} ({version.manifest_version or 'no version number'})"
    action = f"Serve version {shown} of {_named(plugin)} to members, and pin it"
    if plugin_owner(plugin.owner) != ORGANIZATION:
        return Preview(action, refusal="it belongs to a member: only they choose its version, in claude.ai")
    scan = version.content_scan or {}
    if scan.get("status") == "processing":
        return Preview(
            action, refusal="that version's content scan is still running: try again once it finishes"
        )
    if scan.get("status") == "errored" or scan.get("assessment") in ("fail", "unknown"):
        verdict = scan.get("assessment") or scan.get("status")
        return Preview(action, refusal=f"that version's content scan says {verdict}: it may not be served")
    if plugin.served_version_pinned and plugin.served_version_id == version.id:
        return Preview(action, nothing_to_do=f"{version.id} is already served and pinned")
    now = (
        "already served; pinning keeps it"
        if plugin.served_version_id == version.id
        else f"{plugin.served_version_id} → {version.id}"
    )
    return Preview(
        action,
        details=(
            f"Served version: {now}.",
            "Pinning cannot be undone, here or in claude.ai: versions uploaded later are stored but no "
            "longer served until pin_plugin_version chooses one.",
            f"Its installation settings stay ({preference(plugin.organization_installation_preference)} "
            "organization-wide).",
        ),
        confirm_text=plugin.name,
    )


async def _preview_delete(api: Reader, args: GetPlugin) -> Preview:
    plugin = await _plugin(api, args.plugin_id)
    action = f"Delete {_named(plugin)} and every version it holds"
    marketplace = await api.get(Marketplace, f"{MARKETPLACES}/{plugin.marketplace_id}")
    if marketplace.source != "manual":
        return Preview(
            action,
            refusal=f"it is synchronized from the {marketplace.source} repository of marketplace "
            f"{marketplace.name}: remove it from the repository",
        )
    versions = await api.all(PluginVersion, f"{PLUGINS}/{plugin.id}/versions")
    details = [f"{len(versions)} versions go with it: {listing([v.id for v in versions], 5)}."]
    if plugin_owner(plugin.owner) == ORGANIZATION:
        settings = await api.all(InstallationSetting, f"{PLUGINS}/{plugin.id}/installation_settings")
        held = [f"{_target(s.model_dump())}: {s.installation_preference}" for s in settings]
        everyone = preference(plugin.organization_installation_preference)
        details.append(
            f"Members lose it (organization-wide: {everyone}); its installation settings go with it: "
            f"{listing(held)}."
        )
        details.append(
            "To take it out of use reversibly instead, set_plugin_installation_setting organization "
            "not_available."
        )
    else:
        owner = await api.find(User, f"{USERS}/{plugin.owner.get('user_id')}")
        shares = await api.all(PluginShare, f"{PLUGINS}/{plugin.id}/shares")
        details.append(
            f"Its owner ({owner.email if owner else plugin.owner.get('user_id')}) no longer has it, and its "
            f"{len(shares)} shares are withdrawn: {listing([_target(s.model_dump()) for s in shares])}."
        )
    details.append("Irreversible: it cannot be restored.")
    return Preview(action, details=tuple(details), confirm_text=plugin.name)


async def _whom(api: Reader, target: str) -> tuple[str, str | None]:
    """(the target as a human reads it, why the API would refuse it)."""
    if target == ORGANIZATION:
        return "the whole organization", None
    group = await api.find(RbacGroup, f"{RBAC_GROUPS}/{target}")
    if group is None:
        return f"RBAC group {target}", "no RBAC group has that id (list_rbac_groups finds them)"
    return f"RBAC group {group.name} ({group.id})", None


async def _setting_of(api: Reader, plugin: Plugin, target: str) -> InstallationSetting | None:
    settings = await api.all(InstallationSetting, f"{PLUGINS}/{plugin.id}/installation_settings")
    for setting in settings:
        kind = setting.target.get("type")
        if (kind == ORGANIZATION and target == ORGANIZATION) or setting.target.get("rbac_group_id") == target:
            return setting
    return None


async def _preview_set(api: Reader, args: SetSetting) -> Preview:
    plugin = await _plugin(api, args.plugin_id)
    whom, missing = await _whom(api, args.target)
    action = f"Set {_named(plugin)}'s installation setting for {whom} to {args.installation_preference}"
    if plugin_owner(plugin.owner) != ORGANIZATION:
        return Preview(
            action, refusal="it belongs to a member: it has shares (given in claude.ai), not settings"
        )
    if missing is not None:
        return Preview(action, refusal=missing)
    own = await _setting_of(api, plugin, args.target)
    before = own.installation_preference if own is not None else None
    if before == args.installation_preference:
        return Preview(action, nothing_to_do=f"{whom} already holds {before} of its own")
    details = [
        f"{whom}: {before or 'no setting of its own'} → {args.installation_preference}.",
        f"Members it applies to: {preference(args.installation_preference)}.",
    ]
    if args.target == ORGANIZATION:
        details.append(
            "Everyone without a group setting of their own gets it; the plugin stops inheriting its "
            f"marketplace's default (now {preference(plugin.organization_installation_preference)})."
        )
    else:
        details.append("The group's members get it, whatever the organization-wide setting says.")
    confirm = plugin.name if args.installation_preference == "not_available" else None
    return Preview(action, details=tuple(details), confirm_text=confirm)


async def _preview_remove(api: Reader, args: RemoveSetting) -> Preview:
    plugin = await _plugin(api, args.plugin_id)
    whom, _ = await _whom(api, args.target)
    action = f"Remove {_named(plugin)}'s own installation setting for {whom}"
    if plugin_owner(plugin.owner) != ORGANIZATION:
        return Preview(
            action, refusal="it belongs to a member: it has shares (given in claude.ai), not settings"
        )
    own = await _setting_of(api, plugin, args.target)
    if own is None:
        inherits = " (it inherits its marketplace's default)" if args.target == ORGANIZATION else ""
        return Preview(action, nothing_to_do=f"{whom} holds no setting of its own{inherits}")
    if args.target == ORGANIZATION:
        marketplace = await api.get(Marketplace, f"{MARKETPLACES}/{plugin.marketplace_id}")
        after = (
            f"the marketplace's default, {preference(marketplace.default_installation_preference)} "
            f"({marketplace.name})"
        )
        rest = "Groups' own settings stay."
    else:
        after = (
            "the plugin's organization-wide setting, "
            f"{preference(plugin.organization_installation_preference)}, or their other groups' settings"
        )
        rest = "The organization-wide setting stays."
    return Preview(
        action,
        details=(f"{whom} holds {own.installation_preference}; they fall back to {after}.", rest),
        confirm_text=plugin.name,
    )


OPERATIONS += [
    Operation(
        name="create_plugin",
        title="Create plugin",
        description="Upload a new organization plugin from a local folder or .zip/.plugin archive (stdio "
        "only, at most 32 MB): its manifest names it; the upload is its first version.",
        method="POST",
        path=PLUGINS,
        input=CreatePlugin,
        output=Plugin,
        upload=UPLOAD,
        idempotent=False,
        preview=organization_wide(_preview_create),
        columns=("id", "name", "marketplace_id", "served_version_id", "content_scan"),
        formats=_FORMATS,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
    Operation(
        name="create_plugin_version",
        title="Upload plugin version",
        description="Upload a new version of an organization plugin from a local folder or archive "
        "(stdio only); members get it unless the served version is pinned.",
        method="POST",
        path=PLUGINS + "/{plugin_id}/versions",
        input=CreateVersion,
        output=PluginVersion,
        upload=UPLOAD,
        idempotent=False,
        preview=organization_wide(_preview_version),
        columns=("id", "plugin_id", "manifest_version", "content_scan"),
        formats=_FORMATS,
        not_found_hint=_404,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
    Operation(
        name="pin_plugin_version",
        title="Pin plugin version",
        description="Serve one stored version of an organization plugin to members (roll back) and pin it: "
        "pinning cannot be undone. The user types the plugin's name.",
        method="POST",
        path=PLUGINS + "/{plugin_id}",
        input=PinVersion,
        output=Plugin,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_pin),
        columns=("id", "name", "served_version_id", "served_version_pinned", "latest_version_id"),
        not_found_hint=_404,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
    Operation(
        name="delete_plugin",
        title="Delete plugin",
        description="Permanently delete an uploaded plugin and all its versions; members lose it. The user "
        "types its name.",
        method="DELETE",
        path=PLUGINS + "/{plugin_id}",
        input=GetPlugin,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete),
        columns=("id", "type"),
        not_found_hint=_404,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
    Operation(
        name="set_plugin_installation_setting",
        title="Set plugin installation setting",
        description="Make an organization plugin required, auto_install, available or not_available for "
        "everyone (target organization) or one RBAC group.",
        method="POST",
        path=PLUGINS + "/{plugin_id}/installation_settings/{target}",
        input=SetSetting,
        output=InstallationSetting,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_set),
        columns=("plugin_id", "target", "installation_preference"),
        formats=_SETTING_FORMATS,
        not_found_hint=_404,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
    Operation(
        name="remove_plugin_installation_setting",
        title="Remove plugin installation setting",
        description="Remove a plugin's own setting for the organization (back to the marketplace default) "
        "or an RBAC group.",
        method="DELETE",
        path=PLUGINS + "/{plugin_id}/installation_settings/{target}",
        input=RemoveSetting,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_remove),
        columns=("plugin_id", "target", "type"),
        formats=_SETTING_FORMATS,
        not_found_hint=_404,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
]
