"""Plugin marketplaces (`marketplace_…`): where plugins live, the organization's own and members'
personal ones: `/v1/organizations/plugin_marketplaces` (Claude Enterprise, beta `ce-plugins-2026-09-01`).

Marketplaces are created, connected to a repository and deleted in claude.ai; here an organization
marketplace's default installation setting is set (every plugin in it without one of its own gets
it), and marketplace content is checked before it is connected: an archive from a local path (stdio
only) or a public GitHub repository. A check stores nothing, but it sends the archive or the
repository's address to Anthropic, so it is asked like a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from claude_admin_mcp.server.catalog.files import Upload
from claude_admin_mcp.server.catalog.operation import Access, FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import Arguments, MarketplaceId, listing, organization_wide
from .models import (
    MARKETPLACES,
    PLUGINS,
    PLUGINS_BETA,
    PLUGINS_FORBIDDEN,
    PLUGINS_READ,
    PLUGINS_WRITE,
    plugin_owner,
    preference,
)
from .sdk_models import Marketplace, MarketplaceReport, Plugin

TOOLSET = "plugin_marketplaces"
PAGE_MAX = 1000
MANIFEST = ".claude-plugin/marketplace.json"
_404 = (
    "No plugin marketplace has that id; list_plugin_marketplaces finds them. An organization without "
    "the Plugins API (Claude Enterprise only) answers 404 on every plugin path."
)


def _report(item: Mapping[str, Any]) -> str:
    if item.get("manifest_error"):
        return f"not readable: {item.get('manifest_error')}"
    errors = [
        f"{e.get('name')}: {e.get('error')}" for e in item.get("plugin_errors") or [] if isinstance(e, dict)
    ]
    warned = [
        f"{w.get('name')} ({len(w.get('warnings') or [])} parts left out)"
        for w in item.get("plugin_warnings") or []
        if isinstance(w, dict)
    ]
    parts = [f"{item.get('total_plugin_count')} plugins declared"]
    if errors:
        parts.append(f"skipped: {listing(errors, 5)}")
    if warned:
        parts.append(f"in part: {listing(warned, 5)}")
    return "; ".join(parts)


_FORMATS = {
    "owner": FromItem(lambda item: plugin_owner(item.get("owner"))),
    "report": FromItem(_report),
}
_COLUMNS = ("id", "name", "owner", "source", "default_installation_preference", "sync_status", "created_at")


class ListMarketplaces(Arguments):
    owner_type: Literal["organization", "user"] | None = Field(
        None, description="organization: the organization's own; user: members' personal ones."
    )
    source: Literal["manual", "github", "gitlab", "public_git"] | None = Field(
        None, description="manual: plugins are uploaded; the others synchronize from a Git repository."
    )


class GetMarketplace(Arguments):
    marketplace_id: MarketplaceId


_AREA: dict[str, Any] = {"toolset": TOOLSET, "beta": PLUGINS_BETA, "forbidden_hint": PLUGINS_FORBIDDEN}
"""What every operation of this area shares: its toolset, beta header, and why a key is refused."""

OPERATIONS = [
    Operation(
        name="list_plugin_marketplaces",
        title="List plugin marketplaces",
        description="Plugin marketplaces (marketplace_…): the organization's own (uploaded or synced from "
        "a Git host) and members' personal ones, with default installation and sync status. Enterprise.",
        method="GET",
        path=MARKETPLACES,
        input=ListMarketplaces,
        output=Marketplace,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_COLUMNS,
        formats=_FORMATS,
        access=PLUGINS_READ,
        **_AREA,
    ),
    Operation(
        name="get_plugin_marketplace",
        title="Get plugin marketplace",
        description="One plugin marketplace: source, default installation setting, last sync.",
        method="GET",
        path=MARKETPLACES + "/{marketplace_id}",
        input=GetMarketplace,
        output=Marketplace,
        columns=(*_COLUMNS, "last_sync_ended_at", "last_sync_read_sha"),
        formats=_FORMATS,
        not_found_hint=_404,
        access=PLUGINS_READ,
        **_AREA,
    ),
]


# -- writes ---------------------------------------------------------------------------------------


class UpdateMarketplace(Arguments):
    marketplace_id: MarketplaceId
    default_installation_preference: Literal["required", "auto_install", "available", "not_available"]


def _check_repository(value: str) -> str:
    parts = urlsplit(value.strip())
    segments = [s for s in parts.path.removesuffix("/").removesuffix(".git").split("/") if s]
    problem = None
    if len(value) > 2048:
        problem = "is longer than 2,048 characters"
    elif parts.scheme != "https" or parts.hostname != "github.com":
        problem = "must be an https:// URL on github.com"
    elif parts.username or parts.password:
        problem = "must not carry credentials"
    elif parts.port not in (None, 443, 80):
        problem = "may name no port but 443 or 80"
    elif len(segments) != 2 or parts.query or parts.fragment:
        problem = "must name exactly owner/repo (https://github.com/OWNER/REPO)"
    if problem is not None:
        raise PydanticCustomError("repository_url", "the repository URL {problem}", {"problem": problem})
    return value.strip()


def _check_ref(value: str) -> str:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/")
    if not 1 <= len(value) <= 255 or ".." in value or not set(value) <= allowed:
        raise PydanticCustomError(
            "ref",
            "a ref is a branch name or a 40-character commit SHA: 1-255 ASCII letters, digits and . _ - + /, "
            "without '..'",
            {},
        )
    return value


class ValidateRepository(Arguments):
    repository_url: Annotated[str, AfterValidator(_check_repository)] = Field(
        description="A public repository, https://github.com/OWNER/REPO."
    )
    ref: Annotated[str, AfterValidator(_check_ref)] | None = Field(
        None, description="A branch, or a full commit SHA (default: the branch a sync would read)."
    )


class ValidateArchive(Arguments):
    path: str = Field(
        min_length=1,
        max_length=4096,
        description="Absolute local path of a .zip of the marketplace folder (at most 32 MB).",
    )


async def _preview_update(api: Reader, args: UpdateMarketplace) -> Preview:
    marketplace = await api.get(Marketplace, f"{MARKETPLACES}/{args.marketplace_id}")
    wanted = args.default_installation_preference
    named = f"marketplace {marketplace.name} ({marketplace.id})"
    action = f"Set the default installation setting of {named} to {wanted}"
    if plugin_owner(marketplace.owner) != "organization":
        return Preview(action, refusal="it is a member's personal marketplace: it has no default to set")
    before = marketplace.default_installation_preference
    if before == wanted:
        return Preview(action, nothing_to_do=f"its default is already {wanted}")
    plugins = await api.all(Plugin, PLUGINS, marketplace_id=marketplace.id)
    inheriting = [p.name for p in plugins if p.organization_installation_preference_inherited]
    own = [p.name for p in plugins if not p.organization_installation_preference_inherited]
    details = [
        f"Default: {before or 'none'} → {wanted}: {preference(wanted)}.",
        f"{len(inheriting)} plugins without a setting of their own follow it, and every plugin added later: "
        f"{listing(inheriting)}.",
        f"{len(own)} plugins keep their own organization-wide setting: {listing(own)}.",
        "RBAC groups' own settings stay.",
    ]
    if before is None:
        details.append("Once set, a default can be changed but not removed.")
    confirm = marketplace.name if wanted == "not_available" and inheriting else None
    return Preview(action, details=tuple(details), confirm_text=confirm)


async def _preview_archive(api: Reader, args: ValidateArchive) -> Preview:
    sent = api.sent_files()
    action = "Check a plugin marketplace archive against claude.ai's synchronization (stores nothing)"
    details = [
        "Anthropic reads the archive and reports what a synchronization would skip; nothing is connected."
    ]
    if sent is not None and sent.manifest is not None:
        plugins = sent.manifest.get("plugins")
        count = len(plugins) if isinstance(plugins, list) else "no"
        details.append(f"Its {MANIFEST} declares {count} plugins.")
    elif sent is not None:
        details.append(
            f"Its {MANIFEST} cannot be read here ({sent.manifest_problem}): the report will say why."
        )
    return Preview(action, details=tuple(details))


async def _preview_repository(api: Reader, args: ValidateRepository) -> Preview:
    at = f"at {args.ref}" if args.ref else "at the branch a synchronization would read"
    return Preview(
        f"Check the plugin marketplace in {args.repository_url} {at} (stores nothing)",
        details=(
            "Anthropic reads the public repository and reports what a synchronization would skip; "
            "nothing is connected or recorded.",
        ),
    )


VALIDATES = Access(scopes=PLUGINS_WRITE.scopes | {"read:plugins"})
"""The checks take read:plugins or write:plugins (not the audit scopes)."""

OPERATIONS += [
    Operation(
        name="update_plugin_marketplace",
        title="Set marketplace default installation",
        description="Set an organization marketplace's default installation setting (required, "
        "auto_install, available, not_available) for its plugins without their own.",
        method="POST",
        path=MARKETPLACES + "/{marketplace_id}",
        input=UpdateMarketplace,
        output=Marketplace,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_update),
        columns=("id", "name", "default_installation_preference"),
        not_found_hint=_404,
        access=PLUGINS_WRITE,
        **_AREA,
    ),
    Operation(
        name="validate_plugin_marketplace_archive",
        title="Validate marketplace archive",
        description="Check whether a plugin marketplace .zip (local path, stdio only) would synchronize: "
        "which plugins would be skipped and why. Stores nothing.",
        method="POST",
        path=MARKETPLACES + "/validate_archive",
        input=ValidateArchive,
        output=MarketplaceReport,
        upload=Upload(field="path", part="archive", suffixes=(".zip",), manifest=MANIFEST),
        idempotent=True,
        preview=organization_wide(_preview_archive),
        columns=("valid", "report", "commit_sha"),
        formats=_FORMATS,
        access=VALIDATES,
        **_AREA,
    ),
    Operation(
        name="validate_plugin_marketplace_repository",
        title="Validate marketplace repository",
        description="Check whether the plugin marketplace a repository holds (by its URL) would "
        "synchronize: which plugins would be skipped and why. Stores nothing.",
        method="POST",
        path=MARKETPLACES + "/validate_repository",
        input=ValidateRepository,
        output=MarketplaceReport,
        idempotent=True,
        preview=organization_wide(_preview_repository),
        columns=("valid", "report", "ref", "commit_sha"),
        formats=_FORMATS,
        access=VALIDATES,
        **_AREA,
    ),
]
