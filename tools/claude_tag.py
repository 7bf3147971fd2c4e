"""Claude Tag (Claude in Slack): the Slack workspaces (`slws_…`) and channels (`slch_…`) set up for
it, their settings, and Bundles (`capp_…`) of access attached to them (`btgt_…`):
`/v1/organizations/claude_tag` (beta `experimental-claude-tag-2026-10-21`).

Settings are inherited: the organization's Slack defaults, then a Slack workspace's, then a
channel's own; a setting left unset on a level is inherited from the one above, and clearing it
(sending null) makes it inherit again. Reads show what the level itself stores, or with
`include_inherited` what applies and where each value comes from. The API wants an organization-level
scoped key with read:claude_tag (changes: write:claude_tag).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from claude_admin_mcp.server.catalog.operation import FromItem, Operation
from claude_admin_mcp.server.catalog.preview import Preview, Reader

from .common import (
    ApiObject,
    Arguments,
    BundleId,
    BundleTargetId,
    Deleted,
    SlackChannelId,
    SlackWorkspaceId,
    listing,
    organization_wide,
    scoped,
)
from .sdk_models import Bundle, SlackChannel, SlackWorkspace

TOOLSET = "claude_tag"
BETA = "experimental-claude-tag-2026-10-21"
ROOT = "/v1/organizations/claude_tag"
WORKSPACES = ROOT + "/slack_workspaces"
CHANNELS = ROOT + "/slack_channels"
BUNDLES = ROOT + "/bundles"
PAGE_MAX = 100
READ = scoped("read:claude_tag")
WRITE = scoped("write:claude_tag")
FORBIDDEN = (
    "Claude Tag takes an organization-level scoped key with read:claude_tag (changes: write:claude_tag), "
    "and changes through the API can be turned off for the organization (claude_tag_writes_not_enabled)."
)
SETTINGS = ("enabled", "environment_id", "guest_policy", "instructions", "model", "reply_mode")
INSTRUCTIONS_MAX = 8192
BUNDLE_INSTRUCTIONS_MAX = 10_000

SlackTeam = Annotated[
    str,
    Field(
        pattern=r"^T[A-Z0-9]{2,31}$", description="Slack's own workspace id (T…), as in slack.workspace_id."
    ),
]
SlackChannelRef = Annotated[
    str, Field(pattern=r"^[CG][A-Z0-9]{2,31}$", description="Slack's own channel id (C… or G…).")
]
Clearable = Literal["enabled", "environment_id", "guest_policy", "instructions", "model"]


class BundleTarget(ApiObject):
    """`BetaClaudeTagBundleTarget`: one Bundle attached to a Slack channel or a Slack workspace."""

    id: str
    type: str
    created_at: str
    slack_channel_id: str | None = None
    slack_workspace_id: str | None = None


def _kind(value: Any) -> str | None:
    return str(value.get("type")) if isinstance(value, dict) else (None if value is None else str(value))


def _settings_text(settings: Any) -> str:
    if not isinstance(settings, dict):
        return "-"
    parts = []
    for name in SETTINGS:
        value = settings.get(name)
        if value is None:
            continue
        if name == "instructions":
            parts.append(f"instructions ({len(str(value)):,} chars)")
        else:
            parts.append(f"{name.replace('_', ' ')} {_kind(value)}")
    return ", ".join(parts) or "nothing set (all inherited)"


_FORMATS = {
    "settings": FromItem(lambda item: _settings_text(item.get("settings"))),
}
_CHANNEL_COLUMNS = ("id", "slack.workspace_id", "slack.channel_id", "settings", "updated_at")
_WORKSPACE_COLUMNS = ("id", "slack.workspace_id", "settings", "updated_at")
_TARGET_COLUMNS = ("id", "type", "slack_channel_id", "slack_workspace_id", "created_at")


class ListWorkspaces(Arguments):
    include_inherited: bool | None = Field(None, description="Show what applies, with where it comes from.")
    slack_workspace: SlackTeam | None = Field(None, serialization_alias="slack_workspace_id")


class GetWorkspace(Arguments):
    slack_workspace_id: SlackWorkspaceId
    include_inherited: bool | None = None


class ListChannels(Arguments):
    slack_workspace: SlackTeam = Field(serialization_alias="slack_workspace_id")
    slack_channel: SlackChannelRef | None = Field(None, serialization_alias="slack_channel_id")
    include_inherited: bool | None = None


class GetChannel(Arguments):
    slack_channel_id: SlackChannelId
    include_inherited: bool | None = Field(None, description="Show what applies, with where it comes from.")


class GetBundle(Arguments):
    bundle_id: BundleId


class GetTarget(Arguments):
    bundle_id: BundleId
    target_id: BundleTargetId


_CHANNEL_404 = "No set-up Slack channel has that id; list_claude_tag_slack_channels finds them."
_WORKSPACE_404 = "No set-up Slack workspace has that id; list_claude_tag_slack_workspaces finds them."
_BUNDLE_404 = "No bundle (or bundle target) has that id; list_claude_tag_bundles finds them."

_AREA: dict[str, Any] = {"toolset": TOOLSET, "beta": BETA, "forbidden_hint": FORBIDDEN}
"""What every operation of this area shares: its toolset, beta header, and why a key is refused."""

OPERATIONS = [
    Operation(
        name="list_claude_tag_slack_workspaces",
        title="List Slack workspaces",
        description="Connected Slack workspaces (slws_…) and their settings: on or off, model, guest policy, "
        "instructions.",
        method="GET",
        path=WORKSPACES,
        input=ListWorkspaces,
        output=SlackWorkspace,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_WORKSPACE_COLUMNS,
        formats=_FORMATS,
        access=READ,
        **_AREA,
    ),
    Operation(
        name="get_claude_tag_slack_workspace",
        title="Get Slack workspace",
        description="One Slack workspace's settings, stored or as they apply.",
        method="GET",
        path=WORKSPACES + "/{slack_workspace_id}",
        input=GetWorkspace,
        output=SlackWorkspace,
        columns=(*_WORKSPACE_COLUMNS, "sources"),
        formats=_FORMATS,
        not_found_hint=_WORKSPACE_404,
        access=READ,
        **_AREA,
    ),
    Operation(
        name="list_claude_tag_slack_channels",
        title="List Slack channels",
        description="Connected Slack channels (slch_…) of one Slack workspace (by its T… id), and their "
        "settings.",
        method="GET",
        path=CHANNELS,
        input=ListChannels,
        output=SlackChannel,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_CHANNEL_COLUMNS,
        formats=_FORMATS,
        not_found_hint="That Slack workspace is not set up for Claude Tag: list_claude_tag_slack_workspaces.",
        access=READ,
        **_AREA,
    ),
    Operation(
        name="get_claude_tag_slack_channel",
        title="Get Slack channel",
        description="One Slack channel's settings, stored or as they apply, with their sources.",
        method="GET",
        path=CHANNELS + "/{slack_channel_id}",
        input=GetChannel,
        output=SlackChannel,
        columns=(*_CHANNEL_COLUMNS, "sources"),
        formats=_FORMATS,
        not_found_hint=_CHANNEL_404,
        access=READ,
        **_AREA,
    ),
    Operation(
        name="list_claude_tag_bundles",
        title="List bundles",
        description="Bundles (capp_…): sets of connectors, repositories and credentials usable in Slack, "
        "with their instructions.",
        method="GET",
        path=BUNDLES,
        input=Arguments,
        output=Bundle,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=("id", "display_name", "description", "instructions", "updated_at"),
        access=READ,
        **_AREA,
    ),
    Operation(
        name="get_claude_tag_bundle",
        title="Get bundle",
        description="One bundle: name, description, instructions (never what it grants).",
        method="GET",
        path=BUNDLES + "/{bundle_id}",
        input=GetBundle,
        output=Bundle,
        columns=("id", "display_name", "description", "instructions", "created_at", "updated_at"),
        not_found_hint=_BUNDLE_404,
        access=READ,
        **_AREA,
    ),
    Operation(
        name="list_claude_tag_bundle_targets",
        title="List bundle targets",
        description="Where a bundle is attached (btgt_…): Slack channels and workspaces.",
        method="GET",
        path=BUNDLES + "/{bundle_id}/targets",
        input=GetBundle,
        output=BundleTarget,
        pagination="page_token",
        page_size=PAGE_MAX,
        columns=_TARGET_COLUMNS,
        empty_hint="The bundle is attached to nothing.",
        not_found_hint=_BUNDLE_404,
        access=READ,
        **_AREA,
    ),
    Operation(
        name="get_claude_tag_bundle_target",
        title="Get bundle target",
        description="One attachment of a bundle.",
        method="GET",
        path=BUNDLES + "/{bundle_id}/targets/{target_id}",
        input=GetTarget,
        output=BundleTarget,
        columns=_TARGET_COLUMNS,
        not_found_hint=_BUNDLE_404,
        access=READ,
        **_AREA,
    ),
]


# -- writes ---------------------------------------------------------------------------------------


class _Settings(Arguments):
    """The settings a level stores: what is given changes, what `clear` names inherits again."""

    enabled: bool | None = Field(None, description="Claude on or off.")
    environment_id: str | None = Field(
        None, pattern=r"^(env|ccpool)_[A-Za-z0-9]{1,64}$", description="env_… or a runner pool ccpool_…."
    )
    guest_policy: Literal["allow", "restrict", "channel_only"] | None = Field(
        None, description="While a Slack guest is in a channel."
    )
    instructions: str | None = Field(None, min_length=1, max_length=INSTRUCTIONS_MAX)
    model: str | None = Field(None, min_length=1, max_length=200)
    clear: list[Clearable] | None = Field(None, description="Settings to unset, so they are inherited.")

    def given(self) -> dict[str, Any]:
        """The settings this call changes, as the API takes them (a cleared one is None)."""
        out = {name: getattr(self, name) for name in SETTINGS if getattr(self, name, None) is not None}
        out |= dict.fromkeys(self.clear or (), None)
        return out

    @model_validator(mode="after")
    def _consistent(self) -> _Settings:
        both = sorted(set(self.clear or ()) & {n for n in SETTINGS if getattr(self, n, None) is not None})
        if both:
            raise ValueError(f"{', '.join(both)}: set or clear a setting, not both")
        return self


class UpdateWorkspace(_Settings):
    slack_workspace_id: SlackWorkspaceId

    @model_validator(mode="after")
    def _something(self) -> UpdateWorkspace:
        if not self.given():
            raise ValueError("give at least one setting to change, or clear")
        return self


class _ChannelSettings(_Settings):
    reply_mode: Literal["automatic", "mention_only", "always_awake", "thread"] | None = Field(
        None, description="Channels only; can be changed, never cleared."
    )


class UpdateChannel(_ChannelSettings):
    slack_channel_id: SlackChannelId

    @model_validator(mode="after")
    def _something(self) -> UpdateChannel:
        if not self.given():
            raise ValueError("give at least one setting to change, or clear")
        return self


class CreateChannel(_ChannelSettings):
    slack_workspace: SlackTeam
    slack_channel: SlackChannelRef


class DeleteChannel(Arguments):
    slack_channel_id: SlackChannelId


class UpdateBundle(Arguments):
    bundle_id: BundleId
    instructions: str = Field(
        max_length=BUNDLE_INSTRUCTIONS_MAX, description="Up to 10,000 bytes; an empty string clears them."
    )


class AttachBundle(Arguments):
    bundle_id: BundleId
    slack_channel_id: SlackChannelId | None = Field(None, description="Attach to this channel only…")
    slack_workspace_id: SlackWorkspaceId | None = Field(
        None, description="…or to a workspace and its channels."
    )

    @model_validator(mode="after")
    def _one(self) -> AttachBundle:
        if (self.slack_channel_id is None) == (self.slack_workspace_id is None):
            raise ValueError("give slack_channel_id or slack_workspace_id, exactly one")
        return self


def _settings_body(values: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for name in SETTINGS:
        if name in values:
            value = values.pop(name)
            settings[name] = {"type": value} if name in ("guest_policy", "reply_mode") else value
    for name in values.pop("clear", None) or ():
        settings[name] = None
    return {**values, "settings": settings} if settings else values


def _create_body(values: dict[str, Any]) -> dict[str, Any]:
    body = _settings_body(values)
    body["slack"] = {"workspace_id": body.pop("slack_workspace"), "channel_id": body.pop("slack_channel")}
    return body


def _target_body(values: dict[str, Any]) -> dict[str, Any]:
    if "slack_channel_id" in values:
        return {"type": "slack_channel", "slack_channel_id": values["slack_channel_id"]}
    return {"type": "slack_workspace", "slack_workspace_id": values["slack_workspace_id"]}


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "unset (inherited)"
    if name == "instructions":
        text = str(value)
        return f"{text[:160]!r}{'…' if len(text) > 160 else ''} ({len(text):,} chars)"
    return str(_kind(value))


def _source(sources: Any, name: str) -> str:
    found = sources.get(name) if isinstance(sources, dict) else None
    if isinstance(found, list):
        return ", ".join(str(_kind(f)) for f in found) or "nowhere"
    return str(_kind(found) or "nowhere")


def _changes(own: dict[str, Any], applied: dict[str, Any], sources: Any, wanted: dict[str, Any]) -> list[str]:
    """One line per setting that changes: what the level stores now → after, and what applies now."""
    lines = []
    for name, value in wanted.items():
        now = own.get(name)
        new = {"type": value} if name in ("guest_policy", "reply_mode") and value is not None else value
        if now == new:
            continue
        applies = f"; applies now: {_shown(name, applied.get(name))} (from {_source(sources, name)})"
        lines.append(f"{name}: {_shown(name, now)} → {_shown(name, new)}{applies}")
    return lines


async def _level(api: Reader, model: type[SlackChannel] | type[SlackWorkspace], path: str) -> tuple[Any, Any]:
    """(what the level stores, what applies in it with its sources)."""
    own = await api.get(model, path)
    applied = await api.get(model, path, include_inherited=True)
    return own, applied


def _effects(wanted: dict[str, Any], where: str) -> list[str]:
    lines = []
    if wanted.get("enabled") is False:
        lines.append(f"Claude stops taking part in {where} (sessions already running end as they do).")
    if wanted.get("enabled") is True:
        lines.append(f"Claude takes part in {where}.")
    if "instructions" in wanted or "model" in wanted:
        lines.append("New sessions use the new instructions and model; running ones keep theirs.")
    return lines


async def _preview_workspace(api: Reader, args: UpdateWorkspace) -> Preview:
    own, applied = await _level(api, SlackWorkspace, f"{WORKSPACES}/{args.slack_workspace_id}")
    where = f"Slack workspace {own.slack.get('workspace_id')} ({own.id})"
    action = f"Change Claude Tag settings of {where}"
    wanted = args.given()
    lines = _changes(own.settings, applied.settings, applied.sources, wanted)
    if not lines:
        return Preview(action, nothing_to_do="it already stores those settings")
    tail = "Its channels inherit what they do not store themselves."
    return Preview(action, details=(*lines, *_effects(wanted, "its channels that inherit it"), tail))


async def _preview_channel(api: Reader, args: UpdateChannel) -> Preview:
    own, applied = await _level(api, SlackChannel, f"{CHANNELS}/{args.slack_channel_id}")
    where = f"Slack channel {own.slack.get('channel_id')} ({own.id})"
    action = f"Change Claude Tag settings of {where}"
    wanted = args.given()
    lines = _changes(own.settings, applied.settings, applied.sources, wanted)
    if not lines:
        return Preview(action, nothing_to_do="it already stores those settings")
    return Preview(action, details=(*lines, *_effects(wanted, "the channel")))


async def _preview_create(api: Reader, args: CreateChannel) -> Preview:
    action = f"Set up Slack channel {args.slack_channel} (workspace {args.slack_workspace}) for Claude Tag"
    workspaces = await api.all(SlackWorkspace, WORKSPACES, slack_workspace_id=args.slack_workspace)
    if not workspaces:
        return Preview(action, refusal=f"Slack workspace {args.slack_workspace} is not set up for Claude Tag")
    found = await api.all(
        SlackChannel, CHANNELS, slack_workspace_id=args.slack_workspace, slack_channel_id=args.slack_channel
    )
    wanted = args.given()
    if found:
        channel = found[0]
        if not wanted:
            return Preview(action, nothing_to_do=f"it is already set up, as {channel.id}")
        return await _preview_channel(api, UpdateChannel(slack_channel_id=channel.id, **_as_arguments(args)))
    details = [
        "Claude's Slack app first checks with Slack that the channel exists, is not archived and is "
        "visible to it.",
        *(f"{name}: {_shown(name, value)}" for name, value in wanted.items()),
    ]
    if not wanted:
        details.append("It stores no settings: it inherits its Slack workspace's.")
    return Preview(action, details=tuple(details))


def _as_arguments(args: CreateChannel) -> dict[str, Any]:
    return args.model_dump(exclude={"slack_workspace", "slack_channel"}, exclude_none=True)


async def _targets_of(api: Reader, channel_id: str) -> list[str]:
    attached = []
    for bundle in await api.all(Bundle, BUNDLES):
        for target in await api.all(BundleTarget, f"{BUNDLES}/{bundle.id}/targets"):
            if target.slack_channel_id == channel_id:
                attached.append(f"{bundle.display_name} ({bundle.id})")
    return attached


async def _preview_delete(api: Reader, args: DeleteChannel) -> Preview:
    applied = await api.get(SlackChannel, f"{CHANNELS}/{args.slack_channel_id}", include_inherited=True)
    slack_id = str(applied.slack.get("channel_id"))
    action = (
        f"Remove Slack channel {slack_id} ({applied.id}) from Claude Tag, with its sessions and transcripts"
    )
    if applied.settings.get("enabled") is True:
        return Preview(
            action,
            refusal=f"Claude is on in it (enabled is true, from {_source(applied.sources, 'enabled')}): set "
            "enabled false on the channel first (update_claude_tag_slack_channel)",
        )
    bundles = await _targets_of(api, applied.id)
    return Preview(
        action,
        details=(
            f"At once: its stored settings and its bundle attachments ({listing(bundles)}).",
            "Then, in the background: the channel's sessions and their transcripts, its memory, its routines "
            "and the artifacts published from it.",
            "None of it can be restored. The Slack channel and its messages stay.",
            "Its own enabled=false goes too: Claude's next use of the channel sets it up anew, inheriting.",
        ),
        confirm_text=slack_id,
    )


async def _preview_bundle(api: Reader, args: UpdateBundle) -> Preview:
    bundle = await api.get(Bundle, f"{BUNDLES}/{args.bundle_id}")
    action = f"Change the instructions of bundle {bundle.display_name} ({bundle.id})"
    before, after = bundle.instructions or None, args.instructions or None
    if before == after:
        return Preview(action, nothing_to_do="it already has those instructions")
    targets = await api.all(BundleTarget, f"{BUNDLES}/{bundle.id}/targets")
    return Preview(
        action,
        details=(
            f"instructions: {_shown('instructions', before)} → {_shown('instructions', after)}",
            f"Used wherever it is attached ({len(targets)} channels and workspaces); sessions that start "
            "after the change use them, running ones keep theirs.",
        ),
    )


async def _preview_attach(api: Reader, args: AttachBundle) -> Preview:
    bundle = await api.get(Bundle, f"{BUNDLES}/{args.bundle_id}")
    if args.slack_channel_id is not None:
        channel = await api.get(SlackChannel, f"{CHANNELS}/{args.slack_channel_id}")
        level_id, where = channel.id, f"Slack channel {channel.slack.get('channel_id')} ({channel.id})"
        reach = "It can be used in that channel only."
    else:
        workspace = await api.get(SlackWorkspace, f"{WORKSPACES}/{args.slack_workspace_id}")
        level_id = workspace.id
        where = f"Slack workspace {workspace.slack.get('workspace_id')} ({workspace.id})"
        reach = "It can be used in the workspace and in every channel in it."
    action = f"Attach bundle {bundle.display_name} ({bundle.id}) to {where}"
    for target in await api.all(BundleTarget, f"{BUNDLES}/{bundle.id}/targets"):
        if level_id in (target.slack_channel_id, target.slack_workspace_id):
            return Preview(action, nothing_to_do=f"it is already attached there ({target.id})")
    return Preview(
        action, details=(reach, "Claude there gains its connectors, repositories and credentials.")
    )


async def _preview_detach(api: Reader, args: GetTarget) -> Preview:
    bundle = await api.get(Bundle, f"{BUNDLES}/{args.bundle_id}")
    target = await api.get(BundleTarget, f"{BUNDLES}/{bundle.id}/targets/{args.target_id}")
    where = (
        f"Slack channel {target.slack_channel_id}"
        if target.slack_channel_id
        else f"Slack workspace {target.slack_workspace_id} and its channels"
    )
    return Preview(
        f"Detach bundle {bundle.display_name} ({bundle.id}) from {where}",
        details=(
            "Claude there no longer gets its connectors, repositories and credentials.",
            "The bundle itself stays; attach_claude_tag_bundle attaches it again.",
        ),
    )


OPERATIONS += [
    Operation(
        name="update_claude_tag_slack_workspace",
        title="Change Slack workspace settings",
        description="Turn Claude on or off in a Slack workspace, or change its model, environment, guest "
        "policy or instructions; clear makes a setting inherit.",
        method="POST",
        path=WORKSPACES + "/{slack_workspace_id}",
        input=UpdateWorkspace,
        output=SlackWorkspace,
        reshape=_settings_body,
        idempotent=True,
        preview=organization_wide(_preview_workspace),
        columns=_WORKSPACE_COLUMNS,
        formats=_FORMATS,
        not_found_hint=_WORKSPACE_404,
        access=WRITE,
        **_AREA,
    ),
    Operation(
        name="create_claude_tag_slack_channel",
        title="Add a Slack channel",
        description="Add a Slack channel to Claude Tag by Slack's T… and C… ids, optionally with its own "
        "settings; one already added is returned.",
        method="POST",
        path=CHANNELS,
        input=CreateChannel,
        output=SlackChannel,
        reshape=_create_body,
        idempotent=True,
        preview=organization_wide(_preview_create),
        columns=_CHANNEL_COLUMNS,
        formats=_FORMATS,
        access=WRITE,
        **_AREA,
    ),
    Operation(
        name="update_claude_tag_slack_channel",
        title="Change Slack channel settings",
        description="Turn Claude on or off in a Slack channel, or change its model, reply mode, guest "
        "policy or instructions; clear makes a setting inherit the workspace's.",
        method="POST",
        path=CHANNELS + "/{slack_channel_id}",
        input=UpdateChannel,
        output=SlackChannel,
        reshape=_settings_body,
        idempotent=True,
        preview=organization_wide(_preview_channel),
        columns=_CHANNEL_COLUMNS,
        formats=_FORMATS,
        not_found_hint=_CHANNEL_404,
        access=WRITE,
        **_AREA,
    ),
    Operation(
        name="delete_claude_tag_slack_channel",
        title="Remove a Slack channel",
        description="Remove a Slack channel from Claude Tag: its settings, sessions, transcripts and memory "
        "are deleted for good. Claude must be off in it; the user types the Slack channel id.",
        method="DELETE",
        path=CHANNELS + "/{slack_channel_id}",
        input=DeleteChannel,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_delete),
        columns=("id", "type"),
        not_found_hint=_CHANNEL_404,
        access=WRITE,
        **_AREA,
    ),
    Operation(
        name="update_claude_tag_bundle",
        title="Change bundle instructions",
        description="Change a bundle's instructions (an empty string clears them).",
        method="POST",
        path=BUNDLES + "/{bundle_id}",
        input=UpdateBundle,
        output=Bundle,
        idempotent=True,
        preview=organization_wide(_preview_bundle),
        columns=("id", "display_name", "instructions", "updated_at"),
        not_found_hint=_BUNDLE_404,
        access=WRITE,
        **_AREA,
    ),
    Operation(
        name="attach_claude_tag_bundle",
        title="Attach bundle",
        description="Attach a bundle to a connected Slack channel (slch_…) or Slack workspace (slws_…), so "
        "Claude can use it there.",
        method="POST",
        path=BUNDLES + "/{bundle_id}/targets",
        input=AttachBundle,
        output=BundleTarget,
        reshape=_target_body,
        idempotent=True,
        preview=organization_wide(_preview_attach),
        columns=_TARGET_COLUMNS,
        not_found_hint=_BUNDLE_404,
        access=WRITE,
        **_AREA,
    ),
    Operation(
        name="detach_claude_tag_bundle",
        title="Detach bundle",
        description="Detach a bundle from a Slack channel or workspace (btgt_…).",
        method="DELETE",
        path=BUNDLES + "/{bundle_id}/targets/{target_id}",
        input=GetTarget,
        output=Deleted,
        destructive=True,
        idempotent=True,
        preview=organization_wide(_preview_detach),
        columns=("id", "type"),
        not_found_hint=_BUNDLE_404,
        access=WRITE,
        **_AREA,
    ),
]
