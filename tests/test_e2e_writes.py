"""Confirm-to-write end to end: a standalone sandbox, the server as a real process, real transports."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import httpx2
import pytest
from mcp import Client, StdioServerParameters

from .conftest import CANARY_KEY, MODES, text_of
from .processes import BIN, STATE_DIR, TOKEN_CHANNEL, authorized, clean_env, free_port, running
from .writes import ScriptedHuman, audit_lines

pytestmark = pytest.mark.e2e


@contextmanager
def standalone_sandbox() -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = ["sandbox", "--port", str(port), "--users", "30", "--admin-key", CANARY_KEY]
    with running(args, base + "/v1/organizations/me", clean_env()):
        yield base


def _get(base: str, path: str, **params: Any) -> Any:
    response = httpx2.get(base + path, params=params, headers={"x-api-key": CANARY_KEY})
    response.raise_for_status()
    return response.json()


def _developer(base: str) -> dict[str, Any]:
    page = _get(base, "/v1/organizations/users", **{"roles[]": "developer", "limit": 1})
    return cast(dict[str, Any], page["data"][0])


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_confirmed_write_over_streamable_http(mode: str, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    with standalone_sandbox() as base:
        user = _developer(base)
        port = free_port()
        url = f"http://127.0.0.1:{port}/mcp"
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY, **TOKEN_CHANNEL)
        args = ["--transport", "http", "--port", str(port), "--audit-log", str(audit)]
        with running(args, url, env):
            human = ScriptedHuman("accept", typed=user["email"])
            async with authorized(url, mode, elicitation_callback=human) as client:
                result = await client.call_tool(
                    "update_user_role", {"user_id": user["id"], "role": "billing"}
                )
                assert result.structured_content["outcome"] == "applied", text_of(result)
                declined = ScriptedHuman("decline")
            async with authorized(url, mode, elicitation_callback=declined) as client:
                kept = await client.call_tool("remove_user", {"user_id": user["id"]})
        assert human.messages and declined.messages
        assert kept.structured_content["outcome"] == "declined"
        after = _get(base, f"/v1/organizations/users/{user['id']}")
        assert after["role"] == "billing", "applied once, and the declined removal changed nothing"
    assert [line["outcome"] for line in audit_lines(audit)] == ["confirmed", "applied", "declined"]


@pytest.mark.anyio
async def test_token_path_over_stdio(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    with standalone_sandbox() as base:
        user = _developer(base)
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY, **TOKEN_CHANNEL)
        params = StdioServerParameters(command=str(BIN), args=["--audit-log", str(audit)], env=env)
        arguments = {"user_id": user["id"], "role": "user"}
        async with Client(params) as client:
            first = await client.call_tool("update_user_role", arguments)
            assert _get(base, f"/v1/organizations/users/{user['id']}")["role"] == "developer"
            token = first.structured_content["confirmation_token"]
            second = await client.call_tool("update_user_role", {**arguments, "confirmation_token": token})
        assert second.structured_content["outcome"] == "applied"
        assert _get(base, f"/v1/organizations/users/{user['id']}")["role"] == "user"


def test_cli_call_previews_then_applies_with_the_token(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    with standalone_sandbox() as base:
        user = _developer(base)
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY, **TOKEN_CHANNEL)
        arguments = {"user_id": user["id"], "role": "claude_code_user"}

        def call(args: dict[str, Any]) -> subprocess.CompletedProcess[str]:
            command = [
                str(BIN),
                "call",
                "update_user_role",
                "--json",
                json.dumps(args),
                "--audit-log",
                str(audit),
            ]
            return subprocess.run(
                command, capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL
            )

        first = call(arguments)
        assert (
            first.returncode == 3  # waits for a human's approval (see CALL_EXITS)
            and "Not applied yet" in first.stdout
            and "developer → claude_code_user" in first.stdout
        )
        token = first.stdout.split('confirmation_token="')[1].split('"')[0]
        second = call({**arguments, "confirmation_token": token})
        assert second.returncode == 0 and second.stdout.startswith("Applied:")
        third = call({**arguments, "role": "user", "confirmation_token": token})
        assert third.returncode == 1 and "different arguments" in third.stdout
        assert _get(base, f"/v1/organizations/users/{user['id']}")["role"] == "claude_code_user"
    verify = subprocess.run(
        [str(BIN), "verify-audit", str(audit), "--state-dir", str(STATE_DIR)],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert verify.returncode == 0 and "4 lines, chain intact" in verify.stdout
