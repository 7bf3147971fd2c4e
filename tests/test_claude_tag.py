"""Claude Tag (Claude in Slack) through a real MCP client against the seeded sandbox: settings read as
stored and as they apply (with where each value comes from), changed with before → after, channels
set up and removed (the preview says what goes with them, and Claude must be off first), bundles
attached and detached, and a scoped key offered only what its scopes open."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import anthropic
import pytest
from mcp.types import CallToolResult

from claude_admin_mcp.sandbox.claude_tag import SlackChannel, SlackWorkspace
from claude_admin_mcp.sandbox.runner import RunningSandbox, start_sandbox
from claude_admin_mcp.server.api.credentials.scoped_key import scoped_key_credential
from claude_admin_mcp.server.app import AdminServer, create_server
from claude_admin_mcp.tools import claude_tag

from .conftest import connect, make_server, make_settings, sandbox_config, text_of
from .writes import ScriptedHuman, snapshot

TOOLSETS = ["claude_tag"]
READER = "sk-ant-api01-canaryTagREADER" + "Vb5" * 12


def server(sandbox: RunningSandbox, **overrides: Any) -> AdminServer:
    return make_server(sandbox, toolsets=TOOLSETS, **overrides)


def outcome(result: CallToolResult) -> str:
    return str((result.structured_content or {}).get("outcome"))


def channel(sandbox: RunningSandbox, slack_id: str) -> SlackChannel:
    return next(c for c in sandbox.state.claude_tag.channels.values() if c.slack_id == slack_id)


def workspace(sandbox: RunningSandbox, slack_id: str) -> SlackWorkspace:
    return next(w for w in sandbox.state.claude_tag.workspaces.values() if w.slack_id == slack_id)


@pytest.mark.anyio
async def test_settings_read_as_stored_and_as_they_apply(sandbox: RunningSandbox) -> None:
    main, engineering = workspace(sandbox, "T0ACME001"), channel(sandbox, "C0ENG0001")
    async with connect(server(sandbox)) as client:
        workspaces = await client.call_tool("list_claude_tag_slack_workspaces", {})
        channels = await client.call_tool("list_claude_tag_slack_channels", {"slack_workspace": "T0ACME001"})
        one = await client.call_tool(
            "list_claude_tag_slack_channels", {"slack_workspace": "T0ACME001", "slack_channel": "C0ENG0001"}
        )
        stored = await client.call_tool("get_claude_tag_slack_channel", {"slack_channel_id": engineering.id})
        applied = await client.call_tool(
            "get_claude_tag_slack_channel", {"slack_channel_id": engineering.id, "include_inherited": True}
        )
        unknown = await client.call_tool("list_claude_tag_slack_channels", {"slack_workspace": "T0NOWHERE"})
        bad = await client.call_tool("get_claude_tag_slack_channel", {"slack_channel_id": "C0ENG0001"})
    assert {item["id"] for item in (workspaces.structured_content or {})["items"]} == set(
        sandbox.state.claude_tag.workspaces
    )
    listed = (channels.structured_content or {})["items"]
    assert {item["slack"]["channel_id"] for item in listed} == {"C0ENG0001", "C0SUPPORT1", "C0RANDOM01"}
    assert [item["id"] for item in (one.structured_content or {})["items"]] == [engineering.id]
    own = (stored.structured_content or {})["settings"]
    assert own["reply_mode"] == {"type": "mention_only"} and own["model"] is None and own["enabled"] is None
    resolved = applied.structured_content or {}
    assert resolved["settings"]["model"] == "claude-opus-4-1"
    assert resolved["sources"]["model"] == {"type": "slack_workspace", "slack_workspace_id": main.id}
    assert resolved["settings"]["enabled"] is True and resolved["sources"]["enabled"] == {
        "type": "slack_default"
    }
    assert [s["type"] for s in resolved["sources"]["instructions"]] == ["slack_default", "slack_workspace"]
    assert "reply mode mention_only" in text_of(stored)
    assert unknown.is_error and "list_claude_tag_slack_workspaces" in text_of(unknown)
    assert bad.is_error and "slch_" in text_of(bad)


@pytest.mark.anyio
async def test_a_change_shows_before_after_and_where_the_value_applies_now(
    fresh_sandbox: RunningSandbox,
) -> None:
    support = channel(fresh_sandbox, "C0SUPPORT1")
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        changed = await client.call_tool(
            "update_claude_tag_slack_channel",
            {
                "slack_channel_id": support.id,
                "model": "claude-haiku-4-5",
                "clear": ["enabled"],
                "reply_mode": "thread",
            },
        )
        again = await client.call_tool(
            "update_claude_tag_slack_channel", {"slack_channel_id": support.id, "model": "claude-haiku-4-5"}
        )
        both = await client.call_tool(
            "update_claude_tag_slack_channel",
            {"slack_channel_id": support.id, "model": "x", "clear": ["model"]},
        )
        nothing = await client.call_tool("update_claude_tag_slack_channel", {"slack_channel_id": support.id})
    assert outcome(changed) == "applied", text_of(changed)
    message = human.messages[0]
    assert (
        "model: unset (inherited) → claude-haiku-4-5; applies now: claude-opus-4-1 (from slack_workspace)"
        in message
    )
    assert "enabled: True → unset (inherited); applies now: True (from slack_channel)" in message
    assert "New sessions use the new instructions and model" in message
    assert support.settings == {"model": "claude-haiku-4-5", "reply_mode": {"type": "thread"}}
    assert outcome(again) == "nothing_to_do"
    assert both.is_error and "set or clear a setting, not both" in text_of(both)
    assert nothing.is_error and "at least one setting" in text_of(nothing)


@pytest.mark.anyio
async def test_removing_a_channel_needs_claude_off_and_says_what_is_deleted(
    fresh_sandbox: RunningSandbox,
) -> None:
    support, random = channel(fresh_sandbox, "C0SUPPORT1"), channel(fresh_sandbox, "C0RANDOM01")
    tag = fresh_sandbox.state.claude_tag
    desk = next(b for b in tag.bundles.values() if b.display_name == "Support desk")
    human = ScriptedHuman("accept", typed="c0random01")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        on = await client.call_tool("delete_claude_tag_slack_channel", {"slack_channel_id": support.id})
        gone = await client.call_tool("delete_claude_tag_slack_channel", {"slack_channel_id": random.id})
        attach = await client.call_tool(
            "attach_claude_tag_bundle", {"bundle_id": desk.id, "slack_channel_id": support.id}
        )
    assert outcome(on) == "refused" and "set enabled false on the channel first" in text_of(on)
    assert support.id in tag.channels
    assert outcome(gone) == "applied", text_of(gone)
    message = human.messages[0]
    assert "sessions and their transcripts, its memory" in message and "None of it can be restored" in message
    assert human.schemas[0]["properties"]["confirm"]["description"] == "Type C0RANDOM01 to confirm"
    assert random.id not in tag.channels
    assert outcome(attach) == "nothing_to_do" and "already attached" in text_of(attach)


@pytest.mark.anyio
async def test_a_channel_is_set_up_and_a_bundle_attached_then_detached(fresh_sandbox: RunningSandbox) -> None:
    tag = fresh_sandbox.state.claude_tag
    tools = next(b for b in tag.bundles.values() if b.display_name == "Engineering tools")
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        made = await client.call_tool(
            "create_claude_tag_slack_channel",
            {"slack_workspace": "T0ACME001", "slack_channel": "C0DESIGN01", "enabled": False},
        )
        created = channel(fresh_sandbox, "C0DESIGN01")
        attached = await client.call_tool(
            "attach_claude_tag_bundle", {"bundle_id": tools.id, "slack_channel_id": created.id}
        )
        target = (attached.structured_content or {})["result"]["id"]
        targets = await client.call_tool("list_claude_tag_bundle_targets", {"bundle_id": tools.id})
        detached = await client.call_tool(
            "detach_claude_tag_bundle", {"bundle_id": tools.id, "target_id": target}
        )
        unknown = await client.call_tool(
            "create_claude_tag_slack_channel", {"slack_workspace": "T0ELSEWHERE", "slack_channel": "C0X1"}
        )
    assert outcome(made) == "applied", text_of(made)
    assert "enabled: False" in human.messages[0] and "visible to it" in human.messages[0]
    assert created.settings == {"enabled": False}
    assert outcome(attached) == "applied" and "in that channel only" in human.messages[1]
    assert {item["id"] for item in (targets.structured_content or {})["items"]} >= {target}
    assert outcome(detached) == "applied" and target not in tag.targets[tools.id]
    assert "attach_claude_tag_bundle attaches it again" in human.messages[2]
    assert outcome(unknown) == "refused" and "not set up for Claude Tag" in text_of(unknown)


@pytest.mark.anyio
async def test_bundle_instructions_change_and_clear(fresh_sandbox: RunningSandbox) -> None:
    tag = fresh_sandbox.state.claude_tag
    tools = next(b for b in tag.bundles.values() if b.display_name == "Engineering tools")
    on_call = next(b for b in tag.bundles.values() if b.managed_in_claude_ai)
    human = ScriptedHuman("accept")
    async with connect(server(fresh_sandbox), elicitation_callback=human) as client:
        bundles = await client.call_tool("list_claude_tag_bundles", {})
        cleared = await client.call_tool(
            "update_claude_tag_bundle", {"bundle_id": tools.id, "instructions": ""}
        )
        managed = await client.call_tool(
            "update_claude_tag_bundle", {"bundle_id": on_call.id, "instructions": "x"}
        )
    names = {item["display_name"] for item in (bundles.structured_content or {})["items"]}
    assert names == {"Engineering tools", "Support desk", "On-call"}, "Claude Tag's own bundle is not listed"
    assert outcome(cleared) == "applied" and tools.instructions is None
    assert "→ unset (inherited)" in human.messages[0] and "running ones keep theirs" in human.messages[0]
    assert managed.is_error and "managed in claude.ai" in text_of(managed)


@pytest.mark.anyio
async def test_a_read_only_scoped_key_reads_claude_tag_and_is_told_why_not_the_changes(
    tmp_path: Path,
) -> None:
    config = sandbox_config(scoped_keys=((READER, frozenset({"read:claude_tag"})),))
    with start_sandbox(config) as running:
        credential = scoped_key_credential("ANTHROPIC_SCOPED_KEY", READER, "read:claude_tag")
        before = snapshot(running)
        async with connect(create_server(make_settings(running, toolsets=TOOLSETS), credential)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            listed = await client.call_tool("list_claude_tag_bundles", {})
            refused = await client.call_tool(
                "update_claude_tag_bundle",
                {"bundle_id": next(iter(running.state.claude_tag.bundles)), "instructions": ""},
            )
        assert snapshot(running) == before
    assert "list_claude_tag_slack_channels" in names and "update_claude_tag_bundle" not in names
    assert not listed.is_error
    assert refused.is_error and "write:claude_tag" in text_of(refused)


def _literal(annotation: Any) -> set[str]:
    if get_origin(annotation) is Literal:
        return {str(value) for value in get_args(annotation)}
    return {value for arm in get_args(annotation) if arm is not type(None) for value in _literal(arm)}


def _kinds(union: Any) -> set[str]:
    """The `type` values of a union of the SDK's `{"type": ...}` parameter shapes."""
    return {value for arm in get_args(union) for value in _literal(typing.get_type_hints(arm)["type"])}


def test_the_settings_the_tools_take_are_the_sdks() -> None:
    sdk = anthropic.types.beta.organization
    settings = typing.get_type_hints(sdk.BetaClaudeTagSettingsUpdateParam)
    fields = claude_tag.UpdateChannel.model_fields
    assert _literal(fields["guest_policy"].annotation) == _kinds(sdk.BetaClaudeTagGuestPolicyParam)
    assert _literal(fields["reply_mode"].annotation) == _kinds(sdk.BetaClaudeTagReplyModeParam)
    clearable = _literal(get_args(get_args(fields["clear"].annotation)[0])[0])
    assert clearable == set(settings) - {"reply_mode"}, "every setting but the reply mode can be cleared"
    assert set(claude_tag.SETTINGS) == set(settings)
    assert "reply_mode" not in claude_tag.UpdateWorkspace.model_fields, "only a channel takes one"
