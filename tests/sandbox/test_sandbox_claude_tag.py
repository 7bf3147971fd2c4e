"""Claude Tag in the sandbox, through the official SDK (strict models, typed errors): settings
inherited level by level with their sources, partial updates that store all or nothing, the guard on
removing a channel in use, and Bundle Targets whose id outlives a detach."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types.beta.organization.beta_api_key_scope_missing_error import BetaAPIKeyScopeMissingError
from anthropic.types.beta.organization.beta_claude_tag_writes_not_enabled_error import (
    BetaClaudeTagWritesNotEnabledError,
)
from anthropic.types.beta.organization.beta_slack_channel_set_up_settings_refused_error import (
    BetaSlackChannelSetUpSettingsRefusedError,
)

from claude_admin_mcp.sandbox.claude_tag import SlackChannel
from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox

from ._sandbox_helpers import NOW, assert_error

BETA = {"anthropic-beta": "experimental-claude-tag-2026-10-21"}
READER = "sk-ant-api01-sandboxTagReader" + "Kd2" * 12


def _channel(sandbox: RunningSandbox, slack_id: str) -> SlackChannel:
    return next(c for c in sandbox.state.claude_tag.channels.values() if c.slack_id == slack_id)


def test_the_beta_header_is_required(shared_http: httpx2.Client) -> None:
    path = "/v1/organizations/claude_tag/bundles"
    assert "experimental-claude-tag-2026-10-21" in assert_error(
        shared_http.get(path), 400, "invalid_request_error"
    )
    assert shared_http.get(path, headers=BETA).status_code == 200


def test_settings_resolve_level_by_level(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    tag = shared_sdk.beta.organization.claude_tag
    ops = next(w for w in tag.slack_workspaces.list() if w.slack.workspace_id == "T0ACMEOPS")
    incident = _channel(shared_sandbox, "C0INCIDENT")
    stored = tag.slack_channels.retrieve(incident.id)
    assert stored.settings.enabled is True and stored.settings.model is None
    assert stored.sources.model is None and stored.sources.instructions == []
    applied = tag.slack_channels.retrieve(incident.id, include_inherited=True)
    assert applied.settings.enabled is True and applied.sources.enabled is not None
    assert applied.sources.enabled.type == "slack_channel", "the channel overrides its workspace's false"
    assert applied.settings.guest_policy is not None and applied.settings.guest_policy.type == "channel_only"
    assert applied.sources.guest_policy is not None and applied.sources.guest_policy.type == "slack_workspace"
    assert applied.settings.model == "claude-sonnet-4-5" and applied.sources.model is not None
    assert applied.sources.model.type == "slack_default"
    assert applied.settings.reply_mode is not None and applied.settings.reply_mode.type == "always_awake"
    workspace = tag.slack_workspaces.retrieve(ops.id, include_inherited=True)
    assert workspace.settings.enabled is False and workspace.settings.reply_mode is None
    assert workspace.sources.reply_mode is not None and workspace.sources.reply_mode.type == "default"
    channels = list(tag.slack_channels.list(slack_workspace_id="T0ACME001", limit=1))
    assert len(channels) == 3 and [c.created_at for c in channels] == sorted(
        (c.created_at for c in channels), reverse=True
    )
    only = tag.slack_channels.list(slack_workspace_id="T0ACME001", slack_channel_id="C0NOTSETUP")
    assert only.data == []
    with pytest.raises(anthropic.NotFoundError):
        tag.slack_channels.list(slack_workspace_id="T0NOWHERE")


def test_updates_are_partial_all_or_nothing_and_never_clear_a_reply_mode(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    tag = sdk.beta.organization.claude_tag
    engineering = _channel(sandbox, "C0ENG0001")
    changed = tag.slack_channels.update(
        engineering.id, settings={"model": "claude-haiku-4-5", "instructions": "  Be kind.  "}
    )
    assert changed.settings.model == "claude-haiku-4-5" and changed.settings.instructions == "Be kind."
    assert changed.settings.reply_mode is not None and changed.settings.reply_mode.type == "mention_only"
    before = dict(engineering.settings)
    with pytest.raises(anthropic.BadRequestError):
        tag.slack_channels.update(engineering.id, settings={"model": None, "reply_mode": None})
    unknown_policy: Any = {"enabled": False, "guest_policy": {"type": "everyone"}}  # not a value of the SDK's
    with pytest.raises(anthropic.BadRequestError):
        tag.slack_channels.update(engineering.id, settings=unknown_policy)
    assert engineering.settings == before, "a refused value stores nothing"
    cleared = tag.slack_channels.update(engineering.id, settings={"model": None, "instructions": ""})
    assert cleared.settings.model is None and cleared.settings.instructions is None
    main = next(w for w in sandbox.state.claude_tag.workspaces.values() if w.slack_id == "T0ACME001")
    with pytest.raises(anthropic.BadRequestError):
        tag.slack_workspaces.update(main.id, settings={"reply_mode": {"type": "thread"}})


def test_a_channel_in_use_is_not_removed_and_a_removed_one_is_gone(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    tag = sdk.beta.organization.claude_tag
    support = _channel(sandbox, "C0SUPPORT1")
    with pytest.raises(anthropic.BadRequestError) as enabled:
        tag.slack_channels.delete(support.id)
    assert enabled.value.body is not None and "slack_channel_enabled" in str(enabled.value.body)
    tag.slack_channels.update(support.id, settings={"enabled": False})
    assert tag.slack_channels.delete(support.id).type == "slack_channel_deleted"
    assert not any(
        t.level_id == support.id for ts in sandbox.state.claude_tag.targets.values() for t in ts.values()
    )
    with pytest.raises(anthropic.NotFoundError):
        tag.slack_channels.delete(support.id)


def test_set_up_returns_an_existing_channel_and_a_refused_setting_leaves_it_set_up(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    tag = sdk.beta.organization.claude_tag
    engineering = _channel(sandbox, "C0ENG0001")
    again = tag.slack_channels.create(slack={"workspace_id": "T0ACME001", "channel_id": "C0ENG0001"})
    assert again.id == engineering.id
    with pytest.raises(anthropic.NotFoundError):
        tag.slack_channels.create(slack={"workspace_id": "T0ACME001", "channel_id": "C0NOTINSLACK"})
    with pytest.raises(BetaSlackChannelSetUpSettingsRefusedError) as refused:
        tag.slack_channels.create(
            slack={"workspace_id": "T0ACME001", "channel_id": "C0DESIGN01"},
            settings={"environment_id": "nowhere"},
        )
    made = _channel(sandbox, "C0DESIGN01")
    assert refused.value.details.slack_channel_id == made.id and made.settings == {}


def test_a_bundle_target_keeps_its_id_across_detach_and_attach(
    sdk: anthropic.Anthropic, sandbox: RunningSandbox
) -> None:
    tag = sdk.beta.organization.claude_tag
    bundles = {b.display_name: b for b in tag.bundles.list()}
    assert set(bundles) == {"Engineering tools", "Support desk", "On-call"}
    tools = bundles["Engineering tools"]
    engineering = _channel(sandbox, "C0ENG0001")
    first = tag.bundles.targets.create(
        tools.id, target={"type": "slack_channel", "slack_channel_id": engineering.id}
    )
    same = tag.bundles.targets.create(
        tools.id, target={"type": "slack_channel", "slack_channel_id": engineering.id}
    )
    assert first.id == same.id
    tag.bundles.targets.delete(first.id, bundle_id=tools.id)
    with pytest.raises(anthropic.NotFoundError):
        tag.bundles.targets.delete(first.id, bundle_id=tools.id)
    again = tag.bundles.targets.create(
        tools.id, target={"type": "slack_channel", "slack_channel_id": engineering.id}
    )
    assert again.id == first.id
    other = bundles["Support desk"]
    with pytest.raises(anthropic.NotFoundError):
        tag.bundles.targets.retrieve(first.id, bundle_id=other.id)
    with pytest.raises(anthropic.BadRequestError):
        tag.bundles.update(bundles["On-call"].id, instructions="x")
    with pytest.raises(anthropic.BadRequestError):
        tag.bundles.update(tools.id, instructions="é" * 5001)


def test_writes_off_and_scopes_are_typed_refusals() -> None:
    with start_sandbox(
        SandboxConfig(now=NOW, scoped_keys=((READER, frozenset({"read:claude_tag"})),))
    ) as running:
        reader = anthropic.Anthropic(
            api_key="unused", base_url=running.base_url, max_retries=0, default_headers={"x-api-key": READER}
        )
        tag = reader.beta.organization.claude_tag
        bundle = next(iter(tag.bundles.list()))
        with pytest.raises(BetaAPIKeyScopeMissingError):
            tag.bundles.update(bundle.id, instructions="x")
        running.state.claude_tag.writes_enabled = False
        admin = anthropic.Anthropic(
            api_key=running.config.admin_key, base_url=running.base_url, max_retries=0
        )
        with pytest.raises(BetaClaudeTagWritesNotEnabledError):
            admin.beta.organization.claude_tag.bundles.update(bundle.id, instructions="x")
