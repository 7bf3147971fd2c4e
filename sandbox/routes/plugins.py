"""Plugins, their versions, installation settings and shares (state: `plugins.py`).

* Every request needs `anthropic-beta: ce-plugins-2026-09-01`; without it the answer is 404,
  exactly as if the endpoint did not exist (the marketplace routes share this).
* `organization_id`, where taken, must name this organization (its UUID, or `org_` + it): 404 else.
* Create (multipart `files[]`: the plugin's files, each named by its path in it, or one `.zip` or
  `.plugin` archive; optional `marketplace_id`, `release_notes` up to 5,000 characters): the
  manifest `.claude-plugin/plugin.json` names the plugin (lower-case letters, digits, hyphens, up to
  64); the marketplace must be an organization `manual` one (default: the library); a name taken in
  it is 409 `plugin_name_taken` (its id in `details.plugin_id`). The upload is its first version.
* Versions: a new one must carry the plugin's name; it is served unless the plugin is pinned.
  Update (`served_version_id`) serves a version and pins it: a version being scanned is 409
  `scan_pending`, one whose scan failed (or errored, or is `unknown`) is 400 `scan_failed`; a
  member's plugin is 403. Download answers the stored `.zip` (`latest` is refused); downloading a
  member's plugin is recorded on the activity feed.
* Delete takes the plugin and its versions, settings and shares (400 for a plugin synchronized from
  a repository).
* Installation settings (organization-owned plugins; 404 for a member's): target `organization`
  or an RBAC group's id; removing a setting the target does not hold is 404. Shares (member-owned
  plugins; 404 for the organization's) are read-only.
* Lists newest first, `limit` 1-100 (versions 1-1000), `page` cursors.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import ids
from ..errors import ApiError, invalid_request, not_found, permission_denied
from ..models import format_ts
from ..pagination import decode_page, encode_page
from ..params import Body, Query, read_json
from ..plugins import (
    MANIFEST,
    PREFERENCES,
    Marketplace,
    Plugin,
    Setting,
    TargetKey,
    Version,
    archive_of,
    components_of,
    files_in,
    target_api,
)
from ..store import SandboxState
from ._common import betas, caller, ok, record, sandbox

BETA: Final = "ce-plugins-2026-09-01"
MAX_UPLOAD_BYTES: Final = 64 * 1024 * 1024
NOTES_MAX: Final = 5000
NAME_MAX: Final = 64
T = TypeVar("T")


# -- shared with the marketplace routes ---------------------------------------------------------


def gate(request: Request) -> SandboxState:
    """The state, for a request that sent the beta header (404 otherwise, as on the API)."""
    if BETA not in betas(request):
        raise not_found(f"Not found: no endpoint {request.method} {request.url.path[:200]}")
    state = sandbox(request)
    wanted = request.query_params.get("organization_id")
    if wanted is not None and wanted not in (state.organization.id, "org_" + state.organization.id):
        raise not_found(f"organization_id: no organization {wanted[:80]!r} this key may read")
    return state


def page_of(
    items: Sequence[T],
    key: Callable[[T], tuple[int, str]],
    render: Callable[[T], dict[str, object]],
    query: Query,
    maximum: int,
) -> JSONResponse:
    """One `next_page` page of `items` (newest first by `key`), resuming after the cursor's key."""
    limit = query.limit(20, maximum)
    raw = query.string("page")
    ordered = sorted(items, key=key, reverse=True)
    start = 0
    if raw is not None:
        cursor, _, after_key = decode_page(raw).partition(":")
        if not cursor.isdigit():
            raise invalid_request("page: not a cursor from a previous response's next_page")
        after = (int(cursor), after_key)
        start = next((index for index, item in enumerate(ordered) if key(item) < after), len(ordered))
    chosen = ordered[start : start + limit]
    more = start + limit < len(ordered)
    following = None
    if more and chosen:
        stamp, last = key(chosen[-1])
        following = encode_page(f"{stamp}:{last}")
    return ok({"data": [render(item) for item in chosen], "next_page": following})


async def multipart(
    request: Request, part: str, fields: Sequence[str], limit: int
) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    """The file parts named `part` (each with its file name) and the form fields, as the API reads
    a `multipart/form-data` upload: unknown fields, nameless files and oversized bodies refused."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise invalid_request("request body: must be multipart/form-data")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit + 1_000_000:
        raise ApiError(413, f"request body: larger than {limit:,} bytes")
    form = await request.form(max_files=1000, max_fields=20)
    files: list[tuple[str, bytes]] = []
    values: dict[str, str] = {}
    try:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name != part:
                    hint = f" (send each file as a part named {part})" if part.startswith(name) else ""
                    raise invalid_request(f"{name}: not a part this endpoint reads{hint}")
                if not value.filename:
                    raise invalid_request(f"{part}: each part needs a filename")
                files.append((value.filename, await value.read()))
            elif name not in fields:
                raise invalid_request(f"{name}: Extra inputs are not permitted")
            else:
                values[name] = value
    finally:
        await form.close()
    if sum(len(content) for _, content in files) > limit:
        raise ApiError(413, f"request body: larger than {limit:,} bytes")
    return files, values


# -- plugins ---------------------------------------------------------------------------------------


def _plugin(state: SandboxState, request: Request) -> Plugin:
    return state.plugins.plugins.find(request.path_params["plugin_id"])


def _key(plugin: Plugin) -> tuple[int, str]:
    return plugin.created_at, plugin.id


def _stamp(query: Query, name: str) -> int | None:
    raw = query.string(name)
    if raw is None:
        return None
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise invalid_request(f"{name}: {raw[:40]!r} is not an RFC 3339 timestamp") from None


async def list_plugins(request: Request) -> JSONResponse:
    state = gate(request)
    query = Query(request.query_params)
    marketplace = query.optional_id("marketplace_id", ids.MARKETPLACE, "plugin marketplace")
    owner_type = query.enum("owner_type", ("organization", "user"))
    owner = query.optional_id("owner_user_id", ids.USER, "user")
    bounds = {op: _stamp(query, f"created_at[{op}]") for op in ("gt", "gte", "lt", "lte")}

    def keep(plugin: Plugin) -> bool:
        at = plugin.created_at
        return (
            (marketplace is None or plugin.marketplace_id == marketplace)
            and (owner_type is None or (owner_type == "organization") == plugin.organization_owned)
            and (owner is None or plugin.owner_user_id == owner)
            and (bounds["gt"] is None or at > bounds["gt"])
            and (bounds["gte"] is None or at >= bounds["gte"])
            and (bounds["lt"] is None or at < bounds["lt"])
            and (bounds["lte"] is None or at <= bounds["lte"])
        )

    found = [p for p in state.plugins.plugins.values() if keep(p)]
    return page_of(found, _key, state.plugins.plugin_api, query, 100)


def _files_of(parts: list[tuple[str, bytes]]) -> dict[str, bytes]:
    if len(parts) == 1 and parts[0][0].lower().endswith((".zip", ".plugin")):
        unpacked = files_in(parts[0][1], MAX_UPLOAD_BYTES, MANIFEST)
        if unpacked is None:
            raise invalid_request(f"files[]: {parts[0][0][:80]!r} is not a readable zip archive")
        return unpacked
    files: dict[str, bytes] = {}
    for name, content in parts:
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise invalid_request(f"files[]: {name[:80]!r} is not a path within the plugin")
        files[name] = content
    return files


def _manifest(files: dict[str, bytes]) -> dict[str, Any]:
    raw = files.get(MANIFEST)
    if raw is None:
        raise invalid_request(f"files[]: the plugin's files must include its manifest, {MANIFEST}")
    try:
        manifest = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_request(f"files[]: {MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise invalid_request(f"files[]: {MANIFEST} must be a JSON object")
    name = manifest.get("name")
    if (
        not isinstance(name, str)
        or not 0 < len(name) <= NAME_MAX
        or not all(ch == "-" or (ch.isalnum() and not ch.isupper()) for ch in name)
    ):
        raise invalid_request(
            f"name: the manifest's name must be 1-{NAME_MAX} lower-case letters, digits and hyphens"
        )
    return manifest


def _actor(request: Request, state: SandboxState) -> dict[str, object]:
    who = caller(request)
    user = state.users.get(who.user_id)
    if who.kind in ("admin_api_key", "scoped_key"):
        return {"type": "api_actor", "api_key_id": "apikey_01SandboxAdminKey0000000"}
    return {
        "type": "user_actor",
        "user_id": who.user_id,
        "email_address": None if user is None else user.email,
    }


def _new_version(
    request: Request, state: SandboxState, plugin: Plugin, files: dict[str, bytes], notes: str | None
) -> Version:
    manifest = _manifest(files)
    now = state.now_ts()
    version = Version(
        state.new_id(ids.PLUGIN_VERSION, now),
        plugin.id,
        archive_of(files),
        manifest,
        components_of(files, manifest),
        now,
        _actor(request, state),
        notes,
        {"status": "completed", "assessment": "pass", "reason": None},
    )
    state.plugins.add_version(plugin, version)
    return version


def _notes(values: dict[str, str]) -> str | None:
    notes = values.get("release_notes")
    if notes is not None and len(notes) > NOTES_MAX:
        raise invalid_request(f"release_notes: must be at most {NOTES_MAX} characters")
    return notes


def _new_library(state: SandboxState) -> Marketplace:
    """The organization's library marketplace, made on first use."""
    now = state.now_ts()
    library = Marketplace(
        state.new_id(ids.MARKETPLACE, now), "library", None, "manual", now, "available", True
    )
    state.plugins.marketplaces.put(library)
    return library


async def create_plugin(request: Request) -> JSONResponse:
    state = gate(request)
    parts, values = await multipart(request, "files[]", ("marketplace_id", "release_notes"), MAX_UPLOAD_BYTES)
    if not parts:
        raise invalid_request("files[]: Field required (the plugin's files, or one .zip or .plugin archive)")
    files = _files_of(parts)
    manifest = _manifest(files)
    notes = _notes(values)
    chosen = values.get("marketplace_id")
    if chosen is not None:
        marketplace = state.plugins.marketplaces.find(chosen)
        if marketplace.owner_user_id is not None:
            raise permission_denied("marketplace_id: a member's personal marketplace takes no uploads here")
        if marketplace.source != "manual":
            raise invalid_request(
                f"marketplace_id: {marketplace.name} is synchronized from a repository; its plugins are "
                "not uploaded"
            )
    else:
        marketplace = state.plugins.library() or _new_library(state)
    name = str(manifest["name"])
    for other in state.plugins.plugins.values():
        if other.marketplace_id == marketplace.id and other.name == name:
            raise ApiError(
                409,
                f"name: a plugin named {name!r} already exists in this marketplace",
                error_code="plugin_name_taken",
                details={"plugin_id": other.id},
            )
    now = state.now_ts()
    plugin = Plugin(
        state.new_id(ids.PLUGIN, now), name, marketplace.id, None, now, now, _actor(request, state)
    )
    state.plugins.plugins.put(plugin)
    _new_version(request, state, plugin, files, notes)
    record(request, "claude_plugin_created", plugin_id=plugin.id, name=name)
    return ok(state.plugins.plugin_api(plugin))


async def retrieve_plugin(request: Request) -> JSONResponse:
    state = gate(request)
    return ok(state.plugins.plugin_api(_plugin(state, request)))


async def update_plugin(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _plugin(state, request)
    body = Body(await read_json(request, required=True), ("served_version_id",))
    wanted = body.required("served_version_id")
    if wanted == "latest":
        raise invalid_request("served_version_id: name a version (pluginver_...); latest is not accepted")
    if not isinstance(wanted, str) or not ids.looks_like_id(wanted, ids.PLUGIN_VERSION):
        raise invalid_request("served_version_id: not a valid plugin version id (expected pluginver_...)")
    if not plugin.organization_owned:
        raise permission_denied("a member's plugin cannot be updated through this API")
    if wanted not in plugin.versions:
        raise not_found(f"served_version_id: no version {wanted[:80]!r} of plugin {plugin.id}")
    scan = state.plugins.versions[wanted].scan or {}
    if scan.get("status") == "processing":
        raise ApiError(
            409, "served_version_id: that version's content scan is still running", error_code="scan_pending"
        )
    if scan.get("status") == "errored" or scan.get("assessment") in ("fail", "unknown"):
        raise invalid_request(
            "served_version_id: that version did not pass its content scan", error_code="scan_failed"
        )
    if plugin.served_version_id != wanted or not plugin.served_version_pinned:
        previous = plugin.served_version_id
        plugin.served_version_id, plugin.served_version_pinned = wanted, True
        plugin.updated_at = state.now_ts()
        record(
            request, "claude_plugin_version_pinned", plugin_id=plugin.id, previous=previous, version=wanted
        )
    return ok(state.plugins.plugin_api(plugin))


async def delete_plugin(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _plugin(state, request)
    marketplace = state.plugins.marketplaces[plugin.marketplace_id]
    if marketplace.source != "manual":
        raise invalid_request(
            f"plugin {plugin.id} is synchronized from a repository: remove it from the repository instead"
        )
    state.plugins.remove(plugin)
    record(request, "claude_plugin_deleted", plugin_id=plugin.id, name=plugin.name)
    return ok({"id": plugin.id, "type": "plugin_deleted"})


# -- versions --------------------------------------------------------------------------------------


def _version(state: SandboxState, plugin: Plugin, request: Request, *, latest: bool) -> Version:
    wanted = request.path_params["version"]
    if wanted == "latest":
        if not latest:
            raise invalid_request("version: name a version (pluginver_...); latest is not accepted here")
        wanted = plugin.versions[-1]
    if wanted not in plugin.versions:
        raise not_found(f"version: no version {wanted[:80]!r} of plugin {plugin.id}")
    return state.plugins.versions[wanted]


async def create_version(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _plugin(state, request)
    parts, values = await multipart(request, "files[]", ("release_notes",), MAX_UPLOAD_BYTES)
    if not parts:
        raise invalid_request("files[]: Field required (the version's files, or one .zip or .plugin archive)")
    if not plugin.organization_owned:
        raise permission_denied("a member's plugin takes no versions through this API")
    if state.plugins.marketplaces[plugin.marketplace_id].source != "manual":
        raise invalid_request(f"plugin {plugin.id} is synchronized from a repository: it takes no uploads")
    files = _files_of(parts)
    if _manifest(files).get("name") != plugin.name:
        raise invalid_request(f"name: the uploaded manifest must name the plugin {plugin.name!r}")
    version = _new_version(request, state, plugin, files, _notes(values))
    record(request, "claude_plugin_version_created", plugin_id=plugin.id, version=version.id)
    return ok(version.to_api())


async def list_versions(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _plugin(state, request)
    found = [state.plugins.versions[v] for v in plugin.versions]
    return page_of(found, lambda v: (v.created_at, v.id), Version.to_api, Query(request.query_params), 1000)


async def retrieve_version(request: Request) -> JSONResponse:
    state = gate(request)
    return ok(_version(state, _plugin(state, request), request, latest=True).to_api())


async def download_version(request: Request) -> Response:
    state = gate(request)
    plugin = _plugin(state, request)
    version = _version(state, plugin, request, latest=False)
    if not plugin.organization_owned:
        record(request, "claude_plugin_archive_accessed", plugin_id=plugin.id, version=version.id)
    headers = {"content-disposition": f'attachment; filename="{plugin.name}.zip"'}
    return Response(version.archive, media_type="application/zip", headers=headers)


# -- installation settings and shares -------------------------------------------------------------


def _owned(state: SandboxState, request: Request, *, organization: bool) -> Plugin:
    plugin = _plugin(state, request)
    if plugin.organization_owned != organization:
        what = "installation settings" if organization else "shares"
        raise not_found(
            f"plugin {plugin.id} has no {what} (it is {'a member' if organization else 'the organization'}'s)"
        )
    return plugin


def _target(state: SandboxState, request: Request) -> TargetKey:
    raw = request.path_params["target"]
    if raw == "organization":
        return ("organization", None)
    if not ids.looks_like_id(raw, ids.RBAC_GROUP):
        raise invalid_request(f"target: {raw[:80]!r} is neither organization nor an RBAC group id")
    state.governance.groups.find(raw)
    return ("rbac_group", raw)


def _kinds(query: Query, allowed: tuple[str, ...]) -> Callable[[TargetKey], bool]:
    wanted = query.enum("target_type", allowed)
    return lambda key: wanted is None or key[0] == wanted


async def list_settings(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _owned(state, request, organization=True)
    query = Query(request.query_params)
    keep = _kinds(query, ("organization", "rbac_group"))
    found = [key for key in plugin.settings if keep(key)]

    def key(target: TargetKey) -> tuple[int, str]:
        return plugin.settings[target].created_at, f"{target[0]}:{target[1]}"

    return page_of(found, key, lambda target: state.plugins.setting_api(plugin, target), query, 100)


async def set_setting(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _owned(state, request, organization=True)
    target = _target(state, request)
    body = Body(await read_json(request, required=True), ("installation_preference",))
    wanted = body.enum("installation_preference", PREFERENCES, required=True)
    assert wanted is not None
    now = state.now_ts()
    own = plugin.settings.get(target)
    if own is None or own.preference != wanted:
        if own is None:
            plugin.settings[target] = Setting(wanted, now, now)
        else:
            own.preference, own.updated_at = wanted, now
        record(request, "claude_plugin_installation_setting_updated", plugin_id=plugin.id, value=wanted)
    return ok(state.plugins.setting_api(plugin, target))


async def remove_setting(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _owned(state, request, organization=True)
    target = _target(state, request)
    if target not in plugin.settings:
        raise not_found(f"target: plugin {plugin.id} holds no setting of its own for it")
    del plugin.settings[target]
    record(request, "claude_plugin_installation_setting_removed", plugin_id=plugin.id)
    return ok(
        {"type": "plugin_installation_setting_deleted", "plugin_id": plugin.id, "target": target_api(target)}
    )


async def list_shares(request: Request) -> JSONResponse:
    state = gate(request)
    plugin = _owned(state, request, organization=False)
    query = Query(request.query_params)
    keep = _kinds(query, ("organization", "organization_member", "rbac_group"))
    found = [key for key in plugin.shares if keep(key)]

    def render(target: TargetKey) -> dict[str, object]:
        granted = format_ts(plugin.shares[target])
        return {
            "type": "plugin_share",
            "plugin_id": plugin.id,
            "target": target_api(target),
            "granted_at": granted,
        }

    return page_of(found, lambda t: (plugin.shares[t], f"{t[0]}:{t[1]}"), render, query, 100)


_PLUGINS: Final = "/v1/organizations/plugins"
_PLUGIN: Final = _PLUGINS + "/{plugin_id}"
ROUTES = [
    Route(_PLUGINS, list_plugins, methods=["GET"]),
    Route(_PLUGINS, create_plugin, methods=["POST"]),
    Route(_PLUGIN, retrieve_plugin, methods=["GET"]),
    Route(_PLUGIN, update_plugin, methods=["POST"]),
    Route(_PLUGIN, delete_plugin, methods=["DELETE"]),
    Route(_PLUGIN + "/versions", list_versions, methods=["GET"]),
    Route(_PLUGIN + "/versions", create_version, methods=["POST"]),
    Route(_PLUGIN + "/versions/{version}", retrieve_version, methods=["GET"]),
    Route(_PLUGIN + "/versions/{version}/content", download_version, methods=["GET"]),
    Route(_PLUGIN + "/installation_settings", list_settings, methods=["GET"]),
    Route(_PLUGIN + "/installation_settings/{target}", set_setting, methods=["POST"]),
    Route(_PLUGIN + "/installation_settings/{target}", remove_setting, methods=["DELETE"]),
    Route(_PLUGIN + "/shares", list_shares, methods=["GET"]),
]
