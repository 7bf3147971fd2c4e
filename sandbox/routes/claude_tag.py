"""Claude Tag: Slack workspaces and channels, their settings, Bundles and Bundle Targets (state:
`claude_tag.py`).

* Every request needs `anthropic-beta: experimental-claude-tag-2026-10-21` (400 otherwise). A
  scoped key needs `read:claude_tag` / `write:claude_tag` (`scoped_keys.py`); the sandbox lets its
  admin key and OAuth token stand in for the organization-level scoped key the API asks for. With
  `writes_enabled` off, changes are 403 `claude_tag_writes_not_enabled`.
* Settings updates (`{"settings": {...}}`) are partial: a setting left out is unchanged, null
  clears it; if any value is refused nothing is stored. `reply_mode` is a channel's only (a
  workspace update sending one is 400) and is never cleared (null on a channel storing one is 400).
  Instructions are trimmed, at most 8,192 characters; blank clears them.
* Setting a channel up: its Slack workspace must be set up (404) and Slack must know the channel
  (404); an already set-up channel is returned (settings applied as an update). Removing one is 400
  `slack_channel_enabled` while Claude is on in it (as `include_inherited` resolves it); it takes its
  Bundle Targets with it; the id then answers 404.
* Bundles: list (Claude Tag's own are not listed), retrieve, update `instructions` (at most 10,000
  bytes; null or "" clears; 400 for one managed in claude.ai). Targets: attach to a set-up channel
  or workspace (an existing attachment is returned), list, retrieve, detach (a repeat is 404).
* Lists newest first, `limit` 1-100, `page` cursors.
"""

from __future__ import annotations

import re
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import ids
from ..claude_tag import (
    GUEST_POLICIES,
    REPLY_MODES,
    Bundle,
    ClaudeTagState,
    SlackChannel,
    SlackWorkspace,
    Target,
    target_id,
)
from ..errors import ApiError, invalid_request, not_found
from ..params import Body, Query, read_json
from ..store import SandboxState
from ._common import betas, ok, record, sandbox
from .plugins import page_of

BETA: Final = "experimental-claude-tag-2026-10-21"
INSTRUCTIONS_MAX: Final = 8192
BUNDLE_INSTRUCTIONS_MAX: Final = 10_000
_ENVIRONMENT: Final = re.compile(r"^(env|ccpool)_[A-Za-z0-9]{1,64}$")
_TEAM: Final = re.compile(r"^T[A-Z0-9]{2,31}$")
_CHANNEL: Final = re.compile(r"^[CG][A-Z0-9]{2,31}$")


def _tag(request: Request, *, write: bool = False) -> tuple[SandboxState, ClaudeTagState]:
    if BETA not in betas(request):
        raise invalid_request(f"This endpoint is in beta: send the header 'anthropic-beta: {BETA}' to use it")
    state = sandbox(request)
    if write and not state.claude_tag.writes_enabled:
        raise ApiError(
            403,
            "Changes through the Claude Tag API are not enabled for this organization",
            error_code="claude_tag_writes_not_enabled",
        )
    return state, state.claude_tag


def _inherited(request: Request) -> bool:
    return Query(request.query_params).boolean("include_inherited", False)


def _settings(body: dict[str, Any], *, channel: SlackChannel | None) -> dict[str, object]:
    """The settings to change (None: clear), checked whole before anything is stored."""
    raw = body.get("settings")
    if not isinstance(raw, dict):
        raise invalid_request("settings: Input should be an object")
    checked = Body(
        raw,
        ("enabled", "environment_id", "guest_policy", "instructions", "model", "reply_mode"),
        prefix="settings.",
    )
    out: dict[str, object] = {}
    for name, value in raw.items():
        where = f"settings.{name}"
        if value is None:
            if name == "reply_mode":
                if channel is not None and "reply_mode" in channel.settings:
                    raise invalid_request(f"{where}: a stored reply mode can be changed but never cleared")
                continue
            out[name] = None
        elif name == "enabled":
            out[name] = checked.boolean(name)
        elif name == "environment_id":
            if not isinstance(value, str) or not _ENVIRONMENT.fullmatch(value):
                raise invalid_request(
                    f"{where}: expected an environment (env_...) or runner pool (ccpool_...) id"
                )
            out[name] = value
        elif name in ("guest_policy", "reply_mode"):
            allowed = GUEST_POLICIES if name == "guest_policy" else REPLY_MODES
            kind = value.get("type") if isinstance(value, dict) else None
            if kind not in allowed or len(value) != 1:
                raise invalid_request(f'{where}: expected {{"type": one of {", ".join(allowed)}}}')
            if name == "reply_mode" and channel is None:
                raise invalid_request(f"{where}: only a channel takes a reply mode")
            out[name] = {"type": kind}
        elif name == "instructions":
            if not isinstance(value, str):
                raise invalid_request(f"{where}: Input should be a valid string")
            text = value.strip()
            if len(text) > INSTRUCTIONS_MAX:
                raise invalid_request(f"{where}: must be at most {INSTRUCTIONS_MAX} characters")
            out[name] = text or None
        elif name == "model":
            out[name] = checked.string(name, max_length=200)
    return out


def _apply(stored: dict[str, object], changes: dict[str, object]) -> bool:
    before = dict(stored)
    for name, value in changes.items():
        if value is None:
            stored.pop(name, None)
        else:
            stored[name] = value
    return stored != before


# -- Slack workspaces ---------------------------------------------------------------------------


def _workspace(tag: ClaudeTagState, request: Request) -> SlackWorkspace:
    return tag.workspaces.find(request.path_params["slack_workspace_id"])


async def list_workspaces(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    query = Query(request.query_params)
    inherited = query.boolean("include_inherited", False)
    wanted = query.string("slack_workspace_id")
    found = [w for w in tag.workspaces.values() if wanted is None or w.slack_id == wanted]
    return page_of(
        found, lambda w: (w.created_at, w.id), lambda w: tag.workspace_api(w, inherited), query, 100
    )


async def retrieve_workspace(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    return ok(tag.workspace_api(_workspace(tag, request), _inherited(request)))


async def update_workspace(request: Request) -> JSONResponse:
    state, tag = _tag(request, write=True)
    workspace = _workspace(tag, request)
    body = await read_json(request, required=True)
    Body(body, ("settings",))
    if _apply(workspace.settings, _settings(body, channel=None)):
        workspace.updated_at = state.now_ts()
        record(request, "claude_tag_slack_workspace_updated", slack_workspace_id=workspace.id)
    return ok(tag.workspace_api(workspace, False))


# -- Slack channels -----------------------------------------------------------------------------


def _channel(tag: ClaudeTagState, request: Request) -> SlackChannel:
    return tag.channels.find(request.path_params["slack_channel_id"])


async def list_channels(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    query = Query(request.query_params)
    inherited = query.boolean("include_inherited", False)
    team = query.string("slack_workspace_id")
    if team is None:
        raise invalid_request("slack_workspace_id: Field required (Slack's workspace id, T...)")
    if tag.workspace_by_slack(team) is None:
        raise not_found(f"slack_workspace_id: Slack workspace {team[:40]!r} is not set up for Claude Tag")
    one = query.string("slack_channel_id")
    found = [
        c for c in tag.channels.values() if c.slack_workspace == team and (one is None or c.slack_id == one)
    ]
    if one is not None:
        return ok({"data": [tag.channel_api(c, inherited) for c in found], "next_page": None})
    return page_of(found, lambda c: (c.created_at, c.id), lambda c: tag.channel_api(c, inherited), query, 100)


async def create_channel(request: Request) -> JSONResponse:
    state, tag = _tag(request, write=True)
    body = await read_json(request, required=True)
    Body(body, ("slack", "settings"))
    slack = Body(body, ("slack", "settings")).object("slack")
    if slack is None:
        raise invalid_request("slack: Field required")
    identifiers = Body(slack, ("channel_id", "workspace_id"), prefix="slack.")
    team = identifiers.string("workspace_id", required=True) or ""
    slack_id = identifiers.string("channel_id", required=True) or ""
    if not _TEAM.fullmatch(team) or not _CHANNEL.fullmatch(slack_id):
        raise invalid_request("slack: expected Slack's ids, workspace_id T... and channel_id C... or G...")
    if tag.workspace_by_slack(team) is None:
        raise not_found(f"slack.workspace_id: Slack workspace {team} is not set up for Claude Tag")
    channel = next(
        (c for c in tag.channels.values() if c.slack_workspace == team and c.slack_id == slack_id), None
    )
    if channel is None:
        if (team, slack_id) not in tag.slack_channels:
            raise not_found(
                f"slack.channel_id: Slack could not confirm channel {slack_id} in workspace {team}"
            )
        now = state.now_ts()
        channel = SlackChannel(state.new_id(ids.SLACK_CHANNEL, now), team, slack_id, now, now)
        tag.channels.put(channel)
        record(request, "claude_tag_slack_channel_created", slack_channel_id=channel.id)
    if body.get("settings") is not None:
        try:
            changes = _settings(body, channel=channel)
        except ApiError as refused:
            refused.error_code, refused.details = (
                "slack_channel_set_up_settings_refused",
                {"slack_channel_id": channel.id},
            )
            raise
        if _apply(channel.settings, changes):
            channel.updated_at = state.now_ts()
    return ok(tag.channel_api(channel, False))


async def retrieve_channel(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    return ok(tag.channel_api(_channel(tag, request), _inherited(request)))


async def update_channel(request: Request) -> JSONResponse:
    state, tag = _tag(request, write=True)
    channel = _channel(tag, request)
    body = await read_json(request, required=True)
    Body(body, ("settings",))
    if _apply(channel.settings, _settings(body, channel=channel)):
        channel.updated_at = state.now_ts()
        record(request, "claude_tag_slack_channel_updated", slack_channel_id=channel.id)
    return ok(tag.channel_api(channel, False))


async def delete_channel(request: Request) -> JSONResponse:
    _, tag = _tag(request, write=True)
    channel = _channel(tag, request)
    if tag.enabled(channel):
        raise invalid_request(
            "Claude is on in this channel (enabled resolves to true): set enabled to false on the "
            "channel first",
            error_code="slack_channel_enabled",
        )
    tag.channels.remove(channel.id)
    tag.detach_everywhere(channel.id)
    record(request, "claude_tag_slack_channel_deleted", slack_channel_id=channel.id)
    return ok({"id": channel.id, "type": "slack_channel_deleted"})


# -- bundles and their targets ------------------------------------------------------------------


def _bundle(tag: ClaudeTagState, request: Request) -> Bundle:
    return tag.bundles.find(request.path_params["bundle_id"])


async def list_bundles(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    found = [b for b in tag.bundles.values() if not b.own]
    return page_of(
        found, lambda b: (b.created_at, b.id), lambda b: b.to_api(), Query(request.query_params), 100
    )


async def retrieve_bundle(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    return ok(_bundle(tag, request).to_api())


async def update_bundle(request: Request) -> JSONResponse:
    state, tag = _tag(request, write=True)
    bundle = _bundle(tag, request)
    body = Body(await read_json(request, required=True), ("instructions",))
    raw = body.raw("instructions")
    if raw is not None and not isinstance(raw, str):
        raise invalid_request("instructions: Input should be a valid string")
    if raw is not None and len(raw.encode("utf-8")) > BUNDLE_INSTRUCTIONS_MAX:
        raise invalid_request(f"instructions: must be at most {BUNDLE_INSTRUCTIONS_MAX} bytes (UTF-8)")
    if bundle.managed_in_claude_ai:
        raise invalid_request(f"bundle {bundle.id} is managed in claude.ai: change it there")
    if body.present("instructions") and (raw or None) != bundle.instructions:
        bundle.instructions, bundle.updated_at = raw or None, state.now_ts()
        record(request, "claude_tag_bundle_updated", bundle_id=bundle.id)
    return ok(bundle.to_api())


def _targets(tag: ClaudeTagState, request: Request) -> dict[str, Target]:
    return tag.targets[_bundle(tag, request).id]


async def list_targets(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    found = list(_targets(tag, request).values())
    return page_of(found, lambda t: (t.created_at, t.id), Target.to_api, Query(request.query_params), 100)


async def create_target(request: Request) -> JSONResponse:
    state, tag = _tag(request, write=True)
    bundle = _bundle(tag, request)
    body = Body(await read_json(request, required=True), ("type", "slack_channel_id", "slack_workspace_id"))
    kind = body.enum("type", ("slack_channel", "slack_workspace"), required=True)
    if kind == "slack_channel":
        level_id = body.id("slack_channel_id", ids.SLACK_CHANNEL, "Slack channel")
        tag.channels.find(level_id)
    else:
        level_id = body.id("slack_workspace_id", ids.SLACK_WORKSPACE, "Slack workspace")
        tag.workspaces.find(level_id)
    targets = tag.targets[bundle.id]
    existing = targets.get(target_id(bundle.id, level_id))
    if existing is not None:
        return ok(existing.to_api())
    attached = Target(target_id(bundle.id, level_id), bundle.id, str(kind), level_id, state.now_ts())
    targets[attached.id] = attached
    record(request, "claude_tag_bundle_attached", bundle_id=bundle.id, target_id=attached.id)
    return ok(attached.to_api())


def _target(tag: ClaudeTagState, request: Request) -> Target:
    wanted = request.path_params["target_id"]
    found = _targets(tag, request).get(wanted)
    if found is None:
        raise not_found(f"target_id: no target {wanted[:80]!r} of this bundle")
    return found


async def retrieve_target(request: Request) -> JSONResponse:
    _, tag = _tag(request)
    return ok(_target(tag, request).to_api())


async def delete_target(request: Request) -> JSONResponse:
    _, tag = _tag(request, write=True)
    found = _target(tag, request)
    del tag.targets[found.bundle_id][found.id]
    record(request, "claude_tag_bundle_detached", bundle_id=found.bundle_id, target_id=found.id)
    return ok({"id": found.id, "type": "bundle_target_deleted"})


_ROOT: Final = "/v1/organizations/claude_tag"
ROUTES = [
    Route(_ROOT + "/slack_workspaces", list_workspaces, methods=["GET"]),
    Route(_ROOT + "/slack_workspaces/{slack_workspace_id}", retrieve_workspace, methods=["GET"]),
    Route(_ROOT + "/slack_workspaces/{slack_workspace_id}", update_workspace, methods=["POST"]),
    Route(_ROOT + "/slack_channels", list_channels, methods=["GET"]),
    Route(_ROOT + "/slack_channels", create_channel, methods=["POST"]),
    Route(_ROOT + "/slack_channels/{slack_channel_id}", retrieve_channel, methods=["GET"]),
    Route(_ROOT + "/slack_channels/{slack_channel_id}", update_channel, methods=["POST"]),
    Route(_ROOT + "/slack_channels/{slack_channel_id}", delete_channel, methods=["DELETE"]),
    Route(_ROOT + "/bundles", list_bundles, methods=["GET"]),
    Route(_ROOT + "/bundles/{bundle_id}", retrieve_bundle, methods=["GET"]),
    Route(_ROOT + "/bundles/{bundle_id}", update_bundle, methods=["POST"]),
    Route(_ROOT + "/bundles/{bundle_id}/targets", list_targets, methods=["GET"]),
    Route(_ROOT + "/bundles/{bundle_id}/targets", create_target, methods=["POST"]),
    Route(_ROOT + "/bundles/{bundle_id}/targets/{target_id}", retrieve_target, methods=["GET"]),
    Route(_ROOT + "/bundles/{bundle_id}/targets/{target_id}", delete_target, methods=["DELETE"]),
]
