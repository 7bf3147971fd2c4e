"""HTTP transport safety (PRODUCT §8), with real HTTP requests against the real server process:
bearer authentication, loopback only without a secret, refusal to bind elsewhere unauthenticated,
Host/Origin validation against DNS rebinding, and request size limits."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from claude_admin_mcp.server.config import ConfigError, load_settings
from claude_admin_mcp.server.transports.http_security import TOKEN_ENV, http_policy

from .conftest import MODES, text_of
from .processes import BIN, clean_env, free_port, running

pytestmark = pytest.mark.e2e

TOKEN = "mcp-http-canary-" + secrets.token_urlsafe(24)
LEGACY = "2025-11-25"
MODERN = "2026-07-28"


def _initialize(version: str = LEGACY) -> bytes:
    params = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}).encode()


def _headers(version: str = LEGACY, **extra: str) -> dict[str, str]:
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": version,
    }
    headers.update(extra)
    return headers


@contextmanager
def _server(env: dict[str, str], *extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    args = ["--sandbox", "--sandbox-users", "10", "--transport", "http", "--port", str(port), *extra]
    with running(args, url, clean_env(**env)) as process:
        yield url, process


def _stderr_after(process: subprocess.Popen[bytes]) -> str:
    process.terminate()
    _, err = process.communicate(timeout=10)
    return err.decode(errors="replace")


def _authenticated(url: str, mode: str, token: str = TOKEN) -> Client:
    http = httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=30)
    return Client(streamable_http_client(url, http_client=http), mode=mode)


@pytest.fixture(scope="module")
def guarded() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """One server with a bearer secret and one extra allowed origin, shared by the request checks."""
    env = {TOKEN_ENV: TOKEN, "CLAUDE_ADMIN_MCP_ALLOWED_ORIGINS": "https://admin.acme.example"}
    with _server(env) as running_server:
        yield running_server


@pytest.mark.parametrize("version", [LEGACY, MODERN])
@pytest.mark.parametrize(
    ("authorization", "problem"),
    [
        (None, "missing bearer token"),
        ("Bearer wrong-" + TOKEN[6:], "wrong bearer token"),
        (f"Basic {TOKEN}", "wrong bearer token"),
        ("Bearer " + TOKEN[:-1], "wrong bearer token"),
        ("Bearer", "wrong bearer token"),
    ],
)
def test_requests_without_the_secret_get_401(
    guarded: tuple[str, subprocess.Popen[bytes]], version: str, authorization: str | None, problem: str
) -> None:
    url, _ = guarded
    headers = _headers(version)
    if authorization is not None:
        headers["authorization"] = authorization
    response = httpx2.post(url, content=_initialize(version), headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["message"].startswith(problem)
    assert TOKEN not in response.text
    # Every path is behind the gate, not only /mcp.
    assert httpx2.get(url.replace("/mcp", "/anything")).status_code == 401


@pytest.mark.anyio
@pytest.mark.parametrize("mode", MODES)
async def test_the_right_secret_opens_every_tool(
    guarded: tuple[str, subprocess.Popen[bytes]], mode: str
) -> None:
    url, _ = guarded
    async with _authenticated(url, mode) as client:
        org = await client.call_tool("get_organization", {})
        users = await client.call_tool("list_users", {"limit": 3})
    assert not org.is_error and "Acme" in text_of(org)
    assert users.structured_content is not None and users.structured_content["count"] == 3


@pytest.mark.parametrize("version", [LEGACY, MODERN])
@pytest.mark.parametrize(
    ("header", "value", "status"),
    [
        ("host", "evil.example:80", 421),  # a rebinding attacker's name resolving to 127.0.0.1
        ("host", "127.0.0.1.evil.example:80", 421),
        ("origin", "http://evil.example", 403),  # a web page in the administrator's browser
        ("origin", "http://127.0.0.1.evil.example:8000", 403),
        ("origin", "null", 403),
    ],
)
def test_foreign_host_or_origin_is_refused_even_with_the_secret(
    guarded: tuple[str, subprocess.Popen[bytes]], version: str, header: str, value: str, status: int
) -> None:
    url, _ = guarded
    headers = _headers(version, authorization=f"Bearer {TOKEN}", **{header: value})
    response = httpx2.post(url, content=_initialize(version), headers=headers)
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "origin", ["http://localhost:6274", "http://127.0.0.1:3000", "https://admin.acme.example"]
)
def test_loopback_and_configured_origins_are_accepted(
    guarded: tuple[str, subprocess.Popen[bytes]], origin: str
) -> None:
    url, _ = guarded
    headers = _headers(authorization=f"Bearer {TOKEN}", origin=origin)
    response = httpx2.post(url, content=_initialize(), headers=headers)
    assert response.status_code == 200, response.text
    assert "serverInfo" in response.text


def test_oversized_bodies_are_refused_before_they_are_read(
    guarded: tuple[str, subprocess.Popen[bytes]],
) -> None:
    url, _ = guarded
    headers = _headers(authorization=f"Bearer {TOKEN}")
    padding = {"padding": "x" * 1_100_000}  # over the default 1 MiB
    params = {"protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
    big = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params | padding})
    assert httpx2.post(url, content=big.encode(), headers=headers).status_code == 413

    def chunks() -> Iterator[bytes]:  # no content-length: the limit still holds while streaming
        for _ in range(40):
            yield b" " * 32_768
        yield _initialize()

    assert httpx2.post(url, content=chunks(), headers=headers).status_code == 413
    # The server is still serving after refusing.
    assert httpx2.post(url, content=_initialize(), headers=headers).status_code == 200


def test_the_secret_never_reaches_the_log() -> None:
    # A server of its own: reading its stderr means stopping it, which the shared one must not be.
    with _server({TOKEN_ENV: TOKEN}, "--log-level", "DEBUG") as (url, process):
        httpx2.post(url, content=_initialize(), headers=_headers(authorization="Bearer " + TOKEN[:-1]))
        httpx2.post(url, content=_initialize(), headers=_headers(authorization="Bearer " + TOKEN))
        err = _stderr_after(process)
    assert "HTTP request refused (wrong bearer token)" in err
    assert TOKEN not in err and TOKEN[:-1] not in err and "Traceback" not in err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_refuses_to_bind_beyond_loopback_without_a_secret(host: str) -> None:
    args = ["--sandbox", "--transport", "http", "--host", host, "--port", str(free_port())]
    done = subprocess.run([str(BIN), *args], env=clean_env(), capture_output=True, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "refusing to serve MCP" in err and TOKEN_ENV in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({TOKEN_ENV: "short"}, "at least 32"),
        ({TOKEN_ENV: "with spaces " * 4}, "without spaces"),
        ({"CLAUDE_ADMIN_MCP_HTTP_TOKEN_FILE": "/nonexistent/token"}, "cannot be read"),
    ],
)
def test_a_weak_or_unreadable_secret_is_a_clear_startup_error(env: dict[str, str], message: str) -> None:
    args = ["--sandbox", "--transport", "http", "--port", str(free_port())]
    done = subprocess.run([str(BIN), *args], env=clean_env(**env), capture_output=True, timeout=60)
    err = done.stderr.decode()
    assert done.returncode == 2 and message in err and "Traceback" not in err, err
    assert env.get(TOKEN_ENV, "\0").strip() not in err  # the refused secret is not echoed


def test_every_address_needs_named_hosts() -> None:
    settings = load_settings({"host": "0.0.0.0"}, environ={})
    with pytest.raises(ConfigError, match="allowed_hosts"):
        http_policy(settings, {TOKEN_ENV: TOKEN})
    named = load_settings({"host": "0.0.0.0"}, environ={"CLAUDE_ADMIN_MCP_ALLOWED_HOSTS": "mcp.acme.test:*"})
    assert "mcp.acme.test:*" in http_policy(named, {TOKEN_ENV: TOKEN}).allowed_hosts
    specific = load_settings({"host": "192.0.2.10"}, environ={})
    assert "192.0.2.10:*" in http_policy(specific, {TOKEN_ENV: TOKEN}).allowed_hosts


@pytest.mark.anyio
async def test_served_on_every_address_with_a_secret_and_a_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "http-token"
    token_file.write_text(TOKEN + "\n")
    env = {
        "CLAUDE_ADMIN_MCP_HTTP_TOKEN_FILE": str(token_file),
        "CLAUDE_ADMIN_MCP_ALLOWED_HOSTS": "mcp.acme.test:*",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    args = [
        "--sandbox",
        "--sandbox-users",
        "5",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
    ]
    with running(args, url, clean_env(**env)) as process:
        headers = _headers(authorization=f"Bearer {TOKEN}", host=f"mcp.acme.test:{port}")
        assert httpx2.post(url, content=_initialize(), headers=headers).status_code == 200
        headers["host"] = f"other.acme.test:{port}"
        assert httpx2.post(url, content=_initialize(), headers=headers).status_code == 421
        async with _authenticated(url, "legacy") as client:
            result = await client.call_tool("list_workspaces", {})
        assert not result.is_error
        err = _stderr_after(process)
    assert "bearer token required" in err and TOKEN not in err


@pytest.mark.anyio
async def test_without_a_secret_loopback_clients_need_nothing() -> None:
    with _server({}) as (url, process):
        assert httpx2.post(url, content=_initialize(), headers=_headers()).status_code == 200
        bad_host = _headers(host="attacker.example")
        assert httpx2.post(url, content=_initialize(), headers=bad_host).status_code == 421
        async with Client(url) as client:
            assert not (await client.call_tool("get_organization", {})).is_error
        assert "no token: loopback only" in _stderr_after(process)
