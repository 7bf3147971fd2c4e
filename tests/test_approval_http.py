"""Approval over streamable HTTP, the server as a real process with a real credential: it makes its
own bearer secret (loopback included), serves the approval pages beside /mcp without one, binds each
approval to the MCP session that asked, and applies what a browser approves, once."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2
import pytest
from playwright.async_api import async_playwright

from .conftest import CANARY_KEY, text_of
from .processes import STATE_DIR, authorized, clean_env, free_port, made_http_token, running
from .test_approval_page import CHROMIUM, FLAGS
from .test_e2e_writes import _developer, _get, standalone_sandbox

pytestmark = pytest.mark.e2e


@contextmanager
def http_server(base: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY)
    with running(["--transport", "http", "--port", str(port)], url, env) as process:
        yield url, process


def test_a_real_credential_over_http_needs_the_secret_it_made_on_loopback_too() -> None:
    with standalone_sandbox() as base, http_server(base) as (url, process):
        token_file = STATE_DIR / "http-token"
        assert oct(token_file.stat().st_mode & 0o777) == "0o600"
        token = made_http_token()
        initialize = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "t", "version": "1"},
            },
        }
        headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
        refused = httpx2.post(url, json=initialize, headers=headers)
        allowed = httpx2.post(url, json=initialize, headers={**headers, "authorization": f"Bearer {token}"})
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert refused.status_code == 401 and allowed.status_code == 200
    stderr = err.decode(errors="replace")
    assert str(token_file) in stderr and "claude mcp add --transport http" in stderr
    assert token not in stderr and CANARY_KEY not in stderr


@pytest.mark.anyio
async def test_a_write_approved_on_the_page_under_the_http_server(tmp_path: Any) -> None:
    with standalone_sandbox() as base, http_server(base) as (url, _process):
        user = _developer(base)
        arguments = {"user_id": user["id"], "role": "billing"}
        async with authorized(url, "legacy") as client:  # no elicitation: the page channel
            pending = await client.call_tool("update_user_role", arguments)
            content = pending.structured_content or {}
            assert content["outcome"] == "pending_approval", text_of(pending)
            link = content["approval_url"]
            assert re.fullmatch(rf"http://localhost:{url.split(':')[2].split('/')[0]}/approve/[\w-]+", link)
            assert link in text_of(pending)
            # Another MCP session cannot see it, nor learn its outcome.
            async with authorized(url, "legacy") as other:
                foreign = await other.call_tool("get_approval", {"approval_id": content["approval_id"]})
            assert foreign.is_error and "for this session" in text_of(foreign)
            page_html = httpx2.get(link).text  # no bearer secret: a browser has none
            assert "Approve this change?" in page_html and CANARY_KEY not in page_html
            assert httpx2.get(url.replace("/mcp", "/approvals/wrong-key")).status_code == 404
            async with async_playwright() as playwright:
                chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = await (await chromium.new_context()).new_page()
                await page.goto(link)
                await page.click("#approve")
                await page.wait_for_selector("#outcome")
                await chromium.close()
            status = await client.call_tool("get_approval", {"approval_id": content["approval_id"]})
            again = await client.call_tool("update_user_role", arguments)
        assert status.structured_content["status"] == "applied", text_of(status)
        assert again.structured_content["outcome"] != "applied", "reported once; a new call asks afresh"
        assert _get(base, f"/v1/organizations/users/{user['id']}")["role"] == "billing"
