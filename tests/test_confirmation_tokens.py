"""Clients without elicitation: the first call previews and issues a token; only the same
arguments plus that token, once, before it expires, and while the preview still holds, apply."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx2
import pytest

from claude_admin_mcp.sandbox.runner import RunningSandbox
from claude_admin_mcp.server.confirmation.keys import load_key
from claude_admin_mcp.server.confirmation.tokens import ConfirmationTokens

from .api import raw_all
from .conftest import MODES, TEST_STATE, TOKEN_CHANNEL, connect, make_server, text_of
from .writes import audit_lines, snapshot


def _developer(sandbox: RunningSandbox) -> dict[str, Any]:
    return raw_all(sandbox, "/v1/organizations/users", roles=["developer"])[0]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_preview_then_token_applies_once(
    fresh_sandbox: RunningSandbox, mode: str, tmp_path: Path
) -> None:
    user = _developer(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    before = snapshot(fresh_sandbox)
    arguments = {"user_id": user["id"], "role": "billing"}
    async with connect(
        make_server(fresh_sandbox, audit_log=audit, confirm_via=TOKEN_CHANNEL), mode
    ) as client:
        first = await client.call_tool("update_user_role", arguments)
        assert snapshot(fresh_sandbox) == before, "the first call changes nothing"
        content = first.structured_content
        assert content is not None and content["outcome"] == "needs_confirmation" and not first.is_error
        token = content["confirmation_token"]
        assert token and content["token_expires_at"] and "developer → billing" in content["preview"]
        assert token in text_of(first) and "Only if they approve" in text_of(first)

        applied = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
        assert applied.structured_content["outcome"] == "applied", text_of(applied)
        assert fresh_sandbox.state.users[user["id"]].role == "billing"

        # Back to developer by hand, so a replay would have something to change.
        fresh_sandbox.state.users[user["id"]].role = "developer"
        replay = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
    assert replay.is_error and "already used" in text_of(replay)
    assert fresh_sandbox.state.users[user["id"]].role == "developer", "a token applies once"
    outcomes = [line["outcome"] for line in audit_lines(audit)]
    assert outcomes == ["pending", "confirmed", "applied", "token_rejected"]
    assert audit_lines(audit)[0]["confirmation_id"] == audit_lines(audit)[1]["confirmation_id"]


@pytest.mark.anyio
async def test_token_for_other_arguments_or_tool_is_refused(fresh_sandbox: RunningSandbox) -> None:
    user = _developer(fresh_sandbox)
    before = snapshot(fresh_sandbox)
    async with connect(make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL)) as client:
        first = await client.call_tool("update_user_role", {"user_id": user["id"], "role": "billing"})
        token = first.structured_content["confirmation_token"]
        other_role = await client.call_tool(
            "update_user_role", {"user_id": user["id"], "role": "user", "confirmation_token": token}
        )
        other_tool = await client.call_tool(
            "sign_out_user", {"user_id": user["id"], "confirmation_token": token}
        )
        garbage = await client.call_tool(
            "update_user_role", {"user_id": user["id"], "role": "billing", "confirmation_token": "cfm1.x.y"}
        )
    assert other_role.is_error and "different arguments" in text_of(other_role)
    assert other_tool.is_error and "different arguments" in text_of(other_tool)
    assert garbage.is_error
    assert snapshot(fresh_sandbox) == before


@pytest.mark.anyio
async def test_expired_token_is_refused(fresh_sandbox: RunningSandbox, tmp_path: Path) -> None:
    user = _developer(fresh_sandbox)
    audit = tmp_path / "audit.jsonl"
    arguments = {"user_id": user["id"], "role": "billing"}
    tokens = ConfirmationTokens(load_key(TEST_STATE / "token.key"))
    stale, _ = tokens.issue("update_user_role", arguments, "digest", now=time.time() - 3600)
    async with connect(make_server(fresh_sandbox, audit_log=audit, confirm_via=TOKEN_CHANNEL)) as client:
        result = await client.call_tool("update_user_role", {**arguments, "confirmation_token": stale})
    assert result.is_error and "expired" in text_of(result)
    assert fresh_sandbox.state.users[user["id"]].role == "developer"


@pytest.mark.anyio
async def test_a_token_whose_preview_went_stale_is_refused_with_a_fresh_preview(
    fresh_sandbox: RunningSandbox,
) -> None:
    user = _developer(fresh_sandbox)
    arguments = {"user_id": user["id"], "role": "billing"}
    async with connect(make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL)) as client:
        first = await client.call_tool("update_user_role", arguments)
        token = first.structured_content["confirmation_token"]
        # Someone else changes the member meanwhile: the user approved "developer → billing", not this.
        httpx2.post(
            f"{fresh_sandbox.base_url}/v1/organizations/users/{user['id']}",
            json={"role": "user"},
            headers={"x-api-key": fresh_sandbox.config.admin_key},
        ).raise_for_status()
        second = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
    content = second.structured_content
    assert content is not None and content["outcome"] == "needs_confirmation"
    assert "changed since that preview" in text_of(second) and "user → billing" in content["preview"]
    assert content["confirmation_token"] != token
    assert fresh_sandbox.state.users[user["id"]].role == "user"


@pytest.mark.anyio
async def test_an_eliciting_client_is_asked_even_if_it_sends_a_token(fresh_sandbox: RunningSandbox) -> None:
    from .writes import ScriptedHuman

    user = _developer(fresh_sandbox)
    arguments = {"user_id": user["id"], "role": "billing"}
    async with connect(make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL)) as plain:
        token = (await plain.call_tool("update_user_role", arguments)).structured_content[
            "confirmation_token"
        ]
    human = ScriptedHuman("decline")
    async with connect(
        make_server(fresh_sandbox, confirm_via=TOKEN_CHANNEL), elicitation_callback=human
    ) as client:
        result = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
    assert human.messages and result.structured_content["outcome"] == "declined"
    assert fresh_sandbox.state.users[user["id"]].role == "developer"
