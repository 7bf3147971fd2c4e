"""The demo organization's Claude Tag: two Slack workspaces (one with Claude off), four set-up
channels, two channels Slack has that are not set up yet, and Bundles attached to some."""

from __future__ import annotations

from . import ids
from .claude_tag import Bundle, ClaudeTagState, SlackChannel, SlackWorkspace, Target, target_id
from .store import SandboxState


def seed_claude_tag(state: SandboxState, anchor: int) -> None:
    """Two Slack workspaces (one with Claude off), four set-up channels, two channels of Slack not
    set up yet, and three Bundles (one managed in claude.ai, one Claude Tag's own), two attached."""
    tag: ClaudeTagState = state.claude_tag
    day = 86_400
    tag.defaults.update(
        {
            "enabled": True,
            "instructions": "You are Claude at Acme Corp. Be brief; link sources.",
            "model": "claude-sonnet-4-5",
        }
    )

    def workspace(slack_id: str, at: int, settings: dict[str, object]) -> SlackWorkspace:
        found = SlackWorkspace(state.new_id(ids.SLACK_WORKSPACE, at), slack_id, at, at, settings)
        tag.workspaces.put(found)
        return found

    def channel(team: str, slack_id: str, at: int, settings: dict[str, object]) -> SlackChannel:
        found = SlackChannel(state.new_id(ids.SLACK_CHANNEL, at), team, slack_id, at, at, settings)
        tag.channels.put(found)
        tag.slack_channels.add((team, slack_id))
        return found

    main = workspace(
        "T0ACME001",
        anchor - 120 * day,
        {"model": "claude-opus-4-1", "instructions": "Engineering questions first; never post secrets."},
    )
    ops = workspace(
        "T0ACMEOPS", anchor - 90 * day, {"enabled": False, "guest_policy": {"type": "channel_only"}}
    )
    channel(main.slack_id, "C0ENG0001", anchor - 110 * day, {"reply_mode": {"type": "mention_only"}})
    support = channel(main.slack_id, "C0SUPPORT1", anchor - 100 * day, {"enabled": True})
    channel(
        main.slack_id, "C0RANDOM01", anchor - 80 * day, {"enabled": False, "instructions": "Off-topic chat."}
    )
    channel(
        ops.slack_id,
        "C0INCIDENT",
        anchor - 70 * day,
        {"enabled": True, "reply_mode": {"type": "always_awake"}},
    )
    tag.slack_channels.update({(main.slack_id, "C0DESIGN01"), (ops.slack_id, "G0ONCALL01")})

    def bundle(
        name: str, description: str | None, at: int, *, managed: bool = False, own: bool = False
    ) -> Bundle:
        found = Bundle(state.new_id(ids.BUNDLE, at), name, description, at, at, None, own, managed)
        tag.bundles.put(found)
        tag.targets[found.id] = {}
        return found

    tools = bundle(
        "Engineering tools", "GitHub, Linear and Sentry for the engineering channels.", anchor - 100 * day
    )
    tools.instructions = "Prefer the monorepo's main branch."
    desk = bundle("Support desk", "Zendesk and the support runbooks.", anchor - 95 * day)
    bundle(
        "On-call",
        "PagerDuty, managed by the on-call rota in claude.ai.",
        anchor - 60 * day,
        managed=True,
    )
    bundle("Claude Tag memory", None, anchor - 120 * day, own=True)
    for chosen, kind, level, at in (
        (tools, "slack_workspace", main.id, anchor - 99 * day),
        (desk, "slack_channel", support.id, anchor - 94 * day),
    ):
        attached = Target(target_id(chosen.id, level), chosen.id, kind, level, at)
        tag.targets[chosen.id][attached.id] = attached
