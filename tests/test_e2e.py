"""End to end over real transports: the installed command, a real MCP client, the sandbox over HTTP."""

from __future__ import annotations

import pytest
from mcp import Client, StdioServerParameters

from .conftest import CANARY_KEY, MODES, text_of
from .processes import BIN, clean_env, free_port, running

pytestmark = pytest.mark.e2e


async def _exercise(client: Client) -> None:
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert {"get_organization", "list_users", "get_user", "list_api_keys"} <= tools
    org = await client.call_tool("get_organization", {})
    assert not org.is_error and "Acme" in text_of(org)
    users = await client.call_tool("list_users", {"limit": 5})
    assert users.structured_content is not None and users.structured_content["count"] == 5
    first = users.structured_content["items"][0]["id"]
    one = await client.call_tool("get_user", {"user_id": first})
    assert one.structured_content is not None and one.structured_content["id"] == first
    bad = await client.call_tool("get_user", {"user_id": "nope"})
    assert bad.is_error and "user_01" in text_of(bad)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_stdio_with_embedded_sandbox(mode: str) -> None:
    params = StdioServerParameters(
        command=str(BIN), args=["--sandbox", "--sandbox-users", "25"], env=clean_env()
    )
    async with Client(params, mode=mode) as client:
        await _exercise(client)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_streamable_http_with_embedded_sandbox(mode: str) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    args = ["--sandbox", "--transport", "http", "--port", str(port)]
    with running(args, url, clean_env()):
        async with Client(url, mode=mode) as client:
            await _exercise(client)


@pytest.mark.anyio
async def test_standalone_sandbox_reached_through_base_url_and_key() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox_args = ["sandbox", "--port", str(port), "--users", "30", "--admin-key", CANARY_KEY]
    with running(sandbox_args, base + "/v1/organizations/me", clean_env()) as sandbox_process:
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY)
        params = StdioServerParameters(command=str(BIN), args=[], env=env)
        async with Client(params) as client:
            await _exercise(client)
            result = await client.call_tool("list_users", {"limit": 1000})
            assert result.structured_content is not None and result.structured_content["count"] == 30
    _, err = sandbox_process.communicate(timeout=10)
    assert b"Traceback" not in err


@pytest.mark.anyio
async def test_stdio_with_wrong_key_reports_401_clearly() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(
        ["sandbox", "--port", str(port), "--users", "5"], base + "/v1/organizations/me", clean_env()
    ):
        env = clean_env(ANTHROPIC_BASE_URL=base, ANTHROPIC_ADMIN_KEY=CANARY_KEY)
        async with Client(StdioServerParameters(command=str(BIN), args=[], env=env)) as client:
            result = await client.call_tool("get_organization", {})
    text = text_of(result)
    assert result.is_error and "authentication_error (HTTP 401)" in text and "ANTHROPIC_ADMIN_KEY" in text
    assert CANARY_KEY not in text
