"""The Rate Limits API through the official SDK with strict response validation."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types.beta.organization.workspaces import BetaWorkspaceRateLimitUpdateValueParam

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.sandbox.store import SandboxState

from ._sandbox_helpers import assert_error

ORG = "/v1/organizations/rate_limits"


def _overridden(state: SandboxState) -> tuple[str, str]:
    """A (workspace id, entry id) with a seeded override."""
    return next(iter(sorted(state.monitoring.rate_limits.overrides)))


def _plain_workspace(state: SandboxState) -> str:
    overridden = {ws for ws, _ in state.monitoring.rate_limits.overrides}
    return next(
        w.id
        for w in state.workspaces.values()
        if not w.is_default and w.archived_at is None and w.id not in overridden
    )


def test_org_limits(shared_sdk: anthropic.Anthropic) -> None:
    limits = shared_sdk.beta.organization.rate_limits
    page = limits.list()
    assert page.next_page is None
    entries = page.data
    assert [e.group.type for e in entries] == [
        "model_group", "model_group", "model_group", "model_group",
        "batch", "token_count", "files", "skills", "web_search",
    ]  # fmt: skip
    assert len({e.id for e in entries}) == len(entries)
    assert all(e.type == "rate_limit" and e.limits for e in entries)
    opus = entries[0]
    assert opus.group.type == "model_group" and opus.group.display_name == "Claude Opus 4.x"
    assert opus.models is not None and {
        "claude-opus-4-6",
        "claude-opus-4-1",
        "claude-opus-4-1-20250805",
    } <= set(opus.models)
    assert all(e.models is None for e in entries if e.group.type != "model_group")
    # The deprecated `group_type` is there too (the SDK model keeps unknown fields).
    assert opus.to_dict()["group_type"] == "model_group"
    assert [e.id for e in limits.list(group_type="model_group").data] == [e.id for e in entries[:4]]
    # A model id or alias selects the one group that has it.
    sonnet = limits.list(model="claude-sonnet-4-5").data
    assert len(sonnet) == 1 and sonnet[0].group.type == "model_group"
    assert sonnet[0].group.display_name == "Claude Sonnet 4.x"
    assert [e.id for e in limits.list(model="claude-sonnet-4-5-20250929").data] == [sonnet[0].id]
    with pytest.raises(anthropic.NotFoundError):
        limits.list(model="claude-nonexistent-9")
    # Paging with a limit walks every entry once.
    assert [e.id for e in limits.list(limit=2)] == [e.id for e in entries]
    first = limits.list(limit=4)
    assert len(first.data) == 4 and first.next_page


def test_workspace_limits_with_and_without_inherited(
    shared_sdk: anthropic.Anthropic, shared_sandbox: RunningSandbox
) -> None:
    state = shared_sandbox.state
    workspace_id, entry_id = _overridden(state)
    limits = shared_sdk.beta.organization.workspaces.rate_limits
    own = limits.list(workspace_id).data
    table = state.monitoring.rate_limits
    expected = {entry for ws, entry in table.overrides if ws == workspace_id}
    assert {e.rate_limit_id for e in own} == expected and entry_id in expected
    for entry in own:
        assert entry.type == "workspace_rate_limit" and entry.workspace_id == workspace_id
        assert entry.limits and all(value.source.type == "workspace" for value in entry.limits)
    everything = limits.list(workspace_id, include_inherited=True).data
    assert len(everything) == len(table.entries)
    for entry in everything:
        overrides = table.overrides.get((workspace_id, entry.rate_limit_id), {})
        for value in entry.limits:
            if value.type in overrides:
                assert value.source.type == "workspace" and value.value == overrides[value.type]
            else:
                assert value.source.type == "organization" and value.value == value.org_limit
    # A workspace with no override lists nothing by default, everything when asked.
    plain = _plain_workspace(state)
    assert limits.list(plain).data == []
    assert len(limits.list(plain, include_inherited=True).data) == len(table.entries)
    assert len(list(limits.list(plain, include_inherited=True, limit=4))) == len(table.entries)
    # An override on a limiter type the organization does not limit reports org_limit null.
    nulls = [
        value
        for ws, _ in table.overrides
        for entry in limits.list(ws).data
        for value in entry.limits
        if value.org_limit is None
    ]
    assert nulls and all(value.source.type == "workspace" for value in nulls)
    with pytest.raises(anthropic.NotFoundError):
        limits.list("wrkspc_01NoSuchWorkspaceAtAll1")


def test_set_and_clear_overrides(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    workspace_id = _plain_workspace(state)
    limits = sdk.beta.organization.workspaces.rate_limits
    opus = sdk.beta.organization.rate_limits.list(model="claude-opus-4-6").data[0]
    org_rpm = next(v.value for v in opus.limits if v.type == "requests_per_minute")
    updated = limits.update(
        opus.id,
        workspace_id=workspace_id,
        limits=[
            {"type": "requests_per_minute", "value": 250},
            {"type": "output_tokens_per_minute", "value": 9_007_199_254_740_991},
        ],
    )
    assert updated.rate_limit_id == opus.id and updated.workspace_id == workspace_id
    assert {(v.type, v.value, v.org_limit, v.source.type) for v in updated.limits} == {
        ("requests_per_minute", 250, org_rpm, "workspace"),
        ("output_tokens_per_minute", 9_007_199_254_740_991, 400_000, "workspace"),
    }
    assert [e.rate_limit_id for e in limits.list(workspace_id).data] == [opus.id]
    activity = state.activities[-1]
    assert activity.type == "workspace_rate_limit_updated"
    assert activity.fields["limiter_type"] == "output_tokens_per_minute"
    # Clearing one leaves the other; clearing the last drops the entry.
    after = limits.update(
        opus.id, workspace_id=workspace_id, limits=[{"type": "requests_per_minute", "value": None}]
    )
    assert [(v.type, v.value) for v in after.limits] == [("output_tokens_per_minute", 9_007_199_254_740_991)]
    assert state.activities[-1].type == "workspace_rate_limit_deleted"
    emptied = limits.update(
        opus.id, workspace_id=workspace_id, limits=[{"type": "output_tokens_per_minute", "value": None}]
    )
    assert emptied.limits == []
    assert limits.list(workspace_id).data == []
    inherited = limits.list(workspace_id, include_inherited=True, group_type="model_group").data[0]
    assert all(v.source.type == "organization" for v in inherited.limits)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"limits": []},
        {"limits": [{"type": "requests_per_minute", "value": 1}] * 17},
        {"limits": "requests_per_minute=5"},
        {"limits": [{"type": "requests_per_hour", "value": 1}]},
        {"limits": [{"type": "requests_per_minute"}]},
        {"limits": [{"type": "requests_per_minute", "value": -1}]},
        {"limits": [{"type": "requests_per_minute", "value": 2**53}]},
        {"limits": [{"type": "requests_per_minute", "value": 1.5}]},
        {"limits": [{"type": "requests_per_minute", "value": True}]},
        {"limits": [{"type": "requests_per_minute", "value": 1, "unit": "s"}]},
        {
            "limits": [
                {"type": "requests_per_minute", "value": 1},
                {"type": "requests_per_minute", "value": 2},
            ]
        },
        {"limits": [{"type": "requests_per_minute", "value": 1}], "extra": True},
    ],
)
def test_bad_updates_change_nothing(
    http: httpx2.Client, sandbox: RunningSandbox, body: dict[str, Any]
) -> None:
    state = sandbox.state
    entry = state.monitoring.rate_limits.entries[0].id
    before = state.snapshot()
    path = f"/v1/organizations/workspaces/{_plain_workspace(state)}/rate_limits/{entry}"
    message = assert_error(http.post(path, json=body), 400, "invalid_request_error")
    assert message.split(":")[0].split("[")[0].split(".")[0] in ("limits", "extra", "request body")
    assert state.snapshot() == before


def test_refused_targets(sdk: anthropic.Anthropic, sandbox: RunningSandbox) -> None:
    state = sandbox.state
    limits = sdk.beta.organization.workspaces.rate_limits
    entry = state.monitoring.rate_limits.entries[0].id
    body: list[BetaWorkspaceRateLimitUpdateValueParam] = [{"type": "requests_per_minute", "value": 5}]
    before = state.snapshot()
    archived = next(w.id for w in state.workspaces.values() if w.archived_at is not None)
    with pytest.raises(anthropic.BadRequestError):
        limits.update(entry, workspace_id=archived, limits=body)
    with pytest.raises(anthropic.BadRequestError):
        limits.update(entry, workspace_id=state.default_workspace_id, limits=body)
    with pytest.raises(anthropic.NotFoundError):
        limits.update("rl_01NoSuchEntryAnywhere", workspace_id=_plain_workspace(state), limits=body)
    with pytest.raises(anthropic.NotFoundError):
        limits.update(entry, workspace_id="wrkspc_01NoSuchWorkspaceAtAll1", limits=body)
    assert state.snapshot() == before
    # Reading an archived workspace's limits is fine.
    assert limits.list(archived, include_inherited=True).data


def test_list_validation(shared_http: httpx2.Client) -> None:
    for params, blamed in (
        ({"group_type": "chat"}, "group_type"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"page": "page_bm9wZQ=="}, "page"),
    ):
        message = assert_error(shared_http.get(ORG, params=params), 400, "invalid_request_error")
        assert message.startswith(blamed + ":")
    assert_error(shared_http.get(ORG, params={"model": "gpt-4"}), 404, "not_found_error")
