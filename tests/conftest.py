"""Shared fixtures: a real sandbox on loopback HTTP, and the server driven through a real MCP client.

`sandbox` is shared by the whole session and must only be read; a test that writes takes
`fresh_sandbox`. The sandbox's admin key is a canary: tests assert it never shows up anywhere.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.types import CallToolResult

from claude_admin_mcp.sandbox.runner import RunningSandbox, SandboxConfig, start_sandbox
from claude_admin_mcp.server.api.credentials.admin_key import admin_key_credential
from claude_admin_mcp.server.api.credentials.oauth_token import oauth_token_credential
from claude_admin_mcp.server.app import AdminServer, create_server
from claude_admin_mcp.server.config import Settings

REPO = Path(__file__).resolve().parent.parent
FIXED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CANARY_KEY = "sk-ant-admin01-canaryKEY" + "Zq7" * 14
CANARY_TOKEN = "sk-ant-oat01-canaryTOKEN" + "Xw3" * 14
MODES = ("auto", "legacy")
"""Both MCP protocol eras: 2026-07-28 (auto) and the 2025-11-25 handshake (legacy)."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def sandbox_config(**overrides: Any) -> SandboxConfig:
    options: dict[str, Any] = {
        "users": 60,
        "seed": 7,
        "now": FIXED_NOW,
        "admin_key": CANARY_KEY,
        "oauth_token": CANARY_TOKEN,
    }
    options.update(overrides)
    return SandboxConfig(**options)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """A sandbox shared by every test that only reads."""
    with start_sandbox(sandbox_config()) as running:
        yield running


@pytest.fixture
def fresh_sandbox() -> Iterator[RunningSandbox]:
    """A sandbox of its own, for a test that writes or injects faults."""
    # Every fresh sandbox is the same organization, new: no plan of an earlier test was applied to it.
    shutil.rmtree(TEST_STATE / "plans", ignore_errors=True)
    with start_sandbox(sandbox_config()) as running:
        yield running


TEST_STATE = Path(os.environ.get("PYTEST_AUDIT_DIR", "/tmp")) / f"claude-admin-mcp-state-{os.getpid()}"
"""The state folder (keys, claims, audit heads) of the servers these tests make."""
TOKEN_CHANNEL = ("form", "token")
"""`confirm_via` with the token channel opted in (scripts, CI), for the tests of that channel."""


def make_settings(sandbox: RunningSandbox, **overrides: Any) -> Settings:
    options: dict[str, Any] = {
        "base_url": sandbox.base_url,
        "max_retries": 2,
        "retry_budget_seconds": 5.0,
        "audit_log": Path(os.environ.get("PYTEST_AUDIT_DIR", "/tmp")) / f"audit-{os.getpid()}.jsonl",
        "state_dir": TEST_STATE,
        # A test's server never opens a browser on its own, nor waits for one: the approval tests
        # hand it their browser and say how long to wait.
        "approval_open_browser": False,
        "approval_wait_seconds": 0,
    }
    options.update(overrides)
    return Settings(**options)


def make_server(
    sandbox: RunningSandbox,
    *,
    oauth: bool = False,
    open_page: Callable[[str], Awaitable[bool]] | None = None,
    **overrides: Any,
) -> AdminServer:
    credential = (
        oauth_token_credential("ANTHROPIC_OAUTH_TOKEN", sandbox.config.oauth_token or CANARY_TOKEN)
        if oauth
        else admin_key_credential("ANTHROPIC_ADMIN_KEY", sandbox.config.admin_key)
    )
    settings = make_settings(sandbox, **overrides)
    if open_page is not None:
        return create_server(settings, credential, open_page=open_page)
    return create_server(settings, credential)


@asynccontextmanager
async def connect(server: MCPServer[Any], mode: str = "auto", **client_options: Any) -> AsyncIterator[Client]:
    async with Client(server, mode=mode, **client_options) as client:
        yield client


async def call(
    server: MCPServer[Any], tool: str, arguments: dict[str, Any], mode: str = "auto"
) -> CallToolResult:
    async with connect(server, mode) as client:
        return await client.call_tool(tool, arguments)


def text_of(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def python_cmd() -> str:
    return sys.executable


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The fault table (see test_faults.py), in every test run's output."""
    from .fault_table import render

    for line in render():
        terminalreporter.write_line(line)
