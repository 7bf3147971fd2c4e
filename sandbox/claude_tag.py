"""Claude Tag (Claude in Slack): Slack workspaces and channels set up for it, their settings, and
Bundles attached to them: `state.claude_tag`.

Settings levels, broadest first: the built-in defaults (`default`: Claude off, guests restricted),
the organization's Slack defaults (`slack_default`), a Slack workspace's own, a channel's own. For
`enabled`, `environment_id`, `guest_policy` and `model` the nearest level that sets a value decides;
`instructions` add up (every level's text joined, broadest first); `reply_mode` is a channel's own
only. `resolved` gives what applies and where each value comes from (`include_inherited`), `stored`
what a level itself holds.

A Bundle Target's id is derived from the Bundle and its target, so attaching again after a detach
gives the same id, as on the API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .ids import encode_base58
from .models import format_ts
from .resources import Resources

SETTINGS: Final = ("enabled", "environment_id", "guest_policy", "instructions", "model", "reply_mode")
BUILT_IN: Final[Mapping[str, object]] = {"enabled": False, "guest_policy": {"type": "restrict"}}
GUEST_POLICIES: Final = ("allow", "restrict", "channel_only")
REPLY_MODES: Final = ("automatic", "mention_only", "always_awake", "thread")


@dataclass(slots=True)
class SlackWorkspace:
    id: str
    slack_id: str
    """Slack's own id (`T…`)."""
    created_at: int
    updated_at: int
    settings: dict[str, object] = field(default_factory=dict)
    """What it stores (no `reply_mode`: only channels store one)."""


@dataclass(slots=True)
class SlackChannel:
    id: str
    slack_workspace: str
    """Slack's id of the workspace (`T…`)."""
    slack_id: str
    """Slack's id of the channel (`C…` or `G…`)."""
    created_at: int
    updated_at: int
    settings: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class Bundle:
    id: str
    display_name: str
    description: str | None
    created_at: int
    updated_at: int
    instructions: str | None = None
    own: bool = False
    """Managed by Claude Tag for itself: not listed."""
    managed_in_claude_ai: bool = False
    """Its instructions are changed in claude.ai only (an update is 400)."""

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": "bundle",
            "display_name": self.display_name,
            "description": self.description,
            "instructions": self.instructions,
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        }


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    bundle_id: str
    kind: str
    """`slack_channel` or `slack_workspace`."""
    level_id: str
    created_at: int

    def to_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "type": self.kind,
            f"{self.kind}_id": self.level_id,
            "created_at": format_ts(self.created_at),
        }


def target_id(bundle_id: str, level_id: str) -> str:
    """The same Bundle and target always give the same id."""
    digest = int.from_bytes(hashlib.sha256(f"{bundle_id}:{level_id}".encode()).digest()[:16], "big")
    return "btgt_01" + encode_base58(digest % 58**22)


def _source(level: tuple[str, str | None]) -> dict[str, object]:
    kind, level_id = level
    if kind in ("slack_channel", "slack_workspace"):
        return {"type": kind, f"{kind}_id": level_id}
    return {"type": kind}


class ClaudeTagState:
    def __init__(self) -> None:
        self.defaults: dict[str, object] = {}
        """The organization's Slack defaults (the `slack_default` level)."""
        self.workspaces: Resources[SlackWorkspace] = Resources("Slack workspace", "id")
        self.channels: Resources[SlackChannel] = Resources("Slack channel", "id")
        self.bundles: Resources[Bundle] = Resources("bundle", "bundle_id")
        self.targets: dict[str, dict[str, Target]] = {}
        """Bundle id → its targets by id."""
        self.slack_channels: set[tuple[str, str]] = set()
        """(workspace, channel) Slack ids that exist in Slack, set up or not."""
        self.writes_enabled = True
        """False emulates an organization whose Claude Tag changes through the API are off (403)."""

    def workspace_by_slack(self, slack_id: str) -> SlackWorkspace | None:
        return next((w for w in self.workspaces.values() if w.slack_id == slack_id), None)

    def _levels(
        self, channel: SlackChannel | None, workspace: SlackWorkspace | None
    ) -> list[tuple[tuple[str, str | None], Mapping[str, object]]]:
        levels: list[tuple[tuple[str, str | None], Mapping[str, object]]] = [
            (("default", None), BUILT_IN),
            (("slack_default", None), self.defaults),
        ]
        if workspace is not None:
            levels.append((("slack_workspace", workspace.id), workspace.settings))
        if channel is not None:
            levels.append((("slack_channel", channel.id), channel.settings))
        return levels

    def view(
        self, channel: SlackChannel | None, workspace: SlackWorkspace | None, inherited: bool
    ) -> tuple[dict[str, object], dict[str, object]]:
        """(`settings`, `sources`) of a channel (with its workspace) or of a workspace."""
        own_level: tuple[str, str | None]
        if channel is not None:
            own_level, own = ("slack_channel", channel.id), channel.settings
        else:
            assert workspace is not None
            own_level, own = ("slack_workspace", workspace.id), workspace.settings
        settings: dict[str, object] = {}
        sources: dict[str, object] = {}
        if not inherited:
            for name in SETTINGS:
                settings[name] = own.get(name)
                sources[name] = _source(own_level) if name in own else None
            sources["instructions"] = [_source(own_level)] if "instructions" in own else []
            return settings, sources
        levels = self._levels(channel, workspace)
        for name in ("enabled", "environment_id", "guest_policy", "model"):
            found = next(((level, held) for level, held in reversed(levels) if name in held), None)
            settings[name] = None if found is None else found[1][name]
            sources[name] = _source(found[0] if found is not None else ("default", None))
        texts = [(level, held["instructions"]) for level, held in levels if "instructions" in held]
        settings["instructions"] = "\n\n".join(str(text) for _, text in texts) or None
        sources["instructions"] = [_source(level) for level, _ in texts]
        stored_mode = own.get("reply_mode") if channel is not None else None
        settings["reply_mode"] = stored_mode
        sources["reply_mode"] = _source(own_level if stored_mode is not None else ("default", None))
        return settings, sources

    def channel_api(self, channel: SlackChannel, inherited: bool) -> dict[str, object]:
        settings, sources = self.view(channel, self.workspace_by_slack(channel.slack_workspace), inherited)
        return {
            "id": channel.id,
            "type": "slack_channel",
            "slack": {"channel_id": channel.slack_id, "workspace_id": channel.slack_workspace},
            "settings": settings,
            "sources": sources,
            "created_at": format_ts(channel.created_at),
            "updated_at": format_ts(channel.updated_at),
        }

    def workspace_api(self, workspace: SlackWorkspace, inherited: bool) -> dict[str, object]:
        settings, sources = self.view(None, workspace, inherited)
        return {
            "id": workspace.id,
            "type": "slack_workspace",
            "slack": {"workspace_id": workspace.slack_id},
            "settings": settings,
            "sources": sources,
            "created_at": format_ts(workspace.created_at),
            "updated_at": format_ts(workspace.updated_at),
        }

    def enabled(self, channel: SlackChannel) -> bool:
        settings, _ = self.view(channel, self.workspace_by_slack(channel.slack_workspace), True)
        return settings["enabled"] is True

    def detach_everywhere(self, level_id: str) -> list[str]:
        """Removes every Bundle Target naming `level_id`; their ids."""
        gone: list[str] = []
        for targets in self.targets.values():
            for found in [t for t in targets.values() if t.level_id == level_id]:
                del targets[found.id]
                gone.append(found.id)
        return gone

    def snapshot(self) -> dict[str, Any]:
        return {
            "defaults": dict(self.defaults),
            "workspaces": [self.workspace_api(w, False) for w in self.workspaces.values()],
            "channels": [self.channel_api(c, False) for c in self.channels.values()],
            "bundles": [b.to_api() for b in self.bundles.values()],
            "targets": {b: sorted(t) for b, t in self.targets.items()},
        }
